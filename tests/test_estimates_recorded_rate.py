"""`--sample-rate` was not remembered: after `estimate --sample-rate 0.01`, a plain `estimate` (or
`analyze --only estimates`) rewrote the estimates unscaled, and the report then said both "run with
a sample rate of 1.00%" (Methods, from the merged run records) and "No sample rate was given"
(Parties, from the table). The rate is now inherited from the estimates' own run record, and said;
the report reads the rate of the estimates it shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.elections import load_election

US = load_election("us-2016")


@pytest.fixture(scope="module")
def labelled(labelled_sample_path: Path) -> Path:
    """The bundled sample labelled for us-2016, once per session (tests copy it before writing)."""
    return labelled_sample_path


def _rates(path: Path) -> list:
    from botwatch import open_study

    with open_study(path) as st:
        return [r[0] for r in st.sql("SELECT DISTINCT sample_rate FROM estimates")]


def test_a_plain_estimate_keeps_the_recorded_rate_and_says_so(labelled: Path, tmp_path: Path) -> None:
    from botwatch.cli import app

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "50"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["estimate", str(path), "--reps", "50"])
    assert res.exit_code == 0, res.output
    assert "using the sample rate this study's estimates were last made with: 0.01" in res.output
    assert "by 1/0.01" in res.output and "no sample rate given" not in res.output
    assert _rates(path) == [0.01]  # was [None]: rewritten unscaled
    # --sample-rate 1 is how to count as observed, and later runs keep that.
    assert CliRunner().invoke(app, ["estimate", str(path), "--sample-rate", "1", "--reps", "50"]).exit_code == 0
    res = CliRunner().invoke(app, ["estimate", str(path), "--reps", "50"])
    assert res.exit_code == 0 and _rates(path) == [1.0]


def test_the_report_reads_the_rate_of_the_estimates_it_shows(labelled: Path, tmp_path: Path) -> None:
    """A study made before the rate was inherited: the newest estimates are unscaled, an older run recorded 0.01."""
    from botwatch import open_study
    from botwatch.pipeline import Context, analyze
    from botwatch.report.context import report_context

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled, path)
    with open_study(path, read_only=False) as st:
        analyze(st, Context(election=US, options={"sample_rate": 0.01, "bootstrap_reps": 50}, log=lambda m: None), only=["estimates"])
        analyze(st, Context(election=US, options={"bootstrap_reps": 50}, log=lambda m: None), only=["estimates"])
        assert report_context(st)["sample_rate"] is None  # was 0.01, beside a Parties section saying none was given
        analyze(st, Context(election=US, options={"sample_rate": 0.01, "bootstrap_reps": 50}, log=lambda m: None), only=["estimates"])
        assert report_context(st)["sample_rate"] == 0.01


def test_the_python_api_inherits_it_too(labelled: Path, tmp_path: Path) -> None:
    from botwatch import api

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled, path)
    said: list[str] = []
    api.analyze(path, election="us-2016", only=["estimates"], options={"sample_rate": 0.01, "bootstrap_reps": 50}, log=None)
    api.analyze(path, only=["estimates"], options={"bootstrap_reps": 50}, log=said.append)
    assert _rates(path) == [0.01]
    assert any("last made with: 0.01" in s for s in said)


def test_analyze_names_the_recorded_rate_only_when_estimates_run(labelled: Path, tmp_path: Path) -> None:
    """The diff review: `analyze --only coverage` printed "using the sample rate …" although no
    stage it ran uses a rate."""
    from botwatch.cli import app

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled, path)
    assert CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "50"]).exit_code == 0
    res = CliRunner().invoke(app, ["analyze", str(path), "--only", "coverage"])
    assert res.exit_code == 0, res.output
    assert "using the sample rate" not in res.output
    res = CliRunner().invoke(app, ["analyze", str(path), "--only", "estimates"])
    assert res.exit_code == 0, res.output
    assert "using the sample rate this study's estimates were last made with: 0.01" in res.output
