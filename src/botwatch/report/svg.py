"""Small dependency-free SVG charts, drawn server-side so the report needs no scripts to show data.

Labels pass through autoescaping templates; numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

from botwatch.chart_table import figures_table, number
from botwatch.count_text import count_range
from botwatch.prob_text import percent, percent_interval

# Labels written into the SVG markup here: HTML-escaped, a hostile handle's or event label's control
# and invisible characters shown as ⟨U+XXXX⟩ tags, as everywhere in the report.
from botwatch.shown_text import html_shown as escape

# A time-axis bar chart (posts over time, accounts created) draws at most this many bars: past it,
# consecutive buckets share a bar (`grouped`). Ingest keeps any time from year 1 to 9999, and one
# post or profile so dated drew a bar for each of 120,000 months, a report of megabytes of empty bars.
MAX_BARS = 400


def grouped(values: Sequence[float], max_bars: int = MAX_BARS) -> tuple[int, list[float]]:
    """(step, sums): `values` (consecutive buckets) summed `step` at a time, the smallest step that
    draws at most `max_bars` bars; each bar is labelled by its first bucket's start."""
    step = max(1, -(-len(values) // max_bars))
    return step, [sum(values[i:i + step]) for i in range(0, len(values), step)]


def bar_series(
    days: Sequence[date], values: Sequence[int], *, width: int = 900, height: int = 160, colour: str = "#3465a4", title: str = "", unit: str = "day"
) -> Markup:
    """A bar chart over consecutive time buckets (`unit`: day, week, month, year, N-year span) as inline SVG with an
    accessible title and per-bar tooltips; the caller passes every bucket, zeros included."""
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
            f"<title>{escape(unit)} of {escape(str(d))}: {v:,}</title></rect>"
        )
    label = f"<text x='2' y='12' font-size='11'>max {top:,} / {escape(unit)}</text>"
    first, last = escape(str(days[0])), escape(str(days[-1]))
    axis = f"<text x='2' y='{height + 14}' font-size='11'>{first}</text><text x='{width - 2}' y='{height + 14}' font-size='11' text-anchor='end'>{last}</text>"
    return Markup(
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height + 18}' preserveAspectRatio='none' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{label}{''.join(bars)}{axis}</svg>"
        + str(figures_table(title or "Chart", (unit, "count"), [(str(d), f"{v:,}") for d, v in zip(days, values)]))
    )


def _fmt_share(v: float) -> str:
    return percent(v)  # never 0% or 100% for a share between them


