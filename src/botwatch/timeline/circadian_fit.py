"""Best-fit UTC offset of a human day of sleep and waking activity (fallback implementation).

Issue 3 owns the shared `botwatch.accounts.circadian.fit_utc_offset`; `fitter()` returns it when
it exists and this module's `fit_utc_offset` otherwise, with the same contract:
24 UTC hour counts -> (best offset in hours, log-likelihood at it, {offset: posterior probability}).

Model. A person's posts fall across the local day in proportion to a template: little between
01:00 and 06:59 (asleep), a ramp at 00:00 and 07:00, and an even level from 08:00 to 23:59 — the
shape found again and again in studies of when people post (e.g. Golder & Macy 2011, who found the
same sleep trough across cultures). An account observed at UTC offset o posts at UTC hour h with
probability template[(h + o) mod 24]. The log-likelihood of the 24 counts is multinomial; the
posterior over the 27 offsets -12..+14 uses a flat prior. Counts should be "active days per hour"
(distinct days on which the account posted in that hour), not raw posts, because a burst of 50
scheduled tweets in one hour is one observation of being awake, not 50 — counting posts would make
the posterior absurdly sure of itself.

A template fits only people who sleep at night in one place: shift workers, teams working in
shifts, schedulers and bots spread their posts evenly, and then every offset fits about equally —
the posterior says so (it is flat), and `flatness` (the log-likelihood gain over a uniform day)
measures how much human rhythm there is at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

OFFSETS = tuple(range(-12, 15))
SLEEP_LEVEL = 0.12
SHOULDER_LEVEL = 0.5


def human_day_template() -> list[float]:
    """Probability of a post per local hour 0..23 (sums to 1)."""
    w = []
    for h in range(24):
        if 1 <= h <= 6:
            w.append(SLEEP_LEVEL)
        elif h in (0, 7):
            w.append(SHOULDER_LEVEL)
        else:
            w.append(1.0)
    s = sum(w)
    return [x / s for x in w]


TEMPLATE = human_day_template()


def loglik(hour_counts_utc: Sequence[int], offset: int, template: Sequence[float] = TEMPLATE) -> float:
    """Multinomial log-likelihood (without the constant) of UTC hour counts at a UTC offset."""
    return float(sum(c * math.log(template[(h + offset) % 24]) for h, c in enumerate(hour_counts_utc) if c))


def fit_utc_offset(hour_counts_utc: Sequence[int]) -> tuple[int, float, dict[int, float]]:
    """(best offset in hours, its log-likelihood, posterior probability of each offset)."""
    if len(hour_counts_utc) != 24:
        raise ValueError("need 24 hourly counts (UTC hours 0..23)")
    lls = {o: loglik(hour_counts_utc, o) for o in OFFSETS}
    top = max(lls.values())
    z = sum(math.exp(v - top) for v in lls.values())
    probs = {o: math.exp(v - top) / z for o, v in lls.items()}
    best = max(OFFSETS, key=lambda o: (lls[o], -abs(o)))
    return best, lls[best], probs


def rhythm_gain(hour_counts_utc: Sequence[int], best_loglik: float) -> float:
    """Log-likelihood gain per observation of the best offset over a flat day (0 = no rhythm)."""
    n = sum(hour_counts_utc)
    if n == 0:
        return 0.0
    return (best_loglik - n * math.log(1 / 24)) / n


def fitter() -> tuple[Callable[[Sequence[int]], tuple[int, float, dict[int, float]]], str]:
    """The shared fitter from the accounts package when it exists, else this module's; and its name."""
    try:
        from botwatch.accounts.circadian import fit_utc_offset as shared  # type: ignore[import-not-found]
    except Exception:
        return fit_utc_offset, "botwatch.timeline.circadian_fit.fit_utc_offset"
    return shared, "botwatch.accounts.circadian.fit_utc_offset"
