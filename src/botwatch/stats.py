"""Interval and multiple-testing helpers every stage shares, written once.

Shares with few accounts behind them are everywhere in a report (a cluster's automated members,
accounts fitting Moscow hours, a validation bin), so one Wilson score interval serves them all: it
stays inside [0, 1] and is honest near 0 and 1, unlike p ± 2 se. False discovery control is
scipy's (`false_discovery_control`), not a hand-written step-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def degenerate_interval(p: float | None, lo: float | None, hi: float | None) -> bool:
    """True when a bootstrap interval has no width: every resample gave the same share.

    A bootstrap over accounts whose share is 0 (no account did it) or 1 can only return that share,
    so "0% [0–0%]" from 5 accounts reads as certainty where the data say little. Wilson and exact
    intervals never collapse like this for n > 0, so a zero-width interval is always this case."""
    if p is None or lo is None or hi is None or any(isinstance(v, float) and math.isnan(v) for v in (p, lo, hi)):
        return False
    return abs(float(hi) - float(lo)) < 1e-12


def exact_edge_bound(p: float, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """The Clopper–Pearson interval for a share of 0 or 1 among `n` units (accounts), in closed form:
    [0, 1 − (α/2)^(1/n)] or [(α/2)^(1/n), 1]; None for any other share or n < 1.

    Used where a bootstrap over accounts collapsed (`degenerate_interval`): it is a bound on the
    share of accounts, not of posts, and the report says so beside it."""
    if n < 1 or p not in (0.0, 1.0):
        return None
    edge = ((1 - level) / 2) ** (1 / n)
    return (0.0, 1 - edge) if p == 0.0 else (edge, 1.0)


def exact_edge_interval(p: float | None, lo: float | None, hi: float | None) -> bool:
    """True when a stored share of exactly 0 or 1 carries an interval with width: no bootstrap over
    accounts gives one (every resample of a share of 0 is 0), so it is the estimates stage's exact
    bound over the share's accounts (`exact_edge_bound`, `estimates.compute.cell_rows`)."""
    if p is None or lo is None or hi is None or float(p) not in (0.0, 1.0):
        return False
    return not degenerate_interval(p, lo, hi) and not any(isinstance(v, float) and math.isnan(v) for v in (lo, hi))


def hanley_mcneil(auc: float, positives: int, negatives: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95% interval of an AUC from the AUC and the two class counts alone (Hanley and McNeil,
    Radiology 1982): AUC ± z·SE with SE² = [A(1−A) + (n₁−1)(Q1−A²) + (n₀−1)(Q2−A²)] / (n₁n₀),
    Q1 = A/(2−A), Q2 = 2A²/(1+A); `positives` (n₁) are the class the score should rank high (bots).
    Clipped to [0, 1]; None without both classes or an AUC outside (0, 1): at 0 or 1 every term
    of SE² is 0 whatever the counts, and "1.000–1.000" from 5 bots and 5 humans read as certainty.

    Why: the bot model file records each held-out source's AUC with its counts but no scores, so
    no bootstrap can be run at report time, and the report printed those AUCs as bare points
    beside figures that all carry an interval. Hanley–McNeil assumes the scores' two distributions
    have a particular shape, so it is an approximation, said as such where it is printed."""
    if positives < 1 or negatives < 1 or not 0.0 < auc < 1.0:
        return None
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives)
    half = z * math.sqrt(max(var, 0.0))
    return max(0.0, auc - half), min(1.0, auc + half)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """(share, low, high) of k successes in n trials with the Wilson score interval; NaNs when n = 0."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Clamped to [0, p] and [p, 1]: at k = 0 or k = n rounding can put an end a hair past the share.
    return p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def difference_interval(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float, float]:
    """(a − b, low, high): the 95% interval of the difference of two independent shares from their
    Wilson intervals (`wilson`'s (share, low, high)), by Newcombe's hybrid score method (Newcombe,
    Statistics in Medicine 1998, method 10).

    Why: two intervals that touch or overlap are no evidence that two shares are alike. The
    report said a study's Moscow share, 27% [24–31%] of 654 accounts, was "no more than ordinary
    accounts give", 19% [15–24%] of 273, because the first interval reached the second; the
    difference's own interval is [2–14] points, above 0."""
    (p1, l1, u1), (p2, l2, u2) = a, b
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def shown_above(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.025) -> bool:
    """Whether k1 of n1 is shown to be above k2 of n2 by Fisher's exact test, one-sided at `alpha`
    (0.025: the upper half of a two-sided 95% test, as the difference interval's low end reads).

    Why: with a handful of accounts Newcombe's interval (`difference_interval`) is too narrow to
    decide alone. Three ordinary Brexit accounts, 2 of whose days fit the Moscow band, headlined
    "the Moscow share here is above theirs by 48 percentage points [1–75]" against 52 of 273
    accounts of the very archive they were drawn from; the exact test gives p = 0.099 (one-sided).
    A share is said to be above only when both the interval and this test say so."""
    if n1 <= 0 or n2 <= 0:
        return False
    from scipy.stats import fisher_exact  # here, not at the top: `botwatch.cli` says why

    res = fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="greater")
    return bool(res.pvalue < alpha)


def bh_adjusted(pvalues: Sequence[float] | np.ndarray, m_total: int | None = None) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    `m_total` is the size of the whole family when only some hypotheses were tested: the rest
    count as p = 1, which scales every adjusted value by m_total / tested (capped at 1) without
    materialising millions of ones."""
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return np.zeros(0)
    from scipy.stats import false_discovery_control  # here, not at the top: `botwatch.cli` says why

    q = false_discovery_control(p, method="bh")
    m = max(p.size, int(m_total or 0))
    return np.minimum(1.0, q * (m / p.size)) if m > p.size else q
