"""`botwatch accounts` options a researcher mistypes: each is one usage error, never an internal
error or an empty table that looks like an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--top", "-1"], "--top"),  # was "BinderException: LIMIT/OFFSET cannot be negative. This is a bug in botwatch"
        (["--min-bot", "2"], "--min-bot"),  # a probability above 1 matched nothing: an empty table
        (["--country", "RUS"], "two-letter ISO 3166-1 code"),  # three letters matched nothing: an empty table
        (["--country", "Russia"], "two-letter ISO 3166-1 code"),
    ],
)
def test_impossible_filters_are_usage_errors(tmp_path: Path, args: list[str], words: str) -> None:
    study = tmp_path / "no-such.duckdb"  # the options are checked before the study is opened
    res = runner.invoke(app, ["accounts", str(study), *args])
    assert res.exit_code == 2, res.output
    assert words in res.output and "This is a bug" not in res.output
