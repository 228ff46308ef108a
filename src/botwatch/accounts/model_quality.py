"""Whether a trained bot model tells its own bots from its own humans better than chance.

Why: `botwatch train-bot-model` trains on whatever labels a user brings. With few or noisy labels,
or profile columns that hold nothing about them, the model's out-of-fold AUC can sit near 0.5, and
its probabilities then look as precise as the shipped model's while being close to guesses. So the
training records a `quality_warning` in the model file when the out-of-fold AUC is below
`NEAR_CHANCE_AUC` or its 95% interval (DeLong et al. 1988, in the fast mid-rank form of Sun & Xu
2014) reaches 0.5; `botwatch explain` and the report repeat it whenever that model scored a study.
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


def quality_warning(y: np.ndarray, p: np.ndarray) -> tuple[dict[str, float], str | None]:
    """(the out-of-fold AUC with its 95% interval, a warning sentence or None) for a model whose
    out-of-fold probabilities for labels `y` are `p`."""
    auc, lo, hi = delong_interval(y, p)
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
