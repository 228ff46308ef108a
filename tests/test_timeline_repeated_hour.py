"""Every real hour is its own bucket of the local-clock timeline, on the nights clocks change.

Keyed by wall time alone, the hour the wall clock shows twice when clocks go back (02:00 in
Europe/Berlin and 01:00 in Europe/London on 29 October 2017, 01:00 in America/New_York on 6
November 2016) was one bucket holding both hours' posts: an hour of double the posts, a false burst in `botwatch timeline
--clock local --freq hour` and the exported table. The offsets come from the zone database
(`zoneinfo`), never from dates written here: the tests only pick nights to look at."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.elections.model import Election, Party
from botwatch.pipeline import Context, analyze
from tests.test_timeline import write_posts

runner = CliRunner()


def _election(tz: str, day: date) -> Election:
    return Election(key="dst", name="Clock change test", country="DE", timezone=tz, trigger_date=day - timedelta(days=5), polling_day=day,
                    window_start=day - timedelta(days=5), window_end=day + timedelta(days=5), parties=(Party("a", "A"),), events=())


def _change_night(tz: str, day: date) -> list[datetime]:
    """One post at half past each UTC hour of the local day `day` and the hours either side."""
    start = datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).astimezone(timezone.utc).replace(tzinfo=None) - timedelta(hours=2)
    return [start + timedelta(hours=h, minutes=30) for h in range(28)]


def _analysed(path: Path, tz: str, day: date) -> list[datetime]:
    at = _change_night(tz, day)
    with open_study(path, read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{i}", platform="twitter", account_id="u", created_at=t, kind="original") for i, t in enumerate(at)])
        analyze(st, Context(election=_election(tz, day), log=lambda m: None), only=["timeline"])
    return at


@pytest.mark.parametrize("tz, day", [("Europe/Berlin", date(2017, 10, 29)), ("Europe/London", date(2017, 10, 29)),
                                     ("America/New_York", date(2016, 11, 6)), ("Europe/Berlin", date(2017, 3, 26))])
def test_each_real_hour_is_one_local_bucket_with_its_offset(tmp_path: Path, tz: str, day: date) -> None:
    at = _analysed(tmp_path / "s.duckdb", tz, day)
    with open_study(tmp_path / "s.duckdb", read_only=True) as st:
        where = "WHERE freq = 'hour' AND clock = 'local' AND dimension = 'all'"
        # one post an hour: no hour of two (the repeated 02:00 was 2), none lost
        assert st.sql(f"SELECT max(posts), count(*) FROM timeline {where}") == [(1, len(at))]
        rows = st.sql(f"SELECT bucket, utc_offset_minutes, posts FROM timeline {where}")
    zone = ZoneInfo(tz)
    want = set()
    for t in at:
        local = t.replace(tzinfo=timezone.utc).astimezone(zone)
        want.add((local.replace(minute=0, tzinfo=None), int(local.utcoffset().total_seconds() // 60), 1))  # type: ignore[union-attr]
    assert set(rows) == want
    # The hour's real start is its wall time less its offset: the UTC hours, in order.
    assert sorted(b - timedelta(minutes=o) for b, o, _ in rows) == [t.replace(minute=0) for t in at]


def test_utc_rows_carry_offset_zero_and_local_days_one_row(tmp_path: Path) -> None:
    _analysed(tmp_path / "s.duckdb", "Europe/Berlin", date(2017, 10, 29))
    with open_study(tmp_path / "s.duckdb", read_only=True) as st:
        utc = st.sql("SELECT DISTINCT utc_offset_minutes FROM timeline WHERE clock = 'utc'")
        days = st.sql("SELECT bucket, utc_offset_minutes, posts FROM timeline WHERE freq = 'day' AND clock = 'local' AND dimension = 'all' ORDER BY 1")
    assert utc == [(0,)]
    assert (datetime(2017, 10, 29), None, 25) in days  # the 25-hour day is one day


def test_the_cli_prints_the_repeated_hour_twice_with_its_offset(tmp_path: Path) -> None:
    _analysed(tmp_path / "s.duckdb", "Europe/Berlin", date(2017, 10, 29))
    res = runner.invoke(app, ["timeline", str(tmp_path / "s.duckdb"), "--clock", "local", "--freq", "hour", "--since", "2017-10-29 01:00",
                              "--until", "2017-10-29 03:00"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    lines = [" ".join(line.replace("│", " ").split()) for line in res.output.splitlines()]
    shown = [line for line in lines if line.startswith("2017-10-29")]
    assert shown == ["2017-10-29 01:00 +02:00 1 1", "2017-10-29 02:00 +02:00 1 1", "2017-10-29 02:00 +01:00 1 1", "2017-10-29 03:00 +01:00 1 1"], res.output


def test_a_timeline_written_before_the_offset_column_is_read_and_said(tmp_path: Path) -> None:
    """A study analysed by an earlier botwatch has no `utc_offset_minutes`: the command stopped
    with "Referenced column not found"; it prints the table as stored and says how to split the hour."""
    _analysed(tmp_path / "s.duckdb", "Europe/Berlin", date(2017, 10, 29))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE OR REPLACE TABLE timeline AS SELECT freq, clock, dimension, value, bucket, sum(posts) AS posts, sum(accounts) AS accounts, "
               "NULL AS sentiment_mean, 0 AS sentiment_n FROM timeline GROUP BY ALL")
    res = runner.invoke(app, ["timeline", str(tmp_path / "s.duckdb"), "--clock", "local", "--freq", "hour", "--since", "2017-10-29 02:00",
                              "--until", "2017-10-29 02:00"], env={"COLUMNS": "200"})
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "2017-10-29 02:00 2 2" in " ".join(res.output.replace("│", " ").split()), res.output
    assert "the hour the clocks repeat when they go back is one bucket" in said and "--only timeline" in said
