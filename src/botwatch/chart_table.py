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


def number(v: float | None) -> str:
    """A drawn value as the chart's tooltips write it: whole numbers with thousands separators,
    others to one decimal; an absent value as a dash."""
    if v is None:
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def figures_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    """A visually hidden table of `rows` (already formatted cells) under `headers`, captioned
    "`caption`: the figures drawn"; every cell escaped here, as labels may come from user input."""
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + f"<th scope='row'>{escape(r[0])}</th>" + "".join(f"<td class='num'>{escape(c)}</td>" for c in r[1:]) + "</tr>" for r in rows
    )
    # In a 1-px box that hides its overflow: a table grows to its content whatever its width, and
    # one hidden on its own widened the page by 742 px at 1,200 (the party bars' table, IRA slice).
    return Markup(
        f"<div class='visually-hidden chart-data'><table><caption>{escape(caption)}: the figures drawn</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
