"""The strongest bursts "in the window" are read inside the window, not the UTC days around it.

The IRA release under uk-ge2017 listed a peak at 2017-04-17 13:00 UTC (389 posts) first in
"Strongest hourly bursts in the window", 21 hours before the election was called: the window
opens at local midnight, 2017-04-17 23:00 UTC, and the table read whole UTC days."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from botwatch.elections import load_election
from botwatch.study import open_study
from botwatch.timeline.report import burst_rows

UK = load_election("uk-ge2017")


def _study(path: Path, peaks: list[datetime]):  # type: ignore[no-untyped-def]
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE bursts (freq VARCHAR, dimension VARCHAR, value VARCHAR, peak_at TIMESTAMP, peak_posts BIGINT, baseline DOUBLE, "
           "z DOUBLE, posts BIGINT, event VARCHAR, hours_from_event DOUBLE)")
    for i, at in enumerate(peaks):
        st.sql("INSERT INTO bursts VALUES ('hour', 'all', 'all posts', ?, ?, 5, ?, ?, NULL, NULL)", [at, 100 + i, 30.0 - i, 100 + i])
    return st


def test_a_peak_before_the_window_opens_is_not_in_the_window(tmp_path: Path) -> None:
    before = datetime(2017, 4, 17, 13)  # the UTC day the window opens on, 10 hours before it does
    first = datetime(2017, 4, 17, 23)  # local midnight, 18 April in London
    last = datetime(2017, 6, 9, 22)  # the last hour of 9 June in London
    after = datetime(2017, 6, 9, 23)  # 10 June in London
    st = _study(tmp_path / "s.duckdb", [before, first, last, after])
    try:
        span = (datetime(2017, 4, 17), datetime(2017, 6, 9))  # the UTC days that overlap the window
        assert [r[1] for r in burst_rows(st, span, election=UK)] == [first, last]
        # Without an election the days shown are the bound, as before.
        assert [r[1] for r in burst_rows(st, span)] == [before, first, last, after]
        # Days outside the window (an archive of another year) keep their own bounds.
        other = _study(tmp_path / "o.duckdb", [datetime(2016, 6, 23, 21)])
        try:
            assert len(burst_rows(other, (datetime(2016, 6, 23), datetime(2016, 6, 24)), election=UK)) == 1
        finally:
            other.close()
    finally:
        st.close()


def test_hours_from_an_event_never_read_minus_zero() -> None:
    """A peak hour starting at 18:00 UTC beside a debate at 18:15 read "-0" hours after it."""
    from botwatch.report.fmt import signed_hours

    assert [signed_hours(h) for h in (-0.25, 0.0, 0.4, -0.6, 3.0, -24.0, 1.5)] == ["0", "0", "0", "-1", "+3", "-24", "+2"]


def test_bursts_over_an_empty_baseline_rank_after_those_with_a_z_and_the_total_is_said(tmp_path: Path) -> None:
    """The demo's "strongest" two were hours with no baseline (221 and 185 posts, z "not defined",
    stored as the count) above 273 posts at z 135, and the table showed 15 of 615 bursts unsaid."""
    from botwatch.timeline.report import burst_total

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE bursts (freq VARCHAR, dimension VARCHAR, value VARCHAR, peak_at TIMESTAMP, peak_posts BIGINT, baseline DOUBLE, "
               "z DOUBLE, posts BIGINT, event VARCHAR, hours_from_event DOUBLE)")
        rows = [(datetime(2017, 5, 2, 10), 221, 0.0, 221.0), (datetime(2017, 5, 3, 10), 185, 0.0, 185.0),
                (datetime(2017, 5, 4, 10), 273, 4.0, 135.0), (datetime(2017, 5, 5, 10), 60, 2.0, 40.0)]
        for at, pp, base, z in rows:
            st.sql("INSERT INTO bursts VALUES ('hour', 'all', 'all posts', ?, ?, ?, ?, ?, NULL, NULL)", [at, pp, base, z, pp])
        st.sql("INSERT INTO bursts VALUES ('hour', 'origin', 'foreign', ?, 273, 4.0, 135.0, 273, NULL, NULL)", [datetime(2017, 5, 4, 10)])  # the same burst again
        span = (datetime(2017, 5, 1), datetime(2017, 5, 31))
        got = burst_rows(st, span, election=UK, limit=3)
        assert [r[2] for r in got] == [273, 60, 221]  # z 135, z 40, then the empty baselines by posts
        assert got[0][0] == [("all", "all posts"), ("origin", "foreign")]
        assert burst_total(st, span, UK) == 4
    finally:
        st.close()


def test_bursts_listed_with_an_event_are_set_beside_the_share_chance_gives(tmp_path: Path) -> None:
    """us-2016's 9 events within ± 72 h cover half of its window: on the IRA tweets 56% of hourly
    bursts had a "nearest event" where 50% of random hours would, and the table said nothing of it.
    Posts here on two London days: 25 April (no event within 72 h of any of its hours) and 17 May
    (the Lib Dem launch that day: every hour within 72 h of one)."""
    from botwatch.timeline.report import burst_chance

    st = _study(tmp_path / "s.duckdb", [])
    try:
        st.sql("INSERT INTO posts (created_at) VALUES ('2017-04-25 09:00'), ('2017-05-17 12:00')")
        for at, event in ((datetime(2017, 4, 25, 10), None), (datetime(2017, 5, 17, 10), "Liberal Democrat manifesto launch"),
                          (datetime(2017, 4, 17, 13), "Theresa May calls a snap general election")):  # the last before the window opens
            st.sql("INSERT INTO bursts VALUES ('hour', 'all', 'all posts', ?, 50, 5, 20, 50, ?, 0)", [at, event])
        st.sql("INSERT INTO bursts VALUES ('hour', 'origin', 'foreign', '2017-05-17 10:00', 50, 5, 20, 50, 'Liberal Democrat manifesto launch', 0)")
        got = burst_chance(st, (datetime(2017, 4, 17), datetime(2017, 6, 9)), UK)
        assert got == {"near": 1, "total": 2, "hours": 48, "hours_near": 24, "events": len(UK.events)}
        assert burst_chance(st, (datetime(2017, 4, 17), datetime(2017, 6, 9))) is None  # no election, no events
    finally:
        st.close()
