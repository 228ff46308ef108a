"""The tenth pass's calibration script (docs/methods.md, "Tenth pass (issue 13, 2026-12-01):
calibration on own studies"): the rule (`choose`, `admissible`, the margin, ties, K3 never eligible),
the folds and the placement arithmetic on hand-made rows and small graphs; the candidates'
fitting (`candidates`, `measure`) on a small synthetic part, for what the verdict rests on: no fold
scored by a map that saw it, K4 blind to labels, the accounts of unknown truth out of the fit, K2
anchored on the study share, K0's placements the shipped ones; and `account_frame` on a few origin
inputs, for the largest other country taken from the unrounded posterior. Each test fails when its
part of the script is broken (mutations listed in the tests' comments were tried)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.origin import OriginInput, codes, origin_posterior, posterior_vector
from botwatch.accounts.origin_textpool import Neighbours
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "measure_origin_calibration.py"
_spec = importlib.util.spec_from_file_location("measure_origin_calibration", _PATH)
assert _spec is not None and _spec.loader is not None
moc = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = moc  # dataclasses look their module up there
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


def test_a_candidate_exactly_at_the_margin_ships() -> None:
    # The rule says "beats K0 by at least 0.001": a gain of exactly MIN_GAIN qualifies (`<=`, not `<`).
    assert moc.choose(_rows(K1=_row(0.0476 - moc.MIN_GAIN))) == moc.K1


PRIOR = {"share": 0.2, "lo": 0.17, "hi": 0.23, "base": 0.068}


def _part(n: int = 600, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    """A synthetic part: IRA accounts (a fifth) given higher P than ordinary ones but not
    calibrated, IRA accounts more often with neighbours, a few ordinary accounts whose profile names
    Russia, a few accounts without evidence or outside the three groups; random folds."""
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array([GROUP_RU_LANG, GROUP_POSING, GROUP_ORDINARY], dtype=object), n, p=[0.1, 0.1, 0.8])
    ira = group != GROUP_ORDINARY
    p = 1 / (1 + np.exp(-np.where(ira, rng.normal(1.0, 2.5, n), rng.normal(-2.5, 1.5, n))))
    ev = rng.random(n) > 0.03
    group[rng.random(n) < 0.02] = None
    p = np.where(ev, p, np.nan)
    df = pd.DataFrame({
        "account_id": [f"a{i:04d}" for i in range(n)], "group": group, "n_posts": rng.integers(1, 300, n), "has_evidence": ev,
        "own_p": p, "pooled_p": p, "final_p": p,
        "russia_top": ev & (p > 0.5) & (rng.random(n) > 0.1),  # not a function of P alone, as when shipped
        "max_other": np.nan_to_num((1 - p) * 0.6), "has_neighbours": rng.random(n) < np.where(ira, 0.5, 0.05),
        "names_russia": (group == GROUP_ORDINARY) & (rng.random(n) < 0.04)})
    df.loc[0, ["final_p", "pooled_p", "own_p", "has_evidence", "group", "names_russia"]] = [PRIOR["share"], PRIOR["share"], PRIOR["share"], True, GROUP_ORDINARY, False]
    return df, rng.integers(0, moc.FOLDS, n)


FITTED = (moc.K1, moc.K2, moc.K3)


def test_cross_fitting_never_scores_a_fold_with_a_map_that_saw_it() -> None:
    # Mutation tried: train = fit_rows (the scored fold in its own fit).
    df, folds = _part()
    base = moc.candidates(df, folds, PRIOR)["cross"]
    fit = df["has_evidence"] & df["group"].notna() & ~df["names_russia"]
    rng = np.random.default_rng(0)
    for f in range(moc.FOLDS):
        shuffled = df.copy()
        at = shuffled.index[fit & (folds == f)]
        shuffled.loc[at, "group"] = rng.permutation(shuffled.loc[at, "group"].to_numpy())
        again = moc.candidates(shuffled, folds, PRIOR)["cross"]
        for k in FITTED:
            assert np.array_equal(again[k][folds == f], base[k][folds == f], equal_nan=True), (k, f)
        # ...while the other folds' maps did see the shuffle (the check is not vacuous)
        assert not np.allclose(again[moc.K1][folds != f], base[moc.K1][folds != f], equal_nan=True)


def test_k4_reads_no_labels() -> None:
    # Mutation tried: K4's strata restricted to accounts labelled IRA (or to the objective's rows).
    df, folds = _part()
    base = moc.candidates(df, folds, PRIOR)["full"][moc.K4]
    relabelled = df.copy()
    relabelled["group"] = np.random.default_rng(1).permutation(df["group"].to_numpy())
    relabelled["names_russia"] = (relabelled["group"] == GROUP_ORDINARY).to_numpy() & (np.arange(len(df)) % 7 == 0)
    assert np.array_equal(moc.candidates(relabelled, folds, PRIOR)["full"][moc.K4], base, equal_nan=True)


def test_the_accounts_of_unknown_truth_do_not_move_the_fit() -> None:
    # Mutation tried: the 28 (here: names_russia) put back into the fit.
    df, folds = _part()
    base = moc.candidates(df, folds, PRIOR)
    moved = df.copy()
    apart = moved["names_russia"].to_numpy()
    assert apart.sum() > 5
    moved.loc[apart, "final_p"] = 0.99  # as if their profile had made them look Russian
    again = moc.candidates(moved, folds, PRIOR)
    for k in FITTED:
        assert again["params"][k] == base["params"][k]
        assert np.array_equal(again["cross"][k][~apart], base["cross"][k][~apart], equal_nan=True)


def test_k2_keeps_the_study_anchor() -> None:
    # Mutation tried: anchor = 0 (tempering around P = 0.5 instead of the study's share).
    df, folds = _part()
    got = moc.candidates(df, folds, PRIOR)
    assert abs(got["params"][moc.K2][0] - 1) > 0.05  # a real temper, or the check would be vacuous
    assert got["full"][moc.K2][0] == pytest.approx(PRIOR["share"], abs=1e-9)
    assert got["cross"][moc.K2][0] == pytest.approx(PRIOR["share"], abs=1e-9)


def test_k0_placements_are_the_shipped_ones() -> None:
    # Mutation tried: K0's placements inverted (or recomputed from P instead of the shipped argmax).
    df, folds = _part()
    out = moc.measure(df, folds, PRIOR)
    top = df["russia_top"].to_numpy()
    for key, group in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
        assert out["rows"][moc.K0][key] == int((top & (df["group"] == group).to_numpy()).sum())
    cell = out["placements_against_K0_by_stratum"][moc.K0]
    assert all(c[key]["gained"] == c[key]["lost"] == 0 for c in cell.values() for key in ("R", "P", "F"))
    # the tables including the accounts of unknown truth hold them; the objective's do not
    apart = int((df["names_russia"] & df["has_evidence"] & df["group"].notna()).sum())
    assert out["set_apart"] == apart > 0
    label = next(k for k in out if k.startswith("tables including"))
    t, o = out[label][moc.K0], out["tables"][moc.K0]
    assert t["without text neighbours"]["n"] + t["with text neighbours"]["n"] == out["accounts_with_evidence"]
    assert o["without text neighbours"]["n"] + o["with text neighbours"]["n"] == out["accounts_with_evidence"] - apart


def test_the_largest_other_country_comes_from_the_unrounded_posterior() -> None:
    # Mutation tried: max_other from the shown probabilities (rounded, cut below 0.005), as before.
    moscow = OriginInput(location="Москва", post_langs={"ru": 40}, n_posts=40)
    inputs = [OriginInput(location="Nashville, TN", post_langs={"en": 40}, n_posts=40)] * 20 + [moscow] * 5
    shown = origin_posterior(moscow, home="US").probabilities
    whole = posterior_vector(moscow, home="US")
    assert whole is not None and len(shown) < int((whole >= 1e-9).sum())  # countries cut from the shown vector
    assert max(v for c, v in shown.items() if c != "RU") != np.delete(whole, codes().index("RU")).max()  # and the rest rounded
    ids = [f"a{i:02d}" for i in range(len(inputs))]
    part = moc.account_frame(ids, [("twitter", a) for a in ids], inputs, [GROUP_ORDINARY] * 20 + [GROUP_RU_LANG] * 5,
                             Neighbours([], [], [], []), "US")
    v = posterior_vector(moscow, home="US")
    assert v is not None
    ru = codes().index("RU")
    row = part.df.iloc[-1]
    want = np.delete(v, ru).max() / (1 - v[ru]) * (1 - row["final_p"])
    assert row["max_other"] == pytest.approx(want, rel=1e-9) and want > 0
    # so a candidate that drops its P(Russia) to 0.002 does not leave Russia the most likely country
    assert not moc.placed_in_russia(np.array([0.002]), np.array([row["final_p"]]), np.array([row["max_other"]]))[0]


def test_largest_other_matches_the_argmax_of_the_whole_vector() -> None:
    rng = np.random.default_rng(7)
    ru = codes().index("RU")
    for _ in range(300):
        v = rng.dirichlet(np.full(len(codes()), 0.3))
        final, new = float(rng.uniform(0.01, 0.99)), float(rng.uniform(0.001, 0.999))
        moved = np.delete(v, ru) / (1 - v[ru]) * (1 - new)
        got = bool(moc.placed_in_russia(np.array([new]), np.array([final]), np.array([moc.largest_other(v, final)]))[0])
        assert got == (new > moved.max())
