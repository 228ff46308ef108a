"""Every report chart carries the figures it draws as a table a screen reader reads: the charts are
`<svg role='img'>`, whose accessible name is the title alone, and each bar's or point's value sat in
an SVG tooltip that no screen reader, printout or text-only reader reaches ("Posts per day (UTC)"
was all a blind reader heard of the first chart)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from botwatch.report import svg as report_svg
from botwatch.report.section_accounts import _histogram_svg
from botwatch.timeline import svg as time_svg

HOSTILE = "<script>x</script>"


def _table(html: str) -> tuple[str, list[list[str]]]:
    """The caption and the rows (header cell first) of the hidden table after the chart's SVG."""
    m = re.search(r"</svg><div class='visually-hidden chart-data'><table><caption>(.*?)</caption>(.*?)</table></div>", html, re.S)
    assert m, f"no table of the figures after the chart: {html[-300:]}"
    rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in re.findall(r"<tr>(.*?)</tr>", m.group(2))]
    return m.group(1), rows


def test_posts_per_day_bars_give_every_day_and_count() -> None:
    days = [date(2017, 5, 1) + timedelta(days=i) for i in range(3)]
    caption, rows = _table(str(report_svg.bar_series(days, [12, 0, 1500], title="Posts per day (UTC)")))
    assert caption == "Posts per day (UTC): the figures drawn"
    assert rows == [["day", "count"], ["2017-05-01", "12"], ["2017-05-02", "0"], ["2017-05-03", "1,500"]]


def test_time_lines_give_each_series_at_each_time_and_escape_names() -> None:
    t0 = datetime(2017, 5, 1)
    series = [("Labour", None, [(t0, 3.0), (t0 + timedelta(days=1), 4.5)]), (HOSTILE, None, [(t0 + timedelta(days=1), 7.0)])]
    html = str(time_svg.time_lines(series, start=t0, end=t0 + timedelta(days=1), title="By party: posts per day (UTC)"))
    caption, rows = _table(html)
    assert caption == "By party: posts per day (UTC): the figures drawn"  # the unit is in the title already
    assert rows == [["UTC time", "Labour", "&lt;script&gt;x&lt;/script&gt;"], ["2017-05-01 00:00", "3", "—"], ["2017-05-02 00:00", "4.5", "7"]]
    assert HOSTILE not in html


def test_hour_of_day_lines_name_local_hours_and_the_unit() -> None:
    base = datetime(2000, 1, 1)
    series = [("all posts", None, [(base + timedelta(hours=h), 100 / 24) for h in range(24)])]
    html = str(time_svg.time_lines(series, start=base, end=base + timedelta(hours=23), title="Share of posts by local hour of day",
                                   unit="% of the group's posts per hour", x_name="local hour", x_format="%H:00"))
    caption, rows = _table(html)
    assert "% of the group" in caption and rows[0] == ["local hour", "all posts"] and rows[1] == ["00:00", "4.2"] and len(rows) == 25


def test_marked_bars_say_so_in_words() -> None:
    _, rows = _table(str(time_svg.bars(["UTC+2", "UTC+3"], [4, 9], highlight=[False, True], title="Accounts by best-fit UTC offset")))
    assert rows[1:] == [["UTC+2", "4"], ["UTC+3", "9 (marked *)"]]


def test_interval_bars_give_the_value_and_its_interval() -> None:
    _, rows = _table(str(report_svg.hbars(["Labour"], [0.25], lo=[0.2], hi=[0.3], title="Share positive")))
    assert rows[1:] == [["Labour", "25% [20–30%]"]]


def test_bot_probability_histogram_gives_every_bin() -> None:
    caption, rows = _table(str(_histogram_svg([12, 0, 6, 3, 2, 1, 0, 0, 2, 0], title="Accounts per bot-probability bin")))
    assert rows[0] == ["bot probability", "accounts"] and rows[1] == ["0.0–0.1", "12"] and rows[-1] == ["0.9–1.0", "0"] and len(rows) == 11


