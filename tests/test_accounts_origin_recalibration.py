"""The second calibration map of P(Russia), after shared-text pooling (`origin_textpool.recalibrate`;
docs/methods.md, "Eighth pass")."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts import origin_signals
from botwatch.accounts import origin_textpool as tp
from botwatch.accounts.origin import OriginResult


def _res(p: float) -> OriginResult:
    probs = {"RU": p, "GB": (1 - p) * 0.75, "US": (1 - p) * 0.25}
    best = max(probs, key=probs.get)
    return OriginResult(best, probs[best], probs, [f"most likely {best} (p={probs[best]:.2f}); prior gave US 30% before any evidence"], ["location"], p)


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def test_shipped_map_lowers_the_bottom_lifts_the_middle_and_keeps_the_order() -> None:
    """What the development part measured after pooling: the first map's step at 0.028 held fewer
    Russia-run accounts than it says once pooling had lifted those with neighbours out of it, and
    the accounts at 0.3-0.5 more. The map is monotone, so no account changes place in the ranking."""
    assert "calibration_pooled" in origin_signals.parameters()
    grid = np.linspace(0.0005, 0.9995, 2000)
    out = tp.recalibrate(grid)
    assert np.all(np.diff(out) >= 0)
    assert tp.recalibrate(np.array([0.0283]))[0] < 0.0283
    assert tp.recalibrate(np.array([0.35]))[0] > 0.40
    assert np.isnan(tp.recalibrate(np.array([np.nan]))[0])  # no evidence stays no evidence


def test_map_interpolates_shifts_and_keeps_the_ends_shift(monkeypatch: pytest.MonkeyPatch) -> None:
    """Between bin centres the log-odds shift is interpolated; beyond the ends the end's shift is
    kept, so an extreme P is moved as its nearest bin is and never pinned to one value."""
    par = dict(origin_signals.parameters())
    par["calibration_pooled"] = {"logit_x": [-4.0, 0.0], "logit_y": [-5.0, 1.0]}  # shifts -1 and +1
    monkeypatch.setattr(origin_signals, "parameters", lambda: par)
    p = np.array([1 / (1 + np.exp(2.0)), 0.5, 1e-4, 2e-4, 0.999])
    z = np.log(p) - np.log1p(-p)
    want = 1 / (1 + np.exp(-(z + np.array([0.0, 1.0, -1.0, -1.0, 1.0]))))
    assert np.allclose(tp.recalibrate(p), want)
    assert tp.recalibrate(p)[2] < tp.recalibrate(p)[3]


def test_every_account_with_evidence_is_recalibrated_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts without neighbours go through the map too (the stage and `apply` alike), after
    the pooling, and the evidence names both moves; the other countries keep their proportions."""
    monkeypatch.setattr(tp, "slope", lambda: 1.0)
    keys = [("twitter", k) for k in ("poser", "office", "loner")]
    res = [_res(0.05), _res(0.999), _res(0.35)]
    nb = tp.Neighbours(["twitter"] * 2, ["poser", "office"], ["office", "poser"], [2, 2])
    out = tp.apply(res, keys, nb, base=0.07)
    loner = out[2]
    assert loner.p_russia == pytest.approx(tp.recalibrate(np.array([0.35]))[0])
    assert loner.p_russia > 0.40 and loner.country == "RU"  # lifted past GB's share of the rest
    assert loner.items[-1] == tp.RECALIBRATION_KIND and "calibration after pooling" in loner.evidence[-1]
    assert loner.probabilities["GB"] / loner.probabilities["US"] == pytest.approx(3.0, rel=1e-2)
    poser = out[0]
    assert poser.items[-2:] == [tp.KIND, tp.RECALIBRATION_KIND]
    mean, others = tp.neighbour_mean(tp.evidence_p(res), [0, 1], [1, 0], 0.07)
    pooled = tp.pooled_p(tp.evidence_p(res), mean, others, 0.07, recalibrated=False)
    assert poser.p_russia == pytest.approx(tp.recalibrate(pooled)[0])
    # the stage's prior pass reads the same P from `pooled_p` as its scoring pass writes
    assert np.allclose(tp.pooled_p(tp.evidence_p(res), mean, others, 0.07), [r.p_russia for r in out])


def test_a_study_without_pairs_is_still_recalibrated() -> None:
    """No pairs in the study is not "no pooling": the batch stage maps every account then, so the
    in-memory path does too; `None` (no pooling asked) leaves the results alone."""
    res = [_res(0.35)]
    keys = [("twitter", "a")]
    out = tp.apply(res, keys, tp.Neighbours([], [], [], []), base=0.07)
    assert out[0].p_russia == pytest.approx(tp.recalibrate(np.array([0.35]))[0])
    assert tp.apply(res, keys, None, base=0.07) is res
