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


def test_the_utc_offset_bars_counted_as_moscow_are_marked_and_the_caption_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The best-fit offset chart coloured the offsets counted as Moscow's red, and nothing on the
    page said what red meant: the bars carry a star, and the caption names the offsets."""
    from botwatch.elections import load_election
    from botwatch.study import open_study
    from botwatch.timeline.report import time_section
    from test_timeline import write_table

    election = load_election("uk-ge2017")  # UK on UTC+1 on polling day: UTC+3 and UTC+4 count as Moscow's, UTC+2 not
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_table(st, "circadian", [dict(platform="twitter", account_id=str(i), best_offset=off, informative=True)
                                      for i, off in enumerate([0] * 5 + [1] * 9 + [2] * 4 + [3] * 3 + [4] * 2)])
        write_table(st, "timeline", [dict(freq="day", clock="utc", dimension="all", value="all posts", bucket=datetime(2017, 5, 1), posts=110, accounts=1,
                                          sentiment_mean=None, sentiment_n=0)])
        sec = time_section(st, {"election": election})
    assert sec is not None
    html = " ".join(str(sec.html).split())
    chart = html.split("aria-label='Accounts by best-fit UTC offset (informative fits)'")[1].split("</svg>")[0]
    assert chart.count("class='bar-mark'") == 2 and chart.count("fill='#cc0000'") == 2
    assert "<title>+3: 3 (marked *)</title>" in chart and "<title>+2: 4</title>" in chart
    assert "Bars marked * (in red) are the offsets counted as Moscow's: UTC+3 and UTC+4." in html


def test_the_coordination_picture_writes_each_clusters_number_beside_its_colour(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The network picture told its clusters apart by colour alone (a legend of swatches)."""
    from botwatch.pipeline import Context, analyze
    from botwatch.report.section_coordination import coordination_section

    from test_report_platform_words import _reshare_study

    with _reshare_study(tmp_path / "s.duckdb", "twitter") as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        sec = coordination_section(st, {})
    assert sec is not None and cids
    svg_ = str(sec.html).split('<svg class="network"')[1].split("</svg>")[0]
    for cid in cids:
        assert re.search(rf'<text class="cluster-name" x="[0-9.]+" y="[0-9.]+"[^>]*>cluster {cid}</text>', svg_), svg_


def test_each_reliability_curve_has_its_own_dash_and_its_legend_key_draws_it() -> None:
    """The reliability chart's curves (out-of-fold and each train → test pair) were solid lines told
    apart by colour alone, with coloured squares for a legend: blue, red and green."""
    from botwatch.accounts.reliability_svg import reliability_svg

    rows = [{"predicted": 0.1, "observed": 0.1, "n": 50}, {"predicted": 0.8, "observed": 0.7, "n": 50}]
    names = ["labelled accounts, out-of-fold", "train a → test b", "train b → test a", "train c → test a"]
    out = reliability_svg([(n, rows) for n in names], title="Bot model reliability")
    curves = re.findall(r"<polyline [^>]*stroke='([^']*)' stroke-width='2' stroke-dasharray='([^']*)'/>", out)
    keys = re.findall(r"<line [^>]*stroke='([^']*)' stroke-width='2' stroke-dasharray='([^']*)'/><text [^>]*>([^<]*)</text>", out)
    assert len(curves) == 4 and len({d for _, d in curves}) == 4  # a dash each, not a colour each only
    assert [(c, d) for c, d, _ in keys] == curves and [n for _, _, n in keys] == names
    assert "4 3" not in {d for _, d in curves}  # the diagonal's dash


def test_seven_reliability_curves_each_have_their_own_style_and_number() -> None:
    """With five colours and five dashes each taken at `i % 5`, the sixth curve (a train → test
    pair: a study of three sources draws seven) was drawn exactly as the first, blue and solid, so
    the two could not be told apart. Every curve now has its own colour and dash, and a number at
    its line's end that its legend key repeats, which holds where the styles alone would not (a
    reader who sees no colour)."""
    from botwatch.accounts.reliability_svg import reliability_svg

    rows = [{"predicted": 0.1, "observed": 0.1, "n": 50}, {"predicted": 0.8, "observed": 0.7, "n": 50}]
    names = ["labelled accounts, out-of-fold"] + [f"train {a} → test {b}" for a, b in ("ab", "ac", "ba", "bc", "ca", "cb")]
    out = reliability_svg([(n, rows) for n in names], title="Bot model reliability")
    curves = re.findall(r"<polyline [^>]*stroke='([^']*)' stroke-width='2' stroke-dasharray='([^']*)'/>", out)
    assert len(curves) == 7 and len(set(curves)) == 7, curves
    tags = re.findall(r"<text class='curve-number' [^>]*fill='([^']*)'>([0-9]+)</text>", out)
    assert tags == [(c, str(i)) for i, (c, _) in enumerate(curves, 1)], tags
    keys = re.findall(r"<text class='key-number' [^>]*>([0-9]+)</text><line [^>]*stroke='([^']*)' stroke-width='2' stroke-dasharray='([^']*)'/><text [^>]*>([^<]*)</text>", out)
    assert keys == [(str(i), c, d, n) for i, ((c, d), n) in enumerate(zip(curves, names), 1)], keys


def test_curve_numbers_at_a_shared_end_are_set_apart_and_clear_of_the_marker() -> None:
    """Curves ending at the same point (train → test pairs that agree) printed their numbers on top
    of each other, and at a fixed offset that reached into a large end marker. Each number now sits
    right of its marker and below any it would overlap, in the curves' order, and the legend keeps
    the same number and colour for each curve."""
    from botwatch.accounts.reliability_svg import DIGIT_W, NUMBER_H, reliability_svg

    rows = [{"predicted": 0.1, "observed": 0.1, "n": 1000}, {"predicted": 0.8, "observed": 0.7, "n": 1000}]
    out = reliability_svg([(f"train {i} → test {i + 1}", rows) for i in range(11)], title="Bot model reliability")
    tags = [(float(x), float(y), c, n) for x, y, c, n in re.findall(r"<text class='curve-number' x='([0-9.]+)' y='([0-9.]+)' [^>]*fill='([^']*)'>([0-9]+)</text>", out)]
    assert [n for *_, n in tags] == [str(i) for i in range(1, 12)]
    boxes = [(x, x + DIGIT_W * len(n), y) for x, y, _, n in tags]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (xa, ra, ya), (xb, rb, yb) = boxes[a], boxes[b]
            assert not (xa < rb and xb < ra and abs(ya - yb) < NUMBER_H - 1e-6), (tags[a], tags[b])
    ends = re.findall(r"<circle cx='([0-9.]+)' cy='([0-9.]+)' r='([0-9.]+)' fill='[^']*'><title>[^<]*predicted 0.80", out)
    cx, cy, r = (float(v) for v in ends[0])
    assert all(x > cx + r for x, _, _ in boxes)  # clear of the end marker, the two-digit numbers too
    assert [y for *_, y in boxes] == sorted(y for *_, y in boxes)  # in the curves' order, downwards
    keys = re.findall(r"<text class='key-number' [^>]*>([0-9]+)</text><line [^>]*stroke='([^']*)'", out)
    assert keys == [(n, c) for _, _, c, n in tags]
