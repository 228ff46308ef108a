"""A study none of whose posts falls in the election's window (2015 debate tweets under us-2016,
@UKLabour's May 2017 week under it) was told where the posts and the window lie, and `analyze`
went on to write empty stance tables without saying what to do: the warning now ends with the way
out, in the words of the command (or the Python call) that says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"
# The days are given in the election's time zone ("2017-05-07, days in America/New_York)").
SAID = "falls in the US presidential election 2016 window (2016-09-01 to 2016-11-15"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = tmp_path_factory.mktemp("outside") / "lab.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(SAMPLE / "ge2017_uklabour_may_week1.json.gz")]).exit_code == 0
    return study


def test_analyze_says_what_to_do(week: Path) -> None:
    res = CliRunner().invoke(app, ["analyze", str(week), "-e", "us-2016", "--only", "content"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "None of this study's posts (2017-05-01 to 2017-05-07" in said and SAID in said
    assert "Analyse it with an election whose window holds these dates (`botwatch elections list` shows each preset's window" in said
    assert "or with --no-election to study the posts without one." in said


def test_the_api_says_what_to_do_in_its_own_words(week: Path) -> None:
    from botwatch import api

    lines: list[str] = []
    api.analyze(week, election="us-2016", only=["content"], log=lines.append)
    line = next(ln for ln in lines if SAID in ln)
    assert line.endswith("Pass an election whose window holds these dates (a preset key or a TOML path), or no_election=True to study the posts without one.")


NOT_TERMS = "every election figure of this study is empty because of the window, not the parties' hashtags or keywords"


def test_the_party_lines_blame_the_window_not_the_hashtags(week: Path) -> None:
    """Every party's line said "matched 0 election posts: check its hashtags, keywords and
    accounts" under the warning that no post is in the window: terms that were right, blamed."""
    res = CliRunner().invoke(app, ["analyze", str(week), "-e", "us-2016", "--only", "content"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert NOT_TERMS in said and "check its hashtags, keywords and accounts" not in said and "check them" not in said


def test_the_api_party_lines_blame_the_window(week: Path) -> None:
    from botwatch import api

    lines: list[str] = []
    api.analyze(week, election="us-2016", only=["content"], log=lines.append)
    assert any(NOT_TERMS in ln for ln in lines) and not any("check its hashtags" in ln for ln in lines), lines
