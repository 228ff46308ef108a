"""`analyze --sample-rate` warns that scaled counts are not platform figures only where the
estimates stage, the one stage that scales, runs: `--only coverage --sample-rate 0.01` printed
the warning though nothing was scaled."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

WARNING = "not platform figures"


def test_no_scaling_warning_where_no_scaled_stage_runs(labelled_sample_copy: Path) -> None:
    res = CliRunner().invoke(app, ["analyze", str(labelled_sample_copy), "-e", "us-2016", "--only", "coverage", "--sample-rate", "0.01"])
    assert res.exit_code == 0, res.output
    assert WARNING not in " ".join(res.output.split())


def test_the_scaling_warning_stays_where_estimates_run(labelled_sample_copy: Path) -> None:
    res = CliRunner().invoke(app, ["analyze", str(labelled_sample_copy), "-e", "us-2016", "--only", "estimates", "--sample-rate", "0.01"])
    assert res.exit_code == 0, res.output
    assert WARNING in " ".join(res.output.split())  # the bundled sample is mostly IRA-attributed accounts
