"""`json_shape.unscored_posts` counts the posts of the accounts asked for only: `explain` of one
account (and `accounts --json` of a listing) counted every unscored account's posts in the study,
0.3 s on a study of 50,000 accounts for the one number it shows."""

from __future__ import annotations

from pathlib import Path

from botwatch.accounts.json_shape import COLUMNS, unscored_posts, with_unscored_posts
from botwatch.study import open_study


def _study(path: Path):  # type: ignore[no-untyped-def]
    st = open_study(path, read_only=False)
    st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'a', 'a'), ('twitter', 'b', 'b'), "
           "('bluesky', 'b', 'b2'), ('twitter', 'c', 'c')")
    st.sql("INSERT INTO posts (post_id, platform, account_id, created_at) SELECT 'p' || i, CASE WHEN i < 6 THEN 'twitter' ELSE 'bluesky' END, "
           "['a', 'b', 'c'][1 + i % 3], TIMESTAMP '2020-01-01' + to_hours(i) FROM range(9) t(i)")
    st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, n_posts BIGINT, n_signals BIGINT)")
    st.sql("INSERT INTO account_scores VALUES ('twitter', 'c', 2, 0)")  # only c was scored
    st.sql("CREATE VIEW accounts_scored AS SELECT a.*, s.n_posts, s.n_signals FROM accounts a "
           "LEFT JOIN account_scores s ON a.platform = s.platform AND a.account_id = s.account_id")
    return st


def test_unscored_posts_of_the_accounts_asked_for(tmp_path: Path) -> None:
    st = _study(tmp_path / "s.duckdb")
    try:
        everyone = unscored_posts(st)
        assert everyone == {("twitter", "a"): 2, ("twitter", "b"): 2, ("bluesky", "b"): 1}
        assert unscored_posts(st, [("twitter", "b")]) == {("twitter", "b"): 2}  # not bluesky's b, nor a
        assert unscored_posts(st, [("twitter", "c"), ("twitter", "zz")]) == {}  # scored, and no such account
        assert unscored_posts(st, []) == {}
        i = COLUMNS.index("n_posts")
        rows = [tuple({"platform": p, "account_id": a, "n_posts": n}.get(c) for c in COLUMNS)
                for p, a, n in (("twitter", "b", None), ("bluesky", "b", None), ("twitter", "c", 2))]
        got, hit = with_unscored_posts(st, rows)
        assert ([r[i] for r in got], hit) == ([2, 1, 2], 2)
    finally:
        st.close()
