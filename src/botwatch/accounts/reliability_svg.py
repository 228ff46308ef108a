"""A reliability diagram (predicted vs observed bot rate) as a standalone SVG.

Drawn by hand so the model card's figure and the report's need no plotting library. Numbers
are formatted here; the only text is our own labels (escaped anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import escape

COLOURS = ("#3465a4", "#cc0000", "#4e9a06", "#75507b", "#c17d11")
# Each curve's dash pattern, drawn in its legend key too: the curves (out-of-fold and each
# train → test pair) differed by colour alone, blue, red and green beside coloured squares, which a
# reader who does not tell red from green, or a page printed in grey, cannot follow (WCAG 1.4.1).
DASHES = ("", "8 3", "2 2", "10 3 2 3", "1 3")  # none like the diagonal's "4 3"


def curve_style(i: int) -> tuple[str, str]:
    """The `i`-th curve's (colour, dash). Why: each taken at `i % 5` drew the sixth curve as the
    first (blue, solid); the dash now moves on one each time the colours come round, so the first
    25 curves differ in the pair. Past that, and for a reader who sees no colour, the number on
    each line's end (`reliability_svg`) tells them apart."""
    return COLOURS[i % len(COLOURS)], DASHES[(i + i // len(COLOURS)) % len(DASHES)]


# The curve numbers' size: 9 px type, a digit about 0.6 em wide; a number's box is NUMBER_H tall.
DIGIT_W = 5.5
NUMBER_H = 10.0


def number_places(ends: Sequence[tuple[int, float, float, float]]) -> dict[int, tuple[float, float]]:
    """Where each curve's number goes: {curve: (x, baseline y)} from (curve, end x, end y, end
    marker's radius). Why: numbers were drawn at a fixed offset from the end, so curves ending at
    the same point (train → test pairs that agree) printed their numbers on top of each other, and
    the offset reached into a large end marker. Each number now sits right of its marker, clear of
    it, vertically centred on the end; one that would overlap a number already placed moves down
    below it, taking the curves by end height then by number, so the same curves always give the
    same places."""
    placed: list[tuple[float, float, float]] = []  # (x, right edge, baseline)
    out: dict[int, tuple[float, float]] = {}
    for i, ex, ey, rad in sorted(ends, key=lambda e: (e[2], e[0])):
        x, y = ex + rad + 3, ey + NUMBER_H / 2 - 1.5
        right = x + DIGIT_W * len(str(i + 1))
        moved = True
        while moved:
            moved = False
            for px, pr, py in placed:
                # A margin on the test: py + NUMBER_H - py can come out a hair under NUMBER_H
                # (112.00000000000001 from the axis scaling), and the number moved to the same place for ever.
                if x < pr and px < right and abs(y - py) < NUMBER_H - 1e-6:
                    y, moved = py + NUMBER_H, True
        placed.append((x, right, y))
        out[i] = (x, y)
    return out


def reliability_svg(curves: Sequence[tuple[str, Sequence[dict[str, Any]]]], *, size: int = 320, title: str = "Reliability") -> str:
    """SVG text: one line per (label, rows with predicted/observed/n), plus the diagonal."""
    pad = 40
    w = size
    inner = w - 2 * pad

    def xy(px: float, py: float) -> tuple[float, float]:
        return pad + px * inner, pad + (1 - py) * inner

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' role='img' viewBox='0 0 {w + 160} {w}' width='{w + 160}' height='{w}' aria-label='{escape(title)}'>",
        f"<title>{escape(title)}</title>",
        f"<rect x='{pad}' y='{pad}' width='{inner}' height='{inner}' fill='none' stroke='#999'/>",
        f"<line x1='{pad}' y1='{pad + inner}' x2='{pad + inner}' y2='{pad}' stroke='#bbb' stroke-dasharray='4 3'/>",
    ]
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        x, y = xy(t, 0)
        parts.append(f"<text x='{x:.1f}' y='{y + 14:.1f}' font-size='10' text-anchor='middle'>{t:g}</text>")
        x, y = xy(0, t)
        parts.append(f"<text x='{x - 4:.1f}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>{t:g}</text>")
    parts.append(f"<text x='{pad + inner / 2}' y='{w - 6}' font-size='11' text-anchor='middle'>predicted bot probability</text>")
    parts.append(f"<text x='12' y='{pad + inner / 2}' font-size='11' text-anchor='middle' transform='rotate(-90 12 {pad + inner / 2})'>observed bot share</text>")
    parts.append(f"<text x='{pad}' y='{pad - 10}' font-size='12'>{escape(title)}</text>")
    ends = [(i, *xy(rows[-1]["predicted"], rows[-1]["observed"]), _radius(rows[-1]["n"])) for i, (_, rows) in enumerate(curves) if rows]
    numbers = number_places(ends)
    for i, (label, rows) in enumerate(curves):
        colour, dash = curve_style(i)
        pts = [xy(r["predicted"], r["observed"]) for r in rows]
        if pts:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2' stroke-dasharray='{dash}'/>")
            for (x, y), r in zip(pts, rows):
                rad = _radius(r["n"])
                parts.append(
                    f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{rad:.1f}' fill='{colour}'><title>{escape(label)}: predicted {r['predicted']:.2f}, observed {r['observed']:.2f}, n={r['n']}</title></circle>"
                )
            x, y = numbers[i]  # the curve's number beside its end, repeated in its legend key
            parts.append(f"<text class='curve-number' x='{x:.1f}' y='{y:.1f}' font-size='9' fill='{colour}'>{i + 1}</text>")
        parts.append(f"<text class='key-number' x='{w + 2}' y='{pad + 9 + 16 * i}' font-size='9'>{i + 1}</text>")
        parts.append(f"<line x1='{w + 12}' y1='{pad + 5 + 16 * i}' x2='{w + 34}' y2='{pad + 5 + 16 * i}' stroke='{colour}' stroke-width='2' stroke-dasharray='{dash}'/>")
        parts.append(f"<text x='{w + 38}' y='{pad + 9 + 16 * i}' font-size='10'>{escape(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _radius(n: int) -> float:
    """A point's marker radius: larger for more accounts, at most 7 px."""
    return 2 + min(5.0, (n ** 0.5) / 4)
