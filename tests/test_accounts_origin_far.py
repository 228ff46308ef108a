"""The far stratum's calibration map (`origin_far`): the accounts no shared-text neighbour places in
Russia read their raw P(Russia) through a map of their own, the accounts near Russia keep the one
map's; the column form (`origin_table.apply_far`) equals the per-account code to the last bit, and
the stage writes the far sentence only for far accounts."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts import origin_far
from botwatch.accounts import origin_table as ot
from botwatch.accounts.origin import OriginResult


def _ru(p: float) -> OriginResult:
    return OriginResult("RU" if p >= 0.5 else "US", max(p, 1 - p), {"US": round(1 - p, 4), "RU": round(p, 4)},
                        [f"most likely {'RU' if p >= 0.5 else 'US'} (p={max(p, 1 - p):.2f}); 2 kinds", "time zone: Moscow"], ["time_zone"], p)


def test_the_far_map_ships_and_differs_from_the_one_map() -> None:
    """The shipped far map is fitted on fewer Russia-run accounts: it reads a raw P of 0.2 lower than the one map."""
    from botwatch.accounts.origin import calibrate_russia_rows, codes

    assert origin_far.params() is not None and 0 < origin_far.base() < 0.05  # type: ignore[operator]
    row = np.full((1, len(codes())), 0.8 / (len(codes()) - 1))
    row[0, codes().index("RU")] = 0.2
    one = calibrate_russia_rows(row)[0][0, codes().index("RU")]
    assert origin_far.mapped(np.array([0.2]))[0] < one


def test_far_accounts_are_mapped_with_the_far_map_and_near_ones_are_not() -> None:
    raw = np.array([0.2, 0.2, np.nan, 0.9])
    results = [_ru(0.93), _ru(0.93), OriginResult(None, None, {}, ["no origin evidence"], [], None), _ru(0.97)]
    near = np.array([True, False, False, False])
    got = origin_far.apply(results, raw, near)
    assert got[0] is results[0]  # near Russia: the one map's P stands
    assert got[2] is results[2]  # no evidence: nothing to map
    want = origin_far.mapped(raw)
    for i in (1, 3):
        assert got[i].p_russia == pytest.approx(float(want[i]), abs=1e-15)
        assert got[i].items[-1] == origin_far.KIND and "post no text in common" in got[i].evidence[-1]
        assert sum(got[i].probabilities.values()) == pytest.approx(1.0, abs=1e-3)  # the other countries rescaled
    # Without near flags every account is far (a study without shared-text pairs).
    assert origin_far.apply(results, raw, None)[0].p_russia == pytest.approx(float(want[0]), abs=1e-15)


def test_nothing_moves_without_a_far_map(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts import origin_signals

    par = {k: v for k, v in origin_signals.parameters().items() if k != "calibration_far"}
    monkeypatch.setattr(origin_signals, "parameters", lambda: par)
    results = [_ru(0.93)]
    assert origin_far.apply(results, np.array([0.2]), None)[0] is results[0]
    assert origin_far.base() is None


@pytest.mark.parametrize("seed", [1, 2])
def test_table_form_equals_the_per_account_code(seed: int) -> None:
    from tests.test_accounts_origin_table import _results, same

    results = _results(seed, 600)
    rng = np.random.default_rng(seed)
    raw = np.where(rng.random(len(results)) < 0.1, np.nan, rng.random(len(results)) ** 3)
    near = rng.random(len(results)) < 0.3
    t = ot.from_results(results)
    assert same(ot.apply_far(t, raw, near), ot.apply_far_per_account(t, raw, near))


def test_the_stage_maps_only_the_far_accounts(sample_study) -> None:  # type: ignore[no-untyped-def]
    """On the sample study, which has both strata: an account whose study prior is its near
    stratum's never carries the far map's sentence; some far accounts do, and every far account
    with origin evidence does."""
    from botwatch.accounts.origin_prior import FAR_SCOPE, NEAR_SCOPE
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    run_accounts(sample_study, load_election("us-2016"), with_clusters=False)
    rows = sample_study.query_arrow("SELECT origin_evidence FROM account_scores WHERE origin_country IS NOT NULL").column(0).to_pylist()
    far_said = "post no text in common with an account placed in Russia (fitted"
    near = [e for e in rows if NEAR_SCOPE in e]
    far = [e for e in rows if FAR_SCOPE in e]
    assert near and far
    assert not any(far_said in e for e in near)
    assert all(far_said in e for e in far)
