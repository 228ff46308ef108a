"""Candidate calibration maps of the origin model's raw P(Russia), as knot tables.

    (imported by scripts/fit_origin_behaviour.py and scripts/cv_origin_calibration_map.py)

Why one module: the shipped map is whatever `origin.calibrate_russia_rows` interpolates between
the knots of `calibration.x` / `calibration.y` in `data/origin_behaviour_lr.json`. Every candidate
here returns such a table, so a candidate is compared by cross-validation exactly as it would run
once shipped (`np.interp` between knots, flat beyond the outer ones), and shipping one changes
the numbers in the file, not its format or the code that reads it. Each fitter takes raw
P(Russia) per account and whether the account was run from Russia (1) or not (0); all are
monotone non-decreasing in the raw P and stay inside (0, 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

Knots = tuple[list[float], list[float]]
Fitter = Callable[[np.ndarray, np.ndarray], Knots]

# The shipped map's bins of raw P (scripts/fit_origin_behaviour.py since the fourth pass).
CAL_EDGES = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0001)
EPS = 1e-12
# Knots on the log-odds of raw P for the smooth maps: dense enough that np.interp between them is
# within 0.002 of the curve itself, wide enough to cover every raw P the model writes.
GRID_LOGIT = np.linspace(-27.0, 27.0, 433)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return expit(np.asarray(z, float))


def apply(knots: Knots, raw: np.ndarray) -> np.ndarray:
    """P′ for raw P exactly as `origin.calibrate_russia_rows` computes it (clip, interpolate, clip)."""
    raw = np.clip(np.asarray(raw, float), EPS, 1 - EPS)
    return np.clip(np.interp(raw, knots[0], knots[1]), 1e-6, 1 - 1e-6)


def binned_isotonic(raw: np.ndarray, y: np.ndarray) -> Knots:
    """The shipped map: the raw P binned at `CAL_EDGES` (bins of fewer than 10 accounts dropped),
    each bin's smoothed share (k + 0.5) / (n + 1) made monotone by isotonic regression weighted by
    the bin's accounts; knots at the bins' mean raw P."""
    raw, y = np.asarray(raw, float), np.asarray(y, float)
    xs, ys, ns = [], [], []
    for lo, hi in zip(CAL_EDGES[:-1], CAL_EDGES[1:]):
        m = (raw >= lo) & (raw < hi)
        if m.sum() >= 10:
            xs.append(float(raw[m].mean()))
            ys.append(float((y[m].sum() + 0.5) / (m.sum() + 1)))
            ns.append(int(m.sum()))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0).fit(xs, ys, sample_weight=ns)
    return xs, [float(v) for v in iso.predict(xs)]


def block_isotonic(raw: np.ndarray, y: np.ndarray) -> Knots:
    """Isotonic regression on the accounts themselves (no bins), one knot per flat block at the
    block's mean raw P with its smoothed share (k + 0.5) / (n + 1): monotone, continuous between
    block centres (not flat across a block and then a jump), bounded away from 0 and 1 by the
    smoothing, and with a ceiling the top block's own accounts set."""
    raw, y = np.asarray(raw, float), np.asarray(y, float)
    order = np.argsort(raw, kind="stable")
    r, t = raw[order], y[order]
    fit = IsotonicRegression(y_min=0.0, y_max=1.0).fit_transform(_logit(r), t)
    xs, ys = [], []
    start = 0
    for i in range(1, len(fit) + 1):
        if i == len(fit) or fit[i] != fit[start]:
            xs.append(float(r[start:i].mean()))
            ys.append(float((t[start:i].sum() + 0.5) / (i - start + 1)))
            start = i
    # Blocks of one raw value can tie on the mean; keep the knots strictly increasing in x.
    keep = np.r_[True, np.diff(xs) > 0]
    xs, ys = list(np.asarray(xs)[keep]), list(np.maximum.accumulate(np.asarray(ys)[keep]))
    return [float(v) for v in xs], [float(v) for v in ys]


def _fit_logistic(features: Callable[[np.ndarray], np.ndarray], raw: np.ndarray, y: np.ndarray, k: int,
                  ceiling: bool) -> Callable[[np.ndarray], np.ndarray]:
    """Maximum-likelihood P′ = c · sigmoid(w · features(raw) + b) (c = 1 unless `ceiling`), with the
    feature weights kept ≥ 0 so that the map is monotone; a tiny ridge keeps it finite on separable data."""
    f = features(np.asarray(raw, float))
    y = np.asarray(y, float)

    def unpack(t: np.ndarray) -> tuple[np.ndarray, float, float]:
        w = np.exp(t[:k])  # ≥ 0 by construction
        c = _sigmoid(t[k + 1]) if ceiling else 1.0
        return w, float(t[k]), float(c)

    def loss(t: np.ndarray) -> float:
        w, b, c = unpack(t)
        p = np.clip(c * _sigmoid(f @ w + b), 1e-9, 1 - 1e-9)
        return float(-(y * np.log(p) + (1 - y) * np.log1p(-p)).mean() + 1e-6 * (t[:k] ** 2).sum())

    start = np.r_[np.zeros(k), np.log(max(y.mean(), 1e-3) / max(1 - y.mean(), 1e-3)), [4.0] if ceiling else []]
    t = minimize(loss, start, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000}).x
    w, b, c = unpack(t)
    return lambda r: c * _sigmoid(features(np.asarray(r, float)) @ w + b)


def _table(curve: Callable[[np.ndarray], np.ndarray]) -> Knots:
    xs = _sigmoid(GRID_LOGIT)
    ys = np.maximum.accumulate(np.clip(curve(xs), 1e-6, 1 - 1e-6))
    return [float(v) for v in xs], [float(v) for v in ys]


def platt(raw: np.ndarray, y: np.ndarray) -> Knots:
    """P′ = sigmoid(a · logit(raw) + b), a ≥ 0: two parameters, smooth, no ceiling below 1."""
    return _table(_fit_logistic(lambda r: _logit(r)[:, None], raw, y, 1, ceiling=False))


def platt_ceiling(raw: np.ndarray, y: np.ndarray) -> Knots:
    """Platt with a ceiling c fitted by maximum likelihood: P′ = c · sigmoid(a · logit(raw) + b)."""
    return _table(_fit_logistic(lambda r: _logit(r)[:, None], raw, y, 1, ceiling=True))


def beta(raw: np.ndarray, y: np.ndarray) -> Knots:
    """Beta calibration (Kull et al. 2017): P′ = sigmoid(a · ln raw − b · ln(1 − raw) + c), a, b ≥ 0:
    lets the two tails bend differently, which Platt cannot."""
    return _table(_fit_logistic(lambda r: np.c_[np.log(np.clip(r, EPS, 1)), -np.log(np.clip(1 - r, EPS, 1))], raw, y, 2, ceiling=False))


FITTERS: dict[str, Fitter] = {
    "binned isotonic (shipped)": binned_isotonic,
    "isotonic, block centres": block_isotonic,
    "platt": platt,
    "platt, fitted ceiling": platt_ceiling,
    "beta": beta,
}
