"""The creation stage's note on accounts without a creation date names the reason their platform
has: a Bluesky study read "(the IRA/FiveThirtyEight files carry none; Twitter v1.1 and v2 data
do)", when Bluesky's posts and events carry no account creation date at all."""

from __future__ import annotations

from pathlib import Path

from botwatch.study import open_study
from botwatch.timeline.stages import _undated_why


def test_the_undated_note_names_each_platforms_reason(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TEMP TABLE _tl_pop (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, created_late BOOLEAN DEFAULT false)")
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('bluesky', 'did:plc:a', NULL), ('mastodon', 'https://m/@b', TIMESTAMP '2017-01-01')")
        assert _undated_why(st) == "Bluesky's posts and events carry no account creation date"
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '1', NULL)")
        st.sql("INSERT INTO _tl_pop VALUES ('x', '2', NULL, true)")  # a creation date that cannot be right: not said to be missing
        said = _undated_why(st)
        assert said.startswith("Bluesky's posts and events carry no account creation date; the IRA/FiveThirtyEight files carry none")
        assert said.count("IRA/FiveThirtyEight") == 1


def test_accounts_of_a_mapped_csv_are_told_the_column_it_lacks(tmp_path: Path) -> None:
    """A user's own CSV layout without an `account_created_at` column read "the IRA/FiveThirtyEight
    files carry none; Twitter v1.1 and v2 data do": files they never read."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TEMP TABLE _tl_pop (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, created_late BOOLEAN DEFAULT false)")
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '1', NULL)")
        st.sql("INSERT INTO posts (platform, post_id, account_id, source_format) VALUES ('twitter', 'p1', '1', 'csv-mapped')")
        assert _undated_why(st) == "the CSV files read with --columns map no account_created_at column for these accounts"
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '2', NULL)")
        st.sql("INSERT INTO posts (platform, post_id, account_id, source_format) VALUES ('twitter', 'p2', '2', 'ira-538-tweets')")
        assert _undated_why(st) == ("the IRA/FiveThirtyEight files carry none, nor do the CSV files read with --columns without an "
                                    "account_created_at column")
