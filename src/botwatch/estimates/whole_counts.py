"""Scaled counts' interval bounds at whole multiples of 1 / sample rate.

A count scaled from a sample of rate r can only be k / r for a whole number k of sampled posts:
every bootstrap replicate is one. The percentile interval interpolates between replicates, so on
a 1% sample it read "97,688–270,722", a precision of one post where the sample holds one post in
a hundred. The estimates stage widens each scaled count's bounds outwards to the nearest whole
multiples of 1 / r (low down, high up) before it writes them, so the stored table, its export,
`botwatch estimate` and the report all give the same bounds. Rounding outwards never shrinks the
interval, so its coverage is kept; shares (ratios) are not counts and are left as they are.

Before the widening, each scaled count's interval is made at least as wide as the exact Poisson
(Garwood) interval of its sampled count divided by the rate (`poisson_floor`). A bootstrap over
accounts cannot see the sampling of posts itself: one sampled post at r = 0.01 gave "100 [100–100]"
or a top near 200, and a zero "0 [0–0]", where one observation only says the platform holds fewer
than about 557 such posts at 95%. A zero gets [0, `zero_upper_bound`] (298 at r = 0.01), the
one-sided bound the report and `estimate` word it with (`least_interval`). Large counts keep their
bootstrap intervals, which are wider than the floor where posts cluster by account.
"""

from __future__ import annotations

import math

# How far (relative) a bound may sit from a whole number of sampled posts and still be read as it:
# `percentile / r * r` carries float noise of a few ulps, which must not push 977 down to 976.
_REL_EPS = 1e-9


def scaled_step(sample_rate: float | None) -> float | None:
    """How many platform posts one sampled post stands for (1 / rate), or None when nothing is
    scaled (no rate, or a rate of 1)."""
    return 1 / sample_rate if sample_rate is not None and 0 < sample_rate < 1 else None


def snap_bounds(lo: float | None, hi: float | None, sample_rate: float | None) -> tuple[float | None, float | None]:
    """A scaled count's interval widened outwards to whole multiples of 1 / `sample_rate`.

    The bounds are k / rate, the same division that makes the point estimate (observed / rate),
    so an estimate that lay inside the interval still does, to the last bit, even where 1 / rate
    is no whole number (a rate of 0.003). No rate, a rate of 1 or a missing bound: unchanged."""
    if scaled_step(sample_rate) is None or lo is None or hi is None:
        return lo, hi
    assert sample_rate is not None
    k_lo, k_hi = lo * sample_rate, hi * sample_rate  # in sampled posts
    k_lo = math.floor(k_lo + _REL_EPS * max(1.0, abs(k_lo)))
    k_hi = math.ceil(k_hi - _REL_EPS * max(1.0, abs(k_hi)))
    return float(k_lo / sample_rate), float(k_hi / sample_rate)


def poisson_floor(observed: float, sample_rate: float | None, level: float = 0.95) -> tuple[float, float] | None:
    """The exact (Garwood) two-sided Poisson interval for `observed` sampled posts, divided by
    `sample_rate`: [χ²(α/2; 2k) / 2, χ²(1 − α/2; 2k + 2) / 2] / r, with α = 1 − `level` (low 0 for k
    = 0, whose high is −ln(α/2) / r, about 3.69 / r at 95%). None when nothing is scaled.

    The least a scaled count's interval can honestly be if posts were sampled independently: the
    percentile bootstrap over accounts under-covers a count of a few sampled posts (it cannot draw
    what the sample missed), so `floored_bounds` widens the bootstrap's bounds to this."""
    if scaled_step(sample_rate) is None:
        return None
    assert sample_rate is not None
    from scipy.stats import chi2  # here, not at the top: `botwatch.cli` imports this package without scipy

    k, alpha = float(observed), 1 - level
    lo = 0.0 if k <= 0 else float(chi2.ppf(alpha / 2, 2 * k)) / 2
    hi = float(chi2.ppf(1 - alpha / 2, 2 * k + 2)) / 2
    return lo / sample_rate, hi / sample_rate


