"""Impact (lead-lag) tests on generated series with a planted lead, and the `botwatch impact`
command end to end on a generated study."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.impact.leadlag import lead_lag

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.pipeline import Context, analyze

from test_timeline import election, write_posts, write_table
from testsupport.lead_series import leading_counts

START = datetime(2017, 5, 1)


def test_planted_lead_is_found_in_one_direction_only() -> None:
    rng = np.random.default_rng(1)
    n = 500
    a = rng.normal(size=n)
    b = np.zeros(n)
    for t in range(2, n):
        b[t] = 0.3 * b[t - 1] + 0.6 * a[t - 2] + rng.normal()
    r = lead_lag(a, b, ("bots", "rest"))
    assert r is not None and r.differences == 0 and r.lag >= 2
    fwd, back = r.directions
    assert (fwd.cause, fwd.effect) == ("bots", "rest")
    assert fwd.p_value < 1e-6 and back.p_value > 0.05
    h, peak, lo, hi = fwd.peak
    assert h == 2 and lo > 0  # the planted response arrives two steps after the shock


def test_random_walks_are_differenced_and_unrelated() -> None:
    rng = np.random.default_rng(2)
    a, b = np.cumsum(rng.normal(size=400)), np.cumsum(rng.normal(size=400))
    r = lead_lag(a, b, ("x", "y"))
    assert r is not None and r.differences >= 1
    assert all(d.p_value > 0.01 for d in r.directions)


def test_too_short_or_constant_series_give_no_test() -> None:
    assert lead_lag(np.arange(10.0), np.arange(10.0)) is None
    assert lead_lag(np.ones(200), np.random.default_rng(0).normal(size=200)) is None


@pytest.fixture(scope="module")
def lead_study_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 days of hourly talk about Labour in which the bots' volume leads the humans' by 2 hours,
    analysed once per module; tests get a copy (`lead_study`), since one of them writes to it."""
    path = tmp_path_factory.mktemp("impact") / "lead.duckdb"
    rng = np.random.default_rng(4)
    hours = 24 * 30
    bot_n, human_n = leading_counts(rng, hours)
    posts = []
    for t in range(hours):
        for who, n in (("b", bot_n[t]), ("h", human_n[t])):
            for i in range(int(n)):
                posts.append(dict(post_id=f"{who}{t}-{i}", platform="twitter", account_id=f"{who}{i % 7}", created_at=START + timedelta(hours=t, minutes=int(rng.integers(60))), kind="original"))
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
        write_table(st, "account_scores", [dict(platform="twitter", account_id=f"{w}{i}", bot_probability=0.9 if w == "b" else 0.1) for w in "bh" for i in range(7)])
        write_table(st, "post_party", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"], party="labour",
                                            stance="neutral", stance_rule="test", sentiment=float(rng.normal(0, 0.3))) for p in posts])
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "impact"])
    return path


