"""The report's charts never tell series apart by colour alone (WCAG 1.4.1): the time charts'
lines (the parties, the groups, the hours of day) differed only by colour, and their legend was a
coloured square beside each name, so a reader who does not tell red from green, or a page printed
in grey, could not say which line was which party."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from botwatch.timeline import svg


def test_each_time_line_has_its_own_dash_and_its_legend_key_draws_it() -> None:
    t0 = datetime(2017, 5, 1)
    names = ["Labour", "Conservatives", "Liberal Democrats", "SNP"]
    series = [(n, None, [(t0 + timedelta(days=d), float(d + k)) for d in range(5)]) for k, n in enumerate(names)]
    html = str(svg.time_lines(series, start=t0, end=t0 + timedelta(days=4), title="By party"))
    chart, keys = html.split("</svg>", 1)
    lines = re.findall(r"<polyline [^>]*stroke='([^']*)' stroke-width='1.4' stroke-dasharray='([^']*)'[^>]*><title>([^<]*)</title>", chart)
    assert [n for _, _, n in lines] == names
    assert len({(c, d) for c, d, _ in lines}) == 4 and len({d for _, d, _ in lines}) == 4  # a dash each, not a colour each only
    drawn = {n: (c, d) for c, d, n in lines}
    for n in names:  # the key beside each name draws that line's colour and dash
        c, d = drawn[n]
        assert re.search(rf"stroke='{re.escape(c)}' stroke-width='2' stroke-dasharray='{re.escape(d)}'/></svg> {n} ", keys), (n, keys)
    assert "&#9632;" not in keys  # no colour-only square
