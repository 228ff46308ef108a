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
  best shift gains over a flat profile) says how much the fit is worth; near zero means "no
  evidence", and callers should treat it that way.

The timeline's circadian stage reuses `fit_utc_offset` for groups of accounts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

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
        """Worth using as evidence: enough posts and a day-night rhythm clearly above flat."""
        return self.posts >= 20 and self.human_fit_bits >= 0.05


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
    total = sum(weights.values())
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
