"""The cluster bootstrap over accounts.

Posts are not independent draws: one account writes many, and its retweets echo each other. So
the resampling unit is the account: each replicate draws as many accounts as were seen, with
replacement, and sums their counts (the estimates stage draws, for every cell of a period, the
period's accounts, those outside the cell counting zero: `compute.cell_rows`). Resampling n accounts with replacement is a multinomial draw
over the accounts; accounts with identical count vectors are interchangeable, so they are merged
first and the multinomial is drawn over the distinct vectors (weighted by how many accounts share
each). That is the same distribution, exactly, and fast even for a million accounts, most of
which wrote one or two posts.

The merge is also what lets the engine do the heavy part: the distinct vectors and how many
accounts share each (`relational.cell_vectors`, a group-by in DuckDB or Spark) are all the
bootstrap needs, so no per-account row has to reach Python (`weighted_bootstrap`).
"""

from __future__ import annotations

import numpy as np


def cluster_bootstrap(values: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Replicate column sums: `values` is [account, column] counts; returns [rep, column] sums."""
    values = np.asarray(values, dtype=float)
    if values.shape[0] == 0:
        return np.zeros((reps, values.shape[1] if values.ndim == 2 else 0))
    uniq, mult = np.unique(values, axis=0, return_counts=True)
    return weighted_bootstrap(uniq, mult, reps, rng)


def weighted_bootstrap(vectors: np.ndarray, mult: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """`cluster_bootstrap` from distinct count vectors and how many accounts share each.

    The vectors are put in `np.unique`'s order first (and any repeated vector merged), so the
    replicates are the same numbers, draw for draw, as `cluster_bootstrap` over the accounts
    themselves with the same generator, whatever order the engine returned the rows in."""
    vectors = np.asarray(vectors, dtype=float)
    mult = np.asarray(mult, dtype=np.int64)
    if vectors.shape[0] == 0:
        return np.zeros((reps, vectors.shape[1] if vectors.ndim == 2 else 0))
    uniq, inverse = np.unique(vectors, axis=0, return_inverse=True)
    counts = np.bincount(inverse.reshape(-1), weights=mult, minlength=len(uniq)).astype(np.int64)
    n = int(counts.sum())
    draws = rng.multinomial(n, counts / n, size=reps)  # [rep, distinct vector]
    return draws @ uniq


def percentile_interval(samples: np.ndarray, level: float = 0.95) -> tuple[float | None, float | None]:
    """Equal-tailed percentile interval, ignoring replicates where the statistic is undefined."""
    s = samples[np.isfinite(samples)]
    if len(s) == 0:
        return None, None
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(s, [a, 100 - a])
    return float(lo), float(hi)
