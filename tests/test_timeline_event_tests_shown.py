"""The event-test table lists the 25 lowest p; its note said "many series are tested here, so q is
the Benjamini–Hochberg adjustment across all of them" without the count, and the bundled demo's
table showed 25 rows of 31 tests with nothing saying 6 were left out. The note now says how many
series q was adjusted over, and how many of them are listed."""

from __future__ import annotations

import re

from botwatch.timeline.report import time_section

from test_timeline import write_table
from test_timeline_event_groups import _study, election

MAX_TESTS_SHOWN = 25  # the rows the table lists (`report.MAX_TESTS_SHOWN`)


def _note(html: str) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return text[text.index("Rate ratio: posts per hour"):].split(" Creation waves")[0]


def test_the_note_counts_the_tests_q_was_adjusted_over_and_those_listed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "a.duckdb", bots_only=True)
    try:
        cols = [c for c in st.columns("event_tests")]
        first = dict(zip(cols, st.sql(f"SELECT {', '.join(cols)} FROM event_tests LIMIT 1")[0]))
        extra = 6
        rows = [dict(first, dimension="party", value=f"party {i}") for i in range(MAX_TESTS_SHOWN + extra)]
        write_table(st, "event_tests", rows)
        note = _note(time_section(st, {"election": election()}).html)
        assert f"{MAX_TESTS_SHOWN} of the {MAX_TESTS_SHOWN + extra} series tested are listed" in note
        assert f"{MAX_TESTS_SHOWN + extra} series are tested here, so q is the Benjamini–Hochberg adjustment across all {MAX_TESTS_SHOWN + extra} of them" in note
    finally:
        st.close()


def test_all_tests_listed_says_only_the_count(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "b.duckdb", bots_only=True)
    try:
        n = st.sql("SELECT count(*) FROM event_tests")[0][0]
        assert 1 < n <= MAX_TESTS_SHOWN
        note = _note(time_section(st, {"election": election()}).html)
        assert "are listed" not in note
        assert f"{n} series are tested here, so q is the Benjamini–Hochberg adjustment across all {n} of them" in note
    finally:
        st.close()


def test_the_note_gives_the_smallest_p_of_the_shifts_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On the GE2017 @UKLabour week the note said "the smallest possible p is 1/(days)" beside a
    table of 35 shifts and p = 0.028 = 1/36: the observed events are one arrangement more than the
    shifts (`bursts.event_test`), so the bound is 1/(shifts + 1), given with the table's numbers."""
    st = _study(tmp_path / "c.duckdb", bots_only=True)
    try:
        st.sql("UPDATE event_tests SET n_null = 35, exact = true")
        note = _note(time_section(st, {"election": election()}).html)
        assert "1/(days)" not in note
        assert "cannot give a p below 1/(k + 1): 0.028 (1/36) with 35 shifts;" in note, note
    finally:
        st.close()


def test_a_series_with_no_post_outside_the_windows_shows_no_infinite_ratio(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A series whose every post fell within the event windows has an infinite rate ratio (posts per
    hour outside: none), and the table printed "inf×"; it now says so in words."""
    st = _study(tmp_path / "d.duckdb", bots_only=True)
    try:
        st.sql("UPDATE event_tests SET rate_ratio = 'inf'::DOUBLE")
        text = " ".join(re.sub(r"<[^>]+>", " ", str(time_section(st, {"election": election()}).html)).split())
        assert "inf×" not in text and "no post outside the windows" in text, text
    finally:
        st.close()
