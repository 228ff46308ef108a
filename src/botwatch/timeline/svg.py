"""Inline SVG figures for the time section: lines over time with events marked, and bars.

Drawn server-side so the report needs no script to show data. Every piece of text that reaches
the SVG (series names come from presets and cluster ids, event labels from presets) is escaped
here, because a preset file is user input too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from markupsafe import Markup

# Labels written into the SVG markup here: HTML-escaped, a hostile handle's or event label's control
# and invisible characters shown as ⟨U+XXXX⟩ tags, as everywhere in the report.
from botwatch.shown_text import html_shown as escape
from botwatch.chart_table import figures_table, number, summed_rows


PALETTE = ("#1f4e9c", "#cc0000", "#2e8b57", "#ff8c00", "#6a3d9a", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
# Each line's dash pattern, drawn in its legend key too: the lines of a chart (the parties, the
# groups) differed by colour alone, which a reader who does not tell red from green, or a print in
# grey, cannot follow (WCAG 1.4.1). With the palette's ten colours, the first 30 series each get a
# pair of colour and dash of their own.
DASHES = ("", "8 3", "2 2", "10 3 2 3", "4 4", "1 4")


def _x(t: datetime, t0: datetime, t1: datetime, left: float, width: float) -> float:
    span = (t1 - t0).total_seconds() or 1.0
    return left + (t - t0).total_seconds() / span * width


def time_lines(
    series: Sequence[tuple[str, str | None, Sequence[tuple[datetime, float]]]],
    *,
    start: datetime,
    end: datetime,
    events: Sequence[tuple[datetime, str]] = (),
    title: str = "",
    unit: str = "posts / day",
    unit_one: str | None = None,
    width: int = 900,
    height: int = 200,
    x_labels: tuple[str, str] | None = None,
    events_until: datetime | None = None,
    x_name: str = "UTC time",
    x_format: str = "%Y-%m-%d %H:%M",
) -> Markup:
    """Lines (name, colour or None, [(time, value)]) between `start` and `end`, events as dashed
    verticals numbered on the chart, and a legend with the numbered events written out (a label
    only on hover is lost on paper and on a phone). `unit_one`: the unit after a top of exactly 1
    ("max 1 post / hour", not "1 posts"), where the unit is a count's noun. `events_until`: the end
    of the last bucket (the point at `end` stands for a whole day or hour): an event inside it is
    drawn at `end`, with its exact time in the legend. `x_name` and `x_format`: the heading and form
    of the times in the hidden table of the figures drawn (`chart_table`), which a screen reader
    reads in place of the picture."""
    pts_all = [v for _, _, pts in series for _, v in pts]
    if not pts_all or end <= start:
        return Markup("<p class='muted'>No data in this period.</p>")
    top = max(pts_all) or 1.0
    left, right, pad_top, pad_bottom = 4.0, 4.0, 16.0, 18.0
    w, h = width - left - right, height - pad_top - pad_bottom
    shown_unit = unit_one if unit_one is not None and f"{top:,.0f}" == "1" else unit
    parts = [f"<text x='{left}' y='11' font-size='11'>max {top:,.0f} {escape(shown_unit)}</text>"]
    shown_events: list[tuple[int, datetime, str]] = []
    until = max(events_until or end, end)
    for at, label in events:
        if start <= at <= end or end < at < until:
            x = _x(min(at, end), start, end, left, w)
            k = len(shown_events) + 1
            shown_events.append((k, at, label))
            parts.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{pad_top}' y2='{pad_top + h}' stroke='#888' stroke-dasharray='3,3'>"
                f"<title>{escape(label)} ({escape(at.strftime('%Y-%m-%d %H:%M'))} UTC)</title></line>"
                f"<text class='event-no' x='{x + 2:.1f}' y='{pad_top + 9 + 10 * ((k - 1) % 3)}' font-size='10' fill='#555'>{k}</text>"
            )
    legend = []
    drawn: list[tuple[str, dict[datetime, float]]] = []
    for i, (name, colour, pts) in enumerate(series):
        col = colour or PALETTE[i % len(PALETTE)]
        inside = [(t, v) for t, v in pts if start <= t <= end]
        if not inside:
            continue
        coords = " ".join(f"{_x(t, start, end, left, w):.1f},{pad_top + h - v / top * h:.1f}" for t, v in inside)
        dash = DASHES[i % len(DASHES)]
        parts.append(f"<polyline fill='none' stroke='{escape(col)}' stroke-width='1.4' stroke-dasharray='{dash}' points='{coords}'><title>{escape(name)}</title></polyline>")
        legend.append((name, col, dash))
        drawn.append((name, dict(inside)))
    y_axis = pad_top + h + 14
    lo_lab, hi_lab = x_labels or (start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"))
    parts.append(f"<text x='{left}' y='{y_axis}' font-size='11'>{escape(lo_lab)}</text>")
    parts.append(f"<text x='{width - right}' y='{y_axis}' font-size='11' text-anchor='end'>{escape(hi_lab)}</text>")
    svg = (
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' preserveAspectRatio='none' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
    times = sorted({t for _, pts in drawn for t in pts})
    # Past `MAX_ROWS` times (a timeline over years of days) a row sums consecutive times: counts only,
    # which every long timeline is (posts per day); the hour-of-day shares have 24.
    step, rows = summed_rows([t.strftime(x_format) for t in times], [[pts.get(t) for t in times] for _, pts in drawn])
    bucket = unit.split(" / ")[-1] if " / " in unit else "time"
    said = "the figures drawn" if step == 1 else f"the figures drawn, {step} {bucket}s summed to a row (each {bucket} is in the timeline table of the exports)"
    svg += str(figures_table(
        title or "Chart" if unit.split(" / ")[0] in (title or "") else f"{title or 'Chart'} ({unit})", (x_name, *(n for n, _ in drawn)), rows, said=said
    ))
    keys = "".join(f"<svg class='key' width='28' height='8' aria-hidden='true'><line x1='0' y1='4' x2='28' y2='4' stroke='{escape(c)}' stroke-width='2' "
                   f"stroke-dasharray='{d}'/></svg> {escape(n)} &nbsp; " for n, c, d in legend)
    event_key = ""
    if shown_events:
        items = "".join(f"<li value='{k}'>{escape(label)} ({escape(at.strftime('%Y-%m-%d %H:%M'))} UTC)</li>" for k, at, label in shown_events)
        event_key = f"<ol class='event-key muted'>{items}</ol>"
    return Markup(f"{svg}<div class='muted small'>{keys}</div>{event_key}")


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str = "",
    highlight: Sequence[bool] | None = None,
    marks: Sequence[tuple[int, str]] = (),
    width: int = 900,
    height: int = 150,
    label_every: int = 1,
) -> Markup:
    """Vertical bars with a label under every `label_every`-th bar; `highlight` colours bars red
    and marks each with a star above it (colour alone is lost on a reader who does not see red and
    on a page printed in grey: WCAG 1.4.1), so a caption can say "bars marked *";
    `marks` draws a dashed line before bar i with a hover label (e.g. the trigger date)."""
    if not values:
        return Markup("<p class='muted'>No data.</p>")
    top = max(values) or 1
    n = len(values)
    bw = width / n
    h0 = height - 30
    parts = [f"<text x='2' y='11' font-size='11'>max {top:,.0f}</text>"]
    for i, (lab, v) in enumerate(zip(labels, values)):
        hh = v / top * (h0 - 14)
        hl = bool(highlight and highlight[i])
        col = "#cc0000" if hl else "#3465a4"
        parts.append(
            f"<rect x='{i * bw + 0.5:.1f}' y='{h0 - hh:.1f}' width='{max(bw - 1, 0.5):.1f}' height='{hh:.1f}' fill='{col}'>"
            f"<title>{escape(lab)}: {v:,.0f}{' (marked *)' if hl else ''}</title></rect>"
        )
        if hl:
            parts.append(f"<text class='bar-mark' x='{i * bw + bw / 2:.1f}' y='{h0 - hh - 2:.1f}' font-size='12' text-anchor='middle'>*</text>")
        if i % label_every == 0:
            parts.append(f"<text x='{i * bw + bw / 2:.1f}' y='{h0 + 12}' font-size='10' text-anchor='middle'>{escape(lab)}</text>")
    for i, lab in marks:
        x = i * bw
        parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='12' y2='{h0}' stroke='#000' stroke-dasharray='4,3'><title>{escape(lab)}</title></line>")
        parts.append(f"<text x='{x + 3:.1f}' y='{h0 + 26}' font-size='10'>{escape(lab)}</text>")
    return Markup(
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' preserveAspectRatio='none' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
        + str(figures_table(title or "Chart", ("bar", "value"), [(str(lab), number(v) + (" (marked *)" if highlight and highlight[i] else "")) for i, (lab, v) in enumerate(zip(labels, values))]))
    )
