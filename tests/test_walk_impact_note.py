"""`botwatch impact` on a study whose accounts have no bot probability (the IRA files carry no
profile facts): the note must say why there is no test, not name tables that are there."""

from __future__ import annotations

from pathlib import Path

from botwatch import open_study
from botwatch.impact.stage import run_impact


def test_the_note_says_the_party_posts_have_no_scored_accounts(tmp_path: Path) -> None:
    """It said "No posts about 'republican' by scored accounts (needs post_party and
    account_scores)" on the demo study, which holds both tables and 3,170 such posts."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("CREATE TABLE post_party AS SELECT 'twitter' AS platform, 'p' || i AS post_id, 'a' AS account_id, TIMESTAMP '2016-10-01' + INTERVAL (i) HOUR AS created_at, "
               "'republican' AS party, 'support' AS stance FROM range(40) t(i)")
        rows, irf, notes = run_impact(st, "republican")
        assert rows == [] and irf == []
        # The party by the name its election gives it (the stage passes `elections.party_name`),
        # not "40 posts name 'republican'"; without a name, its key as written, unquoted.
        _, _, named = run_impact(st, "republican", name="Republicans (Trump)")
        assert named == ["40 posts name Republicans (Trump) in the window, but none is by an account with a bot probability "
                         "(the accounts stage has not run on this study), "
                         "so there is no 'likely automated' group to compare."]
        assert notes == [named[0].replace("Republicans (Trump)", "republican")]
        # One post: "1 post names … but it is not by an account …" (it printed "1 posts name").
        st.sql("INSERT INTO post_party VALUES ('twitter', 'lib1', 'a', TIMESTAMP '2016-10-02', 'libertarian', 'support')")
        _, _, once = run_impact(st, "libertarian", name="Libertarians (Johnson)")
        assert once == ["1 post names Libertarians (Johnson) in the window, but it is not by an account with a bot probability "
                        "(the accounts stage has not run on this study), "
                        "so there is no 'likely automated' group to compare."]
        _, _, none = run_impact(st, "democrat", name="Democrats (Clinton)")
        assert none == ["No posts about Democrats (Clinton) in the window."]


def _time_section_text(st, extra_sql: list[str]) -> str:  # type: ignore[no-untyped-def]
    import re

    from botwatch.timeline.report import time_section

    st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
    st.sql("INSERT INTO timeline VALUES ('day', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-01', 5, 2, NULL, 0)")
    for q in extra_sql:
        st.sql(q)
    sec = time_section(st, {})
    assert sec is not None
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", sec.html))


# The tables of a study whose impact stage ran: party posts, account scores and the (empty) tests.
IMPACT_RAN = [
    "CREATE TABLE post_party (platform VARCHAR, post_id VARCHAR, party VARCHAR)",
    "CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)",
    "CREATE TABLE impact (party VARCHAR, freq VARCHAR, measure VARCHAR, cause VARCHAR, effect VARCHAR, n_obs BIGINT, differences INT, lag INT, "
    "f_stat DOUBLE, p_value DOUBLE, irf_peak_h INT, irf_peak DOUBLE, irf_peak_low DOUBLE, irf_peak_high DOUBLE)",
]


def test_report_impact_gives_the_stage_reason_not_missing_tables(tmp_path: Path) -> None:
    """The report's Impact said "Not computed: needs posts labelled by party (post_party) and
    accounts scored ... (account_scores)" although both tables existed and the stage had run; the
    real reason (no bot probability for the party posts' accounts) is what it says now."""
    note = "8 posts name Republicans (Trump) in the window, but none is by an account with a bot probability"
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        text = _time_section_text(st, [
            *IMPACT_RAN,
            "CREATE TABLE timeline_notes (stage VARCHAR, note VARCHAR)",
            f"INSERT INTO timeline_notes VALUES ('impact', '{note.replace(chr(39), chr(39) * 2)}')",
        ])
    impact = text[text.index("Impact: do automated accounts lead"):]
    assert "needs posts labelled by party" not in impact
    assert "Not computed: " + note.replace("'", "&#39;") in impact or "Not computed: " + note in impact, impact
    # Said once, under Impact: it was printed in "What this section could not show" as well.
    assert text.count(note) == 1 and "could not show" not in text, text
    with open_study(tmp_path / "t.duckdb", read_only=False) as st:  # no stage, no account_scores: that is the reason
        text = _time_section_text(st, ["CREATE TABLE post_party (platform VARCHAR, post_id VARCHAR, party VARCHAR)"])
    impact = text[text.index("Impact: do automated accounts lead"):]
    assert "needs accounts scored as likely automated or not (account_scores)" in impact and "(post_party)" not in impact


def test_the_note_gives_only_the_reason_that_holds(tmp_path: Path) -> None:
    """On the IRA archive, whose accounts stage had run, the note said "(its accounts have no
    profile facts the bot model reads, or the accounts stage has not run)": both reasons, one
    false. With `account_scores` written, the stage ran: only the true reason is given."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("CREATE TABLE post_party AS SELECT 'twitter' AS platform, 'p' || i AS post_id, 'a' || (i % 3) AS account_id, "
               "TIMESTAMP '2016-10-01' + INTERVAL (i) HOUR AS created_at, 'republican' AS party, 'support' AS stance FROM range(40) t(i)")
        st.sql("CREATE TABLE account_scores AS SELECT 'twitter' AS platform, 'a' || i AS account_id, CAST(NULL AS DOUBLE) AS bot_probability FROM range(3) t(i)")
        _, _, facts = run_impact(st, "republican")
        assert facts == ["40 posts name republican in the window, but none is by an account with a bot probability "
                         "(its accounts have no profile facts the bot model reads), so there is no 'likely automated' group to compare."]
        st.sql("DELETE FROM account_scores WHERE account_id = 'a2'")  # a2's posts ingested after the stage ran
        _, _, both = run_impact(st, "republican")
        assert both == ["40 posts name republican in the window, but none is by an account with a bot probability "
                        "(2 of its accounts have no profile facts the bot model reads; 1 is not in the account scores, "
                        "ingested after the accounts stage last ran: run it again), so there is no 'likely automated' group to compare."]
        st.sql("DELETE FROM account_scores")
        _, _, late = run_impact(st, "republican")
        assert late == ["40 posts name republican in the window, but none is by an account with a bot probability "
                        "(its accounts are not in the account scores, ingested after the accounts stage last ran: run it again), "
                        "so there is no 'likely automated' group to compare."]


def test_a_party_not_tested_beside_tests_is_said_under_impact(tmp_path: Path) -> None:
    """With tests in the table, a party the stage could not test was said only in "What this
    section could not show", away from the Impact table it explains; it is said under Impact."""
    note = "Labour, volume at hour: too few usable buckets or a constant series; no test."
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        text = _time_section_text(st, [
            *IMPACT_RAN,
            "INSERT INTO impact VALUES ('con', 'day', 'volume', 'automated', 'other', 30, 0, 1, 1.5, 0.2, 1, 0.1, -0.1, 0.3)",
            "CREATE TABLE timeline_notes (stage VARCHAR, note VARCHAR)",
            f"INSERT INTO timeline_notes VALUES ('impact', '{note}')",
        ])
    assert text.count(note) == 1 and "could not show" not in text, text
    assert note in text[text.index("Impact: do automated accounts lead"):]
