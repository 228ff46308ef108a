"""The out-of-distribution flag: values beyond the training range, or too little known, widen the
interval and say why; ordinary accounts keep the narrow band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.ood import MIN_KNOWN, assess, band_from_meta, feature_ranges, outside
from botwatch.accounts.scoring import bot_kinds
from testsupport.accounts_reference import masked_rows_per_row


def _row(**over: float) -> dict[str, float]:
    base = {"log_likes": 6.0, "log_likes_per_day": 1.0, "likes_per_post_log": -0.5, "log_age_days": 7.0, "default_profile": 0.0,
            "default_image": 0.0, "log_posts_per_day": 1.5, "self_declared_bot": 0.0, "automation_words": 0.0,
            "description_mentions": 0.0, "has_location": 1.0, "has_url": 1.0}
    return {**base, **over}


def test_ranges_use_percentiles_for_continuous_and_seen_values_for_flags() -> None:
    f = pd.DataFrame({"x": np.arange(1000, dtype=float), "flag": [0.0] * 999 + [1.0]})
    r = feature_ranges(f, ["x", "flag"])
    assert r["x"][0] == pytest.approx(4.995) and r["x"][1] == pytest.approx(994.005)
    assert r["flag"] == [0.0, 1.0]  # one default image in a thousand is still "seen"
    X = pd.DataFrame({"x": [500.0, 2000.0, np.nan], "flag": [1.0, 0.0, 0.0]})
    assert outside(X, r).tolist() == [[False, False], [True, False], [False, False]]


def test_ordinary_account_in_distribution_extreme_one_flagged_with_a_wider_interval() -> None:
    m = shipped_model()
    X = pd.DataFrame([_row(), _row(log_posts_per_day=9.0), {f: np.nan for f in m.features} | {"default_profile": 1.0}])
    p = m.predict(X)
    a = assess(m, X, p)
    assert a["ood"].tolist() == [False, True, True]
    band = band_from_meta(m.meta)
    assert a["high"][0] - a["low"][0] == pytest.approx(2 * band, abs=1e-9) or a["low"][0] == 0 or a["high"][0] == 1
    # Named as the evidence names it: the column name "log_posts_per_day" stood in the report.
    assert a["reasons"][1] == "unlike the labelled accounts: posts per day over the account's life outside the range seen in training"
    assert a["reasons"][0] is None
    assert f"only 1 of the model's {len(m.features)}" in a["reasons"][2] and MIN_KNOWN > 1
    assert all(lo <= pi <= hi for lo, pi, hi in zip(a["low"], p, a["high"]))


def test_kinds_are_unknown_without_their_facts() -> None:
    assert bot_kinds({"self_declared_bot": 1.0, "automation_words": 0.0, "amplifier": None}) == {
        "self_declared": True, "automation_described": False, "amplifier": None}


def _random_frame(rng: np.random.Generator, n: int, cols: list[str]) -> pd.DataFrame:
    """Values with NaN, infinities, -0.0 and repeats, as a features frame may hold."""
    pool = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, 1e300, -3.5, 7.25])
    v = np.where(rng.random((n, len(cols))) < 0.5, rng.normal(size=(n, len(cols))) * 5, pool[rng.integers(0, len(pool), (n, len(cols)))])
    return pd.DataFrame(v, columns=cols, index=rng.permutation(n) * 3)  # an index that is not 0..n-1


def test_masked_rows_equal_the_per_row_reference() -> None:
    from botwatch.accounts.ood import masked_rows

    rng = np.random.default_rng(12)
    cols = [f"f{j}" for j in range(7)]
    for n in (0, 1, 5, 400):
        X = _random_frame(rng, n, cols)
        off = rng.random((n, len(cols))) < 0.2
        few = rng.random(n) < 0.3
        for idx in (np.flatnonzero(off.any(axis=1) | few), np.arange(n), np.zeros(0, np.int64)):
            got, ref = masked_rows(X, idx, off, few), masked_rows_per_row(X, idx, off, few)
            pd.testing.assert_frame_equal(got, ref, check_exact=True)
            assert np.array_equal(np.signbit(got.to_numpy()), np.signbit(ref.to_numpy()))  # -0.0 kept as -0.0


def test_assess_equals_its_per_row_reference_on_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts import ood

    m = shipped_model()
    rng = np.random.default_rng(5)
    X = _random_frame(rng, 600, list(m.features))
    X.iloc[::7] = np.nan  # too little known
    p = m.predict(X)
    got = assess(m, X, p)
    monkeypatch.setattr(ood, "masked_rows", masked_rows_per_row)
    ref = assess(m, X, p)
    assert got["ood"].sum() > 100 and got["reasons"] == ref["reasons"]
    for k in ("ood", "low", "high"):
        assert np.array_equal(got[k], ref[k])
