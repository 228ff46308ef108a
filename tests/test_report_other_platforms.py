"""The automation count says when scored accounts come from a platform the bot model never learned
from: on Mastodon statuses of June 2017 every Mastodon account was counted likely automated, led by
its young age (the network began in October 2016), and nothing said the model knew only Twitter."""

from __future__ import annotations

from pathlib import Path

from botwatch.report.caveats import bot_blind_spot, other_platform_clause
from botwatch.study import open_study


def test_scored_accounts_of_another_platform_are_said_to_be_unmeasured(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('twitter', '1', 0.2), ('mastodon', 'a', 0.9), ('mastodon', 'b', 0.7), ('bluesky', 'd', NULL)")
        said = other_platform_clause(st)
        assert said is not None and said.startswith("The bot model learned from Twitter accounts only; 2 Mastodon accounts scored here come from a platform it never saw")
        assert "Bluesky" not in said  # not scored: nothing to qualify
        assert said in (bot_blind_spot(st, [], {}) or "")
        assert said not in (bot_blind_spot(st, [], {}, shipped=False) or "")  # a user's own model may have learned from Mastodon
        st.sql("DELETE FROM account_scores WHERE platform <> 'twitter'")
        assert other_platform_clause(st) is None


def test_one_scored_account_of_another_platform_is_said_in_the_singular(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('mastodon', 'a', 0.9)")
        assert other_platform_clause(st) == ("The bot model learned from Twitter accounts only; 1 Mastodon account scored here comes from a platform "
                                             "it never saw, whose accounts' ages, counts and habits it reads as Twitter's, so its probability is "
                                             "not a measured figure.")
