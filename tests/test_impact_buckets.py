"""How `botwatch impact` cuts the timeline's hourly rows into its buckets (`party_series`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from botwatch import open_study
from botwatch.impact.stage import party_series
from botwatch.timeline.groups import AUTOMATED, NOT_AUTOMATED



def hourly_study(path: Path, hours: int = 72, first: datetime = datetime(2017, 5, 2)):  # type: ignore[no-untyped-def]
    """A study whose timeline holds `hours` hourly party_group rows for 'labour', one post each
    by each group, from `first`."""
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
    for label in (AUTOMATED, NOT_AUTOMATED):
        st.sql("INSERT INTO timeline SELECT 'hour', 'utc', 'party_group', ?, ? + INTERVAL (i) HOUR, 1, 0.1, 1 FROM range(?) t(i)",
               [f"labour | {label}", first, hours])
    return st


@pytest.mark.parametrize("freq", ["3h", "5h", "7h", "1d"])
def test_every_post_lands_in_a_bucket(tmp_path: Path, freq: str) -> None:
    """At 5h or 7h every bucket was empty: resample placed its buckets from the first day's midnight,
    the index they were read back into from the epoch, and the two never met."""
    with hourly_study(tmp_path / "s.duckdb", hours=24 * 5, first=datetime(2017, 5, 2)) as st:
        if freq == "1d":  # the day rows the timeline stores beside the hour rows
            st.sql("INSERT INTO timeline SELECT 'day', clock, dimension, value, date_trunc('day', bucket), sum(posts), 0.1, sum(sentiment_n) "
                   "FROM timeline GROUP BY ALL")
        df = party_series(st, "labour", freq)
    assert float(np.expm1(df["automated_volume"]).sum()) == pytest.approx(24 * 5)


def test_a_partial_bucket_at_either_edge_is_left_out(tmp_path: Path) -> None:
    """A UK window starts at 23:00 UTC: its first 3h bucket (21:00-24:00) held one hour of posts and
    its last (21:00-24:00) two, read by the lead-lag test as drops in volume. Only whole buckets
    enter the series now, at the window's edges and at an unaligned --start or --end."""
    start = datetime(2017, 5, 1, 23)
    end = start + timedelta(days=3) - timedelta(microseconds=1)  # inclusive, as campaign_window gives it
    with hourly_study(tmp_path / "s.duckdb", hours=24 * 3, first=start) as st:
        df = party_series(st, "labour", "3h", start, end)
        assert df.index[0] == datetime(2017, 5, 2) and df.index[-1] == datetime(2017, 5, 4, 18)
        assert np.allclose(np.expm1(df["automated_volume"]), 3) and np.allclose(np.expm1(df["rest_volume"]), 3)  # three hours a bucket, each
        odd = party_series(st, "labour", "3h", datetime(2017, 5, 2, 1, 30), datetime(2017, 5, 3, 10, 15))
        assert odd.index[0] == datetime(2017, 5, 2, 3) and odd.index[-1] == datetime(2017, 5, 3, 6)
        assert np.allclose(np.expm1(odd["automated_volume"]), 3)


def test_a_window_shorter_than_one_bucket_says_so(tmp_path: Path) -> None:
    from botwatch.impact.stage import run_impact

    with hourly_study(tmp_path / "s.duckdb") as st:
        rows, _, notes = run_impact(st, "labour", "3h", start=datetime(2017, 5, 2, 10, 30), end=datetime(2017, 5, 2, 12, 10), name="Labour")
    assert rows == [] and notes == ["Labour: the window (2017-05-02 10:30 to 2017-05-02 12:10 UTC) holds no whole 3h bucket; no test."]


def test_a_bucket_of_whole_hours_but_not_whole_days_reads_the_hour_rows(tmp_path: Path) -> None:
    """1.5d buckets were cut from the timeline's day rows, one or two days to a bucket by turns."""
    with hourly_study(tmp_path / "s.duckdb", hours=24 * 6) as st:
        st.sql("INSERT INTO timeline SELECT 'day', clock, dimension, value, date_trunc('day', bucket), sum(posts), 0.1, sum(sentiment_n) "
               "FROM timeline GROUP BY ALL")
        df = party_series(st, "labour", "1.5d")
    assert np.allclose(np.expm1(df["automated_volume"].iloc[1:-1]), 36)  # the data start and end inside a bucket


def test_bounds_beyond_what_pandas_holds_or_given_as_text(tmp_path: Path) -> None:
    """Whole buckets are found in datetime arithmetic: `impact --start 1500-01-01` or `--end
    9999-01-01` are past a pandas timestamp's range, and the Python API passes bounds as text."""
    from botwatch.impact.stage import run_impact, whole_buckets

    assert whole_buckets(datetime(1500, 1, 1), datetime(9999, 1, 1), "3h") == (datetime(1500, 1, 1), datetime(9998, 12, 31, 23, 59, 59, 999999))
    assert whole_buckets("2016-10-09 00:30", None, "3h") == (datetime(2016, 10, 9, 3), None)
    with hourly_study(tmp_path / "s.duckdb") as st:
        assert len(party_series(st, "labour", "3h", datetime(1500, 1, 1), datetime(9999, 1, 1))) == 24
        _, _, notes = run_impact(st, "labour", "3h", start="2017-05-02 10:30", end="2017-05-02 12:10", name="Labour")
    assert notes == ["Labour: the window (2017-05-02 10:30 to 2017-05-02 12:10 UTC) holds no whole 3h bucket; no test."]
