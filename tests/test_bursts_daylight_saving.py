"""An hour's burst baseline is the same local hour of the previous days, also across a
daylight-saving change. Compared with the same UTC hour, a plain daily rhythm in Sydney after clocks
went forward on 1 October 2023 read 07:00 against the previous week's 06:00, and every morning of
that week was listed as a burst (z 17–36) though nothing burst."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study
from botwatch.timeline import bursts as b
from botwatch.timeline.zones import offset_minutes

SYDNEY = ZoneInfo("Australia/Sydney")
H = timedelta(hours=1)

ELECTION = """\
key = "dst-test"
name = "A campaign across a clock change"
country = "AU"
timezone = "Australia/Sydney"
trigger_date = 2023-09-20
polling_day = 2023-10-10

[[parties]]
key = "a"
name = "A"
keywords = ["alpha"]
"""


def _local_rhythm(t: datetime) -> int:
    """Posts in the UTC hour `t` of a day kept on the local clock: 12 an hour from 07:00 to 22:59."""
    return 12 if 7 <= t.replace(tzinfo=timezone.utc).astimezone(SYDNEY).hour < 23 else 0


def test_a_local_daily_rhythm_is_no_burst_after_the_clocks_change() -> None:
    times = [datetime(2023, 9, 20) + i * H for i in range(24 * 20)]
    counts = [_local_rhythm(t) for t in times]
    shift = lambda t: round(offset_minutes(t + timedelta(minutes=30), "Australia/Sydney") / 60)  # noqa: E731
    assert b.find_bursts_sparse(times, counts, H, period=24, lookback=7) != []  # the UTC hour: the artefact
    assert b.find_bursts_sparse(times, counts, H, period=24, lookback=7, shift_of=shift) == []
    spiked = list(counts)
    spiked[300] += 60  # a real burst after the change is still found
    found = b.find_bursts_sparse(times, spiked, H, period=24, lookback=7, shift_of=shift)
    assert [bu.peak_at for bu in found] == [times[300]]
    # Clocks going back (the earlier day's hour lies one UTC hour later): no burst either.
    back = [datetime(2023, 3, 25) + i * H for i in range(24 * 20)]
    assert b.find_bursts_sparse(back, [_local_rhythm(t) for t in back], H, period=24, lookback=7, shift_of=shift) == []


def test_the_bursts_stage_reads_the_elections_local_hours(tmp_path: Path) -> None:
    rows, n = [], 0
    for d in range(20):
        day = date(2023, 9, 21) + timedelta(days=d)
        for h in range(7, 23):
            for k in range(12):
                at = datetime.combine(day, time(h, 4 * k), tzinfo=SYDNEY).astimezone(timezone.utc)
                n += 1
                rows.append([f"p{n}", f"u{k}", at.strftime("%Y-%m-%dT%H:%M:%SZ"), f"alpha post {n}"])
    src = tmp_path / "posts.csv"
    with src.open("w", newline="") as f:
        csv.writer(f).writerows([["post_id", "account_id", "created_at", "text"], *rows])
    (tmp_path / "e.toml").write_text(ELECTION)
    study = tmp_path / "s.duckdb"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(study), str(src), "--columns", "post_id=post_id,account_id=account_id,created_at=created_at,text=text"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analyze", str(study), "--election", str(tmp_path / "e.toml")])
    assert r.exit_code == 0, r.output
    with open_study(study) as st:
        hourly = st.sql("SELECT peak_at, z FROM bursts WHERE freq = 'hour' AND dimension = 'all'")
    assert hourly == []


def test_half_hour_zones_keep_their_clock_change_in_the_baseline() -> None:
    """The baseline's shift was the offset rounded to the nearest hour, halves to even: Adelaide's
    UTC+9:30 and +10:30 both read 10, so its change on 1 October 2023 was lost, and Newfoundland's
    UTC-3:30 and -2:30 read -4 and -2, a one-hour change moved by two. Either way every morning of
    the week after was compared with the wrong hour. `zones.hour_shift` floors."""
    from botwatch.timeline.zones import hour_shift

    for tz, start in (("Australia/Adelaide", datetime(2023, 9, 20)), ("America/St_Johns", datetime(2023, 3, 1))):
        zone = ZoneInfo(tz)
        times = [start + i * H for i in range(24 * 20)]
        counts = [12 if 7 <= t.replace(tzinfo=timezone.utc).astimezone(zone).hour < 23 else 0 for t in times]
        found = b.find_bursts_sparse(times, counts, H, period=24, lookback=7, shift_of=lambda t, tz=tz: hour_shift(t, tz))
        assert found == [], tz
    assert hour_shift(datetime(2023, 7, 1), "America/St_Johns") - hour_shift(datetime(2023, 1, 1), "America/St_Johns") == 1
    assert hour_shift(datetime(2023, 1, 1), "Australia/Lord_Howe") - hour_shift(datetime(2023, 7, 1), "Australia/Lord_Howe") in (0, 1)
