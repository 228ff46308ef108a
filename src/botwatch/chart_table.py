"""The figures a report chart draws, as a table a screen reader reads.

Why: every chart is an `<svg role='img'>` whose accessible name is its title alone; a screen
reader does not enter an image, so each bar's or point's value, kept in an SVG `<title>` tooltip,
reached no one who cannot see or hover it ("Posts per day (UTC)" was all a blind reader heard). The
table sits beside the SVG, hidden from sight (`visually-hidden`, report.css), so the page and its
print look as before while the same figures reach assistive technology and text-only readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from botwatch.shown_text import html_shown as escape

# A table longer than this sums consecutive rows (`summed_rows`), as a time-axis bar chart groups its
# bars past `report.svg.MAX_BARS`: a timeline drawn over each of 1,982 days (an IRA slice, no
# election) gave a one-line panel's table 135 KB, a report six panels of six lines each would make
# megabytes of hidden cells no one reads through.
MAX_ROWS = 400


def number(v: float | None) -> str:
    """A drawn value as the chart's tooltips write it: whole numbers with thousands separators,
    others to one decimal; an absent value as a dash. A value above zero that rounds to 0.0 is
    "<0.1": the hour-of-day table read "0.0" (% of a group's posts) for an hour with posts in it,
    which a reader takes for none."""
    if v is None:
        return "—"
    if 0 < v < 0.05:
        return "<0.1"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def summed_rows(times: Sequence[str], columns: Sequence[Sequence[float | None]], max_rows: int = MAX_ROWS) -> tuple[int, list[tuple[str, ...]]]:
    """(step, rows): each row `step` consecutive times ("first – last") with each column's sum
    (a dash where none of them has a value), the smallest step that gives at most `max_rows` rows;
    step 1 keeps a row per time. For counts only: a sum of shares means nothing."""
    step = max(1, -(-len(times) // max_rows))
    rows = []
    for i in range(0, len(times), step):
        span = times[i:i + step]
        cells = [[v for v in col[i:i + step] if v is not None] for col in columns]
        rows.append((span[0] if len(span) == 1 else f"{span[0]} – {span[-1]}", *(number(sum(c)) if c else number(None) for c in cells)))
    return step, rows


def figures_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, said: str = "the figures drawn") -> Markup:
    """A visually hidden table of `rows` (already formatted cells) under `headers`, captioned
    "`caption`: `said`" (what the rows are where not each figure drawn); every cell escaped here,
    as labels may come from user input."""
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + f"<th scope='row'>{escape(r[0])}</th>" + "".join(f"<td class='num'>{escape(c)}</td>" for c in r[1:]) + "</tr>" for r in rows
    )
    # In a 1-px box that hides its overflow: a table grows to its content whatever its width, and
    # one hidden on its own widened the page by 742 px at 1,200 (the party bars' table, IRA slice).
    return Markup(
        f"<div class='visually-hidden chart-data'><table><caption>{escape(caption)}: {escape(said)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
