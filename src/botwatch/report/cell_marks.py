"""A figure's cell in a wide table of figures (the per-party tables): short on screen, whole to a
screen reader.

Why: a cell's figure carries its reason for having no interval in words ("0% (too few accounts)",
"0 (every resample of the accounts gave 0: no interval)"), and a numeric cell never wraps, so one
such cell made its column as wide as the sentence: the demo's per-party table was 1,780 px wide on
a 1,280-px desktop (1,120 px of page) and scrolled sideways in its box. Here the words become a mark
(`*`, `†`) on screen, said once in a key under the table (`mark_key`), while the words themselves
stay in the cell for a screen reader (visually hidden, in a cell that holds it: report.css); an
interval in brackets is kept on one line but may go under its figure, so the columns narrow to
their widest interval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from botwatch.estimates.compute import TOO_FEW

# (mark, the cell's words it stands for, the key's words). The words are those `section_parties`
# writes (`_share`, `_count` via `estimates.reference.collapsed`), matched at the cell's end.
MARKS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("*", re.compile(rf" \({re.escape(TOO_FEW)}\)$"), f"{TOO_FEW} for a 95% interval"),
    ("†", re.compile(r" \(every resample of the accounts gave [^()]*: no interval\)$"),
     "no interval: every resample of the accounts gave the same figure"),
)
_BRACKET = re.compile(r"\[[^\]]*\]")


def _unbroken(text: str) -> Markup:
    """`text` escaped, each bracketed interval on one line: a browser breaks after an en dash,
    which split "[1,944–" from "4,442]"."""
    out = Markup("")
    last = 0
    for m in _BRACKET.finditer(text):
        out += escape(text[last:m.start()]) + Markup("<span class='nowrap'>{}</span>").format(m.group(0))
        last = m.end()
    return out + escape(text[last:])


def marked_cell(text: object) -> Markup:
    """A table cell's figure as markup: a reason in words at its end becomes its mark, the words
    kept for a screen reader; other text is escaped as the template would escape it."""
    s = str(text)
    for mark, words, _ in MARKS:
        m = words.search(s)
        if m:
            return _unbroken(s[:m.start()]) + Markup("<span aria-hidden='true'>{}</span><span class='visually-hidden'>{}</span>").format(mark, m.group(0))
    return _unbroken(s)


def marks_used(cells: Iterable[object]) -> list[str]:
    """The marks `marked_cell` draws in `cells`, in `MARKS` order."""
    texts = [str(c) for c in cells]
    return [mark for mark, words, _ in MARKS if any(words.search(t) for t in texts)]


def mark_key(marks: Iterable[str]) -> str:
    """The key to `marks` under a table: "* too few accounts for a 95% interval; † …"."""
    said = dict((mark, key) for mark, _, key in MARKS)
    return "; ".join(f"{m} {said[m]}" for m in marks)
