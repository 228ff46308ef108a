"""The tenth pass's rule for calibrating P(Russia) (docs/methods.md, "Tenth pass (issue 13,
2026-12-01): calibration on own studies"), written before any candidate was fitted: checked on
hand-made rows and small graphs, since the script's verdict is only as good as `choose`,
`admissible`, the folds and the placement arithmetic."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "measure_origin_calibration.py"
_spec = importlib.util.spec_from_file_location("measure_origin_calibration", _PATH)
assert _spec is not None and _spec.loader is not None
moc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(moc)


def _row(ll: float, r: int = 561, p: int = 355, f: int = 47) -> dict[str, float]:
    return {"cv_log_loss": ll, "R": r, "P": p, "F": f, "R_n": 575, "P_n": 467, "F_n": 20_141}


def _rows(**over: dict[str, float]) -> dict[str, dict[str, float]]:
    rows = {k: _row(0.0476) for k in moc.CANDIDATES}
    rows.update({getattr(moc, k): v for k, v in over.items()})
    return rows


def test_nothing_ships_when_no_candidate_gains_the_margin() -> None:
    assert moc.choose(_rows(K1=_row(0.0476 - 0.0009), K2=_row(0.0476 - 0.0005))) == moc.K0


def test_the_lowest_admissible_log_loss_wins() -> None:
    assert moc.choose(_rows(K1=_row(0.040), K2=_row(0.045), K4=_row(0.046))) == moc.K1


def test_one_russian_language_account_past_the_limit_rules_a_candidate_out() -> None:
    # As on the development part: K4 places 555 of 575 against K0's 561 (the limit is 556).
    rows = _rows(K4=_row(0.039, r=561 - moc.R_DROP - 1, p=396, f=61))
    assert not moc.admissible(rows[moc.K4], rows[moc.K0])
    assert moc.choose(rows) == moc.K0
    rows[moc.K4]["R"] = 561 - moc.R_DROP
    assert moc.admissible(rows[moc.K4], rows[moc.K0])
    assert moc.choose(rows) == moc.K4


def test_posing_and_false_alarm_limits() -> None:
    base = _row(0.0476)
    assert not moc.admissible(_row(0.03, p=355 - moc.P_DROP - 1), base)
    assert moc.admissible(_row(0.03, p=355 - moc.P_DROP), base)
    assert moc.admissible(_row(0.03, f=201), base)  # 1 % of 20,141 is 201.41
    assert not moc.admissible(_row(0.03, f=202), base)


def test_the_neighbour_platt_map_is_never_chosen() -> None:
    assert moc.K3 in moc.NOT_ELIGIBLE
    assert moc.choose(_rows(K3=_row(0.030), K2=_row(0.045))) == moc.K2
    assert moc.choose(_rows(K3=_row(0.030))) == moc.K0


def test_ties_go_to_fewer_parameters_fitted_on_labels() -> None:
    # K1 (two parameters) is lower, but within TIE of K2 (one): K2; K4 (none) within TIE beats both.
    assert moc.choose(_rows(K1=_row(0.0400), K2=_row(0.0400 + moc.TIE / 2))) == moc.K2
    assert moc.choose(_rows(K1=_row(0.0400), K2=_row(0.0402), K4=_row(0.0400 + moc.TIE))) == moc.K4
    assert moc.choose(_rows(K1=_row(0.0400), K2=_row(0.0400 + 2 * moc.TIE))) == moc.K1


def test_desk_mates_share_a_fold() -> None:
    ids = [f"a{i}" for i in range(40)]
    # a chain 0-1-2-3 (a desk joined through retweets) and pairs (10, 11), (20, 21); the rest alone
    src, dst = [0, 1, 2, 10, 20], [1, 2, 3, 11, 21]
    folds = moc.component_folds(ids, src, dst)
    assert len({folds[i] for i in (0, 1, 2, 3)}) == 1
    assert folds[10] == folds[11] and folds[20] == folds[21]
    assert set(folds.tolist()) <= set(range(moc.FOLDS)) and len(set(folds.tolist())) > 1
    # the same components in another order of accounts get the same folds (keyed on the smallest id)
    order = list(reversed(range(40)))
    again = moc.component_folds([ids[i] for i in order], [order.index(s) for s in src], [order.index(d) for d in dst])
    assert [again[order.index(i)] for i in range(40)] == folds.tolist()


def test_placement_is_the_argmax_of_the_rescaled_vector() -> None:
    rng = np.random.default_rng(13)
    for _ in range(500):
        v = rng.dirichlet(np.full(5, 0.5))  # index 0 plays Russia
        new = float(rng.uniform(0.001, 0.999))
        moved = v * (1 - new) / (1 - v[0])
        moved[0] = new
        got = bool(moc.placed_in_russia(np.array([new]), np.array([v[0]]), np.array([v[1:].max()]))[0])
        assert got == (int(np.argmax(moved)) == 0)


def test_the_tempered_map_keeps_the_study_share_and_order() -> None:
    anchor = float(moc.logit(np.array(0.076)))
    z = np.linspace(-8, 8, 33)
    for a in (0.5, 1.0, 1.2):
        out = moc.tempered(anchor)(np.array([a]), z)
        assert np.all(np.diff(out) > 0)
        assert moc.tempered(anchor)(np.array([a]), np.array([anchor]))[0] == pytest.approx(anchor)


def test_log_loss_and_ece() -> None:
    # A certain miss costs -log(EPS), not infinity; a perfect prediction about nothing.
    assert moc.log_loss(np.array([0.0]), np.array([1.0])) == pytest.approx(-np.log(moc.EPS))
    assert moc.log_loss(np.array([1.0, 0.0]), np.array([1.0, 0.0])) < 1e-5
    p, y = np.array([0.01] * 90 + [0.9] * 10), np.array([0.0] * 89 + [1.0] + [1.0] * 7 + [0.0] * 3)
    assert moc.ece(p, y) == pytest.approx((90 * abs(0.01 - 1 / 90) + 10 * abs(0.9 - 0.7)) / 100, abs=1e-4)
