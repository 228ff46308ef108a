"""An event given as a date alone is a local day of the election, as the file's other dates are:
read as UTC midnight, a day of an election west of UTC became the evening before, and
`elections check` warned that an event on the window's first day lay outside the window and that
a polling event on polling day fell on the day before."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import load_election

WEST = """\
key = "west"
name = "An election west of UTC"
country = "US"
timezone = "America/Los_Angeles"
trigger_date = 2020-09-01
polling_day = 2020-11-03

[[parties]]
key = "a"
name = "A"
keywords = ["alpha"]

[[events]]
at = 2020-09-01
label = "Campaign opens"

[[events]]
at = 2020-10-15
end = 2020-10-16
label = "Two days of rallies"

[[events]]
at = "2020-11-03"
label = "Polling day"
kind = "polling"
"""


def test_an_event_date_is_the_elections_local_day(tmp_path: Path) -> None:
    path = tmp_path / "west.toml"
    path.write_text(WEST, encoding="utf-8")
    e = load_election(path)
    opens, rallies, polling = e.events
    assert opens.at == datetime(2020, 9, 1, 7, 0)  # local midnight, PDT (UTC-7)
    assert (rallies.at, rallies.end) == (datetime(2020, 10, 15, 7, 0), datetime(2020, 10, 17, 7, 0))  # through the end day
    assert polling.at == datetime(2020, 11, 3, 8, 0)  # PST after the clocks went back
    res = CliRunner().invoke(app, ["elections", "check", str(path)])
    assert res.exit_code == 0, res.output
    assert "outside the window" not in res.output and "not polling day" not in res.output, res.output


def test_an_event_date_time_without_offset_is_still_utc(tmp_path: Path) -> None:
    path = tmp_path / "west.toml"
    path.write_text(WEST.replace("at = 2020-09-01\n", "at = 2020-09-01T00:00:00\n"), encoding="utf-8")
    assert load_election(path).events[0].at == datetime(2020, 9, 1, 0, 0)
