"""A Bluesky repost is stored with the text "" (the event names only the post it shares), while a
Twitter retweet carries its original's words ("RT @handle: ..."). The content stage read the
repost's own empty text, so on a study of both platforms a Twitter retweet of "Vote Labour" named
Labour and a Bluesky repost of the same words named nothing: the party counts, shares and scaled
estimates counted Bluesky's original posts only. A repost now names what its original names when
the original is in the study."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from botwatch.cli.analyze import say_unmatched_parties
from botwatch.content.party_coverage import party_coverage, top_hashtag, unread_reposts_line
from botwatch.content.stage import run_content
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest
from botwatch.study import open_study


def _bsky(did: str, rkey: str, sec: int, collection: str, record: dict) -> str:
    return json.dumps({"did": did, "time_us": (1495274400 + sec) * 1_000_000, "kind": "commit",
                       "commit": {"operation": "create", "collection": collection, "rkey": rkey, "record": record}})


def _tweet(i: int, user: str, text: str, minute: int, rt: dict | None = None) -> dict:
    d = {"id_str": str(i), "text": text, "created_at": f"Sat May 20 10:{minute:02d}:00 +0000 2017", "lang": "en",
         "user": {"id_str": f"10{i}", "screen_name": user, "name": user},
         "entities": {"hashtags": [{"text": "GE2017"}], "user_mentions": [], "urls": []}}
    if rt is not None:
        d["retweeted_status"] = rt
    return d


def test_a_repost_names_the_parties_of_its_original(tmp_path: Path) -> None:
    said = "Vote Labour on Thursday #GE2017"
    orig = _tweet(1, "alice", said, 0)
    (tmp_path / "tw.jsonl").write_text(json.dumps(orig) + "\n" + json.dumps(_tweet(2, "bob", f"RT @alice: {said}", 1, rt=orig)) + "\n")
    (tmp_path / "bsky.jsonl").write_text("\n".join([
        _bsky("did:plc:carol", "p1", 0, "app.bsky.feed.post", {"text": said, "langs": ["en"], "createdAt": "2017-05-20T10:00:00Z"}),
        _bsky("did:plc:dave", "r1", 60, "app.bsky.feed.repost",
              {"subject": {"uri": "at://did:plc:carol/app.bsky.feed.post/p1"}, "createdAt": "2017-05-20T10:01:00Z"}),
        # a repost of a post the study does not hold: nothing to read
        _bsky("did:plc:erin", "r2", 120, "app.bsky.feed.repost",
              {"subject": {"uri": "at://did:plc:zed/app.bsky.feed.post/gone"}, "createdAt": "2017-05-20T10:02:00Z"}),
    ]) + "\n")
    election = load_election("uk-ge2017")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "tw.jsonl"), str(tmp_path / "bsky.jsonl")])
        run_content(st, election, log=lambda m: None, workers=1)
        got = dict(((a, k), (e, list(p), lang)) for a, k, e, p, lang in st.sql(
            "SELECT p.account_id, p.kind, l.in_election, l.parties, l.lang FROM posts p JOIN post_labels l USING (platform, post_id)"))
        assert st.sql("SELECT text FROM posts WHERE account_id = 'did:plc:dave'") == [("",)]  # the stored post is untouched
        tag = top_hashtag(st, election.key, "labour")
        unread = unread_reposts_line(st)
        # `analyze`'s warnings after the content stage ask the parties' counts and these reposts in
        # one statement (three before: on a lake, 9 Spark jobs), and say the same line.
        cov = party_coverage(st, election, unread=True)
        assert cov is not None and cov.unread == (("bluesky", 1),)
        assert cov == replace(party_coverage(st, election), unread=cov.unread)  # the same counts
        assert unread_reposts_line(st, cov) == unread
        asked: list[str] = []
        real = st.sql
        st.sql = lambda q, p=None: (asked.append(q), real(q, p))[1]  # type: ignore[method-assign]
        say_unmatched_parties(st, election)
        del st.sql
        assert sum(t in q for q in asked for t in ("FROM post_party", "FROM post_labels", "ref_post_id")) == 3, asked  # one statement names all three
        assert len([q for q in asked if "post_labels" in q or "ref_post_id" in q]) == 1, asked
        st.sql("DELETE FROM posts WHERE account_id = 'did:plc:erin'")
        assert unread_reposts_line(st) is None  # every wordless repost shares a post the study holds
    assert got[("102", "retweet")] == (True, ["labour"], "en")  # the Twitter retweet, as before
    assert got[("did:plc:dave", "retweet")] == (True, ["labour"], "en")  # the Bluesky repost of the same words (was: no party, no election)
    assert got[("did:plc:erin", "retweet")][:2] == (False, [])
    assert tag == ("GE2017", 4)  # the repost carries its original's hashtag, as it was labelled
    # the one that could not be read is said, by `analyze`, `estimate` and the report's Parties section
    assert unread == ("1 repost carries no words of its own and shares a post the study does not hold: it names no party and is outside "
                      "the election talk whatever its original said, so the party counts and shares leave it out (a repost of a post the "
                      "study holds is read with that post's words)")


def test_the_unread_reposts_are_said_in_the_plural(tmp_path: Path) -> None:
    lines = [_bsky(f"did:plc:s{k}", f"r{k}", k, "app.bsky.feed.repost", {"subject": {"uri": f"at://did:plc:zed/app.bsky.feed.post/g{k}"},
                                                                           "createdAt": "2017-05-20T10:01:00Z"}) for k in range(3)]
    (tmp_path / "bsky.jsonl").write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "bsky.jsonl")])
        said = unread_reposts_line(st)
    assert said is not None and said.startswith("3 reposts carry no words of their own and share posts the study does not hold: they name no party")


def test_a_filtered_bluesky_capture_is_said_to_hold_no_reposts(tmp_path: Path) -> None:
    """`collect bluesky` with a filter asks for posts only (a repost has no words to match), while a
    filtered X stream keeps matching retweets: a study of both counted X's retweets and no Bluesky
    repost at all, and neither `analyze`, `estimate` nor the report said so."""
    from botwatch.collect.study_link import _DDL
    from botwatch.report.scope import filtered_reposts_note

    said = "Vote Labour on Thursday #GE2017"
    orig = _tweet(1, "alice", said, 0)
    (tmp_path / "tw.jsonl").write_text(json.dumps(orig) + "\n" + json.dumps(_tweet(2, "bob", f"RT @alice: {said}", 1, rt=orig)) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "tw.jsonl")])
        assert filtered_reposts_note(st) is None  # no capture
        st.sql(_DDL)
        st.sql("INSERT INTO captures VALUES ('/c/bsky', 1.0, 'bluesky', '[null]', 1, '{}', now())")
        assert filtered_reposts_note(st) is None  # an unfiltered capture asks for reposts too
        st.sql("""INSERT INTO captures VALUES ('/c/bsky2', 1.0, 'bluesky', '[{"origin": "election preset uk-ge2017"}]', 1, '{}', now())""")
        note = filtered_reposts_note(st)
        st.sql("DELETE FROM posts WHERE kind = 'retweet'")
        alone = filtered_reposts_note(st)
    assert note == ("The Bluesky capture was filtered, and a filtered capture asks for no reposts (a repost carries no words for the filter to "
                    "match): Bluesky's counts are its posts, replies and quotes, without reposts; the retweets of the other platforms carry "
                    "their originals' words and are counted")
    assert alone is not None and alone.endswith("without reposts")


def test_an_unfiltered_bluesky_capture_as_its_manifest_records_it_is_not_called_filtered(tmp_path: Path) -> None:
    """An unfiltered run records the filter `{"origin": "none: everything the stream sent"}` (no
    terms): the report read that origin as a filter's words, so a plain `collect bluesky` study
    was said to hold no reposts and to count "the posts the Bluesky capture's filter (none:
    everything the stream sent) let through"."""
    from botwatch.collect.filters import PostFilter
    from botwatch.collect.study_link import _DDL
    from botwatch.report.scope import filtered_reposts_note, scope

    recorded = json.dumps([PostFilter.build().describe()]).replace("'", "''")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql(_DDL)
        st.sql(f"INSERT INTO captures VALUES ('/c/bsky', 1.0, 'bluesky', '{recorded}', 1, '{{}}', now())")
        assert filtered_reposts_note(st) is None
        assert scope(st, 1.0).filtered is None
