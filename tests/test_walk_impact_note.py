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
        assert notes == ["40 posts name 'republican' in the window, but none is by an account with a bot probability "
                         "(its accounts have no profile facts the bot model reads, or the accounts stage has not run), "
                         "so there is no 'likely automated' group to compare."]
        _, _, none = run_impact(st, "democrat")
        assert none == ["No posts about 'democrat' in the window."]
