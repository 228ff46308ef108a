"""`botwatch estimate --sample-rate 1` counts posts as observed (docs/methods.md), and the report
says "the sample rate is 1, so counts are not scaled"; the command's titles read "scaled by 1/1",
as if its counts were platform figures."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner


def test_rate_one_is_said_to_scale_nothing(labelled_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.cli import app

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "1", "--reps", "20", "--table", "parties"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "scaled by 1/1" not in said and "sample rate 1: counts are as observed, not scaled" in said, said


def test_help_says_counts_are_scaled_only_with_a_rate() -> None:
    """The help said every count was "scaled to the platform"; without a rate none is (the table
    says "no sample rate given: counts are as observed")."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["estimate", "--help"], env={"COLUMNS": "200"})
    said = " ".join(res.output.replace("│", " ").split())
    assert res.exit_code == 0
    assert "scaled to the platform with 95% intervals" not in said
    assert "counts are scaled to the platform only with a sample rate" in said, said
