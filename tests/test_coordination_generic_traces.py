"""The coordination stage's first actions leave out traces too generic to count: co-post texts
whose normalised form is short and retweets that name neither a post nor any text
(`behaviours.generic_trace`, applied as `network.prepare_first_actions` writes them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions, prepare_first_actions

T0 = datetime(2017, 5, 1, 12, 0, 0)
LONG = "a long enough campaign message about the vote on thursday"


def test_generic_traces_are_left_out_of_the_first_actions(tmp_path: Path) -> None:
    rows = [
        # post_id, account, text, kind, ref_post_id, ref_handle
        ("p1", "a", LONG, "original", None, None),
        ("p2", "b", LONG, "original", None, None),
        ("p3", "a", "Thanks!! https://t.co/xyz", "original", None, None),  # short once normalised
        ("p4", "b", "Thanks!! https://t.co/xyz", "original", None, None),
        ("r1", "a", "", "retweet", None, "Src"),  # no post id and no text: "src|"
        ("r2", "b", "", "retweet", None, "Src"),
        ("r3", "a", LONG, "retweet", "o1", "Src"),
        ("r4", "b", LONG, "retweet", "o1", "Src"),
    ]
    with open_study(tmp_path / "g.duckdb", read_only=False) as s:
        s.con.executemany(
            "INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_handle, hashtags, mentions, urls) "
            "VALUES (?, 'twitter', ?, ?, ?, ?, ?, ?, [], [], [])",
            [[r[0], r[1], T0 + timedelta(seconds=i), *r[2:]] for i, r in enumerate(rows)],
        )
        prepare_first_actions(s, NetworkOptions(behaviours=("co-post", "co-retweet")))
        got = sorted((b, t, int(n)) for b, t, n in s.sql("SELECT DISTINCT behaviour, trace, n FROM _coord_first"))
        left = [r[0] for r in s.sql("SELECT table_name FROM duckdb_tables() WHERE table_name = '_coord_first0'")]
    assert got == [("co-post", "a long enough campaign message about the vote on thursday", 2), ("co-retweet", "o1", 2)], got
    assert left == []  # the intermediate table is dropped
