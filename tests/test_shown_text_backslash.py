"""`controls_shown` wrote a BEL as `\\x07` and left the four characters `\\x07` an account typed as
they were: the two read alike on a terminal. It writes each backslash as two, so they differ, and
being no longer idempotent it is applied once, by the line that prints the text (a message
escaped by its writer and again by `fail` showed a BEL as the typed text)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.shown_text import controls_shown, shell_shown


def test_typed_escape_and_control_character_are_told_apart() -> None:
    assert controls_shown("\x07") == "\\x07"
    assert controls_shown("\\x07") == "\\\\x07"
    assert controls_shown("a\u202eb \\u202e") == "a\\u202eb \\\\u202e"
    assert controls_shown("👨\u200d👩") == "👨\u200d👩"  # an emoji sequence's joiner stays


def test_a_command_shown_to_run_is_escaped_once_where_printed() -> None:
    assert shell_shown("my study.duckdb") == "'my study.duckdb'"
    assert shell_shown("a\x1b.duckdb") == "'a\x1b.duckdb'"  # escaped by the line that prints it, not twice


def test_an_error_quoting_text_shows_a_control_character_once(tmp_path: Path) -> None:
    """A column map's error went through `controls_shown` in `ingest` and again in `fail`."""
    f = tmp_path / "m.csv"
    f.write_text("a,b\n1,2\n")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f), "--columns", "post_id=x\x1by\\z,account_id=b,created_at=a,text=a"])
    assert res.exit_code == 2, res.output
    assert "post_id=x\\x1by\\\\z" in res.output and "\x1b" not in res.output, res.output


def test_a_file_names_bytes_that_are_not_utf8_read_apart_from_typed_text() -> None:
    """A name's undecodable byte (a PEP 383 surrogate) is written `\\xff` after the backslashes are
    doubled: written first (`ingest.source.shown_name`), its backslash was doubled too."""
    assert controls_shown("bad\udcffname") == "bad\\xffname"
    assert controls_shown("bad\\xffname") == "bad\\\\xffname"
