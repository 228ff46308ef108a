"""A Bluesky repost, quote or reply names the account it shares or answers by DID alone (Jetstream
gives no handle), where a Twitter retweet names it by handle, and party accounts are listed by
handle. Once the study knows the DID's handle (an identity event), the post must be read as
Twitter's is: a repost of the party's account is the party's retweet cue."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch.content.stage import run_content
from botwatch.elections import load_election
from botwatch.elections.model import election_from_text
from botwatch.ingest.runner import ingest
from botwatch.study import open_study

T0 = 1495274400  # 2017-05-20 10:00 UTC, inside uk-ge2017's window


def _commit(did: str, rkey: str, sec: int, collection: str, record: dict) -> str:
    return json.dumps({"did": did, "time_us": (T0 + sec) * 1_000_000, "kind": "commit",
                       "commit": {"operation": "create", "collection": collection, "rkey": rkey, "record": record}})


def _identity(did: str, handle: str) -> str:
    return json.dumps({"did": did, "time_us": T0 * 1_000_000, "kind": "identity",
                       "identity": {"did": did, "handle": handle, "time": "2017-05-20T09:00:00Z"}})


def _repost(did: str, rkey: str, sec: int, uri: str) -> str:
    return _commit(did, rkey, sec, "app.bsky.feed.repost", {"subject": {"uri": uri}, "createdAt": "2017-05-20T10:01:00Z"})


def _mine():  # type: ignore[no-untyped-def]
    uk = load_election("uk-ge2017")
    return election_from_text(uk.text.replace('official_accounts = ["', 'official_accounts = ["uklabour.bsky.social", "', 1), "mine.toml")


def test_a_repost_of_a_party_account_known_by_did_is_its_retweet_cue(tmp_path: Path) -> None:
    lab = "at://did:plc:lab/app.bsky.feed.post/p1"
    lines = [
        _identity("did:plc:lab", "uklabour.bsky.social"),
        _commit("did:plc:lab", "p1", 1, "app.bsky.feed.post", {"text": "Our plan #GE2017", "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"}),
        _repost("did:plc:fan", "r1", 60, lab),
        _commit("did:plc:fan", "q1", 70, "app.bsky.feed.post", {
            "text": "Read this #GE2017", "langs": ["en"], "createdAt": "2017-05-20T10:02:00Z",
            "embed": {"$type": "app.bsky.embed.record", "record": {"uri": lab}}}),
        # the shared post's account has no known handle: nothing to match it by
        _commit("did:plc:anon", "p2", 2, "app.bsky.feed.post", {"text": "Our plan #GE2017", "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"}),
        _repost("did:plc:fan", "r2", 80, "at://did:plc:anon/app.bsky.feed.post/p2"),
    ]
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "b.jsonl")])
        run_content(st, _mine(), log=lambda m: None, workers=1)
        got = {(pid, party): (rule, list(sigs)) for pid, party, rule, sigs in st.sql(
            "SELECT post_id, party, stance_rule, signals FROM post_party")}
        assert st.sql("SELECT count(*) FROM posts WHERE ref_handle IS NOT NULL") == [(0,)]  # the stored posts are untouched
    assert got[("did:plc:lab/p1", "labour")] == ("own_account", ["own_account"])
    assert got[("did:plc:fan/r1", "labour")] == ("retweets_party_account", ["retweet_account"])  # was: no party at all
    assert got[("did:plc:fan/q1", "labour")][1] == ["quote_account"]
    assert not any(pid in ("did:plc:anon/p2", "did:plc:fan/r2") for pid, _ in got)


def test_a_twitter_retweet_is_not_given_a_bluesky_handle(tmp_path: Path) -> None:
    """Only Bluesky rows take the handle from the accounts table: a Twitter retweet that gives no
    handle keeps none, whatever account shares its id."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.ensure_schema()
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('bluesky', '7', 'uklabour.bsky.social'), ('twitter', '7', 'UKLabour')")
        st.sql("INSERT INTO posts (platform, post_id, account_id, text, kind, ref_account_id, ref_handle) VALUES "
               "('twitter', 't1', '9', 'x', 'retweet', '7', NULL), ('bluesky', 'b1', '9', 'x', 'retweet', '7', NULL), "
               "('bluesky', 'b2', '9', 'x', 'retweet', '7', 'given.bsky.social')")
        from botwatch.content.relational import label_input

        got = {r["post_id"]: r["ref_handle"] for r in label_input(st.table("posts"), st.table("accounts")).to_pyarrow().to_pylist()}
    assert got == {"t1": None, "b1": "uklabour.bsky.social", "b2": "given.bsky.social"}


