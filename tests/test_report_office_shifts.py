"""The When section's circadian headline read "0% [0–39%] fit UTC+3 ± 1 (Moscow)" on IRA accounts
while `botwatch explain` said their hours fit office shifts on the Moscow clock at odds over a
million: the human-day fit leaves shift work out as uninformative. The headline says that, and for
how many accounts the origin model found posting hours that fit a working day in UTC+3.

It says what was measured and no more: on the GE2017 sample the headline read "office shifts on
the Moscow clock" of one account, @UKLabour, a party's own account posting at office hours whose
other origin evidence all places it in GB. Hours are a pattern, not a place; the election's own
party accounts are kept out of the headline and shown in the section with their origin evidence."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.sections import render
from botwatch.study import open_study
from botwatch.timeline.report import circadian_block

FOR = "office shifts: of 371 posts, … Moscow time; the hours fit a working day in UTC+3 … odds of Russia against US over ×1,000,000"
AGAINST = "office shifts: of 40 posts, … odds of Russia against US ÷4.10"
UKLABOUR = ("office shifts: of 110 posts, the busiest hours are 13:00-14:00, 16:00-17:00, 19:00-21:00 and the account is nearly silent 01:00-09:00 Moscow "
            "time; the hours fit a working day in UTC+3 (as the development IRA handles' did) better than a person's day in each "
            "country's own zones, a pattern of hours, not a place: odds of Russia against GB ×1.83")


def _words(markup: object) -> str:
    return " ".join(re.sub("<[^>]+>", "", str(markup)).split())


def _evidence_study(path: Path, evidence: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
    st.sql("INSERT INTO circadian VALUES ('twitter', 'h1', -5, true), ('twitter', 'h2', -5, true), ('twitter', 'o1', 3, false)")
    st.sql("CREATE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, kind VARCHAR, rank BIGINT, feature VARCHAR, value DOUBLE, contribution DOUBLE, sentence VARCHAR)")
    for aid, text in evidence:
        st.sql("INSERT INTO account_evidence VALUES ('twitter', ?, 'origin', 1, 'office_hours', NULL, NULL, ?)", [aid, text])
    return st


def test_the_circadian_headline_says_where_the_working_day_accounts_went(tmp_path: Path) -> None:
    st = _evidence_study(tmp_path / "s.duckdb", [("o1", FOR), ("o2", FOR), ("h1", AGAINST)])
    try:
        election = SimpleNamespace(polling_day=date(2016, 11, 8), timezone="America/New_York")
        circ = circadian_block(st, election)
    finally:
        st.close()
    assert circ is not None and circ["office"]["n"] == circ["office"]["others"] == 2  # towards Russia only, each account once
    text = _words(render("time_headline.html.j2", kind="circadian", c=circ))
    assert "fit UTC+3 ± 1 (Moscow)" in text
    assert "accounts that post in shifts fit none and are left out of it" in text
    assert ("For 2 accounts the origin model found posting hours that fit a working day in UTC+3 (Moscow time) better than a person's day at home: "
            "a pattern of hours, which an office elsewhere working early or late can make too, not a place.") in text
    assert "office shifts on the Moscow clock" not in text and "Moscow clock" not in text


def test_a_partys_own_account_at_office_hours_is_no_headline_and_the_section_gives_its_origin_evidence(tmp_path: Path) -> None:
    """The GE2017 sample: @UKLabour's hours moved its odds of Russia ×1.83, its profile time zone
    (London) and languages put it in GB at 1.00. A second, unlisted account with the same hours
    and counted foreign is still headlined, with what its evidence as a whole says."""
    from botwatch.elections import load_election
    from botwatch.timeline.report import time_section
    from test_timeline import write_table

    election = load_election("uk-ge2017")
    st = _evidence_study(tmp_path / "s.duckdb", [("14291684", UKLABOUR)])
    try:
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', '14291684', 'UKLabour'), ('twitter', 'x9', 'plain_acct')")
        write_table(st, "account_scores", [
            dict(platform="twitter", account_id="14291684", origin_country="GB", origin_probabilities='{"GB": 1.0, "RU": 0.0}'),
            dict(platform="twitter", account_id="x9", origin_country="RU", origin_probabilities='{"GB": 0.2, "RU": 0.8}'),
        ])
        write_table(st, "timeline", [dict(freq="day", clock="utc", dimension="all", value="all posts", bucket=datetime(2017, 5, 1), posts=110, accounts=1,
                                          sentiment_mean=None, sentiment_n=0)])
        circ = circadian_block(st, election)
        assert circ is not None and circ["office"]["n"] == 1 and circ["office"]["others"] == 0
        assert circ["office"]["official"] == [{"handle": "UKLabour", "party": "Labour", "p_outside": 0.0, "factor": "×1.8"}]
        head = _words(render("time_headline.html.j2", kind="circadian", c=circ))
        assert "UKLabour" not in head and "working day" not in head and "Moscow clock" not in head
        sec = time_section(st, {"election": election})
        assert sec is not None
        html = _words(sec.html)
        assert ("@UKLabour, an account of Labour in the election's preset, posts in hours that fit a working day in UTC+3 (Moscow time) better than a "
                "person's day at home; those hours alone moved its odds of Russia ×1.8, while all its origin evidence together gives a probability of "
                "&lt;0.01 that it is run from outside GB. A party's own account keeps office hours, and its hours alone say nothing about where it is run from.") in html
        assert "Moscow clock" not in html and "office shifts" not in html

        # The same hours in an account the preset does not list, counted foreign on all its evidence.
        st.sql("INSERT INTO account_evidence VALUES ('twitter', 'x9', 'origin', 1, 'office_hours', NULL, NULL, ?)", [UKLABOUR])
        circ = circadian_block(st, election)
    finally:
        st.close()
    assert circ is not None and circ["office"]["others"] == 1 and circ["office"]["others_foreign"] == 1
    head = _words(render("time_headline.html.j2", kind="circadian", c=circ))
    assert ("For 1 account (the election's party accounts aside) the origin model found posting hours that fit a working day in UTC+3 (Moscow time) "
            "better than a person's day at home: a pattern of hours, which an office elsewhere working early or late can make too, not a place; "
            "weighing all its origin evidence, it is more likely than not run from outside GB.") in head
    assert "UKLabour" not in head


def test_the_factor_and_the_direction_come_from_the_rows_number_not_its_sentence(tmp_path: Path) -> None:
    """The office-hours row carries its factor on the odds of Russia (`account_evidence.value`); the
    section reads that number, so a sentence reworded later cannot turn the count or the factor.
    A row whose number points away from Russia is not counted, whatever its words."""
    from botwatch.timeline.report import office_shift_accounts

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, kind VARCHAR, rank BIGINT, feature VARCHAR, value DOUBLE, contribution DOUBLE, sentence VARCHAR)")
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'lab', 'UKLabour'), ('twitter', 'x1', 'someone'), ('twitter', 'x2', 'other')")
        rows = [("lab", 1.834, "office shifts, reworded: no odds phrase"), ("x1", 55463.6, "reworded"), ("x2", 1 / 4.1, "odds of Russia against GB ×9.99")]
        for aid, value, text in rows:
            st.sql("INSERT INTO account_evidence VALUES ('twitter', ?, 'origin', 1, 'office_hours', ?, NULL, ?)", [aid, value, text])
        election = SimpleNamespace(country=None, parties=[SimpleNamespace(name="Labour", accounts=["UKLabour"])])
        office = office_shift_accounts(st, election)
    finally:
        st.close()
    assert office["n"] == 2 and office["others"] == 1  # x2's number is ÷4.10: away from Russia
    assert office["official"] == [{"handle": "UKLabour", "party": "Labour", "p_outside": None, "factor": "×1.8"}]


def test_the_office_hours_count_of_foreign_accounts_says_how_many_only_the_study_prior_counts(tmp_path: Path) -> None:
    """On the walk's IRA/Brexit study (uk-ge2017) "weighing all their origin evidence, 202 of them are
    more likely than not run from outside GB" said nothing of the 6 that only the study prior
    (`origin_counted.prior_led_sql`) counted: without its step their own evidence had them in GB."""
    import numpy as np

    from botwatch.accounts.origin_prior import FAR_SCOPE, StudyPrior
    from botwatch.elections import load_election
    from test_timeline import write_table

    prior = StudyPrior(share=0.773, lo=0.710, hi=0.830, accounts=445, base=0.067, weights=np.zeros(1), scope=FAR_SCOPE, country="GB")
    st = _evidence_study(tmp_path / "s.duckdb", [("x1", UKLABOUR), ("x2", UKLABOUR)])
    try:
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'x1', 'led_by_prior'), ('twitter', 'x2', 'placed_abroad')")
        write_table(st, "account_scores", [
            dict(platform="twitter", account_id="x1", origin_country="RU", origin_probabilities='{"RU": 0.768, "GB": 0.232}'),
            dict(platform="twitter", account_id="x2", origin_country="RU", origin_probabilities='{"RU": 0.768, "DE": 0.2, "GB": 0.032}'),
        ])
        for aid in ("x1", "x2"):  # the study prior's step from 0.065 to 0.768: x2's German posts had it abroad before it
            st.sql("INSERT INTO account_evidence VALUES ('twitter', ?, 'origin', 5, 'study_prior', NULL, NULL, ?)", [aid, prior.sentence(0.065, 0.768)])
        circ = circadian_block(st, load_election("uk-ge2017"))
    finally:
        st.close()
    assert circ is not None and circ["office"]["others_foreign"] == 2 and circ["office"]["others_prior"] == 1
    head = _words(render("time_headline.html.j2", kind="circadian", c=circ))
    assert ("weighing all their origin evidence, 2 of them are more likely than not run from outside GB (1 of those only through the study's "
            "prior, which estimates how many of its accounts are Russia-run: without it that account would be more likely than not run from GB).") in head, head
