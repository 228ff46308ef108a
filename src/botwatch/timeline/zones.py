"""Clock conversions between the study's naive-UTC timestamps and an election's local time.

Why a table of offsets rather than an engine's time-zone functions: DuckDB needs its ICU extension
and Spark its session zone to convert, and the two disagree on naive timestamps. An offset per
distinct UTC hour, computed once in Python with `zoneinfo`, joins the same way on both engines and
is exact in every zone: an hour holding a change also carries the instant of the change and the
offset before it (`offsets_table`). Changes fall off the whole UTC hour in the half-hour zones
(Newfoundland's at 05:30 and 04:30 UTC, before 2011 at 03:31 and 02:31; Adelaide's and Broken
Hill's at 16:30 UTC; Lord Howe Island's in October at 15:30 UTC; Iran's, until 2022, at 20:30 and
19:30 UTC): with one offset per hour, taken at its middle, the posts of the part of that hour before
the change read an hour (Newfoundland, Adelaide, Iran) or half an hour (Lord Howe) off local time,
in another local hour and, where the change is at local midnight (Iran; Newfoundland before 2011),
on another local day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

OFFSETS_SCHEMA = pa.schema([("utc_hour", pa.timestamp("us")), ("offset_minutes", pa.int32()),
                            ("switch_at", pa.timestamp("us")), ("offset_before", pa.int32())])


def offset_minutes(utc_naive: datetime, tz: str) -> int:
    """Minutes east of UTC that zone `tz` observed at the naive-UTC instant `utc_naive`.

    Within a day of year 1 or 9999 the local time may not be a datetime (0001-01-01 00:00 UTC is
    year 0 in New York): the zone's offset is then read at that instant taken as local, which is
    the same offset (no zone changed its clocks then), rather than stopping the timeline stage
    with "OverflowError: date value out of range" on one post so dated."""
    zone = ZoneInfo(tz)
    try:
        off = utc_naive.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset() or timedelta(0)
    except OverflowError:
        off = zone.utcoffset(utc_naive) or timedelta(0)
    return int(off.total_seconds() // 60)


def hour_shift(utc_naive: datetime, tz: str) -> int:
    """The zone's offset in the UTC hour starting at `utc_naive`, in whole hours east of UTC rounded
    down (taken at the hour's middle, the offset of most of a change hour): what the burst baseline moves by to read
    the same local hour of earlier days (`bursts.robust_z`'s `shifts`, which uses only differences).

    Rounded down, not to the nearest: Python rounds halves to even, so Adelaide's UTC+9:30 and
    +10:30 both read 10 (its clock change was lost) and Newfoundland's UTC-3:30 and -2:30 read -4
    and -2 (a one-hour change read as two); floored, a one-hour change is one hour in every zone."""
    return offset_minutes(utc_naive + timedelta(minutes=30), tz) // 60


def _switch(hour: datetime, tz: str) -> tuple[int, datetime | None, int | None]:
    """(the zone's offset at the end of the UTC hour starting at `hour`, the instant within the hour
    the offset changed or None, the offset before it or None), to the second."""
    first, last = offset_minutes(hour, tz), offset_minutes(hour + timedelta(seconds=3599), tz)
    if first == last:
        return last, None, None
    lo, hi = 0, 3599  # the offset at `lo` seconds is `first`, at `hi` it is not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if offset_minutes(hour + timedelta(seconds=mid), tz) == first else (lo, mid)
    return last, hour + timedelta(seconds=hi), first


def offsets_table(utc_hours: Iterable[datetime], tz: str) -> pa.Table:
    """One row per distinct UTC hour: the zone's offset then (the join key for local clocks).

    An hour holding a clock change gives the offset from the change on (`offset_minutes`), the
    instant of the change (`switch_at`) and the offset before it (`offset_before`); the other hours
    leave the last two NULL. One offset per hour, taken at its middle, read the first half hour of a
    change on a UTC half hour (Newfoundland, Adelaide, Lord Howe, Iran) an hour or half an hour off
    local time."""
    hours = sorted({h.replace(minute=0, second=0, microsecond=0) for h in utc_hours if h is not None})
    offs, switches, before = zip(*(_switch(h, tz) for h in hours)) if hours else ((), (), ())
    return pa.Table.from_arrays([pa.array(hours, pa.timestamp("us")), pa.array(offs, pa.int32()),
                                 pa.array(switches, pa.timestamp("us")), pa.array(before, pa.int32())], schema=OFFSETS_SCHEMA)


def local_to_utc(local_naive: datetime, tz: str) -> datetime:
    """An election preset's event time (naive, in the election's zone) as naive UTC.

    Ambiguous local times (the repeated hour when clocks go back) take the first occurrence
    (`fold=0`), which is what a person writing "01:30" on that night usually means."""
    aware = local_naive.replace(tzinfo=ZoneInfo(tz))
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


# -- election instants ----------------------------------------------------------------------------
# The election model gives event times as naive UTC (a preset may write them with an offset; the
# loader converts) and dates (trigger, polling day, window) as calendar days of the election's own
# zone. These helpers turn an election into the UTC instants the time stages filter on.


def local_midnight_utc(election: Any, d: date) -> datetime:
    """The start (local midnight in the election's zone, as naive UTC) of the local day `d`."""
    return _local_midnight_utc(election, d)


def _local_midnight_utc(election: Any, d: date) -> datetime:
    fn = getattr(election, "local_midnight_utc", None)
    if fn is not None:
        return fn(d)
    return local_to_utc(datetime.combine(d, datetime.min.time()), getattr(election, "timezone", "UTC") or "UTC")


def events_utc(election: Any) -> list[tuple[datetime, str]]:
    """(naive UTC time, label) of the election's key events; [] without an election."""
    if election is None:
        return []
    return [(e.at, e.label) for e in election.events]


def window_utc(election: Any) -> tuple[datetime, datetime] | None:
    """The study window as a half-open UTC interval [start, end) of whole local days: from local
    midnight of `window_start` to local midnight after `window_end`, in the election's zone.

    The one definition every window test uses (the creation stage, the report's and `analyze`'s
    "no post in the window" line, the Methods coverage): UTC calendar dates put posts of the last
    evening in a zone west of UTC outside the window, and those of the first night in a zone east
    of it inside, so two parts of one report disagreed on studies ending near the edge."""
    if election is None:
        return None
    own = getattr(election, "window_utc", None)  # Election's, the same definition (content and estimates call it)
    if own is not None:
        return own()  # type: ignore[no-any-return]
    return _local_midnight_utc(election, election.window_start), _local_midnight_utc(election, election.window_end + timedelta(days=1))


def local_date(election: Any, utc_naive: datetime) -> date:
    """The calendar day in the election's zone of a naive-UTC instant (UTC without an election).

    At the edges of what a datetime holds (a post dated 0001-01-01 00:00 UTC, seen from a zone
    west of UTC, falls in year 0) it is the UTC day: ingest stores any time from year 1 to 9999,
    and one such post made `analyze` and `report` stop with "OverflowError: date value out of
    range", called a bug."""
    tz = getattr(election, "timezone", None) or "UTC"
    try:
        return utc_naive.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()
    except OverflowError:
        return utc_naive.date()


def trigger_utc(election: Any) -> datetime:
    """The start (local midnight, as UTC) of the day the election was called."""
    return _local_midnight_utc(election, election.trigger_date)


def local_days_with_posts(study: Any, election: Any, lo: datetime, hi: datetime) -> set[date]:
    """The election's local days (UTC without an election) holding a post in [lo, hi): the one
    count of days with posts the Methods coverage line and the event test's note both print.

    Read from the quarter hours that hold posts (a bounded answer on any engine): every zone's
    midnight falls on a UTC quarter hour, so each quarter lies in one local day."""
    quarters = study.sql(
        "SELECT DISTINCT date_trunc('hour', created_at), CAST(floor(minute(created_at) / 15) AS INTEGER) FROM posts "
        "WHERE created_at >= ? AND created_at < ?", [lo, hi],
    )
    return {local_date(election, h + timedelta(minutes=15 * q)) for h, q in quarters}
