"""The circadian headline counted every best fit at Moscow time ± 1 h as "Moscow": on ordinary UK
Brexit tweets (UK on UTC+1 in summer) the fits ran +1: 86, +2: 82, +3: 46, +4: 18, so the headline
said "40% fit UTC+3 ± 1 (Moscow)", and "100% … (Moscow)" for @UKLabour alone (best fit UTC+2). A
fit within an hour of the election's own zone fits a day at home as well: it is no longer counted
as Moscow, and the report says how many were left out and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.sections import render
from botwatch.study import open_study
from botwatch.timeline.report import circadian_block, moscow_band


def _circ(tmp_path: Path, offsets: dict[int, int], polling_day: date, tz: str) -> dict:
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        i = 0
        for off, n in offsets.items():
            for _ in range(n):
                i += 1
                st.sql("INSERT INTO circadian VALUES ('twitter', ?, ?, true)", [str(i), off])
        circ = circadian_block(st, SimpleNamespace(polling_day=polling_day, timezone=tz))
    finally:
        st.close()
    assert circ is not None
    return circ


def _words(circ: dict, kind: str = "circadian") -> str:
    return " ".join(str(render("time_headline.html.j2", kind=kind, c=circ)).split())


def test_uk_summer_fits_an_hour_from_home_are_not_moscow(tmp_path: Path) -> None:
    circ = _circ(tmp_path, {0: 45, 1: 86, 2: 82, 3: 46, 4: 18}, date(2016, 6, 23), "Europe/London")
    assert circ["home"] == 1 and circ["msk_offset"] == 3
    assert circ["k_msk"] == 46 + 18 and circ["k_msk_left_out"] == 82  # was 82 + 46 + 18 (40%)
    text = _words(circ)
    assert "23%" in text and "40%" not in text  # 64 of 277
    assert "the 82 at UTC+2, less than 2 hours from it, fit a day at home as well and are not counted as Moscow" in text


def test_one_british_account_at_utc_plus_2_is_not_100_percent_moscow(tmp_path: Path) -> None:
    circ = _circ(tmp_path, {2: 1}, date(2017, 6, 8), "Europe/London")
    text = _words(circ)
    assert "100%" not in text and circ["k_msk"] == 0


def test_us_election_keeps_the_whole_band_and_an_election_on_moscow_time_gets_none(tmp_path: Path) -> None:
    us = _circ(tmp_path, {-5: 3, 2: 1, 3: 1}, date(2016, 11, 8), "America/New_York")
    assert us["k_msk"] == 2 and not us["msk_left_out"] and "fit UTC+3 ± 1 (Moscow)." in _words(us)
    assert moscow_band(3, 3) == set() and moscow_band(3, None) == {2, 3, 4} and moscow_band(3, 0) == {2, 3, 4}
    assert moscow_band(3, 2) == {4}


def _section(circ: dict) -> str:
    """The When section around `circ` alone (no timelines, bursts, event tests or impact)."""
    return render("time.html.j2", circ=circ, span=(date(2017, 4, 1), date(2017, 5, 14)), span_words={"in_window": True}, election=None,
                  figures=[], events=[], hours="", bursts=[], tests=[], impact=[], notes=[])


def test_one_account_left_out_of_the_moscow_band_is_said_in_the_singular(tmp_path: Path) -> None:
    """IRA tweets under a user's fr-2017 file (France on UTC+2 on polling day): one account fitted
    UTC+3, and both the headline and the section said "the 1 at UTC+2 or UTC+3 … fit a day at home
    as well and are not counted as Moscow"."""
    circ = _circ(tmp_path, {-4: 2, -3: 1, 3: 1, 5: 1, 6: 1, 8: 1}, date(2017, 5, 7), "Europe/Paris")
    assert circ["k_msk_left_out"] == 1
    assert "less than 2 hours from it, fits a day at home as well and is not counted as Moscow)" in _words(circ)
    section = " ".join(str(_section(circ)).split())
    assert "lies less than 2 hours from it, where a day at home fits as well, and is not counted as Moscow" in section


def test_several_accounts_left_out_of_the_moscow_band_keep_the_plural(tmp_path: Path) -> None:
    circ = _circ(tmp_path, {2: 2, 4: 1}, date(2017, 5, 7), "Europe/Paris")
    assert circ["k_msk_left_out"] == 2
    assert "fit a day at home as well and are not counted as Moscow)" in _words(circ)
    section = " ".join(str(_section(circ)).split())
    assert "lie less than 2 hours from it, where a day at home fits as well, and are not counted as Moscow" in section


