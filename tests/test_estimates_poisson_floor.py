"""A scaled count's interval is at least the exact Poisson interval of its sampled count / rate.

The percentile bootstrap over accounts cannot draw what the sample missed: at r = 0.01 a party
with one sampled support post among ten accounts read "100 [0–200]" (or "[100–100]" where every
replicate drew it), and a zero "0 [0–0]", where one sampled post only bounds the platform's count
below about 557 at 95% (Garwood), and none below about 369. The stage now floors every scaled
count's interval at that exact interval (then widens it to whole multiples of 1 / rate), on the
engine path and the per-account path alike, so the table, its export, `estimate` and the report
give the wider interval; large counts keep their bootstrap intervals."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from botwatch.estimates.compute import COUNT_METRICS, EstimateOptions, cell_rows
from botwatch.estimates.relational import COUNT_COLUMNS
from botwatch.estimates.whole_counts import floored_bounds, least_interval, poisson_floor, zero_text

ELECTION = types.SimpleNamespace(key="check")
WINDOWS = [("campaign", None, None)]


def test_garwood_bounds() -> None:
    lo, hi = poisson_floor(1, 0.01)  # type: ignore[misc]
    assert lo == pytest.approx(2.532, abs=1e-3) and hi == pytest.approx(557.2, abs=0.1)
    lo, hi = poisson_floor(0, 0.01)  # type: ignore[misc]
    assert lo == 0 and hi == pytest.approx(-np.log(0.025) / 0.01)  # about 369
    assert poisson_floor(3, None) is None and poisson_floor(3, 1.0) is None  # nothing scaled
    assert floored_bounds(100.0, 100.0, 1, 0.01) == (1.0, 600.0)  # widened, then to whole multiples of 100; no lower than the one post
    assert floored_bounds(0.0, 0.0, 0, 0.01) == (0.0, 298.0)  # a zero: its one-sided bound (`zero_upper_bound`), no multiple of 100
    assert floored_bounds(0.0, 0.0, 0, 0.96) == (0.0, 0.0)  # "none on the platform either", as its words say
    assert floored_bounds(None, None, 1, 0.01) == (None, None)  # too few accounts: still no interval
    assert floored_bounds(10_000.0, 30_000.0, 200, 0.01) == (10_000.0, 30_000.0)  # a wide bootstrap interval is kept


def _cell(rate: float) -> dict[str, dict]:
    """Ten accounts naming a party, one post each; one of them read as support, none as oppose."""
    col = {c: i for i, c in enumerate(COUNT_COLUMNS)}
    v = np.zeros((2, len(COUNT_COLUMNS)))
    v[:, col["posts"]] = 1
    v[:, col["measured"]] = 1
    v[0, col["support"]] = 1
    v[1, col["neutral"]] = 1
    rows = cell_rows(ELECTION, WINDOWS, EstimateOptions(sample_rate=rate, reps=200, seed=3), ("campaign", "all", "p"),  # type: ignore[arg-type]
                     v, np.array([1, 9]), population=10)
    return {r["metric"]: r for r in rows}


def test_small_scaled_counts_cover_the_poisson_interval() -> None:
    rows = _cell(0.01)
    support, oppose = rows["support_posts"], rows["oppose_posts"]
    assert support["estimate"] == 100 and support["ci_high"] >= 557.2 and support["ci_low"] <= 2.54
    # Was [0, 0]; then [0, 400] (Garwood's two-sided top, widened to a multiple of 100) beside its
    # own words' "at most about 298": a zero's interval is the one-sided bound it is worded with.
    assert oppose["estimate"] == 0 and (oppose["ci_low"], oppose["ci_high"]) == (0.0, 298.0)
    assert str(zero_text(0.01)).startswith("none in the sample; at most about 298 ") and oppose["method"].endswith(str(zero_text(0.01)))
    for m in COUNT_METRICS:
        r = rows[m]
        floor = least_interval(r["observed"], 0.01)
        assert floor is not None and r["ci_low"] <= floor[0] and r["ci_high"] >= floor[1], r
        assert ("one-sided" if r["observed"] == 0 else "exact Poisson interval") in r["method"], r


def test_unscaled_counts_keep_the_bootstrap_interval() -> None:
    """A rate of 1 (or none) scales nothing: the archive's own count has no sampling of posts to floor."""
    oppose = _cell(1.0)["oppose_posts"]
    assert (oppose["ci_low"], oppose["ci_high"]) == (0.0, 0.0)


def test_no_floor_where_the_study_is_no_sample() -> None:
    """An attributed archive's counts × 1/rate are "not platform figures" (`zero_where` None): no
    sampling of posts to floor, so a zero keeps "no interval" as without a rate."""
    col = {c: i for i, c in enumerate(COUNT_COLUMNS)}
    v = np.zeros((1, len(COUNT_COLUMNS)))
    v[0, col["posts"]] = 1
    opts = EstimateOptions(sample_rate=0.01, reps=50, zero_where=None)
    rows = {r["metric"]: r for r in cell_rows(ELECTION, WINDOWS, opts, ("campaign", "all", "p"), v, np.array([10]))}  # type: ignore[arg-type]
    assert (rows["support_posts"]["ci_low"], rows["support_posts"]["ci_high"]) == (0.0, 0.0)
    assert "Poisson" not in rows["posts"]["method"]