def test_reposts_of_one_did_are_retweet_neighbours(tmp_path: Path) -> None:
    """Two accounts reposting one account are linked, and that account with them, as two
    retweeters of one handle are on Twitter; the account's handle need not be known."""
    from botwatch.content.propagate import graph_edges

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.ensure_schema()
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('bluesky', 'did:plc:lab', NULL), ('bluesky', 'did:plc:a', NULL), "
               "('bluesky', 'did:plc:b', NULL), ('twitter', '1', 'alice'), ('twitter', '2', 'bob')")
        st.sql("INSERT INTO posts (platform, post_id, account_id, text, kind, ref_post_id, ref_account_id, ref_handle) VALUES "
               "('bluesky', 'did:plc:a/r1', 'did:plc:a', '', 'retweet', 'did:plc:lab/p1', 'did:plc:lab', NULL), "
               "('bluesky', 'did:plc:b/r2', 'did:plc:b', '', 'retweet', 'did:plc:lab/p2', 'did:plc:lab', NULL), "
               "('bluesky', 'did:plc:b/r3', 'did:plc:b', '', 'retweet', 'did:plc:zed/p3', 'did:plc:zed', NULL), "
               "('twitter', 't1', '2', 'RT @alice: hi', 'retweet', NULL, '1', 'alice')")
        got = {(r["account_id"], r["node"]) for r in graph_edges(st.table("posts"), st.table("accounts")).to_pyarrow().to_pylist()}
    assert got == {("bluesky:did:plc:a", "d:bluesky:did:plc:lab"), ("bluesky:did:plc:b", "d:bluesky:did:plc:lab"),
                   ("bluesky:did:plc:lab", "d:bluesky:did:plc:lab"), ("bluesky:did:plc:b", "d:bluesky:did:plc:zed"),
                   ("twitter:2", "h:twitter:alice"), ("twitter:1", "h:twitter:alice")}


def test_a_mention_of_a_party_account_known_by_did_names_the_party(tmp_path: Path) -> None:
    """A Bluesky mention facet gives the DID alone: "@uklabour.bsky.social well done" named no
    party, where a Twitter "@UKLabour" is the party's mention cue."""
    def mention(rkey: str, did: str) -> str:
        return _commit("did:plc:fan", rkey, 80, "app.bsky.feed.post", {
            "text": "@someone well done #GE2017", "langs": ["en"], "createdAt": "2017-05-20T10:03:00Z",
            "facets": [{"features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]}]})

    lines = [_identity("did:plc:lab", "UKLabour.bsky.social"), _identity("did:plc:other", "other.bsky.social"),
             mention("m1", "did:plc:lab"), mention("m2", "did:plc:other"), mention("m3", "did:plc:unknown")]
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "b.jsonl")])
        run_content(st, _mine(), log=lambda m: None, workers=1)
        got = st.sql("SELECT post_id, party, signals FROM post_party")
    assert [(pid, party, list(sigs)) for pid, party, sigs in got] == [("did:plc:fan/m1", "labour", ["mention_account"])]


def test_listed_bluesky_handles_the_study_knows_none_of_are_noted_once(tmp_path: Path) -> None:
    """An election listing Bluesky handles over a study with Bluesky posts but no identity events
    (a filtered capture keeps none) matched no party account on Bluesky and said nothing of it."""
    post = _commit("did:plc:lab", "p1", 1, "app.bsky.feed.post", {"text": "Our plan #GE2017", "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"})
    for sub, lines in (("none", [post]), ("known", [_identity("did:plc:lab", "uklabour.bsky.social"), post])):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "b.jsonl").write_text("\n".join(lines) + "\n")
        said: list[str] = []
        with open_study(tmp_path / sub / "s.duckdb", read_only=False) as st:
            ingest(st, [str(tmp_path / sub / "b.jsonl")])
            run_content(st, _mine(), log=said.append, workers=1)
            run_content(st, load_election("uk-ge2017"), log=said.append, workers=1)  # lists no Bluesky handle
        notes = [m for m in said if "note:" in m]
        if sub == "none":
            assert len(notes) == 1 and "lists 1 Bluesky handle and the study knows the DID of none" in notes[0], said
        else:
            assert notes == [], said


