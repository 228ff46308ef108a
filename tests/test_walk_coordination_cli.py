"""`botwatch coordination` settings outside what the test means are usage errors, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--max-fdr", "2"], "--max-fdr must be between 0 and 1"),  # the report said "at a 200% false discovery rate"
        (["--max-fdr", "0"], "--max-fdr must be between 0 and 1"),
        (["--min-repeats", "-1"], "--min-repeats must be at least 1"),
        (["--null-replicates", "0"], "--null-replicates must be at least 1"),
        (["--memory-mb", "-5"], "--memory-mb must be at least 0"),
        (["--sweep", ""], "--sweep is empty"),  # was taken for no sweep: the stage ran and replaced the network
        (["--sweep", " "], "--sweep is empty"),
        # --csv / --graphml were ignored by a sweep: exit 0 and no file, with no word
        (["--sweep", "10s,60s", "--csv", "e.csv"], "--sweep compares windows and writes nothing, so --csv would write no file"),
        (["--sweep", "10s", "--graphml", "n.graphml"], "so --graphml would write no file"),
    ],
)
def test_settings_outside_their_meaning_are_usage_errors(tmp_path: Path, args: list[str], words: str) -> None:
    res = runner.invoke(app, ["coordination", str(tmp_path / "none.duckdb"), *args])
    assert res.exit_code == 2, res.output
    assert words in res.output
