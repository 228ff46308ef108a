"""Which UTC offset best explains an account's posting hours, assuming a human working day.

People post little between about 02:00 and 07:00 local time and most in the evening, so the
hours (UTC) at which an account posts carry a faint signature of where its operator sleeps. We fit
that signature by shifting a reference local-time profile over every whole-hour offset and scoring
each shift as a multinomial likelihood of the observed UTC hour counts.

Two cautions are built in rather than left to the caller:

* Posts are not independent draws (they come in bursts, and schedulers smooth them), so the
  per-offset probabilities are tempered to the evidence of at most `effective_posts` posts;
  the raw log-likelihoods are returned too.
* Accounts that post round the clock fit no human day. `human_fit_bits` (bits per post that the
  best shift gains over a flat profile) says how much the fit is worth, and `informative` says
  whether it is worth using at all: a test against uniform random hours at the account's own
  count (`clear_rhythm`). The best of 24 shifts fits some of any noise (uniform hours gain
  0.05-0.3 bits at 20-60 posts), so the fixed 0.05-bit floor this gate replaced let about 1 in 5
  rhythmless accounts "fit" a time zone; now about 1 in 100 do (`NULL_RATE`).

Every stage reads the gate here: the accounts stage (`best_utc_offset`, the origin `hours` item)
and the timeline's circadian stage (`timeline.circadian_fit`, which reuses `fit_utc_offset` for
its own counts).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from botwatch.numeric import sum_left_to_right

# Share of a day's posts in each local hour (0..23) for an ordinary human account. A smooth
# curve of our own making with the shape that diurnal studies of Twitter report: a trough around
# 04:00-05:00, a morning rise, a plateau through the working day and an evening peak near 21:00.
_RAW_LOCAL_PROFILE: tuple[float, ...] = (
    3.0, 2.0, 1.3, 0.9, 0.7, 0.8, 1.5, 2.8, 4.0, 4.6, 4.9, 5.1,
    5.3, 5.3, 5.2, 5.2, 5.3, 5.5, 5.8, 6.2, 6.6, 6.7, 6.0, 4.6,
)
LOCAL_PROFILE: tuple[float, ...] = tuple(v / sum(_RAW_LOCAL_PROFILE) for v in _RAW_LOCAL_PROFILE)

# Every distinct whole-hour shift: UTC-11 .. UTC+12 (UTC-12 and UTC+12 are the same shift of a
# 24-hour clock; +13/+14 equal -11/-10). Half-hour zones (India +5:30) land on a neighbour.
OFFSETS: tuple[int, ...] = tuple(range(-11, 13))


# The shifts repeat every 24 hours, so a fit cannot tell UTC-11 from UTC+13 or UTC-10 from UTC+14
# (the same hours of the day, a calendar day apart): Samoa, Tonga, New Zealand in summer and
# Kiribati's Line Islands keep the second of each pair. The fit is stored at -11 and -10; words name both.
SAME_HOURS: dict[int, int] = {-11: 13, -10: 14}


def whole_offsets(minutes: int) -> tuple[tuple[int, float], ...]:
    """A zone's UTC offset in minutes as (whole hours, share) by nearness: one whole offset for a
    whole-hour zone, a zone off the whole hour shared between the two around it (India's +5:30
    half at +5, half at +6), as the posting-hours and office-hours items read it."""
    lo, past = divmod(minutes, 60)
    return tuple((o, share) for o, share in ((lo, 1 - past / 60), (lo + 1, past / 60)) if share > 0)


def offset_words(offset: int) -> str:
    """A fitted offset as the reader is told it: "UTC+3", and "UTC-11 or UTC+13" / "UTC-10 or UTC+14"
    where the fit cannot choose (`SAME_HOURS`). An account keeping a day in Auckland's summer read
    "posting hours fit a human day at UTC-11 …, which favours NZ"."""
    o = int(offset)
    return f"UTC{o:+d}" + (f" or UTC{SAME_HOURS[o]:+d}" if o in SAME_HOURS else "")

# The gate of a clear daily rhythm. False-pass rate on uniformly random hours, and the bar per
# count: (n, 99% quantile of `human_fit_bits` over 20,000 multinomial draws of n uniform hours,
# non-increasing in n). Printed by `PYTHONPATH=src python scripts/derive_circadian_null.py`
# (seed 20170608).
NULL_RATE = 0.01
NULL_BITS: tuple[tuple[int, float], ...] = (
    (20, 0.3308), (25, 0.2834), (30, 0.2470), (40, 0.1864), (50, 0.1430), (60, 0.1097),
    (80, 0.0678), (100, 0.0326), (130, 0.0), (160, 0.0), (200, 0.0), (250, 0.0), (320, 0.0),
    (400, 0.0), (500, 0.0), (650, 0.0), (800, 0.0), (1000, 0.0), (1300, 0.0), (1600, 0.0), (2000, 0.0),
)
# The old fixed floor (bits per count) still holds where the null bar is lower (large counts, where
# a near-flat day is measured precisely but is still not a day worth reading a time zone from).
MIN_BITS = 0.05
MIN_POSTS = 20
# Distinct (UTC date, hour) cells an account must have posted in before its hours are read as a
# day at all: the timeline's circadian stage fits only such accounts, and the origin model's
# hour-of-day items count only for them (`origin.hours_readable`). Posts come in bursts: twenty
# posts live-tweeting one evening's debate fill three or four cells, and their hours are the
# event's, not the account's day.
MIN_ACTIVE_CELLS = 20
_NULL_N = [n for n, _ in NULL_BITS]


def null_bits(n: int) -> float:
    """The bar `human_fit_bits` must exceed at `n` counts: the null quantile at the largest grid
    count not above n (the bar falls with n, so between grid points this errs strict); below the
    grid, the first entry (such accounts are below `MIN_POSTS` anyway)."""
    i = max(0, bisect_right(_NULL_N, int(n)) - 1)
    return NULL_BITS[i][1]


def clear_rhythm(n: int, rhythm_bits: float) -> bool:
    """Whether `rhythm_bits` at `n` counts is a clear daily rhythm: at least `MIN_POSTS` counts,
    above what uniform random hours give at that count with probability `NULL_RATE`, and at least
    `MIN_BITS`."""
    return n >= MIN_POSTS and rhythm_bits > null_bits(n) and rhythm_bits >= MIN_BITS


@dataclass(frozen=True)
class OffsetFit:
    """The result of fitting a human day to 24 UTC hour counts."""

    best_offset: int | None  # hours east of UTC; None when there were no posts
    log_likelihood: float  # of the best offset, natural log, raw (untempered)
    log_likelihoods: dict[int, float]  # raw, per offset
    probabilities: dict[int, float]  # tempered posterior over offsets (uniform prior)
    posts: int
    human_fit_bits: float  # bits per post the best offset gains over a flat day (>= 0)

    @property
    def informative(self) -> bool:
        """Worth using as evidence: a day-night rhythm clearly above what uniform random hours give
        at this many posts (`clear_rhythm`)."""
        return clear_rhythm(self.posts, self.human_fit_bits)


def _expected_utc(offset: int) -> list[float]:
    """Share of posts per UTC hour if the local day is `LOCAL_PROFILE` at UTC+offset."""
    return [LOCAL_PROFILE[(h + offset) % 24] for h in range(24)]


# log P(UTC hour | offset), one row per offset: the fit is one matrix-vector product.
_LOG_EXPECTED = np.log(np.array([_expected_utc(o) for o in OFFSETS], dtype="float64"))


def fit_utc_offset(hour_counts_utc: Sequence[int], *, effective_posts: float = 60.0) -> OffsetFit:
    """Fit the reference human day to posts per UTC hour (24 non-negative ints, index = hour).

    Returns the best offset (hours east of UTC), its log-likelihood, and tempered probabilities
    over `OFFSETS`. Tempering scales the log-likelihoods by min(1, effective_posts / posts) so
    that an account with 5,000 posts is not "certain" of its time zone.
    """
    counts = [int(c) for c in hour_counts_utc]
    if len(counts) != 24 or any(c < 0 for c in counts):
        raise ValueError("hour_counts_utc must be 24 non-negative counts, index 0 = 00:00 UTC")
    n = sum(counts)
    if n == 0:
        flat = 1.0 / len(OFFSETS)
        return OffsetFit(None, 0.0, {o: 0.0 for o in OFFSETS}, {o: flat for o in OFFSETS}, 0, 0.0)
    raw = _LOG_EXPECTED @ np.asarray(counts, dtype="float64")
    ll = {o: float(v) for o, v in zip(OFFSETS, raw)}
    best = max(OFFSETS, key=lambda o: (ll[o], -abs(o)))
    scale = min(1.0, effective_posts / n)
    top = ll[best]
    weights = {o: math.exp((ll[o] - top) * scale) for o in OFFSETS}
    total = sum_left_to_right(weights.values())  # 3.11's addition on every Python (botwatch.numeric)
    probs = {o: w / total for o, w in weights.items()}
    flat_ll = n * math.log(1 / 24)
    gain_bits = max(0.0, (top - flat_ll) / n / math.log(2))
    return OffsetFit(best, top, ll, probs, n, gain_bits)


@lru_cache(maxsize=1 << 17)
def fit_hours(hour_counts_utc: tuple[int, ...]) -> OffsetFit:
    """`fit_utc_offset` remembered per histogram: the accounts stage fits each account's hours for
    its features and again for its origin evidence. The result is shared: do not modify it."""
    return fit_utc_offset(hour_counts_utc)


def hour_counts(hours: Sequence[int]) -> list[int]:
    """24 counts from a sequence of UTC hours (0..23)."""
    out = [0] * 24
    for h in hours:
        out[int(h) % 24] += 1
    return out
