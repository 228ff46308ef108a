"""Creation waves: how many accounts of a group were created after the election was called,
compared with every other account in the study, and batches of accounts created together.

Intervals: the Wilson score interval for each share (Wilson 1927), which behaves at shares near
0 or 1 and for small groups where the normal approximation fails, and Newcombe's hybrid score
interval for the difference of two independent shares (Newcombe 1998, method 10), built from the
two Wilson intervals. Batches: accounts created in the same clock hour (or day) — a classic sign
of an account farm registering accounts in bulk — reported with how many of them fall in the
group, since a busy day for ordinary sign-ups is also a "batch".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from botwatch.stats import Z95, difference_interval, wilson


def newcombe_diff(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(p1 - p2, low, high): Newcombe's hybrid score interval for a difference of shares
    (`stats.difference_interval` of the two Wilson intervals); NaNs where either group is empty."""
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if math.isnan(a[0]) or math.isnan(b[0]):
        return float("nan"), float("nan"), float("nan")
    return difference_interval(a, b)


@dataclass(frozen=True)
class ShareComparison:
    group_n: int
    group_after: int
    share: float
    low: float
    high: float
    others_n: int
    others_after: int
    others_share: float
    others_low: float
    others_high: float
    diff: float
    diff_low: float
    diff_high: float


def compare(group_after: int, group_n: int, others_after: int, others_n: int) -> ShareComparison:
    """The share created after the trigger in a group vs all other dated accounts."""
    s, lo, hi = wilson(group_after, group_n)
    so, olo, ohi = wilson(others_after, others_n)
    d, dlo, dhi = newcombe_diff(group_after, group_n, others_after, others_n)
    return ShareComparison(group_n, group_after, s, lo, hi, others_n, others_after, so, olo, ohi, d, dlo, dhi)
