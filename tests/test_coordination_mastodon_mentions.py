"""Co-mention on a study of two Mastodon instances' captures: a server gives a mention relative to
itself, so a.social's local "alice" and b.social's were one target, "@alice", and accounts of the
two instances naming different people were read as mentioning the same account."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions, prepare_first_actions

T0 = datetime(2017, 5, 20, 10, 0, 0)


def test_bare_mentions_of_two_instances_are_two_targets(tmp_path: Path) -> None:
    accounts = [("https://a.social/@x", "x"), ("https://a.social/@y", "y"), ("https://b.social/@z", "z"),
                ("https://b.social/@bob", "bob@b.social"), ("12345", "n")]
    posts = [  # post id, author, mention
        ("p1", "https://a.social/@x", "alice"),  # a.social's alice
        ("p2", "https://b.social/@z", "Alice"),  # b.social's alice
        ("p3", "https://a.social/@y", "alice@b.social"),  # b.social's alice, seen from a.social
        ("p4", "https://b.social/@bob", "alice"),  # by a remote account: of the instance collected, not told
        ("p5", "12345", "alice"),  # no profile URL: no instance
    ]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.con.executemany("INSERT INTO accounts (platform, account_id, handle) VALUES ('mastodon', ?, ?)", accounts)
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'https://a.social/@x', 'x')")
        st.con.executemany("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls) "
                           "VALUES (?, 'mastodon', ?, ?, 'hi', 'original', [], [?], [])",
                           [[pid, acc, T0 + timedelta(seconds=i), m] for i, (pid, acc, m) in enumerate(posts)])
        st.sql("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls) "
               "VALUES ('t1', 'twitter', 'https://a.social/@x', TIMESTAMP '2017-05-20 10:01:00', 'hi', 'original', [], ['alice'], [])")
        first = prepare_first_actions(st, NetworkOptions(behaviours=("co-mention",)))
        got = {(r["account_id"], r["trace"]) for r in first.select("account_id", "trace").to_pyarrow().to_pylist()}
    assert got == {("https://a.social/@x", "@alice@a.social"), ("https://b.social/@z", "@alice@b.social"),
                   ("https://a.social/@y", "@alice@b.social"), ("https://b.social/@bob", "@alice"), ("12345", "@alice"),
                   ("https://a.social/@x", "@alice")}  # the last: the Twitter post