def test_a_version_2_table_narrower_than_the_floor_is_said_to_be_out_of_date(tmp_path: Path) -> None:
    """Version 3 writes the floor; a table version 2 wrote kept "100 [100–100]" with nothing said.
    @UKLabour's week spread over ten accounts, estimated at 1%, then one count's interval narrowed
    as version 2 left it."""
    import json

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.staleness import POISSON_FLOOR, outdated_estimates
    from test_estimates_zero_bound import _relabelled

    study = _relabelled(tmp_path, "ten", lambda i: i % 10)
    assert CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        assert outdated_estimates(st) is None  # made now
        assert st.sql("SELECT count(*) FROM estimates WHERE method LIKE '%exact Poisson interval%'")[0][0] > 0  # a sample: floored
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "estimates_version": 2}, sort_keys=True), run_id])
        assert outdated_estimates(st) is None  # the same rows as version 3 writes
        st.sql("UPDATE estimates SET ci_low = estimate, ci_high = estimate WHERE metric = 'posts' AND ci_low IS NOT NULL")
        got = outdated_estimates(st)
    assert got is not None and got.found == (POISSON_FLOOR,) and got.recorded == 2


def test_one_sampled_post_never_reads_as_none_and_a_zeros_method_says_its_own_bound() -> None:
    """One sampled post at r = 0.01 stored "100 [0–600]": Garwood's low end, 2.53, widened down to a
    multiple of 100 reached 0, an interval that admits no such post on the platform where the
    sample holds one. Its low end is now the sampled posts themselves, the least the platform can
    hold. And a zero's `method` said "widened to at least the exact Poisson interval ... and whole
    multiples of 1/rate" beside its [0, 298], which is neither: it says its one-sided bound."""
    assert floored_bounds(100.0, 100.0, 1, 0.01) == (1.0, 600.0)
    assert floored_bounds(0.0, 400.0, 3, 0.5) == (3.0, 400.0)  # a bootstrap low of 0 from three sampled posts too
    assert floored_bounds(0.0, 400.0, 3, 0.5, sampled=False) == (0.0, 400.0)  # no sample of posts: nothing known beyond the bootstrap
    rows = _cell(0.01)
    support, oppose = rows["support_posts"], rows["oppose_posts"]
    assert support["observed"] == 1 and support["ci_low"] == 1.0, support
    assert "low end no less than the sampled posts" in support["method"], support["method"]
    assert "multiples" not in oppose["method"] and "one-sided" in oppose["method"], oppose["method"]
    assert oppose["method"].endswith(f"; {zero_text(0.01)}")  # what the staleness check reads


def test_a_version_3_table_whose_low_end_is_below_its_sampled_posts_is_said_to_be_out_of_date(tmp_path: Path) -> None:
    """Version 4 raises a scaled count's low end to its sampled posts; a table version 3 wrote kept
    "100 [0–600]" for one sampled post, and a zero's `method` naming a Poisson interval and
    multiples of 1/rate it does not have, with nothing said. The same ten accounts at 1%, then
    one count's low end set back as version 3 left it."""
    import json

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.staleness import LOW_END, outdated_estimates
    from test_estimates_zero_bound import _relabelled

    study = _relabelled(tmp_path, "ten", lambda i: i % 10)
    assert CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        assert outdated_estimates(st) is None  # made now
        raised = "observed > 0 AND ci_low = observed AND ci_low < estimate AND metric LIKE '%posts'"
        assert st.sql(f"SELECT count(*) FROM estimates WHERE {raised}")[0][0] > 0  # a few sampled posts: the low end is them
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "estimates_version": 3}, sort_keys=True), run_id])
        assert outdated_estimates(st) is None  # the same rows as version 4 writes
        st.sql(f"UPDATE estimates SET ci_low = 0 WHERE {raised}")
        got = outdated_estimates(st)
    assert got is not None and got.found == (LOW_END,) and got.recorded == 3
    assert "below the sampled posts" in got.sentence("ten.duckdb") and "--only estimates" in got.sentence("ten.duckdb")


def test_a_version_3_zero_whose_method_names_a_poisson_interval_is_said_to_be_out_of_date(tmp_path: Path) -> None:
    """A zero version 3 wrote said "widened to at least the exact Poisson interval ... and whole
    multiples of 1/rate (100)" beside its [0, 298]; version 4 names its one-sided bound."""
    import json

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.staleness import ZERO_METHOD, outdated_estimates
    from test_estimates_zero_bound import _relabelled

    study = _relabelled(tmp_path, "ten", lambda i: i % 10)
    assert CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "estimates_version": 3}, sort_keys=True), run_id])
        zero = "observed = 0 AND method LIKE '%none in the sample;%'"
        assert st.sql(f"SELECT count(*) FROM estimates WHERE {zero}")[0][0] > 0
        assert outdated_estimates(st) is None
        st.sql(f"UPDATE estimates SET method = replace(method, 'replaced by the one-sided 95% bound of a count of none', "
               f"'widened to at least the exact Poisson interval of the sampled count / rate and whole multiples of 1/rate (100)') WHERE {zero}")
        got = outdated_estimates(st)
    assert got is not None and got.found == (ZERO_METHOD,), got
