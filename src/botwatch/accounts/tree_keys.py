"""Rows that every split of a LightGBM booster sends the same way, found without asking LightGBM.

Why: the bot model's SHAP values (`pred_contrib`, Tree SHAP) were the largest single cost of
scoring profiles. LightGBM reads a row's feature values only through its split decisions (is
the value missing, is it at most the node's threshold): the margin and every SHAP value of a row
are a function of those decisions alone, computed by the same arithmetic in the same order. So
two rows whose values lie, feature by feature, between the same two split points get the same
output to the last bit, and LightGBM need only be asked once for each such group (its own output
for one member, copied to the others; no SHAP value is computed here).

How a value is placed: the split points are every threshold the trees use on that feature, each
with its neighbouring doubles (so that a threshold read back a last bit off cannot put two rows
that LightGBM separates into one group), and ±1e-35 (LightGBM's zero: smaller magnitudes reach
the trees as 0.0) with theirs; NaN is a group of its own. Finer groups than LightGBM's are
harmless (it is merely asked more often). Models this cannot read safely, with categorical
splits or linear leaves (whose outputs read the values themselves), get no grouping.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

# LightGBM's kZeroThreshold (a C++ float, 1e-35f), as the double it is compared as.
_ZERO = float(np.float32(1e-35))
_FIELD = re.compile(r"^(split_feature|threshold|num_cat|is_linear)=(.*)$", re.M)


def split_points(model_text: str, n_features: int) -> list[np.ndarray] | None:
    """Per feature, the sorted points between which its values meet the same decisions at every
    split of every tree; None when the model has splits this does not read (categorical, linear
    trees)."""
    points: list[set[float]] = [set() for _ in range(n_features)]
    features: list[int] = []
    for name, value in _FIELD.findall(model_text):
        if name in ("num_cat", "is_linear"):
            if value.strip() != "0":
                return None
        elif name == "split_feature":
            features = [int(v) for v in value.split()]
        else:  # threshold: the same order as split_feature
            thresholds = [float(v) for v in value.split()]
            if len(thresholds) != len(features):
                return None
            for f, t in zip(features, thresholds):
                points[f].add(t)
    out = []
    for pts in points:
        pts |= {_ZERO, -_ZERO}
        with np.errstate(over="ignore"):  # beside the largest double is infinity: a point like any other
            near = {float(np.nextafter(p, d)) for p in pts for d in (-np.inf, np.inf)}
        out.append(np.array(sorted(pts | near), dtype=np.float64))
    return out


def decision_groups(values: np.ndarray, points: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): the index of one row of each group of `values` (rows × features) that
    every split treats alike, and each row's group, so that `out[first][inverse]` is the
    per-row output of anything that reads the rows only through the splits."""
    codes = np.empty(values.shape, dtype=np.int32)
    for j, pts in enumerate(points):
        x = values[:, j]
        codes[:, j] = np.where(np.isnan(x), -1, np.searchsorted(pts, x, side="left"))
    # One opaque value per row: np.unique over rows of fixed-width bytes.
    rows = np.ascontiguousarray(codes).view(np.dtype((np.void, codes.dtype.itemsize * codes.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def grouped_predict(booster: Any, values: np.ndarray, points: list[np.ndarray] | None, **kwargs: Any) -> np.ndarray:
    """`booster.predict(values, **kwargs)`, asking LightGBM once per decision group (all rows
    when `points` is None or no two rows share a group)."""
    if points is None or len(values) < 2:
        return booster.predict(values, **kwargs)
    first, inverse = decision_groups(values, points)
    if len(first) == len(values):
        return booster.predict(values, **kwargs)
    return booster.predict(values[first], **kwargs)[inverse]
