"""Counts as text, for the report and for the modules below it that write evidence in words.

Why its own module: the origin evidence (`accounts.origin_signals`) and the impact notes print
counts with their nouns as the report does ("1 article", "2,564 own posts"), and importing
`botwatch.report.fmt` for that would import the whole report package (the accounts package sits
below the report: tests/test_layering.py). `botwatch.report.fmt` re-exports both (the report's
`num` and `counted` filters), as it does `auc_text.auc`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any


def num(value: Any, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; None or NaN -> '—' (unknown is not zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if digits == 0 and float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


def two_figures(value: float) -> str:
    """372.46 -> '370', 1.46 -> '1.5', 0.4234 -> '0.42', 55463.6 -> '55,000': a factor of evidence
    (a likelihood or odds ratio) to two significant figures, the precision its measurement holds.
    The origin evidence read "odds ×372.46" on the IRA tweets: five figures of a ratio estimated
    from a few hundred accounts. Only the words are rounded; stored numbers are not."""
    if not math.isfinite(value) or value == 0:
        return num(value) if math.isfinite(value) else str(value)
    rounded = float(f"{value:.2g}")
    digits = math.floor(math.log10(abs(rounded)))
    return f"{rounded:,.0f}" if digits >= 1 else f"{rounded:.{1 - digits}f}"


def counted(n: Any, noun: str, plural: str | None = None) -> str:
    """'1 account', '2,080 accounts': a count with its noun in the number it takes. Templates wrote
    "{{ n }} accounts" and the report read "by 1 accounts", "1 co-actions", "1 coordination links"."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return f"— {plural or noun + 's'}"
    return f"{num(n)} {noun if float(n) == 1 else (plural or noun + 's')}"


def count_range(lo: float, hi: float, sep: str = "–") -> str:
    """'0–3': a count interval's ends as whole posts, rounded outwards (low down, high up).

    A scaled count's bounds are k / rate (`estimates.whole_counts.snap_bounds`), no whole number
    where 1 / rate is none: at a rate of 0.8 the stored [0, 2.5] was printed "[0–2]" and at 0.9
    [5.56, 7.78] "[6–8]", rounded to the nearest post, an interval narrower than the one stored.
    Outwards, the printed interval holds the stored one, as the stored one holds the bootstrap's."""
    eps = 1e-9
    return f"{math.floor(lo + eps * max(1.0, abs(lo))):,}{sep}{math.ceil(hi - eps * max(1.0, abs(hi))):,}"


def lines_said(lines: list[int], shown: int = 3) -> str:
    """Where the rows of one fault in a labels file are: "line 4", or "7 rows, lines 3, 4, 5, …"
    (the first `shown`). Shared by the errors that count bad rows by the value written, so that
    each says it alike."""
    listed = ", ".join(map(str, lines[:shown])) + (", …" if len(lines) > shown else "")
    return f"line {listed}" if len(lines) == 1 else f"{counted(len(lines), 'row')}, lines {listed}"


VALUE_CUT = 60  # characters of a value `values_said` quotes: a cell is the file writer's, of any length


def values_said(bad: Mapping[str, list[int]], hint: Callable[[str], str] | None = None, shown: int = 5, other: str = "other value") -> str:
    """The values of one fault in a labels file, each once with where its rows are: "'maybe' (7 rows,
    lines 3, 4, 5, …; HINT), '?' (line 9), and 2 other values", the first `shown` in the order the
    file first wrote them. `hint(value)`, when given, is what to write instead ("" for none). Why:
    the party, label-word, country and bot-word errors each grouped their rows alike by hand, and
    one that did not said one identical error per row, never the count."""
    named = []
    for value, lines in sorted(bad.items(), key=lambda kv: kv[1][0])[:shown]:
        tip = hint(value) if hint else ""
        quoted = repr(value) if len(value) <= VALUE_CUT else repr(value[:VALUE_CUT - 1]) + "…"  # a 1 MB cell was quoted whole
        named.append(f"{quoted} ({lines_said(lines)}{f'; {tip}' if tip else ''})")
    more = f", and {counted(len(bad) - shown, other)}" if len(bad) > shown else ""
    return ", ".join(named) + more