def hbars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    lo: Sequence[float | None] | None = None,
    hi: Sequence[float | None] | None = None,
    colours: Sequence[str] | None = None,
    share: bool = True,
    width: int = 640,
    row: int = 26,
    title: str = "",
) -> Markup:
    """Horizontal bars with the value written at each bar's end and optional 95% interval
    whiskers: readable without colour (the number is always printed) and at phone width (labels
    sit above the bars rather than beside them)."""
    if not values:
        return Markup("<p class='muted'>No data.</p>")
    tops = [v for v in values if v is not None] + [h for h in (hi or []) if h is not None]
    top = (1.0 if share and max(tops, default=0) <= 1 else max(tops, default=0)) or 1
    plot = width - 70
    parts = []
    rows: list[tuple[str, str]] = []
    for i, (label, v) in enumerate(zip(labels, values)):
        y = i * (row + 16)
        colour = colours[i] if colours and i < len(colours) else "#1f4e9c"
        w = (v or 0) / top * plot
        text = _fmt_share(v) if share else f"{v:,.0f}"
        parts.append(f"<text x='0' y='{y + 11}' font-size='12'>{escape(label)}</text>")
        parts.append(
            f"<rect x='0' y='{y + 15}' width='{max(w, 0.5):.1f}' height='{row - 10}' fill='{escape(colour)}' stroke='#0006'>"
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        l_ = lo[i] if lo and i < len(lo) else None
        h_ = hi[i] if hi and i < len(hi) else None
        if l_ is not None and h_ is not None:
            x1, x2, ym = l_ / top * plot, h_ / top * plot, y + 15 + (row - 10) / 2
            parts.append(
                f"<path d='M{x1:.1f} {ym - 5:.1f}v10M{x1:.1f} {ym:.1f}H{x2:.1f}M{x2:.1f} {ym - 5:.1f}v10' stroke='#111' stroke-width='1.5' fill='none'/>"
            )
            if share:  # the ends apart ("[1.6–2.4%]", not "[2–2%]"), the share at the same decimals
                text = percent_interval(v, l_, h_) if v is not None else text
            else:
                text += f" [{count_range(l_, h_)}]"
        end = max(w, (h_ / top * plot) if h_ is not None else 0)
        anchor_x = min(end + 6, plot + 4)
        rows.append((str(label), text))
        parts.append(f"<text x='{anchor_x:.1f}' y='{y + 15 + row - 12}' font-size='12'>{escape(text)}</text>")
    height = len(values) * (row + 16)
    return Markup(
        f"<svg class='chart hbar' role='img' viewBox='0 0 {width + 90} {height}' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
        + str(figures_table(title or "Chart", ("bar", "value"), rows))
    )


def line_chart(
    xs: Sequence[date],
    series: dict[str, Sequence[float]],
    *,
    events: Sequence[tuple[date, str]] = (),
    colours: dict[str, str] | None = None,
    width: int = 900,
    height: int = 200,
    title: str = "",
) -> Markup:
    """Lines over days with the election's events as labelled vertical rules. Each line has a
    different dash pattern as well as colour, and the legend names them, so colour is not needed
    to tell them apart."""
    if not xs or not series:
        return Markup("<p class='muted'>No data.</p>")
    dashes = ["", "6 3", "2 3", "10 3 2 3", "1 2"]
    top = max((v for vals in series.values() for v in vals if v is not None), default=0) or 1
    n = len(xs)
    dx = width / max(n - 1, 1)
    lines, legend = [], []
    for j, (name, vals) in enumerate(series.items()):
        colour = (colours or {}).get(name, ["#1f4e9c", "#b5301f", "#2e7d32", "#6a3d9a", "#8a4b00"][j % 5])
        pts = " ".join(f"{i * dx:.1f},{height - (v or 0) / top * (height - 24):.1f}" for i, v in enumerate(vals))
        dash = dashes[j % len(dashes)]
        lines.append(
            f"<polyline points='{pts}' fill='none' stroke='{escape(colour)}' stroke-width='2' stroke-dasharray='{dash}'><title>{escape(name)}</title></polyline>"
        )
        legend.append(
            f"<g transform='translate({j * 150},{height + 28})'><line x1='0' y1='-4' x2='24' y2='-4' stroke='{escape(colour)}' stroke-width='2' stroke-dasharray='{dash}'/>"
            f"<text x='28' y='0' font-size='11'>{escape(name)}</text></g>"
        )
    marks = []
    first, last = xs[0], xs[-1]
    span = max((last - first).days, 1)
    for k, (when, label) in enumerate(events):
        day = when.date() if hasattr(when, "date") and callable(when.date) else when
        if day < first or day > last:
            continue
        x = (day - first).days / span * width
        marks.append(
            f"<line x1='{x:.1f}' y1='0' x2='{x:.1f}' y2='{height}' stroke='#555' stroke-dasharray='3 3'/>"
            f"<text x='{x + 3:.1f}' y='{10 + (k % 3) * 12}' font-size='10'>{escape(label)}</text>"
        )
    axis = (
        f"<text x='0' y='{height + 12}' font-size='11'>{escape(str(first))}</text>"
        f"<text x='{width}' y='{height + 12}' font-size='11' text-anchor='end'>{escape(str(last))}</text>"
        f"<text x='{width}' y='10' font-size='11' text-anchor='end'>max {top:,.0f}</text>"
    )
    return Markup(
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height + 34}' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{''.join(marks)}{''.join(lines)}{axis}{''.join(legend)}</svg>"
        + str(figures_table(title or "Chart", ("day", *series), [(str(x), *(number(vals[i] if i < len(vals) else None) for vals in series.values())) for i, x in enumerate(xs)]))
    )
