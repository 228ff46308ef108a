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

The gate that says an account has a clear daily rhythm (`informative`) is the shared fitter's
(`botwatch.accounts.circadian.clear_rhythm`: a test against uniform hours at the account's own
count, about 1% false passes), so this stage and the accounts stage cannot disagree about what a
rhythm is; it is re-exported here (docs/methods.md, circadian stage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botwatch.accounts.circadian import MIN_BITS, NULL_BITS, NULL_RATE, OFFSETS, clear_rhythm, fit_utc_offset, null_bits
from botwatch.numeric import sum_left_to_right

FITTER = "botwatch.accounts.circadian.fit_utc_offset"


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


def fit(hour_counts_utc: Sequence[int]) -> Fit:
    """Fit 24 UTC hour counts with the shared fitter; `informative` is its gate (`clear_rhythm`)."""
    r = fit_utc_offset(list(hour_counts_utc))
    return Fit(r.best_offset, r.log_likelihood, dict(r.probabilities), r.human_fit_bits, r.informative)


def mass_near(probabilities: dict[int, float], centre: int, width: int = 1) -> float:
    """Posterior probability that the offset is within `width` hours of `centre`."""
    return float(sum_left_to_right(p for o, p in probabilities.items() if offset_distance(o, centre) <= width))  # 3.11's addition (botwatch.numeric)


__all__ = ["OFFSETS", "FITTER", "NULL_RATE", "NULL_BITS", "MIN_BITS", "Fit", "clear_rhythm", "fit", "mass_near", "offset_distance", "null_bits"]
