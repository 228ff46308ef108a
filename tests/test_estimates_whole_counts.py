"""Scaled counts' bounds are whole multiples of 1 / rate where the estimates stage writes them.

On a 1% sample the stored interval of a scaled count read "79,500 – 336,742" (the bootstrap's
percentiles interpolate between replicates that are all multiples of 100), and only the report's
parties section widened it, to "79,500–336,800": `botwatch estimate` and the `estimates` export
printed the other bounds for the same figure. The stage now stores the widened bounds, so every
reader prints one interval; shares are left as the bootstrap gave them."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.elections import load_election
from botwatch.estimates import compute
from botwatch.estimates.compute import COUNT_METRICS, SHARE_METRICS, EstimateOptions, compute_estimates, write_estimates
from botwatch.estimates.whole_counts import least_interval, scaled_step, snap_bounds, zero_upper_bound

US = load_election("us-2016")
RATE = 0.01


def test_bounds_widen_outwards_to_whole_multiples() -> None:
    assert scaled_step(None) is None and scaled_step(1.0) is None and scaled_step(0.01) == pytest.approx(100)
    assert snap_bounds(97_688.0, 270_722.0, 0.01) == (97_600.0, 270_800.0)
    assert snap_bounds(97_600.0, 270_800.0, 0.01) == (97_600.0, 270_800.0)  # already whole: unchanged
    assert snap_bounds(12.5, 40.0, None) == (12.5, 40.0)  # nothing scaled
    assert snap_bounds(12.5, 40.0, 1.0) == (12.5, 40.0)  # a rate of 1 scales nothing
    assert snap_bounds(None, None, 0.01) == (None, None)  # too few accounts: no interval to widen
    # Float noise of the percentile / rate * rate round trip does not move a whole bound a step.
    assert snap_bounds(977 / 0.01 * (1 + 1e-15), 977 / 0.01 * (1 - 1e-15), 0.01) == (97_700.0, 97_700.0)


def test_the_point_estimate_stays_inside_when_one_over_rate_is_no_whole_number() -> None:
    """Rounding k * (1/rate) to a whole post (as the report's snap did) put a bound that equals the
    estimate 0.33 below it at a rate of 0.003 ("333 – 333" around 333.33)."""
    for rate in (0.003, 0.07, 0.3):
        for k in range(0, 400):
            est = k / rate  # how the stage makes the point estimate
            lo, hi = snap_bounds(est, est, rate)
            assert lo is not None and hi is not None and lo <= est <= hi, (rate, k, lo, est, hi)
            lo, hi = snap_bounds(est * 0.9, est * 1.1, rate)
            assert lo is not None and hi is not None and lo <= est <= hi, (rate, k, lo, est, hi)


def _whole(v: float, step: float = 1 / RATE) -> bool:
    return abs(v / step - round(v / step)) < 1e-9


@pytest.fixture(scope="module")
def estimated(labelled_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The labelled sample (copied) with `botwatch estimate --sample-rate 0.01` run on it."""
    from botwatch.cli import app

    dst = tmp_path_factory.mktemp("whole") / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    res = CliRunner().invoke(app, ["estimate", str(dst), "--election", "us-2016", "--sample-rate", str(RATE), "--reps", "200"])
    assert res.exit_code == 0, res.output
    return dst


def test_stored_count_bounds_are_whole_and_hold_the_estimate(estimated: Path) -> None:
    from botwatch import open_study

    with open_study(estimated) as st:
        rows = st.sql("SELECT metric, estimate, ci_low, ci_high, method FROM estimates WHERE ci_low IS NOT NULL")
    counts = [r[:4] for r in rows if r[0] in COUNT_METRICS and not (r[1] == 0 and "exact Poisson" in r[4])]
    assert counts and all(_whole(lo) and _whole(hi) for _, _, lo, hi in counts)
    # A floored zero's interval is its one-sided bound (298 at 0.01), as its words give it: no
    # multiple of 100 (`test_estimates_poisson_floor`; this sample is no sample of a platform).
    floored_zeros = [(lo, hi) for m, e, lo, hi, method in rows if m in COUNT_METRICS and e == 0 and "exact Poisson" in method]
    assert all(z == (0.0, float(zero_upper_bound(RATE) or 0)) for z in floored_zeros)
    assert all(lo <= e <= hi for _, e, lo, hi in counts)
    assert any(not _whole(lo) or not _whole(hi) for m, _, lo, hi, _ in rows if m in SHARE_METRICS)  # shares are no counts


def _unsnapped(study: object, rate: float | None, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The stage's table as the bootstrap's percentiles give it (the widening turned off)."""
    with monkeypatch.context() as m:
        m.setattr(compute, "floored_bounds", lambda lo, hi, k, r, level=0.95, sampled=True: (lo, hi))
        return compute_estimates(study, US, EstimateOptions(sample_rate=rate, reps=200), log=lambda _: None)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [RATE, 0.003, 1.0, None])
def test_only_scaled_counts_change(labelled_sample_path: Path, rate: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shares keep the bootstrap's bounds; counts are only ever widened; with no rate or a rate of
    1 the table is the bootstrap's, bit for bit."""
    from botwatch import open_study

    with open_study(labelled_sample_path) as st:
        got = compute_estimates(st, US, EstimateOptions(sample_rate=rate, reps=200), log=lambda _: None)
        raw = _unsnapped(st, rate, monkeypatch)
    if rate is None or rate == 1.0:
        assert got.equals(raw)
        return
    assert got.drop(["ci_low", "ci_high", "method"]).equals(raw.drop(["ci_low", "ci_high", "method"]))
    widened = 0
    for g, r in zip(got.to_pylist(), raw.to_pylist()):
        if g["metric"] in COUNT_METRICS and r["ci_low"] is not None:
            assert g["ci_low"] <= r["ci_low"] and g["ci_high"] >= r["ci_high"]
            # The nearest multiple beyond the bootstrap's bounds or the Poisson floor's (a zero's
            # one-sided bound), no further.
            floor = least_interval(g["observed"], rate)
            assert floor is not None
            assert g["ci_low"] > min(r["ci_low"], floor[0]) - 1 / rate and g["ci_high"] < max(r["ci_high"], floor[1]) + 1 / rate
            widened += (g["ci_low"], g["ci_high"]) != (r["ci_low"], r["ci_high"])
        else:
            assert (g["ci_low"], g["ci_high"]) == (r["ci_low"], r["ci_high"]), g
    assert widened


def test_the_export_gives_the_stored_whole_bounds(estimated: Path, tmp_path: Path) -> None:
    from botwatch.cli import app

    out = tmp_path / "estimates.csv"
    res = CliRunner().invoke(app, ["export", str(estimated), "estimates", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with out.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ci_low"]]
    counts = [r for r in rows if r["metric"] in COUNT_METRICS]
    assert counts and all(_whole(float(r["ci_low"])) and _whole(float(r["ci_high"])) for r in counts)
    assert any(not _whole(float(r["ci_low"])) for r in rows if r["metric"] in SHARE_METRICS)


def _bounds(text: str) -> list[tuple[int, int]]:
    return [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in re.findall(r"(?<![\d.,])([\d,]+) ?– ?([\d,]+)(?![\d.,%])", text)]


def test_estimate_command_and_report_print_the_same_bounds(estimated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference table's Republican support and each party's posts, as `estimate` prints them
    and as the report's parties section does: the same stored, whole bounds."""
    from botwatch import open_study
    from botwatch.cli import app, common
    from botwatch.estimates.reference import interval_text
    from botwatch.report.fmt import num
    from botwatch.report.section_parties import parties_section

    monkeypatch.setattr(common.out, "width", 400)  # one line per row
    ref = CliRunner().invoke(app, ["estimate", str(estimated), "--reps", "200"])  # the recorded rate, 0.01
    parties = CliRunner().invoke(app, ["estimate", str(estimated), "--reps", "200", "--table", "parties"])
    assert ref.exit_code == 0 and parties.exit_code == 0, ref.output + parties.output
    assert "by 1/0.01" in ref.output
    with open_study(estimated) as st:
        sec = parties_section(st, {"election": US})
        support = st.sql("SELECT ci_low, ci_high, n_accounts FROM estimates WHERE period='campaign' AND account_group='all' AND party='republican' AND metric='support_posts'")[0]
        has_public = st.sql("SELECT count(*) FROM estimates WHERE account_group = 'not_party_accounts'")[0][0]
        group = "not_party_accounts" if has_public else "all"
        posts = st.sql("SELECT ci_low, ci_high FROM estimates WHERE period='campaign' AND account_group=? AND party='republican' AND metric='posts'", [group])[0]
    assert sec is not None
    html = str(sec.html)
    lo, hi, n = support
    assert _whole(lo) and _whole(hi) and hi > lo
    line = next(ln for ln in ref.output.splitlines() if "Republicans" in ln)
    assert _bounds(line) == [(int(lo), int(hi))], line
    assert interval_text(lo, hi, False, n) in html  # the report's reference table
    row = next(ln for ln in parties.output.splitlines() if "Republicans" in ln)
    assert f"[{num(posts[0])} – {num(posts[1])}]" in row, row
    assert f"[{num(posts[0])}–{num(posts[1])}]" in html  # the report's per-party table
    for line in ref.output.splitlines() + parties.output.splitlines():
        if "%" not in line:
            assert all(_whole(a) and _whole(b) for a, b in _bounds(line)), line
