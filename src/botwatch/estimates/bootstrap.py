"""The cluster bootstrap over accounts.

Posts are not independent draws: one account writes many, and its retweets echo each other. So
the resampling unit is the account: each replicate draws as many accounts as were seen, with
replacement, and sums their counts. Resampling n accounts with replacement is a multinomial draw
over the accounts; accounts with identical count vectors are interchangeable, so they are merged
first and the multinomial is drawn over the distinct vectors (weighted by how many accounts share
each). That is the same distribution, exactly, and fast even for a million accounts, most of
which wrote one or two posts.
"""

from __future__ import annotations

import numpy as np


def cluster_bootstrap(values: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Replicate column sums: `values` is [account, column] counts; returns [rep, column] sums."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if n == 0:
        return np.zeros((reps, values.shape[1] if values.ndim == 2 else 0))
    uniq, mult = np.unique(values, axis=0, return_counts=True)
    draws = rng.multinomial(n, mult / n, size=reps)  # [rep, distinct vector]
    return draws @ uniq


def percentile_interval(samples: np.ndarray, level: float = 0.95) -> tuple[float | None, float | None]:
    """Equal-tailed percentile interval, ignoring replicates where the statistic is undefined."""
    s = samples[np.isfinite(samples)]
    if len(s) == 0:
        return None, None
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(s, [a, 100 - a])
    return float(lo), float(hi)
