"""The out-of-distribution flag: values beyond the training range, or too little known, widen the
interval and say why; ordinary accounts keep the narrow band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.ood import MIN_KNOWN, assess, band_from_meta, feature_ranges, outside
from botwatch.accounts.scoring import bot_kinds


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
    assert "log_posts_per_day" in a["reasons"][1] and a["reasons"][0] is None
    assert f"only 1 of the model's {len(m.features)}" in a["reasons"][2] and MIN_KNOWN > 1
    assert all(lo <= pi <= hi for lo, pi, hi in zip(a["low"], p, a["high"]))


def test_kinds_are_unknown_without_their_facts() -> None:
    assert bot_kinds({"self_declared_bot": 1.0, "automation_words": 0.0, "amplifier": None}) == {
        "self_declared": True, "automation_described": False, "amplifier": None}
