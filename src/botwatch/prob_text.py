"""A probability written for a reader at two decimals, never as certainty.

Why: two decimals round 0.9999 to "1.00", and a model's probability is never certain. On the IRA
tweets under us-2016, 1,552 of 1,865 accounts stored an origin probability that reads "1.00" (1,204 of them 1.0 to four places)
(the calibrated evidence, about 0.97 at most, then moved by a study prior of nearly all
Russia-run accounts), and `explain`, the evidence sentences and the report's explorer printed
"most likely RU (p=1.00)": a journalist quoting it quotes certainty the figures do not hold (the
model card's reliability tables stop at about 0.97 observed). From 0.995 the text is ">0.99";
below 0.005, and above 0, "<0.01". The stored numbers are unchanged: this is how they are read
out. The report's explorer writes them with the same rule (templates/explorer.js, `p2`). The
origin evidence's three-decimal steps ("moves P(Russia) from 0.968 to …") follow it too (`prob3`).

Shares are written by the same principle (`percent`): a share strictly between 0 and 1 never
reads as "0%" or "100%". On the IRA tweets under uk-ge2017 the report said "165 of 1,653,509
posts (0.0%)" and, for 1,862 of 1,862 accounts, a Wilson interval "[100–100%]" whose lower end is
99.8%. A share that is exactly 0 or 1 (all 47 members of a cluster) still reads 0% or 100%.

Every figure here rounds half away from zero, on the number as written (`fixed`): Python's own
formatting rounds half to even on the binary value, so a share of exactly 5 of 8 read "62%"
where a spreadsheet, and most readers, write 63%.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["fixed", "interval_digits", "most_likely", "p_is", "percent", "percent_digits", "percent_interval", "prob2", "prob2_rest", "prob3"]

HIGH, LOW = 0.995, 0.005
# Per number of decimals: from where a probability reads as the upper bound, and below where (above
# 0) as the lower one: the values that would round onto 1 or 0.
_EDGES = {2: (HIGH, LOW), 3: (0.9995, 0.0005)}


def fixed(x: float, digits: int, scale: int = 1) -> str:
    """`x` times `scale` at `digits` decimals, a tie rounded away from zero ("62.5" -> "63",
    "-0.125" -> "-0.13"), as a spreadsheet rounds. The number is taken as its shortest decimal
    form (`repr`) and scaled in decimal, so 0.285 as a percentage is 28.5 and reads "29%", where
    0.285 * 100 in binary is 28.4999… A number that is not finite is written as Python writes it."""
    x = float(x)
    if not math.isfinite(x):
        return f"{x * scale:.{digits}f}"
    # Precision for every digit of the result: the default 28 refused ("InvalidOperation") a
    # number of 27 or more digits before the point, which Python's formatting wrote.
    scaled = Decimal(repr(x)) * scale
    room = Context(prec=max(28, scaled.adjusted() + digits + 2))
    return f"{scaled.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=room):f}"


def _bounded(p: float, digits: int) -> str:
    """`p` at `digits` decimals, written as a bound where it would round onto 1 or 0 (`_EDGES`)."""
    high, low = _EDGES[digits]
    if p >= high:
        return f">{1 - 10 ** -digits:.{digits}f}"
    if 0 < p < low:
        return f"<{10 ** -digits:.{digits}f}"
    return fixed(p, digits)


def prob2(p: float) -> str:
    """`p` at two decimals: "0.83", ">0.99" from 0.995 (1.0 included), "<0.01" below 0.005 but above 0."""
    return _bounded(p, 2)


def plausible_range(lo: float | None, hi: float | None) -> str | None:
    """A bot probability's plausible range as `explain` and the report's top-accounts table both
    write it ("0.85 to >0.99"), None where either end is unknown. One function so the two never
    round apart; "to", not a dash: "0.85–>0.99" read badly."""
    if lo is None or hi is None:
        return None
    return f"{prob2(lo)} to {prob2(hi)}"


def prob2_rest(p: float) -> str:
    """`p`, one minus a stored model probability (P(outside US) = 1 - P(US)), at two decimals: as
    `prob2`, but 0 reads "<0.01". Why: a stored P(US) of 1.0 (four decimals) reads ">0.99", so
    its complement is no certain 0 either; `explain` printed "US >0.99" above "Probability of
    being run from outside US: 0.00" for 4 gop-debate-2015 accounts under us-2016."""
    return prob2(p) if p > 0 else "<0.01"


def prob3(p: float) -> str:
    """`p` at three decimals, as the origin evidence writes how far a step moved P(Russia):
    ">0.999" from 0.9995 (1.0 included), "<0.001" below 0.0005 but above 0. On the IRA release
    under uk-ge2017, 1,344 accounts' evidence said a step moved P(Russia) "to 1.000"."""
    return _bounded(p, 3)


def p_is(p: float) -> str:
    """"p=0.83", "p>0.99" or "p<0.01" (`prob2`), as the evidence sentences write a probability."""
    text = prob2(p)
    return f"p{text}" if text[0] in "<>" else f"p={text}"


