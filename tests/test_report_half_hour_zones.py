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


def test_offsets_left_out_of_the_moscow_band_are_not_said_to_lie_within_an_hour_of_a_half_hour_home(tmp_path: Path) -> None:
    """An offset is left out of the Moscow band when it is less than 2 hours from home; for a home off
    the whole hour that is up to 1.5 hours. Under India (UTC+5:30) the headline said "the 2 at UTC+4,
    within an hour of it", and under Iran (UTC+3:30) "UTC+3 ± 1 lies within an hour of the
    election's own zone", where UTC+2 is 1.5 hours from it."""
    for sub in ("in", "ir"):
        (tmp_path / sub).mkdir()
    india = _circ(tmp_path / "in", [4, 4, 3, 2, 5], date(2024, 4, 19), "Asia/Kolkata", "IN")
    assert india["msk_left_out"] == [4]
    words = " ".join(str(render("time_headline.html.j2", kind="circadian", c=india)).split())
    assert "within an hour" not in words and "the 2 at UTC+4, less than 2 hours from it, fit a day at home as well" in words
    iran = _circ(tmp_path / "ir", [4, 3, 2, 8], date(2024, 3, 1), "Asia/Tehran", "IR")
    assert iran["home"] == 3.5 and iran["msk"] is None
    words = " ".join(str(render("time_headline.html.j2", kind="circadian", c=iran)).split())
    assert "within an hour" not in words and "UTC+3 ± 1 lies less than 2 hours from the election's own zone" in words


def test_the_headline_without_a_moscow_share_goes_on_after_its_semicolon_in_lower_case(tmp_path: Path) -> None:
    """The clause follows "…from the election's own time zone (UTC+3:30);" and began "; No share is given"."""
    iran = _circ(tmp_path, [4, 3, 2, 8], date(2024, 3, 1), "Asia/Tehran", "IR")
    words = " ".join(str(render("time_headline.html.j2", kind="circadian", c=iran)).split())
    assert "(UTC+3:30); no share is given for Moscow time:" in words


def test_an_election_east_of_utc_plus_12_is_told_where_its_home_sits_on_the_chart(tmp_path: Path) -> None:
    """The chart's bars run UTC-11 to +12, so a day kept at home in a New Zealand summer (UTC+13)
    stands at -11, labelled as American Samoa's clock, with nothing said. The caption now says the
    bar at -11 is also UTC+13 (and -10 UTC+14 for a home near it); a UK election's does not."""
    from datetime import date as d

    (tmp_path / "nz").mkdir()
    (tmp_path / "gb").mkdir()
    nz = _circ(tmp_path / "nz", [-11, -11, -11, 12, 3], d(2017, 1, 20), "Pacific/Auckland", "NZ")
    assert nz["home"] == 13 and nz["k_far"] == 1
    section = " ".join(str(render("time.html.j2", circ={**nz, "groups": []}, span=(d(2017, 1, 1), d(2017, 1, 31)), span_words={"in_window": True},
                                  election=None, figures=[], events=[], hours="", bursts=[], tests=[], impact=[], notes=[])).split())
    # the Chatham Islands' UTC+13:45 is New Zealand's too (every zone of the country is home), near +14
    assert "The bars at -11 and -10 are also UTC+13 and +14, near the election's own zone" in section
    gb = _circ(tmp_path / "gb", [0, 1, 3], d(2017, 6, 8), "Europe/London", "GB")
    assert gb["same_hours"] == []
