"""Adapter over the shared human-day offset fit of the accounts package.

The accounts stage owns `botwatch.accounts.circadian.fit_utc_offset` (one reference local-day profile,
multinomial likelihood over whole-hour shifts, tempered posterior); the timeline reuses it rather
than keeping a second model of a human day. The counts differ, so the two best offsets can too
(an hour or two for about a third of the IRA handles): the accounts stage counts every post (its
`best_utc_offset` and the origin evidence), this stage the distinct active days per UTC hour, so
a burst of scheduled posts within one hour counts as one sign of being awake, not fifty. Why both
are kept, and what each answers: docs/methods.md, "Two offset fits". What this module adds is
those counts and circular distances between offsets (UTC-11 and UTC+12 are neighbours on a
24-hour clock).

It also owns the gate that says an account has a clear daily rhythm (`informative`): the best of
24 shifts fits some of any noise, so uniformly random hours gain 0.05-0.3 bits at 20-60 counts
and a fixed floor let about 1 in 5 rhythmless accounts through. The gate is a test against
uniform hours at the account's own count: `rhythm_bits` must exceed the 99% quantile of what
uniform hours give at that count (`NULL_BITS`, derived by `scripts/derive_circadian_null.py`), so
a rhythmless account passes at most about 1% of the time (docs/methods.md, circadian stage).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from botwatch.accounts.circadian import OFFSETS, fit_utc_offset

FITTER = "botwatch.accounts.circadian.fit_utc_offset"

# False-pass rate of the gate on uniformly random hours, and the bar per count: (n, 99% quantile
# of `human_fit_bits` over 20,000 multinomial draws of n uniform hours, non-increasing in n).
# Printed by `PYTHONPATH=src python scripts/derive_circadian_null.py` (seed 20170608).
NULL_RATE = 0.01
NULL_BITS: tuple[tuple[int, float], ...] = (
    (20, 0.3308), (25, 0.2834), (30, 0.2470), (40, 0.1864), (50, 0.1430), (60, 0.1097),
    (80, 0.0678), (100, 0.0326), (130, 0.0), (160, 0.0), (200, 0.0), (250, 0.0), (320, 0.0),
    (400, 0.0), (500, 0.0), (650, 0.0), (800, 0.0), (1000, 0.0), (1300, 0.0), (1600, 0.0), (2000, 0.0),
)
# The shared fitter's own floor (bits per count) still holds where the null bar is lower.
MIN_BITS = 0.05
_NULL_N = [n for n, _ in NULL_BITS]


@dataclass(frozen=True)
class Fit:
    best_offset: int | None
    loglik: float
    probabilities: dict[int, float]
    rhythm_bits: float  # bits per observation the best offset gains over a flat day
    informative: bool


def offset_distance(a: int, b: int) -> int:
    """Hours between two UTC offsets on the 24-hour circle."""
    d = abs(a - b) % 24
    return min(d, 24 - d)


def null_bits(n: int) -> float:
    """The bar `rhythm_bits` must exceed at `n` counts: the null quantile at the largest grid count
    not above n (the bar falls with n, so between grid points this errs strict); below the grid,
    the first entry (such accounts are below the fitter's 20-post minimum anyway)."""
    i = max(0, bisect_right(_NULL_N, int(n)) - 1)
    return NULL_BITS[i][1]


def clear_rhythm(n: int, rhythm_bits: float) -> bool:
    """Whether `rhythm_bits` at `n` counts is a clear daily rhythm: above what uniform random hours
    give at that count with probability `NULL_RATE`, and at least the fitter's `MIN_BITS`."""
    return n >= 20 and rhythm_bits > null_bits(n) and rhythm_bits >= MIN_BITS


def fit(hour_counts_utc: Sequence[int]) -> Fit:
    """Fit 24 UTC hour counts with the shared fitter; `informative` is `clear_rhythm`."""
    r = fit_utc_offset(list(hour_counts_utc))
    return Fit(r.best_offset, r.log_likelihood, dict(r.probabilities), r.human_fit_bits, clear_rhythm(r.posts, r.human_fit_bits))


def mass_near(probabilities: dict[int, float], centre: int, width: int = 1) -> float:
    """Posterior probability that the offset is within `width` hours of `centre`."""
    return float(sum(p for o, p in probabilities.items() if offset_distance(o, centre) <= width))


__all__ = ["OFFSETS", "FITTER", "NULL_RATE", "NULL_BITS", "Fit", "clear_rhythm", "fit", "mass_near", "offset_distance", "null_bits"]
