"""Whether a trained bot model tells its own bots from its own humans better than chance.

Why: `botwatch train-bot-model` trains on whatever labels a user brings. With few or noisy labels,
or profile columns that hold nothing about them, the model's out-of-fold AUC can sit near 0.5, and
its probabilities then look as precise as the shipped model's while being close to guesses. So the
training records a `quality_warning` in the model file when the out-of-fold AUC is below
`NEAR_CHANCE_AUC` or its 95% interval reaches 0.5; `botwatch explain` and the report repeat it
whenever that model scored a study.

The interval is DeLong's (DeLong et al. 1988, in the fast mid-rank form of Sun & Xu 2014), except
where it reaches an end of the scale (0 or 1): there it is widened to Newcombe's score interval
(2006, Method 5) at either end where that is wider. Why: DeLong's is a normal approximation whose
variance is read from the spread of each account's share of pairs ranked right, so where every
out-of-fold bot outranks every human that variance is zero, and 30 labelled accounts printed "AUC
1.000 (95% interval 1.000-1.000)", as sure as a census, in `train-bot-model`, `explain` and the
report; near 1 on few accounts it runs into the bound too narrow (two pairs of 225 misranked:
0.970-1.000). Newcombe's interval solves for the AUCs that this many bots and humans are
consistent with, so it never shrinks to a point (0.865-1.000 for 15 and 15 ranked perfectly).
Away from the bounds DeLong's stands as it was (the shipped model's figures among them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

NEAR_CHANCE_AUC = 0.70  # below this an out-of-fold AUC is called near chance
WARNING_KEY = "quality_warning"
_Z95 = 1.959963984540054


def delong_interval(y: np.ndarray, p: np.ndarray, level_z: float = _Z95) -> tuple[float, float, float]:
    """(AUC, low, high): the ROC AUC of scores `p` for labels `y` (1 = bot) with its DeLong
    interval (normal approximation on the AUC scale, clipped to [0, 1]). Ties count half, as in
    the Mann-Whitney form. Needs both classes (ValueError otherwise)."""
    from scipy.stats import rankdata

    y = np.asarray(y, int)
    p = np.asarray(p, float)
    pos, neg = p[y == 1], p[y == 0]
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        raise ValueError("the AUC needs both bots and humans")
    all_ranks = rankdata(np.concatenate([pos, neg]))
    r_pos, r_neg = all_ranks[:m], all_ranks[m:]
    auc = float((r_pos.sum() - m * (m + 1) / 2) / (m * n))
    # Structural components: for each bot, the share of humans it outscores; for each human, the
    # share of bots that outscore it.
    v10 = (r_pos - rankdata(pos)) / n
    v01 = 1.0 - (r_neg - rankdata(neg)) / m
    var = (np.var(v10, ddof=1) / m if m > 1 else 0.0) + (np.var(v01, ddof=1) / n if n > 1 else 0.0)
    half = level_z * math.sqrt(max(float(var), 0.0))
    return auc, max(0.0, auc - half), min(1.0, auc + half)


def newcombe_interval(auc: float, bots: int, humans: int, level_z: float = _Z95) -> tuple[float, float]:
    """(low, high): Newcombe's (2006, Method 5) score interval for an AUC `auc` measured on `bots`
    and `humans`: the AUCs theta with (theta - auc)^2 <= z^2 V(theta), where V is Hanley and
    McNeil's variance with both class sizes replaced by their mean N, V(theta) = theta(1 - theta)
    [1 + (N - 1)((1 - theta)/(2 - theta) + theta/(1 + theta))] / (bots humans). V is 0 at 0 and 1
    only, so the interval is a point only where the counts are infinite."""
    from scipy.optimize import brentq

    if bots < 1 or humans < 1:
        raise ValueError("the AUC needs both bots and humans")
    a = min(max(float(auc), 0.0), 1.0)
    half_n = (bots + humans) / 2.0

    def gap(theta: float) -> float:  # <= 0 inside the interval
        return (theta - a) ** 2 - level_z**2 * theta * (1 - theta) * _spread(theta, half_n, bots, humans)

    # Each end solved for directly between `auc` and its side's end of the scale (the set is one
    # interval around `auc`: gap is a quadratic less a curve that is 0 at 0 and 1 and positive
    # between). Where `auc` is itself 0 or 1, gap is 0 there too, so the root at `auc` is divided
    # out first. Why not a grid: with 10,000 bots and 10,000 humans ranked perfectly the whole
    # interval (0.99981-1) fell between two points of a 4,001-point grid and came back as the point
    # 1.000-1.000 this interval exists to avoid.
    if a == 0.0:
        low = 0.0
    elif a == 1.0:
        low = brentq(lambda t: gap(t) / (1.0 - t) if t < 1.0 else -level_z**2 * _spread(1.0, half_n, bots, humans), 0.0, 1.0)
    else:
        low = brentq(gap, 0.0, a)
    if a == 1.0:
        high = 1.0
    elif a == 0.0:
        high = brentq(lambda t: gap(t) / t if t > 0.0 else -level_z**2 * _spread(0.0, half_n, bots, humans), 0.0, 1.0)
    else:
        high = brentq(gap, a, 1.0)
    return float(min(low, a)), float(max(high, a))


def _spread(theta: float, half_n: float, bots: int, humans: int) -> float:
    """Newcombe's Method 5 variance of an AUC `theta` divided by theta(1 - theta): positive on [0, 1]."""
    return (1 + (half_n - 1) * ((1 - theta) / (2 - theta) + theta / (1 + theta))) / (bots * humans)


def auc_interval95(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """(AUC, low, high): the out-of-fold AUC with the 95% interval a trained model reports:
    DeLong's, or, where that reaches 0 or 1, widened to Newcombe's score interval at either end
    where that is wider (the module docstring says why)."""
    auc, lo, hi = delong_interval(y, p)
    if 0.0 < lo and hi < 1.0:
        return auc, lo, hi
    bots = int(np.sum(np.asarray(y, int) == 1))
    n_lo, n_hi = newcombe_interval(auc, bots, len(y) - bots)
    return auc, min(lo, n_lo), max(hi, n_hi)


def quality_warning(y: np.ndarray, p: np.ndarray) -> tuple[dict[str, float], str | None]:
    """(the out-of-fold AUC with its 95% interval, a warning sentence or None) for a model whose
    out-of-fold probabilities for labels `y` are `p`."""
    auc, lo, hi = auc_interval95(y, p)
    figures = {"auc": round(auc, 4), "auc_low": round(lo, 4), "auc_high": round(hi, 4)}
    if auc >= NEAR_CHANCE_AUC and lo > 0.5:
        return figures, None
    why = f"below {NEAR_CHANCE_AUC:.2f}" if auc < NEAR_CHANCE_AUC else "its 95% interval reaches 0.5 (chance)"
    return figures, (
        f"This bot model is near chance on its own labelled accounts: out-of-fold AUC {auc:.2f} (95% interval {lo:.2f}-{hi:.2f}), "
        f"{why}. Its bot probabilities are close to guesses; do not count or rank accounts by them."
    )


def recorded_warning(meta: dict[str, Any] | None) -> str | None:
    """The warning a model file recorded at training, or None (a model without one, or none known)."""
    text = (meta or {}).get(WARNING_KEY)
    return text if isinstance(text, str) and text.strip() else None