def floored_bounds(lo: float | None, hi: float | None, observed: float, sample_rate: float | None,
                   level: float = 0.95, sampled: bool = True) -> tuple[float | None, float | None]:
    """The bootstrap's bounds widened to at least `least_interval` and then outwards to whole
    multiples of 1 / rate (`snap_bounds`), the low end no less than the `observed` sampled posts
    themselves (the platform holds at least those); a zero's are `least_interval`'s, as its words give them. A missing bound (too few accounts) stays missing: the
    floor assumes posts sampled independently, which a handful of accounts does not bear out.
    `sampled` False: the study is no sample of the platform (an attributed archive: its scaled
    counts are "not platform figures", `report.caveats.report_scaling_unsupported`), so there is no
    sampling of posts to floor and the bounds are only widened to whole multiples."""
    floor = least_interval(observed, sample_rate, level) if sampled else None
    if floor is not None and lo is not None and hi is not None and observed <= 0:
        return floor  # a bound on the platform's posts, no k / r (`least_interval`)
    if floor is not None and lo is not None and hi is not None:
        lo, hi = min(lo, floor[0]), max(hi, floor[1])
    lo, hi = snap_bounds(lo, hi, sample_rate)
    if floor is not None and lo is not None and lo < observed:
        # The sampled posts are on the platform: one sampled post at r = 0.01 read "100 [0–600]"
        # (Garwood's 2.53 widened down to a multiple of 100), a low end that admits none. Raising
        # it to them drops only counts that cannot be, so the interval covers as often.
        lo = float(observed)
    return lo, hi


def least_interval(observed: float, sample_rate: float | None, level: float = 0.95) -> tuple[float, float] | None:
    """The narrowest interval a sampled study's scaled count may have (`floored_bounds`; the
    staleness check reads it too): `poisson_floor`, except for a zero, [0, `zero_upper_bound`]
    (298 at r = 0.01), the one-sided bound its words give. The table and its export held "0–400"
    (Garwood's two-sided top widened to a multiple of 1 / r) where the report and `estimate` said
    "at most about 298". A zero's low end, 0, cannot be passed, so the one-sided bound alone is a
    95% interval. None when nothing is scaled."""
    if observed <= 0:
        bound = zero_upper_bound(sample_rate, level)
        return None if bound is None else (0.0, float(bound))
    return poisson_floor(observed, sample_rate, level)


def zero_upper_bound(sample_rate: float | None, level: float = 0.95) -> int | None:
    """The most posts the platform can hold of a cell none of whose posts is in a sample at rate
    r, at `level`: the largest N for which a sample that takes each post independently with
    probability r misses all N with probability at least 1 − level, (1 − r)^N ≥ 1 − level, so
    N = floor(ln(1 − level) / ln(1 − r)), about 3.0 / r at 95% (298 at r = 0.01; the Poisson
    form −ln(0.05) / r gives 300). None when nothing is scaled (no rate, or a rate of 1).

    A zero scaled by 1 / r is not "none on the platform": the bootstrap over accounts can only
    give 0 again, and the estimates printed "0 (… no interval)" where the platform may hold
    hundreds. Posts of one account are not sampled independently of each other in every
    capture (and accounts post in bursts), so the true bound is wider; this is the least it is."""
    if scaled_step(sample_rate) is None:
        return None
    assert sample_rate is not None
    return int(math.floor(math.log(1 - level) / math.log1p(-sample_rate) + 1e-9))


def zero_text(sample_rate: float | None, where: str = "on the platform") -> str | None:
    """What a scaled count of zero says (`zero_upper_bound`), or None when nothing is scaled.
    `where`: the population the scaled counts estimate (`report.scope.zero_where`: a filtered
    capture's posts, not the platform's)."""
    bound = zero_bound_text(sample_rate, where)
    return None if bound is None else f"none in the sample; {bound}"


def zero_bound_text(sample_rate: float | None, where: str = "on the platform") -> str | None:
    """`zero_text`'s bound alone ("at most about 298 on the platform at 95%, if ..."), for a
    sentence that says "none in the sample" in words of its own (the scaled headline)."""
    bound = zero_upper_bound(sample_rate)
    if bound is None:
        return None
    if bound == 0:
        # Above a rate of 0.95 a sample misses even one post less than 1 time in 20: the bound is
        # none. It read "at most about 0 on the platform", a bound that seems to say nothing.
        return (f"none {where} either at 95%, if posts were sampled independently: at a rate of {sample_rate * 100:g}% "
                "the sample is nearly all the posts")
    return f"at most about {bound:,} {where} at 95%, if posts were sampled independently"
