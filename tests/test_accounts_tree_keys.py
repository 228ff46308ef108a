"""The bot model's SHAP values asked once per decision group (`tree_keys`) are LightGBM's own
for every row, to the last bit: values at, just beside and between the thresholds, LightGBM's
zero (magnitudes up to 1e-35), -0.0, NaN and infinities included."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from botwatch.accounts.botmodel import AGE_REFERENCE_KEY, shipped_model
from botwatch.accounts.tree_keys import decision_groups, grouped_predict, split_points


def _hostile_rows(m, n: int, seed: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    points = split_points(m.booster.model_to_string(), len(m.features))
    assert points is not None
    cols = []
    for pts in points:
        thr = pts[(np.abs(pts) > 1e-30) & (np.abs(pts) < 1e300)]
        pool = np.concatenate([thr, np.nextafter(thr, -np.inf), np.nextafter(thr, np.inf), thr + 0.5, thr - 0.5,
                               [np.nan, 0.0, -0.0, 1e-36, -1e-36, 1e-35, -1e-35, 2e-35, np.inf, -np.inf, 1.0, 0.5, np.finfo(float).max]])
        cols.append(rng.choice(pool, size=n))
    return np.stack(cols, axis=1)


def test_grouped_contributions_equal_lightgbm_row_by_row() -> None:
    # Without the reference ages: an unknown age is then read as LightGBM reads it, row by row
    # (with them, `contributions` averages a row of unknown age over them: tests/test_bot_age_unknown.py).
    m = replace(shipped_model(), meta={k: v for k, v in shipped_model().meta.items() if k != AGE_REFERENCE_KEY})
    X = _hostile_rows(m, 6000, 1)
    X = np.concatenate([X, X[:3000]])  # repeats: groups of more than one row
    want = m.booster.predict(X, pred_contrib=True, num_threads=1)
    got = m.contributions(pd.DataFrame(X, columns=m.features))
    assert got.shape == want.shape
    assert np.array_equal(got.view(np.int64), want.view(np.int64))  # bit for bit, -0.0 included
    raw = grouped_predict(m.booster, X, m._split_points(), raw_score=True)
    assert np.array_equal(raw, m.booster.predict(X, raw_score=True))


def test_lightgbm_is_asked_once_per_group() -> None:
    # Fails if every row goes to LightGBM again (the cost this removes).
    m = shipped_model()
    X = np.repeat(_hostile_rows(m, 5, 2), 40, axis=0)
    first, inverse = decision_groups(X, m._split_points())
    assert len(first) <= 5 and len(inverse) == 200

    class Counting:
        rows = 0

        def predict(self, values: np.ndarray, **kw: object) -> np.ndarray:
            Counting.rows += len(values)
            return m.booster.predict(values, **kw)

    out = grouped_predict(Counting(), X, m._split_points(), pred_contrib=True)
    assert Counting.rows <= 5
    assert np.array_equal(out, m.booster.predict(X, pred_contrib=True))


def test_unreadable_models_are_not_grouped() -> None:
    assert split_points("Tree=0\nnum_cat=1\nsplit_feature=0\nthreshold=1\n", 1) is None
    assert split_points("Tree=0\nnum_cat=0\nsplit_feature=0\nthreshold=1\nis_linear=1\n", 1) is None
    pts = split_points("Tree=0\nnum_cat=0\nsplit_feature=0 0\nthreshold=1 2\nis_linear=0\n", 2)
    assert pts is not None and 1.0 in pts[0] and 2.0 in pts[0] and np.nextafter(1.0, 0) in pts[0]
