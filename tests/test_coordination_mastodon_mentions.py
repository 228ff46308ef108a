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


def test_a_bare_mention_in_a_remote_accounts_post_is_named_with_the_instance_collected(tmp_path: Path) -> None:
    """A server gives a mention's `acct` relative to itself and its profile `url` in full: ingest
    kept only the `acct`, so a.social's local "alice" mentioned in a post by b.social's bob (as
    a.social served it) stayed "@alice", one target with every other instance's local alice, and
    a party listed as "alice@a.social" was never matched there. Stored with the instance its URL
    gives, it is the target a.social's own accounts' bare mentions of her are read as."""
    import json

    from botwatch.ingest.runner import ingest

    def acct(name: str, host: str, local: bool) -> dict:
        return {"id": name, "username": name, "acct": name if local else f"{name}@{host}", "url": f"https://{host}/@{name}"}

    alice = {"id": "7", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    statuses = [
        {"id": "1", "uri": "https://b.social/users/bob/statuses/1", "account": acct("bob", "b.social", False), "mentions": [alice]},
        {"id": "2", "uri": "https://a.social/users/x/statuses/2", "account": acct("x", "a.social", True), "mentions": [alice]},
        {"id": "3", "uri": "https://c.social/users/carl/statuses/3", "account": acct("carl", "c.social", False),
         "mentions": [{"id": "8", "username": "dora", "acct": "dora@d.social", "url": "https://d.social/@dora"},
                      {"id": "9", "username": "eve", "acct": "eve", "url": "https://a.social/users/eve"}]},  # no profile URL: kept as given
    ]
    f = tmp_path / "a_social.jsonl"
    f.write_text("\n".join(json.dumps(dict(s, created_at=f"2017-05-20T10:00:0{i}.000Z", content="<p>hi</p>", tags=[]))
                           for i, s in enumerate(statuses)) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        stored = dict(st.sql("SELECT post_id, mentions FROM posts"))
        first = prepare_first_actions(st, NetworkOptions(behaviours=("co-mention",)))
        got = {(r["account_id"], r["trace"]) for r in first.select("account_id", "trace").to_pyarrow().to_pylist()}
    assert stored["https://b.social/users/bob/statuses/1"] == ["alice@a.social"]
    assert stored["https://c.social/users/carl/statuses/3"] == ["dora@d.social", "eve"]
    assert ("https://b.social/@bob", "@alice@a.social") in got and ("https://a.social/@x", "@alice@a.social") in got
