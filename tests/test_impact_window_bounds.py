"""`botwatch impact` with one bound outside the election window: the window it tests is empty,
and the command says so, not "No posts about <party> in the window" (the party was talked about;
the window held no time)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    """A study with a timeline and 40 posts naming the Republicans in October 2016."""
    path = tmp_path / "s.duckdb"
    with open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("CREATE TABLE post_party AS SELECT 'twitter' AS platform, 'p' || i AS post_id, 'a' AS account_id, TIMESTAMP '2016-10-01' + INTERVAL (i) HOUR AS created_at, "
               "'republican' AS party, 'support' AS stance FROM range(40) t(i)")
    return path


@pytest.mark.parametrize("bound, said", [
    (["--start", "2017-01-01"], "--start 2017-01-01 00:00 is after the election window's end (2016-11-"),
    (["--end", "2010-01-01"], "the election window's start (2016-09-"),
])
def test_a_bound_beyond_the_other_end_of_the_window_is_said(tiny: Path, bound: list[str], said: str) -> None:
    res = CliRunner().invoke(app, ["impact", str(tiny), "-p", "republican", "--election", "us-2016", *bound], env={"COLUMNS": "250"})
    out = " ".join(res.output.split())
    assert res.exit_code == 2, out
    assert "the window is empty" in out and said in out, out
    assert "No posts about" not in out
