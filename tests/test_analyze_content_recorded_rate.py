"""`analyze --only content` (and `api.analyze(only=['content'])`) on a study whose sample rate is
recorded warned "party snp ... matched 0 election posts: check its hashtags, keywords and
accounts", where the full `analyze` said how many posts a sample at that rate can miss: the rate
was looked up only when the estimates stage ran, and `api.analyze` never passed it at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

MISSES = "a sample at rate 0.01 misses every post of a party"


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """@UKLabour's week spread over ten accounts, labelled for uk-ge2017, with estimates made at 0.01 (the recorded rate)."""
    from test_estimates_zero_bound import _relabelled

    study = _relabelled(tmp_path_factory.mktemp("rate"), "ten", lambda i: i % 10)
    res = CliRunner().invoke(app, ["analyze", str(study), "-e", "uk-ge2017", "--only", "content"])
    assert res.exit_code == 0, res.output
    assert MISSES not in res.output and "matched 0 election posts: check its hashtags" in res.output  # no rate recorded yet
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    return study


def test_the_cli_reads_the_recorded_rate_for_the_content_warning(sampled: Path) -> None:
    res = CliRunner().invoke(app, ["analyze", str(sampled), "--only", "content"])
    assert res.exit_code == 0, res.output
    assert MISSES in " ".join(res.output.split())


def test_the_api_reads_the_recorded_rate_for_the_content_warning(sampled: Path) -> None:
    from botwatch import api

    said: list[str] = []
    api.analyze(sampled, "uk-ge2017", only=["content"], log=said.append)
    assert any(MISSES in line for line in said), said