def test_a_day_on_pacific_time_is_at_home_in_a_us_election(tmp_path: Path) -> None:
    """us-2016 on IRA tweets and GOP-debate tweets: "at least 3 hours away from the election's own
    time zone (UTC-5)" counted a day kept on UTC-8, a Californian's, as away from home. Every zone
    of the country is home now; a country of one zone reads as before."""
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        for i, off in enumerate([-8, -8, -8, -5, -5, 3]):
            st.sql("INSERT INTO circadian VALUES ('twitter', ?, ?, true)", [str(i), off])
        us = circadian_block(st, SimpleNamespace(polling_day=date(2016, 11, 8), timezone="America/New_York", country="US"))
    finally:
        st.close()
    # Alaska's UTC-9 and Hawaii's UTC-10 are the country's too (tzdata's zone.tab)
    assert us is not None and us["homes"] == [-10, -9, -8, -7, -6, -5] and us["k_far"] == 1  # was 4: the three Pacific days too
    text = _words(us)
    assert "at least 3 hours away from every time zone of the election's country (UTC-10 to UTC-5);" in text
    assert "≥ 3 h from UTC-10 to UTC-5" in " ".join(str(_section({**us, "groups": [{"group": "all", "n": 6, "msk": None, "far": (1 / 6, 0.0, 0.6)}]})).split())
    (tmp_path / "uk").mkdir()
    uk = _circ(tmp_path / "uk", {1: 3, 4: 1}, date(2017, 6, 8), "Europe/London")
    assert uk["homes"] == [1] and "at least 3 hours away from the election's own time zone (UTC+1);" in _words(uk)


def test_every_zone_of_russia_is_home_in_a_russian_election(tmp_path: Path) -> None:
    """A State Duma 2016 file over the IRA's Russian tweets: the report said "every time zone of
    the election's country (UTC+3 to UTC+7 on polling day)", the origin model's three main zones
    of Russia, and counted a day kept on UTC+12 (Kamchatka) or UTC+0, two hours from Kaliningrad,
    as away from home. Russia runs from UTC+2 to UTC+12."""
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        for i, off in enumerate([12, 10, 0, 0, 3, -4, -5]):
            st.sql("INSERT INTO circadian VALUES ('twitter', ?, ?, true)", [str(i), off])
        ru = circadian_block(st, SimpleNamespace(polling_day=date(2016, 9, 18), timezone="Europe/Moscow", country="RU"))
    finally:
        st.close()
    assert ru is not None and ru["homes"][0] == 2 and ru["homes"][-1] == 12
    assert ru["k_far"] == 2  # UTC-4 and UTC-5 alone; was 5 with UTC+12, UTC+0 and UTC+0
    assert "at least 3 hours away from every time zone of the election's country (UTC+2 to UTC+12);" in _words(ru)


def test_no_count_of_left_out_accounts_when_nobody_sits_beside_the_band(tmp_path: Path) -> None:
    """A uk-ge2017 study with nobody at UTC+2 read "the 0 at UTC+2 ... are not counted as
    Moscow" in both the headline and the section: a count of nobody, said as if some were left out.
    The band's definition (at least 2 hours from the election's zone) stays; the count goes."""
    circ = _circ(tmp_path, {1: 5, 3: 2, 4: 1}, date(2017, 6, 8), "Europe/London")
    assert circ["msk_left_out"] == [2] and circ["k_msk_left_out"] == 0
    headline = _words(circ)
    assert "the 0 at" not in headline and "not counted as Moscow" not in headline
    assert "fit UTC+3 ± 1 (Moscow) at least 2 hours from the election's zone." in headline
    section = " ".join(str(_section(circ)).split())
    assert "the 0 at" not in section and "not counted as Moscow" not in section
    assert "(Moscow, St Petersburg; red bars) but at least 2 hours from the election's zone;" in section


def test_the_ordinary_shares_are_written_with_their_counts_like_the_study_s(tmp_path: Path) -> None:
    """The study's shares read "10 of 20, 50% [..]" and the ordinary ones beside them "19% [15–25%]
    of 273 accounts": the ordinary side now gives its counts the same way."""
    circ = _circ(tmp_path, {1: 10, 4: 10}, date(2017, 6, 8), "Europe/London")
    text = " ".join(str(_section(circ)).split())
    assert ("the same test put 53 of 273 accounts with a clear daily rhythm, 19% [15–25%], at least 3 hours from home "
            "and 52 of 273, 19% [15–24%], in the same Moscow band:") in text, text
    assert "above theirs by" in text


def test_one_informative_account_is_not_compared_as_a_share(tmp_path: Path) -> None:
    """With one informative account the section said its share was "above theirs by 81 percentage
    points [1–85]": a share of one account is 0% or 100%, and the difference says nothing. It now
    says what the one account does, beside how many ordinary accounts do the same."""
    circ = _circ(tmp_path, {4: 1}, date(2017, 6, 8), "Europe/London")
    # Nor does it lead the headlines: the interval alone put 1 of 1 "above" 53 of 273; Fisher's test gives p = 0.197.
    assert circ["ordinary"]["all_within"]
    for text in (" ".join(str(_section(circ)).split()), _words(circ)):
        assert "percentage point" not in text, text
        assert ("the one account here keeps its day at least 3 hours from home, as 53 of their 273 do, and keeps it in the "
                "Moscow band, as 52 of them do; one account gives no share to set against theirs.") in text, text
    (tmp_path / "home").mkdir()
    home = _circ(tmp_path / "home", {1: 1}, date(2017, 6, 8), "Europe/London")
    assert home["ordinary"]["verdict"] == (
        "the one account here keeps its day less than 3 hours from home, as 220 of their 273 do, and keeps it outside the "
        "Moscow band, as 221 of them do; one account gives no share to set against theirs")