@pytest.fixture()
def lead_study(lead_study_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An open copy of the analysed study of `lead_study_path`."""
    shutil.copy(lead_study_path, tmp_path / "lead.duckdb")
    with open_study(tmp_path / "lead.duckdb", read_only=False) as st:
        yield st


def test_impact_stage_finds_the_planted_lead(lead_study) -> None:  # type: ignore[no-untyped-def]
    rows = {(m, c): p for m, c, p in lead_study.sql("SELECT measure, cause, p_value FROM impact WHERE party = 'labour' AND freq = '1h'")}
    assert rows[("volume", "automated")] < 0.001
    assert rows[("volume", "rest")] > 0.01
    # Sentiment was planted as noise: no lead either way at the 1% level.
    assert rows[("sentiment", "automated")] > 0.01 and rows[("sentiment", "rest")] > 0.01
    irf = lead_study.sql("SELECT h, low FROM impact_irf WHERE party='labour' AND measure='volume' AND cause='automated' AND h = 2")
    assert irf and irf[0][1] > 0
    notes = [n for (n,) in lead_study.sql("SELECT note FROM timeline_notes WHERE stage = 'impact'")]
    assert any("Conservatives" in n for n in notes)  # the party with no posts is named (as its election names it), not silently skipped


def test_impact_command(lead_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    path = str(lead_study.path)
    lead_study.close()
    runner = CliRunner()
    res = runner.invoke(app, ["impact", path, "--party", "labour", "--freq", "3h"])
    assert res.exit_code == 0, res.output
    assert "volume" in res.output and "sentiment" in res.output and "persuasion" in res.output
    with open_study(path, read_only=False) as st:
        assert st.sql("SELECT count(*) FROM impact WHERE freq = '3h'")[0][0] == 4
        assert st.sql("SELECT count(*) FROM impact WHERE freq = '1h'")[0][0] == 4  # the stage's rows are kept
        # It ran through the pipeline runner: one `runs` row with its settings.
        assert st.sql("SELECT count(*) FROM runs WHERE stage = 'impact' AND params LIKE ?", ['%"impact_parties": ["labour"]%'])[0][0] == 1
    bad = runner.invoke(app, ["impact", path, "--party", "labour", "--freq", "fortnightly"])
    assert bad.exit_code != 0 and "not understood" in bad.output


def test_a_fit_still_not_stationary_says_so_in_the_report(tmp_path: Path) -> None:
    """`lead_lag` notes series still not stationary after two differences (64 of 100 white-noise
    pairs of 48 hourly buckets), and the row stored it, but the report printed its F test under a
    caption saying the series were differenced until the ADF test rejected a unit root."""
    import pyarrow as pa

    from botwatch.impact.stage import IMPACT_SCHEMA
    from botwatch.timeline.report import impact_row_notes

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        note = "still not stationary after 2 differences (ADF p = automated 0.024, rest 0.058)"
        rows = [dict(party="labour", freq="1h", measure="volume", cause=c, effect=e, notes=note) for c, e in (("automated", "rest"), ("rest", "automated"))]
        rows.append(dict(party="labour", freq="1h", measure="sentiment", cause="automated", effect="rest", notes=None))
        with st.temp_view("_imp", pa.Table.from_pylist(rows, schema=IMPACT_SCHEMA)):
            st.sql("CREATE TABLE impact AS SELECT * FROM _imp")
        assert impact_row_notes(st) == [f"labour, volume at 1h: {note}; read its F test with care."]
    finally:
        st.close()


def test_impact_command_prints_a_fit_still_not_stationary(lead_study) -> None:  # type: ignore[no-untyped-def]
    """Two days of hourly buckets (48): the 12-lag ADF test cannot reject a unit root in the
    volume series after two differences; the row stored that and the command printed none of it."""
    from botwatch.cli import app

    path = str(lead_study.path)
    lead_study.close()
    res = CliRunner().invoke(app, ["impact", path, "--party", "labour", "--start", "2017-05-09", "--end", "2017-05-11"])
    assert res.exit_code == 0, res.output
    assert "note volume: still not stationary after 2 differences" in " ".join(res.output.split())


def _impact_caption(rows: list[tuple]) -> str:  # type: ignore[type-arg]
    """The impact table's caption note, rendered from `impact_rows`-shaped rows."""
    import re

    from botwatch.report.sections import render
    from botwatch.timeline.report import adf_short

    html = str(render("time.html.j2", circ=None, span=(START, START + timedelta(days=30)), span_words={"in_window": True}, election=None,
                      figures=[], events=[], hours="", bursts=[], tests=[], notes=[], impact=rows, impact_short=adf_short(rows), impact_cov={},
                      impact_windows=False, party_name=str, series_words={}))
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))
    return text[text.index("Every party is tested"):text.index("The peak response")]


def test_tests_on_series_too_short_for_the_stationarity_test_say_so() -> None:
    """Near 40 buckets the 12-lag ADF test rejects a unit root in white noise hardly more often
    than its 5% level would by chance (`leadlag.ADF_WHITE_NOISE`, below `leadlag.ADF_SHORT_OBS`):
    the caption's "differenced until the test rejected a unit root" read as if those series
    trended, where they are only short. The rates it quotes are the measured table's: written by
    hand it said 4 in 100 at 40 buckets, where 1,000 seeded series give 7."""
    from botwatch.impact.leadlag import ADF_WHITE_NOISE

    def per_100(n: int) -> int:
        return round(100 * ADF_WHITE_NOISE[n][0] / ADF_WHITE_NOISE[n][1])

    def row(n: int) -> tuple:  # type: ignore[type-arg]
        return ("labour", "1h", "volume", "automated", "rest", n, 2, 1, 1.5, 0.2, 1, 0.01, -0.01, 0.02, 0.4, None)

    text = _impact_caption([row(48), row(600)])
    assert ("1 of these 2 tests rests on fewer than 120 buckets (the fewest 48), where that test seldom finds a series "
            f"stationary even when it is (on white noise: in about {per_100(40)} of 100 series of 40 buckets, {per_100(120)} of 100 at 120), "
            "so their differencing, "
            "and a note below that a series is still not stationary, say that the series are short, not that they trend") in text, text
    assert "all of these tests rest on fewer than 120 buckets (the fewest 40)" in _impact_caption([row(40), row(119)])
    assert "3 of these 4 tests rest on fewer than 120 buckets (the fewest 48)" in _impact_caption([row(48), row(60), row(100), row(600)])
    assert "this test rests on fewer than 120 buckets (the fewest 40)" in _impact_caption([row(40)])
    assert "fewer than" not in _impact_caption([row(120), row(600)])
