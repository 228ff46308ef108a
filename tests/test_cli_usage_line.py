"""Every command's usage line names its arguments as manuals do (`ingest [OPTIONS] STUDY INPUTS...`):
Typer drew required ones in braces under their Python names (`{STUDY} {inputs}...`, `{study}`) and
a repeated optional one as `[TABLE...]...` (`cli/usage_line.py`)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def _leaf_commands() -> list[list[str]]:
    """Every command's words (`["elections", "show"]`), groups left out."""
    found: list[list[str]] = []

    def walk(words: list[str], cmd: object) -> None:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            found.append(words)
        for name, sub in (subs or {}).items():
            walk([*words, name], sub)

    walk([], typer.main.get_command(app))
    return found


_LEAF = _leaf_commands()


@pytest.mark.parametrize("words", _LEAF, ids=lambda w: " ".join(w))
def test_usage_line_has_no_braces_and_capital_arguments(words: list[str]) -> None:
    res = runner.invoke(app, [*words, "--help"], prog_name="botwatch", env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    usage = next(ln for ln in res.output.splitlines() if "Usage:" in ln)
    assert "{" not in usage and "}" not in usage and "......" not in usage and "...]..." not in usage, usage
    after_options = usage.split("[OPTIONS]", 1)[-1].split()
    for piece in after_options:
        assert re.fullmatch(r"\[?[A-Z][A-Z0-9_-]*(\.\.\.)?\]?", piece), usage


def test_the_ingest_and_export_lines_read_as_documented() -> None:
    ingest = runner.invoke(app, ["ingest"], prog_name="botwatch")
    assert "error: Missing argument 'STUDY'." in ingest.output
    assert "Usage: botwatch ingest [OPTIONS] STUDY INPUTS..." in ingest.output, ingest.output
    export = runner.invoke(app, ["export", "--help"], prog_name="botwatch", env={"COLUMNS": "200"})
    assert "Usage: botwatch export [OPTIONS] STUDY [TABLE...]" in export.output, export.output
