"""The study's own path in an error or warning line follows the rule of input file names
(`shown_text.name_shown`): a byte of the name that is not UTF-8 is shown `\\xff`, as `ingest`
names such an input (it read `\\udcff`), a typed backslash in a lake's folder is written as two,
and the command a "no lake study" line gives to paste is shell-quoted."""

from __future__ import annotations

import shlex
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
    pasted = shlex.quote(lake).replace("\x1b", "\\x1b")  # quoted, its backslashes as they are; the ESC shown
    said = _said(runner.invoke(app, ["status", lake, "--engine", "spark"]))
    assert f"no lake study at {tmp_path}/my lake\\\\x07\\x1b: run `botwatch ingest --engine spark {pasted} FILES...` first" in said, said


def test_the_recorded_line_names_the_study_by_the_rule_of_file_names() -> None:
    from io import StringIO

    from rich.console import Console

    from botwatch.cli.record import say_recorded

    say = Console(file=StringIO(), width=400)
    say_recorded(say, "/data/s\udcff\x07.duckdb", "content_evaluate", None, "the report quotes it")
    assert say.file.getvalue() == "recorded in s\\xff\\x07.duckdb (stage content_evaluate): the report quotes it\n"  # type: ignore[attr-defined]
