"""The circadian test's home zone is the election's real offset, not the nearest whole hour: an
election in India (UTC+5:30) read "at least 3 hours away from the election's own time zone
(UTC+6)", and its accounts fitted at UTC+3, 2.5 hours from home, were counted as away."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.fmt import utc_offset
from botwatch.report.sections import render
from botwatch.study import open_study
from botwatch.timeline.report import circadian_block


def _circ(tmp_path: Path, offsets: list[int], polling_day: date, tz: str, country: str) -> dict:
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        for i, off in enumerate(offsets):
            st.sql("INSERT INTO circadian VALUES ('twitter', ?, ?, true)", [str(i), off])
        circ = circadian_block(st, SimpleNamespace(polling_day=polling_day, timezone=tz, country=country))
    finally:
        st.close()
    assert circ is not None
    return circ


def test_india_is_utc_plus_5_30_and_utc_plus_3_is_not_3_hours_away(tmp_path: Path) -> None:
    circ = _circ(tmp_path, [5, 6, 6, 3, 8, 2, 9], date(2024, 4, 19), "Asia/Kolkata", "IN")
    assert circ["home"] == 5.5
    assert circ["k_far"] == 2  # UTC+2 and UTC+9 (3.5 h); UTC+3 and UTC+8 are 2.5 h from home
    text = " ".join(str(render("time_headline.html.j2", kind="circadian", c=circ)).split())
    assert "at least 3 hours away from the election's own time zone (UTC+5:30);" in text


def test_nepal_and_offsets_written_as_people_write_them(tmp_path: Path) -> None:
    circ = _circ(tmp_path, [6, 6, 2], date(2022, 11, 20), "Asia/Kathmandu", "NP")
    assert circ["home"] == 5.75 and circ["k_far"] == 1
    assert [utc_offset(h) for h in (1, 13, -5, 5.5, 5.75, -3.5, 0)] == ["UTC+1", "UTC+13", "UTC-5", "UTC+5:30", "UTC+5:45", "UTC-3:30", "UTC+0"]