def test_the_count_left_out_names_only_the_offsets_that_hold_accounts(tmp_path: Path) -> None:
    """France on UTC+2: the band leaves out UTC+2 and UTC+3. With one account at UTC+3 and none at
    UTC+2, both texts said "the 1 at UTC+2 or UTC+3": the count now names the occupied offset only,
    while the band (and the table's "(not UTC+2 or UTC+3)") still leaves out both."""
    one = _circ(tmp_path, {3: 1, 4: 2, 8: 1}, date(2017, 5, 7), "Europe/Paris")
    assert one["msk_left_out"] == [2, 3] and one["msk_left_out_held"] == [3] and one["k_msk"] == 2 and one["k_msk_left_out"] == 1
    section = " ".join(str(_section(one)).split())
    assert "(the 1 at UTC+3, less than 2 hours from it, fits a day at home as well and is not counted as Moscow)" in _words(one)
    assert "but at least 2 hours from the election's zone: the 1 at UTC+3 lies less than 2 hours from it" in section
    assert "UTC+2 or UTC+3" not in _words(one) + section
    (tmp_path / "both").mkdir()
    both = _circ(tmp_path / "both", {2: 1, 3: 2, 4: 2}, date(2017, 5, 7), "Europe/Paris")
    assert both["msk_left_out_held"] == [2, 3] and both["k_msk"] == 2 and both["k_msk_left_out"] == 3
    assert "(the 3 at UTC+2 or UTC+3, less than 2 hours from it, fit a day at home as well" in _words(both)
    assert "the 3 at UTC+2 or UTC+3 lie less than 2 hours from it" in " ".join(str(_section(both)).split())


def test_the_one_account_of_a_study_left_out_of_the_band_is_named_as_that_account(tmp_path: Path) -> None:
    """@UKLabour's week of May 2017 (../shared/data/ge2017), its one posting account best fitted at
    UTC+2: the section said "That account does not keep a human day best fitted at UTC+3 ± 1 ... but
    at least 2 hours from the election's zone: the 1 at UTC+2 lies less than 2 hours from it", a
    count of one set against "that account", which a reader took for a second account. It now says
    where that account's day fits and why that is not counted as Moscow."""
    circ = _circ(tmp_path, {2: 1}, date(2017, 6, 8), "Europe/London")
    section = " ".join(str(_section(circ)).split())
    assert ("That account keeps a human day best fitted at UTC+2, inside UTC+3 ± 1 (Moscow, St Petersburg; red bars) but less "
            "than 2 hours from the election's zone, where a day at home fits as well, so it is not counted as Moscow;") in section, section
    assert "the 1 at" not in section and "does not keep a human day best fitted" not in section


def test_without_an_election_the_moscow_band_is_not_called_moscow_alone(tmp_path: Path) -> None:
    """1,500 ordinary Brexit tweets of August 2016 with `analyze --no-election`: one account fitted
    UTC+2 (central Europe's summer time) and the section said "That account keeps a human day best
    fitted at UTC+3 ± 1 (Moscow, St Petersburg; red bars).", with no home to set it against. It now
    says the band is many countries' clock and tells when, not where."""
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        st.sql("INSERT INTO circadian VALUES ('twitter', '1', 2, true)")
        one = circadian_block(st, None)
        st.sql("INSERT INTO circadian VALUES ('twitter', '2', 4, true), ('twitter', '3', -5, true)")
        several = circadian_block(st, None)
    finally:
        st.close()
    assert one is not None and one["home"] is None and one["k_msk"] == 1
    text = " ".join(str(_section(one)).split())
    assert ("That account keeps a human day best fitted at UTC+3 ± 1 (Moscow, St Petersburg; red bars); with no election there is "
            "no home zone to set it against, and UTC+2 to UTC+4 is the clock of many countries besides Russia, so this says when "
            "that account keeps its day, not where.") in text, text
    assert several is not None and several["k_msk"] == 2
    text = " ".join(str(_section(several)).split())
    assert "so this says when these accounts keep their day, not where." in text, text
    # With an election the band is set against home, as before.
    (tmp_path / "uk").mkdir()
    assert "many countries besides Russia" not in " ".join(str(_section(_circ(tmp_path / "uk", {4: 2, 1: 3}, date(2017, 6, 8), "Europe/London"))).split())