def test_a_repost_of_a_party_account_known_by_did_is_not_said_to_name_no_party(tmp_path: Path) -> None:
    """A repost of a post the study does not hold has no words to read, but one of a party's
    account known by DID names the party by that cue: `analyze` and the report said "30 reposts
    ... name no party and are outside the election talk" of reposts the party figures counted."""
    from botwatch.content.party_coverage import unread_reposts_line

    lines = [_identity("did:plc:lab", "uklabour.bsky.social"),
             _repost("did:plc:fan", "r1", 60, "at://did:plc:lab/app.bsky.feed.post/gone"),  # the party's, not held
             _repost("did:plc:fan", "r2", 80, "at://did:plc:zed/app.bsky.feed.post/gone")]  # nobody's known: unread
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "b.jsonl")])
        run_content(st, _mine(), log=lambda m: None, workers=1)
        named = st.sql("SELECT post_id, party FROM post_party")
        said = unread_reposts_line(st)
    assert named == [("did:plc:fan/r1", "labour")]
    assert said is not None and said.startswith("1 repost carries no words of its own and shares a post the study does not hold: it names no party"), said


def test_the_report_says_why_listed_bluesky_accounts_match_nothing(tmp_path: Path) -> None:
    """The report's Parties section read "Labour 0 posts matched in the campaign window" with no
    reason where `analyze` noted the study knows none of the listed Bluesky handles' DIDs: it now
    says so once, naming the handles, and says nothing where a handle is known or where the
    study holds no Bluesky post."""
    import re

    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    # (a listed handle is letters, digits, '_', '.' and '-': the election file refuses markup)
    odd = election_from_text(_mine().text.replace('"uklabour.bsky.social", ', '"uklabour.bsky.social", "greens-uk.bsky.social", ', 1), "mine.toml")
    post = _commit("did:plc:fan", "p1", 2, "app.bsky.feed.post", {"text": "Vote Tory #GE2017 #conservatives", "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"})
    tweet = json.dumps({"id_str": "1", "full_text": "Vote Tory #GE2017 #conservatives", "created_at": "Sat May 20 10:00:00 +0000 2017",
                        "user": {"id_str": "9", "screen_name": "fan"}, "lang": "en"})
    said = {}
    for sub, lines, name in (("none", [post], "b.jsonl"), ("known", [_identity("did:plc:lab", "uklabour.bsky.social"), post], "b.jsonl"),
                             ("twitter", [tweet], "t.jsonl")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / name).write_text("\n".join(lines) + "\n")
        with open_study(tmp_path / sub / "s.duckdb", read_only=False) as st:
            ingest(st, [str(tmp_path / sub / name)])
            assert st.count("posts") == 1
            run_content(st, odd, log=lambda m: None, workers=1)
            write_estimates(st, compute_estimates(st, odd, EstimateOptions(reps=10), log=lambda m: None))
            sec = parties_section(st, {"election": odd})
        assert sec is not None and "Conservatives" in str(sec.html)
        said[sub] = re.findall(r"<p class=\"notes\">The election lists the Bluesky account[^<]*", str(sec.html))
    assert len(said["none"]) == 1, said
    assert "accounts @greens-uk.bsky.social, @uklabour.bsky.social, but the study knows the DID of none of them" in said["none"][0]
    assert said["known"] == [] and said["twitter"] == []


def test_the_parties_section_counts_unread_reposts_in_its_coverage_query(tmp_path: Path) -> None:
    """The report's Parties section asked `party_coverage` and then `unread_reposts` as two
    statements (Spark jobs each on a lake), where `analyze` asks them as one: now one, with the
    same line on the page as the separate count gives."""
    from botwatch.content.party_coverage import unread_reposts_line
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    post = _commit("did:plc:fan", "p1", 2, "app.bsky.feed.post", {"text": "Vote Tory #GE2017 #conservatives", "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"})
    lines = [post, _repost("did:plc:fan", "r2", 80, "at://did:plc:zed/app.bsky.feed.post/gone")]  # nobody's known: unread
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "b.jsonl")])
        run_content(st, _mine(), log=lambda m: None, workers=1)
        write_estimates(st, compute_estimates(st, _mine(), EstimateOptions(reps=10), log=lambda m: None))
        alone = unread_reposts_line(st)
        asked: list[str] = []
        real = st.sql
        st.sql = lambda q, p=None: (asked.append(q), real(q, p))[1]  # type: ignore[method-assign]
        sec = parties_section(st, {"election": _mine()})
        st.sql = real  # type: ignore[method-assign]
    assert alone is not None and sec is not None
    from markupsafe import escape

    assert f" {escape(alone)}." in str(sec.html)
    assert sum("p.kind = 'retweet'" in q or "FROM post_party WHERE election" in q for q in asked) == 1, asked
