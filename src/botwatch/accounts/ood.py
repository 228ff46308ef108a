"""Knowing when the bot model does not know: an out-of-distribution flag and a wider interval.

The measure (documented in docs/model-card-bot.md): an account is out of distribution when
  - a model feature lies outside the central 99% of the labelled accounts the model learned from
    (below the 0.5th or above the 99.5th percentile of that feature in training; for a flag or a
    count with at most 10 distinct values, outside the values seen), or
  - fewer than `MIN_KNOWN` of the model's features are known at all (it sees too little).
Every scored account gets an interval. In distribution: the probability ± the model's median
calibration error on sources it never saw (the LOSO ECE stored in the model file; for an account
whose age is unknown, the same measured with the held-out sources' ages unknown, if wider). Out of
distribution, the interval also takes in what the model says when the unusual values are treated
as unknown (or, with too little known, what it says knowing nothing), so a number driven by an
extreme value nobody labelled is shown as uncertain instead of confident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts.botmodel import AGE_FEATURE, _shown

LOW_Q, HIGH_Q = 0.005, 0.995
MIN_KNOWN = 3
DEFAULT_BAND = 0.05  # when a model file carries no LOSO calibration error (user-trained models)


def feature_ranges(frame: pd.DataFrame, features: Sequence[str]) -> dict[str, list[float]]:
    """Per feature, the [0.5th, 99.5th] percentile of its known training values."""
    out = {}
    for f in features:
        v = frame[f].dropna().to_numpy(float)
        if len(v):
            # A flag or small count (few distinct values) is judged by the values seen at all:
            # a rare but seen value (a default image) is not "unlike the labelled accounts".
            if len(np.unique(v)) <= 10:
                out[f] = [float(v.min()), float(v.max())]
            else:
                out[f] = [float(np.quantile(v, LOW_Q)), float(np.quantile(v, HIGH_Q))]
    return out


def band_from_meta(meta: dict[str, Any]) -> float:
    """Half-width of the in-distribution interval: the median held-out-source ECE."""
    eces = [r.get("ece") for r in meta.get("loso", []) if isinstance(r.get("ece"), (int, float))]
    return float(np.median(eces)) if eces else DEFAULT_BAND


def age_unknown_band(meta: dict[str, Any]) -> float | None:
    """Half-width of the interval of an account whose age is unknown: the median held-out-source
    ECE with the ages unknown and averaged over the reference ages (`retrain.age_unknown_loso`,
    0.200 for the shipped model against 0.138 with ages known); None without that table."""
    rows = meta.get("loso_age_unknown")
    cells = [r.get("unknown_averaged") for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    eces = [c["ece"] for c in cells if isinstance(c, dict) and isinstance(c.get("ece"), (int, float))]
    return float(np.median(eces)) if eces else None


def outside(X: pd.DataFrame, ranges: dict[str, list[float]]) -> np.ndarray:
    """Boolean matrix (rows × columns of X): the value is known and outside its training range."""
    out = np.zeros(X.shape, dtype=bool)
    for j, f in enumerate(X.columns):
        r = ranges.get(f)
        if r is None:
            continue
        v = X[f].to_numpy(float)
        with np.errstate(invalid="ignore"):
            out[:, j] = (v < r[0]) | (v > r[1])
    return out


def assess(model: Any, X: pd.DataFrame, p: np.ndarray) -> dict[str, Any]:
    """For rows X (model features) with probabilities p: `ood` flags, `reasons` (sentences or
    None), and the interval `low`/`high`."""
    X = X[model.features].astype("float64")
    ranges = model.meta.get("feature_ranges", {})
    band = band_from_meta(model.meta)
    off = outside(X, ranges)
    known = X.notna().sum(axis=1).to_numpy()
    few = known < MIN_KNOWN
    ood = off.any(axis=1) | few
    half = np.full(len(X), band)
    wider = age_unknown_band(model.meta)
    if wider is not None and AGE_FEATURE in X.columns:  # a score averaged over ages is less sure
        half[X[AGE_FEATURE].isna().to_numpy()] = max(band, wider)
    low = np.clip(p - half, 0.0, 1.0)
    high = np.clip(p + half, 0.0, 1.0)
    reasons: list[str | None] = [None] * len(X)
    idx = np.flatnonzero(ood)
    if len(idx):
        alt = model.predict(masked_rows(X, idx, off, few))
        low[idx] = np.minimum(low[idx], alt)
        high[idx] = np.maximum(high[idx], alt)
        cols = list(X.columns)
        for k, i in enumerate(idx):
            if few[i]:
                reasons[i] = f"unlike the labelled accounts: only {int(known[i])} of the model's {len(cols)} profile facts are known"
            else:
                # In the words of the evidence sentences ("posts per day over the account's life"),
                # not the column name ("log_posts_per_day"), which the report printed as it was.
                names = ", ".join(_shown(cols[j])[0] for j in np.flatnonzero(off[i]))
                reasons[i] = f"unlike the labelled accounts: {names} outside the range seen in training"
    return {"ood": ood, "reasons": reasons, "low": low, "high": high}


def masked_rows(X: pd.DataFrame, idx: np.ndarray, off: np.ndarray, few: np.ndarray) -> pd.DataFrame:
    """Rows `idx` of X (float64) with what makes each out of distribution treated as unknown: its
    values outside the training range (`off`), or every value where too few are known (`few`).

    One boolean mask over the rows' matrix: the per-row `iloc` assignments this replaces
    (`masked_rows_per_row` in testsupport/accounts_reference.py, the tests'
    reference) were most of `assess`'s cost."""
    values = X.to_numpy(dtype="float64")[idx]  # a copy (fancy indexing)
    values[off[idx] | few[idx][:, None]] = np.nan
    return pd.DataFrame(values, index=X.index[idx], columns=X.columns)
