"""The study's own path in an error or warning line follows the rule of input file names
(`shown_text.name_shown`): a byte of the name that is not UTF-8 is shown `\\xff`, as `ingest`
names such an input (it read `\\udcff`), a typed backslash in a lake's folder is written as two,
and the command a "no lake study" line gives to paste is shell-quoted."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.terminal import said as _said, wide_consoles

runner = CliRunner()
@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)


def test_a_study_name_with_a_byte_that_is_not_utf8_reads_as_ingest_shows_it(tmp_path: Path) -> None:
    study = f"{tmp_path}/s\udcff\x07.duckdb"  # how Python holds the byte 0xff of a name typed on the command line
    for cmd in ("status", "analyze", "accounts"):
        said = _said(runner.invoke(app, [cmd, study]))
        assert f"no study at {tmp_path}/s\\xff\\x07.duckdb:" in said and "udcff" not in said.split(":")[1], said
    (tmp_path / "d\x07").mkdir()
    assert f"{tmp_path}/d\\x07 is a folder: a DuckDB study is a file" in _said(runner.invoke(app, ["status", str(tmp_path / "d\x07")]))


def test_no_lake_study_names_the_folder_by_the_rule_of_file_names_and_quotes_the_command(tmp_path: Path) -> None:
    lake = f"{tmp_path}/my lake\\x07\x1b"
    pasted = f"$'{tmp_path}/my lake\\\\x07\\x1b'"  # ANSI-C quoted: the typed backslash doubled, the ESC as its byte
    said = _said(runner.invoke(app, ["status", lake, "--engine", "spark"]))
    assert f"no lake study at {tmp_path}/my lake\\\\x07\\x1b: run `botwatch ingest --engine spark {pasted} FILES...` first" in said, said


def test_a_command_to_paste_names_a_byte_that_is_not_utf8_as_the_shell_reads_it(tmp_path: Path) -> None:
    """The "no study" hint quoted the name as `'s\\udcff.duckdb'`, which pasted names a file with
    those six characters in it; `$'s\\xff.duckdb'` names the file the user typed."""
    import os
    import subprocess

    study = f"{tmp_path}/s\udcff.duckdb"
    said = _said(runner.invoke(app, ["status", study]))
    assert f"run `botwatch ingest $'{tmp_path}/s\\xff.duckdb' FILES...` first" in said, said
    assert "udcff" not in said
    word = said.split("botwatch ingest ")[1].split(" FILES")[0]
    pasted = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True, check=True).stdout
    assert pasted == os.fsencode(study)


def test_the_recorded_line_names_the_study_by_the_rule_of_file_names() -> None:
    from io import StringIO

    from rich.console import Console

    from botwatch.cli.record import say_recorded

    say = Console(file=StringIO(), width=400)
    say_recorded(say, "/data/s\udcff\x07.duckdb", "content_evaluate", None, "the report quotes it")
    assert say.file.getvalue() == "recorded in s\\xff\\x07.duckdb (stage content_evaluate): the report quotes it\n"  # type: ignore[attr-defined]


def test_a_command_to_paste_names_a_study_starting_with_a_dash_as_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A study named `-étude d'été.duckdb` was given back quoted as `'-étude d'"'"'été.duckdb'`,
    which the pasted command read as an option ("No such option: -é"); `./-étude...` names the file."""
    import shlex

    monkeypatch.chdir(tmp_path)
    said = _said(runner.invoke(app, ["status", "--", "-étude d'été.duckdb"]))
    command = said.split("`")[1]
    words = shlex.split(command)
    assert words[:3] == ["botwatch", "ingest", "./-étude d'été.duckdb"], said
    pasted = _said(runner.invoke(app, ["status", words[2]]))
    assert "No such option" not in pasted and "no study at -étude d'été.duckdb" in pasted, pasted