def most_likely(country: str, p: float) -> str:
    """"most likely RU (p>0.99)": the origin evidence's lead, written in one place for the seven
    code paths that write it (the posterior, the batched posteriors, pooling, the study prior and
    home share per account and on columns), whose sentences must agree to the last character."""
    return f"most likely {country} ({p_is(p)})"


def percent_digits(share: float, digits: int = 0) -> int:
    """The decimals `percent` writes `share` at: `digits`, or 1 where `digits` is 0 and the share
    lies under 1% (a difference above -1% too) or would round up to 100%. An interval's ends are
    written at one number of decimals (`interval_digits`), so it needs to know where this rule
    adds one."""
    v = float(share) * 100
    if digits:
        return digits
    if v in (0.0, 100.0) or not 0 < v < 100:  # exact ends, and differences outside 0..1
        return 1 if -1 < v < 0 else 0
    return 1 if v < 1 or v >= 99.5 else 0  # under 1%, and what would round up to 100%


def percent(share: float, digits: int = 0) -> str:
    """`share` (0..1) as a percentage at `digits` decimals that never rounds onto 0% or 100% unless
    it is exactly there: with `digits` 0 a share under 1%, or one that would round up to 100%, keeps
    a decimal ("0.4%", "99.6%"; 99.2% stays "99%"), and what still rounds onto the end is written
    as a bound ("<0.1%", ">99.9%")."""
    v = float(share) * 100
    digits = percent_digits(share, digits)
    if v in (0.0, 100.0) or not 0 < v < 100:
        return f"{fixed(share, digits, 100)}%"
    text = fixed(share, digits, 100)
    step = f"{10 ** -digits:.{digits}f}"
    if float(text) == 0:
        return f"<{step}%"
    if float(text) == 100:
        return f">{100 - 10 ** -digits:.{digits}f}%"
    return f"{text}%"


def interval_digits(lo: float, hi: float, digits: int = 0) -> int:
    """The decimals at which an interval's two ends print apart: `digits`, or one or two more
    where at `digits` both ends read the same though the interval has width. On the IRA tweets
    under us-2016 the report said "2% [2–2%] supported" Democrats (a bootstrap interval from 1.6% to
    2.4%) and "99% [99–99%]" for a Wilson interval from 98.6% to 99.5%: read as a measured
    certainty, as "[100–100%]" was. The share beside them takes the same decimals
    ("2.1% [1.6–2.4%]"). An interval with no width keeps `digits` (the callers say it has none).

    Where `percent` keeps a decimal for one end only (under 1%, or rounding up to 100%), the other
    end takes it too: the uk-ge2017 sample's report printed "6% [1.0–26%]" (1 of 18 accounts), one
    interval at two precisions; it is now "5.6% [1.0–25.8%]".

    Nor is an interval printed much narrower (or wider) than it is: where rounding an end moves it
    by more than a quarter of the interval's width, the ends take another decimal (up to `digits`
    + 2). A Wilson interval from 0% to 1.48% (none of 200) printed "0% [0–1%]", its upper bound
    understated by a third of the interval; it is now "0.0% [0.0–1.5%]" (and the us-2016 sample's
    "2% [1–3%]", 1.4% to 2.6%, is "1.9% [1.4–2.6%]"). Rounding moves an end by at most half a unit
    of the last decimal, so only intervals under two units wide can take one: "71% [66–75%]"
    stays as it was."""
    if not lo < hi:
        return digits
    for d in (digits, digits + 1, digits + 2):
        if d == digits + 2 or percent(lo, d) != percent(hi, d):
            d = max(d, percent_digits(lo, d), percent_digits(hi, d))
            break
    quarter = (hi - lo) * 100 / 4
    while d < digits + 2 and max(_rounding_moves(lo, d), _rounding_moves(hi, d)) > quarter:
        d += 1
    return d


def _rounding_moves(share: float, digits: int) -> float:
    """How far, in percentage points, writing `share` as a percentage at `digits` decimals moves it."""
    v = float(share) * 100
    return abs(float(fixed(share, digits, 100)) - v)


def percent_interval(share: float, lo: float, hi: float) -> str:
    """'71% [66–75%]': a share and its interval at one number of decimals (`interval_digits`), for
    the places that write one outside the report's `pct_ci` (a chart's label, a command's line):
    `accounts evaluate` printed "5.6% [1.0%–26%]", each end at its own precision."""
    if not all(map(math.isfinite, (share, lo, hi))):
        return "—"  # nothing measured: "nan% [nan–nan%]" read as a figure
    if not lo < hi:
        return f"{percent(share)} (no interval: its ends are equal)"  # "5% [5–5%]" read as a measured certainty
    d = interval_digits(lo, hi)
    return f"{percent(share, d)} [{percent(lo, d)[:-1]}–{percent(hi, d)}]"