def test_reliability_chart_gives_each_point() -> None:
    from botwatch.report.section_accounts import _reliability

    meta = {"reliability": [{"predicted": 0.1, "observed": 0.08, "n": 1200}, {"predicted": 0.9, "observed": 0.95, "n": 40}]}
    caption, rows = _table(str(_reliability(meta)))
    assert caption == "Bot model reliability (labelled data): the figures drawn"
    assert rows[1:] == [["labelled accounts, out-of-fold, predicted 0.10", "0.08", "1,200"], ["labelled accounts, out-of-fold, predicted 0.90", "0.95", "40"]]


def test_network_name_counts_its_clusters_in_words() -> None:
    """The network's accessible name, all a screen reader says of the picture, read "4 accounts in 1
    clusters" on the IRA slice: both counts go through `counted`, which agrees the noun."""
    from botwatch.count_text import counted
    from botwatch.report.sections import ENV

    source = ENV.loader.get_source(ENV, "coordination.html.j2")[0]
    label = re.search(r'aria-label="(Coordination network:.*?)">', source)
    assert label, "the network has no accessible name"
    said = ENV.from_string(label.group(1)).render(picture={"nodes": [1, 2, 3, 4], "colour": {0: "#000"}})
    assert said == f"Coordination network: {counted(4, 'account')} in {counted(1, 'cluster')}" == "Coordination network: 4 accounts in 1 cluster"


def test_a_timeline_over_years_sums_its_table_rows_as_the_bar_charts_do() -> None:
    """A study over 1,982 days without an election (an IRA slice) drew each timeline over every day,
    and its hidden table added 135 KB a one-line panel (288 KiB a report, 6 panels of 6 lines would be
    megabytes): past `MAX_ROWS` times a row sums consecutive times, and the caption says so."""
    from botwatch.chart_table import MAX_ROWS

    t0 = datetime(2012, 1, 1)
    days = [t0 + timedelta(days=i) for i in range(1_000)]
    series = [("all posts", None, [(d, float(i % 7)) for i, d in enumerate(days)]), ("cluster 1", None, [(days[3], 5.0)])]
    html = str(time_svg.time_lines(series, start=days[0], end=days[-1], title="All posts: posts per day (UTC)"))
    caption, rows = _table(html)
    assert 1 < len(rows) - 1 <= MAX_ROWS
    assert caption == "All posts: posts per day (UTC): the figures drawn, 3 days summed to a row (each day is in the timeline table of the exports)"
    assert rows[1] == ["2012-01-01 00:00 – 2012-01-03 00:00", "3", "—"] and rows[2][2] == "5"
    assert sum(float(r[1].replace(",", "")) for r in rows[1:]) == sum(i % 7 for i in range(1_000))
    assert rows[-1][0] == "2014-09-26 00:00"  # the last row, one day alone, its own time


def test_a_short_timeline_keeps_a_row_per_time() -> None:
    t0 = datetime(2017, 5, 1)
    days = [t0 + timedelta(days=i) for i in range(40)]
    _, rows = _table(str(time_svg.time_lines([("all posts", None, [(d, 1.0) for d in days])], start=days[0], end=days[-1], title="All posts: posts per day (UTC)")))
    assert len(rows) == 41 and rows[1] == ["2017-05-01 00:00", "1"]


def test_a_small_share_is_not_written_as_none() -> None:
    """One post in an hour of 20,000 is 0.005% of them: the hour-of-day table wrote "0.0"."""
    base = datetime(2000, 1, 1)
    shares = [0.005] + [(100 - 0.005) / 23] * 23
    html = str(time_svg.time_lines([("all posts", None, [(base + timedelta(hours=h), v) for h, v in enumerate(shares)])], start=base, end=base + timedelta(hours=23),
                                   title="Share of posts by local hour of day", unit="% of the group's posts per hour", x_name="local hour", x_format="%H:00"))
    _, rows = _table(html)
    assert rows[1] == ["00:00", "&lt;0.1"] and rows[2] == ["01:00", "4.3"]
