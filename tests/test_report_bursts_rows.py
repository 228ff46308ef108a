"""The report's bursts table: a burst found identically in two series is listed once with both
names, and an empty baseline gives no z (with the floor spread of 1, z was just the count)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from botwatch import open_study
from botwatch.timeline.report import time_section


def test_a_burst_is_listed_once_and_an_empty_baseline_has_no_z(tmp_path: Path) -> None:
    """Reviewer's study: "all: all posts" and "origin: foreign origin" each listed the same burst
    ("27 posts, baseline 0.0, z 27"), since every post in the window was by foreign-origin accounts."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("INSERT INTO timeline VALUES ('day', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-01', 60, 2, NULL, 0), ('day', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-03', 60, 2, NULL, 0)")
        st.sql("CREATE TABLE bursts (freq VARCHAR, dimension VARCHAR, value VARCHAR, start TIMESTAMP, \"end\" TIMESTAMP, peak_at TIMESTAMP, peak_posts BIGINT, "
               "baseline DOUBLE, z DOUBLE, posts BIGINT, event VARCHAR, event_at TIMESTAMP, hours_from_event DOUBLE)")
        for dim, val, peak, pp, base, z in (("all", "all posts", "2016-10-02 05:00", 27, 0.0, 27.0),
                                            ("origin", "foreign origin", "2016-10-02 05:00", 27, 0.0, 27.0),
                                            ("kind", "retweet", "2016-10-02 09:00", 40, 4.0, 8.0)):
            st.sql("INSERT INTO bursts VALUES ('hour', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)", [dim, val, peak, peak, peak, pp, base, z, pp])
        sec = time_section(st, {})
    assert sec is not None
    table = sec.html[sec.html.index("Strongest hourly bursts"):]
    table = table[:table.index("</table>")]
    rows = [html.unescape(re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", r))).strip() for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert len(rows) == 2, rows
    merged = next(r for r in rows if "all posts" in r)
    assert "all: all posts" not in merged  # the series of every post is named once
    assert "origin: foreign origin" in merged and "not defined" in merged and " 27 " not in merged.split("0.0", 1)[1], merged
    kind = next(r for r in rows if "retweet" in r)
    assert re.search(r"\b8\b", kind) and "not defined" not in kind, kind
    assert "Not defined: no posts of this series in the baseline hours" in html.unescape(sec.html)
