"""Accounts that posted are counted as the accounts table keys them, (platform, account_id), as the
headline's key numbers count them: by `account_id` alone a `twitter` "42" and an `x` "42" made the
overview (and `botwatch status`) read "2 posts by 1 account" of a study of 2 accounts."""

from __future__ import annotations

from pathlib import Path

from botwatch import open_study
from botwatch.report.section_overview import study_summary


def test_the_overview_counts_a_twitter_and_an_x_account_of_one_id_as_two(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO posts (platform, post_id, account_id, created_at, kind) VALUES "
               "('twitter', '1', '42', '2024-01-01', 'original'), ('x', '2', '42', '2024-01-02', 'original'), ('x', '3', '42', '2024-01-03', 'original')")
        st.sql("INSERT INTO accounts (platform, account_id) VALUES ('twitter', '42'), ('x', '42')")
        s = study_summary(st)
        assert (s["posts"], s["accounts_posting"], s["accounts"]) == (3, 2, 2)


def test_the_parties_section_counts_the_election_accounts_per_platform(tmp_path: Path) -> None:
    """"N accounts belong to the election conversation" counted distinct ids of post_labels."""
    from botwatch.report.section_parties import election_counts

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE post_labels (platform VARCHAR, post_id VARCHAR, account_id VARCHAR, in_election BOOLEAN)")
        st.sql("INSERT INTO post_labels VALUES ('twitter', '1', '42', TRUE), ('x', '2', '42', TRUE), ('x', '3', '42', TRUE), ('x', '4', '7', FALSE)")
        assert election_counts(st) == (4, 3, 2)
