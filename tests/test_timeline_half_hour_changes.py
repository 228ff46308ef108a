"""The local clock of the timeline is exact across a clock change that falls inside a UTC hour.

One offset per UTC hour, taken at its middle, gave the posts before the change the offset after
it: in Newfoundland (UTC-3:30, clocks forward at 05:30 UTC) a post at 01:40 local read 02:40, an
hour that day never had, and before 2011, when its clocks changed at 00:01 local, a post of 23:15
on 6 November 2010 read 00:15 on the 7th. Adelaide, Broken Hill, Lord Howe Island and Iran change
on a UTC half hour too."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from botwatch import open_study
from botwatch.elections.model import Election, Party
from botwatch.pipeline import Context, analyze
from botwatch.timeline import zones
from tests.test_timeline import write_posts


def test_offsets_table_carries_the_instant_of_a_change_inside_an_hour() -> None:
    t = zones.offsets_table([datetime(2023, 3, 12, 5, 10), datetime(2023, 3, 12, 6)], "America/St_Johns").to_pylist()
    assert t[0] == {"utc_hour": datetime(2023, 3, 12, 5), "offset_minutes": -150, "switch_at": datetime(2023, 3, 12, 5, 30), "offset_before": -210}
    assert t[1] == {"utc_hour": datetime(2023, 3, 12, 6), "offset_minutes": -150, "switch_at": None, "offset_before": None}


def test_the_local_clock_is_exact_in_the_hour_of_a_half_hour_change(tmp_path: Path) -> None:
    tz = "America/St_Johns"
    el = Election(key="nl", name="Newfoundland test", country="CA", timezone=tz, trigger_date=date(2010, 10, 1), polling_day=date(2023, 3, 20),
                  window_start=date(2010, 10, 1), window_end=date(2023, 3, 20), parties=(Party("a", "A"),), events=())
    # Either side of the change inside each hour: 2023-03-12 at 05:30 UTC, 2010-11-07 at 02:31 UTC.
    at = [datetime(2023, 3, 12, 5, 10), datetime(2023, 3, 12, 5, 40), datetime(2010, 11, 7, 2, 20), datetime(2010, 11, 7, 2, 45)]
    with open_study(tmp_path / "nl.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{i}", platform="twitter", account_id="u", created_at=t, kind="original") for i, t in enumerate(at)])
        analyze(st, Context(election=el, log=lambda m: None), only=["timeline"])
        hours = st.sql("SELECT bucket, utc_offset_minutes FROM timeline WHERE freq = 'hour' AND clock = 'local' AND dimension = 'all' "
                       "ORDER BY bucket - utc_offset_minutes * INTERVAL 1 MINUTE")
        days = [b.date() for (b,) in st.sql("SELECT bucket FROM timeline WHERE freq = 'day' AND clock = 'local' AND dimension = 'all' ORDER BY bucket")]
    local = sorted(t.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None) for t in at)
    assert local[:2] == [datetime(2010, 11, 6, 23, 15), datetime(2010, 11, 6, 23, 50)]  # clocks went back from 00:01 to 23:01
    # 23:50 daylight time and 23:15 standard time (clocks back at 00:01) are two real hours, each
    # its own bucket (`series.aggregate`); on 12 March 2023 02:00 local never was.
    assert hours == [(datetime(2010, 11, 6, 23), -150), (datetime(2010, 11, 6, 23), -210), (datetime(2023, 3, 12, 1), -210), (datetime(2023, 3, 12, 3), -150)]
    assert days == [date(2010, 11, 6), date(2023, 3, 12)]
