"""Small dependency-free SVG charts, drawn server-side so the report needs no scripts to show data.

Labels pass through autoescaping templates; numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape


def bar_series(days: Sequence[date], values: Sequence[int], *, width: int = 900, height: int = 160, colour: str = "#3465a4", title: str = "") -> Markup:
    """A daily bar chart as inline SVG with an accessible title and per-bar tooltips."""
    if not values:
        return Markup("<p class='muted'>No data.</p>")
    top = max(values) or 1
    n = len(values)
    bw = max(width / n, 1.0)
    bars = []
    for i, (d, v) in enumerate(zip(days, values)):
        h = (v / top) * (height - 20)
        bars.append(
            f"<rect x='{i * bw:.2f}' y='{height - h:.2f}' width='{max(bw - 0.5, 0.5):.2f}' height='{h:.2f}' fill='{escape(colour)}'>"
            f"<title>{escape(str(d))}: {v:,}</title></rect>"
        )
    label = f"<text x='2' y='12' font-size='11'>max {top:,} / day</text>"
    first, last = escape(str(days[0])), escape(str(days[-1]))
    axis = f"<text x='2' y='{height + 14}' font-size='11'>{first}</text><text x='{width - 2}' y='{height + 14}' font-size='11' text-anchor='end'>{last}</text>"
    return Markup(
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height + 18}' preserveAspectRatio='none' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{label}{''.join(bars)}{axis}</svg>"
    )
