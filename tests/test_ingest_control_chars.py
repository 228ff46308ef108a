"""File names and record text echoed by `ingest` and `collect` reach the terminal with their control
characters escaped: a name holding ESC[2J (clear screen) or a right-to-left override was printed
raw in the file's line, the skip and failure reasons and the error line."""

from __future__ import annotations

import pytest

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

V1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
EVIL = "ev\x1b[2Jil\u202e\r"


def _raw_controls(text: str) -> list[str]:
    """Control characters in `text` other than the newlines that end its lines."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


def test_names_and_reasons_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    good = tmp_path / f"{EVIL}.jsonl"
    good.write_bytes(V1.read_bytes() + b'{"id": 1, "text": "bad\x1b]0;title\x07"}\n')  # a rejected record, with an OSC sequence
    junk = tmp_path / f"junk{EVIL}.bin"
    junk.write_bytes(b"\x00\x1b[31m\xff" * 40)
    study = tmp_path / f"s{EVIL}.duckdb"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(study), str(good), str(junk), str(tmp_path / f"gone{EVIL}.jsonl")])
    assert res.exit_code == 1 and res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert not _raw_controls(res.output), repr(res.output)
    said = " ".join(res.output.split())
    assert "ev\\x1b[2Jil\\u202e\\x0d.jsonl" in said  # the file's own line: ok …
    assert f"unreadable {tmp_path}/junkev\\x1b[2Jil" in said
    assert "goneev\\x1b[2Jil\\u202e\\x0d.jsonl: no such file" in said
    # where the rejected records are, quoted for the shell: $'...' since a control character is in the name
    assert "botwatch export $'" + str(tmp_path) + "/sev\\x1b[2Jil" in said
    again = runner.invoke(app, ["ingest", str(study), str(good)])  # skipped: the reason names the file too
    assert again.exit_code == 0 and "identical content already ingested" in again.output
    assert not _raw_controls(again.output), repr(again.output)


def test_a_missing_input_alone_is_one_escaped_error_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(tmp_path / f"{EVIL}.jsonl")])
    assert res.exit_code == 2 and "no such file" in res.output
    assert not _raw_controls(res.output), repr(res.output)


def test_a_documentation_file_left_aside_is_named_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(V1, folder / "tweets.jsonl")
    (folder / f"README{EVIL}.md").write_text("about", encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(folder)])
    assert res.exit_code == 0 and "left aside 1 file" in res.output, res.output
    assert not _raw_controls(res.output), repr(res.output)


def test_collect_log_lines_are_escaped() -> None:
    from botwatch.cli.collect import say
    from botwatch.cli.common import console

    with console.capture() as got:
        say(f"follow: ingest of 1 file(s) into s.duckdb failed (x{EVIL}: broken)")
    assert not _raw_controls(got.get()) and "xev\\x1b[2Jil\\u202e\\x0d" in got.get()


def test_the_one_helper_is_idempotent() -> None:
    from botwatch.cli.common import controls_shown as common
    from botwatch.collect.follow import shown
    from botwatch.shown_text import controls_shown

    once = controls_shown(EVIL + "\t\u2028\ufeff")
    assert once == common(EVIL + "\t\u2028\ufeff") == shown(EVIL + "\t\u2028\ufeff") == controls_shown(once)
    assert not _raw_controls(once)


def test_status_shows_a_rejected_files_own_header_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable CSV's reason quotes its first column names (a file someone sent): `ingest`
    showed them escaped, but `status` ("Rejected, by error") printed them raw."""
    import botwatch.cli.common

    monkeypatch.setattr(botwatch.cli.common.out, "_width", 250)  # table cells whole, under xdist too
    study = tmp_path / "s.duckdb"
    other = tmp_path / "other.csv"
    other.write_text("foo,b\x1b[2Jar\u202e\n1,2\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(V1), str(other)]).exit_code == 1  # 1: an input was unreadable
    res = runner.invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "first columns: foo, b\\x1b[2jar\\u202e" in res.output, res.output
    assert not _raw_controls(res.output), repr(res.output)


def test_the_live_collect_line_shows_a_server_sent_cursor_escaped() -> None:
    """The live line (a terminal only) quotes the cursor, which holds ids and tokens the server sent
    (X's next_token, a Mastodon status id, neither checked): an ESC there was written raw beside
    the line's own clear-to-end-of-line code."""
    import io

    from botwatch.collect.progress import ProgressLine, Stats

    buf = io.StringIO()
    ProgressLine(buf, enabled=True).update(Stats(kept=3, cursor="next_token=a\x1b[2J\u202e"), 10, force=True)
    line = buf.getvalue()
    assert "cursor next_token=a\\x1b[2J\\u202e |" in line, repr(line)
    assert line.count("\x1b") == 1 and line.endswith("\x1b[K") and "\u202e" not in line, repr(line)
