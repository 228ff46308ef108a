"""Every reader against real fixtures (or files written in the documented shape), checked field by
field against the raw records rather than against hard-coded answers."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest.formats import sniff
from botwatch.ingest.runner import ingest
from botwatch.ingest.source import InputSource

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _study(tmp_path: Path, *files: Path | str):
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    summary = ingest(st, [str(f) for f in files])
    return st, summary


def _posts(st) -> dict[str, dict]:
    df = st.pandas("posts")
    return {r["post_id"]: r for r in df.to_dict("records")}


def test_v1_statuses_lines_and_array_give_the_same_posts(tmp_path: Path) -> None:
    raw = [json.loads(l) for l in (FIX / "v1_uklabour.jsonl").read_text().splitlines()]
    st, summary = _study(tmp_path, FIX / "v1_uklabour.jsonl")
    posts = _posts(st)
    assert summary.files[0].format == "twitter-v1.1"
    assert set(posts) == {s["id_str"] for s in raw}
    for s in raw:
        p = posts[s["id_str"]]
        assert p["account_id"] == s["user"]["id_str"]
        if "retweeted_status" in s:
            rt = s["retweeted_status"]
            assert p["kind"] == "retweet"
            assert p["ref_post_id"] == rt["id_str"]
            assert p["ref_handle"] == rt["user"]["screen_name"]
            full = rt.get("extended_tweet", {}).get("full_text") or rt.get("full_text") or rt["text"]
            assert p["text"] == full and not p["text"].startswith("RT @")
        else:
            assert p["kind"] in ("original", "reply", "quote")
            assert p["text"] == (s.get("extended_tweet", {}).get("full_text") or s.get("full_text") or s["text"])
            assert list(p["hashtags"]) == [h["text"] for h in (s.get("extended_tweet") or s)["entities"]["hashtags"]]
    acc = st.pandas("accounts").set_index("account_id")
    user = raw[0]["user"]
    row = acc.loc[user["id_str"]]
    assert row["handle"] == user["screen_name"]
    assert row["followers"] == user["followers_count"]
    assert row["account_lang"] == user["lang"]
    assert row["time_zone"] == user["time_zone"]
    # The JSON-array file holds the same statuses: same canonical posts apart from `source`.
    st2 = open_study(tmp_path / "arr.duckdb", read_only=False)
    ingest(st2, [str(FIX / "v1_uklabour_array.json.gz")])
    cols = "post_id, account_id, created_at, text, kind, ref_post_id, hashtags, urls"
    assert st.sql(f"SELECT {cols} FROM posts ORDER BY post_id") == st2.sql(f"SELECT {cols} FROM posts ORDER BY post_id")


def test_v2_pages_flat_and_users(tmp_path: Path) -> None:
    st, summary = _study(tmp_path, FIX / "twarc2_two_tweets.jsonl.gz", FIX / "twarc2_flat.jsonl", FIX / "twarc2_users.jsonl")
    formats = [f.format for f in summary.files]
    assert formats == ["twitter-v2-page", "twitter-v2-flat", "twitter-v2-page"]
    page = json.loads(gzip.open(FIX / "twarc2_two_tweets.jsonl.gz", "rt").readline())
    flat = [json.loads(l) for l in (FIX / "twarc2_flat.jsonl").read_text().splitlines()]
    posts = _posts(st)
    data = page["data"] if isinstance(page["data"], list) else [page["data"]]
    for t in data + flat:
        assert posts[t["id"]]["account_id"] == t["author_id"]
    kinds = {posts[t["id"]]["kind"] for t in flat}
    assert kinds == {"original", "retweet", "quote", "reply"}
    for t in flat:
        refs = {r["type"]: r for r in t.get("referenced_tweets", [])}
        if "retweeted" in refs:
            assert posts[t["id"]]["ref_post_id"] == refs["retweeted"]["id"]
            assert posts[t["id"]]["ref_account_id"] == refs["retweeted"]["author_id"]
            assert not posts[t["id"]]["text"].startswith("RT @")
    users = json.loads((FIX / "twarc2_users.jsonl").read_text())["data"]
    acc = st.pandas("accounts").set_index("account_id")
    for u in users:
        assert acc.loc[u["id"], "handle"] == u["username"]
        assert acc.loc[u["id"], "followers"] == u["public_metrics"]["followers_count"]
    assert summary.files[2].stored == 0 and summary.files[2].accounts == len(users)


@pytest.mark.parametrize("v1_first", [True, False])
def test_v1_statuses_and_v2_flat_tweets_mixed_in_one_file_are_all_read(tmp_path: Path, v1_first: bool) -> None:
    """A file merging v1.1 statuses and `twarc2 flatten` tweets is sniffed by its first record:
    every record of the other version was rejected ("missing user object" for a v2 tweet), which
    said nothing of why. Each is read by its own reader, as the two files read apart are."""
    v1 = (FIX / "v1_uklabour.jsonl").read_text().splitlines()
    flat = (FIX / "twarc2_flat.jsonl").read_text().splitlines()
    first, second = (v1, flat) if v1_first else (flat, v1)
    merged = [line for pair in zip(first, second) for line in pair] + first[len(second):] + second[len(first):]
    (tmp_path / "in").mkdir()
    mixed = tmp_path / "in" / "mixed.jsonl"
    mixed.write_text("\n".join(merged) + "\n")
    st, summary = _study(tmp_path, mixed)
    apart, _ = _study(tmp_path / "in", FIX / "v1_uklabour.jsonl", FIX / "twarc2_flat.jsonl")
    assert summary.files[0].rejected == 0 and summary.files[0].stored == len(v1) + len(flat)
    cols = ["account_id", "kind", "text", "ref_post_id"]
    assert {k: [r[c] for c in cols] for k, r in _posts(st).items()} == {k: [r[c] for c in cols] for k, r in _posts(apart).items()}


def test_a_v1_stream_notice_in_a_file_sniffed_as_flat_v2_is_kept_as_in_a_v1_file(tmp_path: Path) -> None:
    """The v1.1 records of a merged file were read as v1.1 whichever version came first, but not
    the v1.1 stream's own notices: after a first v2 tweet, a delete or limit notice was rejected
    ("missing post id"), where after a first v1.1 status it is counted as a notice."""
    v1 = (FIX / "v1_uklabour.jsonl").read_text().splitlines()
    flat = (FIX / "twarc2_flat.jsonl").read_text().splitlines()
    notices = [json.dumps({"delete": {"status": {"id": 1, "id_str": "1", "user_id": 2, "user_id_str": "2"}, "timestamp_ms": "1496000000000"}}),
               json.dumps({"limit": {"track": 5, "timestamp_ms": "1496000000000"}})]
    got = {}
    for name, lines in (("flat_first", flat + v1 + notices), ("v1_first", v1 + flat + notices)):
        (tmp_path / name).mkdir()
        mixed = tmp_path / name / "mixed.jsonl"
        mixed.write_text("\n".join(lines) + "\n")
        _, summary = _study(tmp_path / name, mixed)
        f = summary.files[0]
        got[name] = (f.stored, f.rejected, f.deleted, f.limited)
    assert got["flat_first"] == got["v1_first"] == (len(v1) + len(flat), 0, 1, 1), got


def test_stream_with_truncated_last_record_keeps_the_rest(tmp_path: Path) -> None:
    lines = gzip.open(FIX / "twarc2_stream_with_error.jsonl.gz", "rt").read().splitlines()
    st, summary = _study(tmp_path, FIX / "twarc2_stream_with_error.jsonl.gz")
    res = summary.files[0]
    good = []
    for l in lines:
        try:
            good.append(json.loads(l))
        except json.JSONDecodeError:
            pass
    assert res.stored == len(good) and res.rejected == len(lines) - len(good) == 1
    (line, error), = st.sql("SELECT line, error FROM rejected")
    assert line == len(lines) and "invalid JSON" in error


def test_ira_tweets_and_authors_join_on_handle(tmp_path: Path) -> None:
    with open(FIX / "ira_tweets.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    st, summary = _study(tmp_path, FIX / "ira_tweets.csv", FIX / "ira_authors.csv")
    assert [f.format for f in summary.files] == ["ira-538-tweets", "ira-538-authors"]
    posts = st.pandas("posts")
    assert len(posts) + summary.files[0].duplicates == len(rows)
    rts = posts[posts.kind == "retweet"]
    # A retweet is flagged by the `retweet` column (newer rows) or an "RT @x:" prefix (older rows).
    flagged = {(r["author_id"].lower(), r["content"]) for r in rows if r["retweet"] == "1" or r["content"].startswith("RT @")}
    assert len(rts) == len({k for k in flagged})
    prefixed = rts[rts.ref_handle.notna()]
    assert len(prefixed) == sum(1 for r in rows if r["content"].startswith("RT @"))
    assert not rts.text.str.startswith("RT @").any()
    assert set(posts.lang.dropna()) <= {"en", "ru", "de", "uk", "it", "es", "fr", "ar"}
    acc = st.pandas("accounts").set_index("account_id")
    for r in rows:
        a = acc.loc[r["author_id"].lower()]
        extra = json.loads(a["extra"])
        assert extra["account_category"]  # from the authors file
        assert "region" in extra  # from the tweets file: both files merged onto one account


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_io_archive_tweets_and_users_by_header_name(tmp_path: Path) -> None:
    hashed = "5Fd2PGpyBBLXx+oqcHL+Kf9Yk3m0O8ylhHpD8ijuMwM="
    header = ["tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location", "user_profile_description",
              "follower_count", "following_count", "account_creation_date", "account_language", "tweet_language", "tweet_text",
              "tweet_time", "tweet_client_name", "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet",
              "retweet_userid", "retweet_tweetid", "hashtags", "urls", "user_mentions"]
    rows = [
        ["877919995476496385", hashed, "Anna", hashed, "Moscow", "bio, with comma", "12", "40", "2017-04-20", "ru", "en",
         "Vote #Labour\nnow", "2017-05-16 12:03", "Twitter Web Client", "", "", "", "false", "", "", "[Labour]", "[]", "[]"],
        ["877919995476496386", "2571142743", "Bob", "bob_b", "", "", "1", "2", "2014-01-01", "en", "en",
         "RT @UKLabour: For the many", "2017-05-16 12:04", "TweetDeck", "", "", "", "true", "14291684", "877900000000000001",
         "[ForTheMany, GE2017]", "[https://labour.org.uk]", "[14291684]"],
    ]
    users_prefixed = _write_csv(tmp_path / "users_a.csv", ["userid", "user_display_name", "user_screen_name", "user_reported_location",
                                                          "user_profile_description", "follower_count", "following_count",
                                                          "account_creation_date", "account_language"],
                                [["99887766554433221100", "Carol", "carol_c", "Texas", "", "5", "6", "2017-04-19", "ru"]])
    users_plain = _write_csv(tmp_path / "users_b.csv", ["userid", "display_name", "screen_name", "reported_location",
                                                       "profile_description", "follower_count", "following_count",
                                                       "account_creation_date", "account_language"],
                             [["11223344556677889900", "Dan", "dan_d", "", "", "7", "8", "2016-02-03", "en"]])
    tweets = _write_csv(tmp_path / "tweets.csv", header, rows)
    st, summary = _study(tmp_path, tweets, users_prefixed, users_plain)
    assert [f.format for f in summary.files] == ["io-archive-tweets", "io-archive-users", "io-archive-users"]
    posts = _posts(st)
    p1, p2 = posts["877919995476496385"], posts["877919995476496386"]
    assert p1["account_id"] == hashed and p1["text"] == "Vote #Labour\nnow" and list(p1["hashtags"]) == ["Labour"]
    assert str(p1["created_at"]) == "2017-05-16 12:03:00"
    assert p2["kind"] == "retweet" and p2["ref_post_id"] == "877900000000000001" and p2["ref_handle"] == "UKLabour"
    assert p2["text"] == "For the many" and list(p2["hashtags"]) == ["ForTheMany", "GE2017"]
    acc = st.pandas("accounts").set_index("account_id")
    assert acc.loc[hashed, "account_lang"] == "ru" and acc.loc[hashed, "location"] == "Moscow"
    assert acc.loc["99887766554433221100", "handle"] == "carol_c"  # 20-digit id kept exactly, as a string
    assert acc.loc["11223344556677889900", "handle"] == "dan_d"  # header without the user_ prefix


def test_twarc_csv(tmp_path: Path) -> None:
    header = ["id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id", "referenced_tweets.quoted.id",
              "author_id", "in_reply_to_user_id", "retweeted_user_id", "quoted_user_id", "created_at", "text", "lang", "source",
              "entities.hashtags", "entities.mentions", "entities.urls", "author.id", "author.username", "author.name",
              "author.created_at", "author.public_metrics.followers_count", "author.verified"]
    tags = json.dumps([{"start": 0, "end": 7, "tag": "GE2017"}])
    rows = [
        ["1440716895355764743", "1440716895355764743", "", "", "", "4203239195", "", "", "", "2021-09-22T16:37:29.000Z",
         "#GE2017, \"quoted\"", "en", "Twitter Web App", tags, "", "", "4203239195", "someone", "Some One", "2015-11-16T17:03:41.000Z", "34920", "False"],
        ["1440716895355764744", "1440716895355764700", "", "1440716895355764700", "", "99", "", "14291684", "",
         "2021-09-22T16:38:00.000Z", "RT @UKLabour: hello", "en", "Twitter for iPhone", "", "", "", "99", "other", "O", "", "", ""],
    ]
    f = _write_csv(tmp_path / "twarc.csv", header, rows)
    st, summary = _study(tmp_path, f)
    assert summary.files[0].format == "twarc-csv"
    posts = _posts(st)
    assert posts["1440716895355764743"]["text"] == '#GE2017, "quoted"'
    assert list(posts["1440716895355764743"]["hashtags"]) == ["GE2017"]
    rt = posts["1440716895355764744"]
    assert rt["kind"] == "retweet" and rt["ref_account_id"] == "14291684" and rt["ref_handle"] == "UKLabour" and rt["text"] == "hello"
    acc = st.pandas("accounts").set_index("account_id")
    assert acc.loc["4203239195", "followers"] == 34920 and acc.loc["4203239195", "verified"] == False  # noqa: E712


def test_bluesky_jetstream(tmp_path: Path) -> None:
    did, other = "did:plc:abc123", "did:plc:zzz999"
    events = [
        {"did": did, "time_us": 1725911162329308, "kind": "commit", "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3l3qo2vutsw2b", "cid": "c",
         "record": {"$type": "app.bsky.feed.post", "createdAt": "2024-09-09T19:46:02.102Z", "langs": ["en"], "text": "Vote! #GE2024 https://x.org",
                    "facets": [{"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "GE2024"}]}, {"features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.org"}]}]}}},
        {"did": other, "time_us": 1725911163000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.repost", "rkey": "rp1",
         "record": {"$type": "app.bsky.feed.repost", "createdAt": "2024-09-09T19:46:03Z", "subject": {"uri": f"at://{did}/app.bsky.feed.post/3l3qo2vutsw2b", "cid": "c"}}}},
        {"did": other, "time_us": 1725911164000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "rep1",
         "record": {"text": "agreed", "createdAt": "2024-09-09T19:46:04Z", "reply": {"parent": {"uri": f"at://{did}/app.bsky.feed.post/3l3qo2vutsw2b"}, "root": {"uri": f"at://{did}/app.bsky.feed.post/3l3qo2vutsw2b"}}}}},
        {"did": other, "time_us": 1725911165000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "l1", "record": {"subject": {}}}},
        {"did": other, "time_us": 1725911166000000, "kind": "identity", "identity": {"did": other, "handle": "voter.bsky.social", "seq": 1, "time": "2024-09-09T19:46:06Z"}},
    ]
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].format == "bluesky-jetstream" and summary.files[0].rejected == 0
    posts = _posts(st)
    assert set(posts) == {f"{did}/3l3qo2vutsw2b", f"{other}/rp1", f"{other}/rep1"}
    p = posts[f"{did}/3l3qo2vutsw2b"]
    assert p["platform"] == "bluesky" and list(p["hashtags"]) == ["GE2024"] and list(p["urls"]) == ["https://x.org"]
    assert posts[f"{other}/rp1"]["kind"] == "retweet" and posts[f"{other}/rp1"]["ref_post_id"] == p["post_id"]
    assert posts[f"{other}/rep1"]["kind"] == "reply" and posts[f"{other}/rep1"]["ref_account_id"] == did
    acc = st.pandas("accounts").set_index("account_id")
    assert acc.loc[other, "handle"] == "voter.bsky.social"


def test_mastodon_statuses(tmp_path: Path) -> None:
    acct = {"id": "1", "username": "alice", "acct": "alice@example.social", "display_name": "Alice", "url": "https://example.social/@alice",
            "note": "<p>I &amp; you</p>", "created_at": "2022-11-01T00:00:00.000Z", "followers_count": 10, "following_count": 3,
            "statuses_count": 99, "bot": True, "avatar": "https://example.social/avatars/original/missing.png"}
    s1 = {"id": "111", "uri": "https://example.social/users/alice/statuses/111", "created_at": "2024-06-01T10:00:00.000Z",
          "content": "<p>Hello <a href=\"https://x\">#<span>GE2024</span></a><br>line2 &lt;b&gt;</p>", "language": "en", "account": acct,
          "reblog": None, "in_reply_to_id": None, "tags": [{"name": "ge2024"}], "mentions": [], "application": {"name": "Web"}}
    s2 = {"id": "112", "uri": "https://example.social/users/alice/statuses/112", "created_at": "2024-06-01T10:05:00.000Z", "content": "",
          "account": acct, "reblog": dict(s1, account=dict(acct, url="https://other/@bob", acct="bob@other", id="9")), "tags": []}
    f = tmp_path / "masto.json"
    f.write_text(json.dumps([s1, s2]))
    st, summary = _study(tmp_path, f)
    assert summary.files[0].format == "mastodon-status"
    posts = _posts(st)
    p1 = posts[s1["uri"]]
    assert p1["text"] == "Hello #GE2024\nline2 <b>" and p1["platform"] == "mastodon" and p1["client"] == "Web"
    p2 = posts[s2["uri"]]
    assert p2["kind"] == "retweet" and p2["ref_post_id"] == s1["uri"] and p2["ref_handle"] == "bob@other"
    assert p2["lang"] == "en"  # the boost's own status has no language; the boosted one's is its text's
    acc = st.pandas("accounts").set_index("account_id")
    a = acc.loc["https://example.social/@alice"]
    assert a["description"] == "I & you" and a["default_image"] == True and json.loads(a["extra"])["bot"] is True  # noqa: E712


@pytest.mark.parametrize(
    "content, expected",
    [
        (b'{"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "user": {"id_str": "2"}, "text": "x"}\n', "twitter-v1.1"),
        (b'[{"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "user": {"id_str": "2"}, "text": "x"}]', "twitter-v1.1"),
        (b'{"data": [], "meta": {}}\n', "twitter-v2-page"),
        (b"tweetid,userid,tweet_text,tweet_time\n", "io-archive-tweets"),
        (b"\xef\xbb\xbfauthor_id,content,region,language,publish_date\n", "ira-538-tweets"),
    ],
)
def test_sniffing_needs_no_flag_and_ignores_compression(tmp_path: Path, content: bytes, expected: str) -> None:
    for name, data in (("plain", content), ("gz.bin", gzip.compress(content))):
        p = tmp_path / name
        p.write_bytes(data)
        src = InputSource.open(p)
        try:
            assert sniff(src) == expected
        finally:
            src.close()


def test_a_bluesky_hashtag_typed_without_a_tag_facet_is_a_hashtag(tmp_path: Path) -> None:
    """`collect bluesky --election uk-ge2017` kept 100 posts with "#GE2017" in their text and no
    tag facet (its filter reads the text), and `analyze` then said no post belonged to the
    election: the reader took hashtags from facets only. A faceted tag is not listed twice."""
    did = "did:plc:abc123"

    def post(rkey: str, text: str, facets: list) -> dict:
        return {"did": did, "time_us": 1496300000000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                "record": {"createdAt": "2017-06-01T10:00:00Z", "langs": ["en"], "text": text, "facets": facets}}}

    tag = [{"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "GE2017"}]}]
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [post("a", "Polls tonight #GE2017 #ToriesOut", []), post("b", "Vote #GE2017", tag),
                                                      post("c", "Q&A #1 no tag: &#8217;s", [])]) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    posts = _posts(st)
    assert list(posts[f"{did}/a"]["hashtags"]) == ["GE2017", "ToriesOut"]
    assert list(posts[f"{did}/b"]["hashtags"]) == ["GE2017"]
    assert list(posts[f"{did}/c"]["hashtags"]) == []  # "#1" (all digits) and an entity are no tags


def test_a_mastodon_note_or_status_holding_a_script_element_keeps_its_words_not_its_code() -> None:
    """A note "<p>Voter &amp; citizen <script>alert('note')</script></p>" became the description
    "Voter & citizen alert('note')", and "alert" raised the bot score as an automation word."""
    from botwatch.ingest.other_platforms import html_to_text

    assert html_to_text("<p>Voter &amp; citizen <script>alert('note')</script></p>") == "Voter & citizen"
    assert html_to_text("<p>a<br>b</p><p>c <STYLE type='x'>p{x:1}</style>d</p>") == "a\nb\nc d"
    assert html_to_text("<p>x <script>never closed") == "x"
    assert html_to_text("<p>a &lt;script&gt; typed as text</p>") == "a <script> typed as text"  # escaped text stays text


def test_a_mastodon_replys_target_account_is_keyed_as_the_accounts_table_keys_it(tmp_path: Path) -> None:
    """A reply named its target by the serving instance's local account id ("9"), which matched no
    account (keyed by profile URL) and no party handle; the status's mentions hold that id's URL
    and handle, and a reply in one's own thread answers its author."""
    alice = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    bob = {"id": "9", "username": "bob", "acct": "bob@other.social", "url": "https://other.social/@bob"}
    base = {"created_at": "2024-06-01T10:00:00.000Z", "content": "<p>@bob yes</p>", "account": alice, "tags": []}
    to_bob = dict(base, id="201", uri="https://example.social/users/alice/statuses/201", in_reply_to_id="77", in_reply_to_account_id="9",
                  mentions=[{"id": "9", "username": "bob", "acct": "bob@other.social", "url": "https://other.social/@bob"}])
    to_self = dict(base, id="202", uri="https://example.social/users/alice/statuses/202", in_reply_to_id="201", in_reply_to_account_id="1", mentions=[])
    unmentioned = dict(base, id="203", uri="https://example.social/users/alice/statuses/203", in_reply_to_id="78", in_reply_to_account_id="5", mentions=[])
    f = tmp_path / "replies.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in (to_bob, to_self, unmentioned)) + "\n")
    st, _ = _study(tmp_path, f)
    posts = _posts(st)
    r = posts[to_bob["uri"]]
    assert r["kind"] == "reply" and r["ref_account_id"] == bob["url"] and r["ref_handle"] == "bob@other.social"
    assert posts[to_self["uri"]]["ref_account_id"] == alice["url"] and posts[to_self["uri"]]["ref_handle"] == "alice"
    # nothing better known than the local id, named with the instance that gave it (alice's, a local account)
    assert posts[unmentioned["uri"]]["ref_account_id"] == "https://example.social/api/v1/accounts/5"
    assert not isinstance(posts[unmentioned["uri"]]["ref_handle"], str)
    # the post answered: its local id, keyed by whom it answers (the status gives no global id for it);
    # a post of the instance's own account is keyed by its URI, which holds that id (to_bob's here)
    assert r["ref_post_id"] == "https://other.social/@bob#77" and posts[to_self["uri"]]["ref_post_id"] == to_bob["uri"]


def test_a_mastodon_quote_names_whom_it_quotes(tmp_path: Path) -> None:
    """A quote kept the quoted status but not its author, so a cluster's quotes were counted among
    shares that name no account and never among the accounts it amplified."""
    alice = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    bob = {"id": "9", "username": "bob", "acct": "bob@other.social", "url": "https://other.social/@bob"}
    quoted = {"id": "5", "uri": "https://other.social/users/bob/statuses/5", "account": bob, "content": "<p>x</p>"}
    s = {"id": "301", "uri": "https://example.social/users/alice/statuses/301", "created_at": "2024-06-01T10:00:00.000Z", "content": "<p>see</p>",
         "account": alice, "tags": [], "quote": {"state": "accepted", "quoted_status": quoted}}
    f = tmp_path / "quote.jsonl"
    f.write_text(json.dumps(s) + "\n")
    st, _ = _study(tmp_path, f)
    q = _posts(st)[s["uri"]]
    assert q["kind"] == "quote" and q["ref_post_id"] == quoted["uri"] and q["ref_account_id"] == bob["url"] and q["ref_handle"] == "bob@other.social"


def test_a_mastodon_statuss_links_are_its_contents_not_only_its_preview_card(tmp_path: Path) -> None:
    """A status's links were read from its preview card alone; a server fetches the card after the
    status is posted, so a streamed status (as `collect mastodon` captures them) mostly has none,
    and a status of two links has one card: its links were missing from `urls` (co-link, links per
    post). Mention and hashtag anchors are no links."""
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    content = ('<p><span class="h-card"><a href="https://a.social/@bob" class="u-url mention">@<span>bob</span></a></span> see '
               '<a href="https://news.example/a?x=1&amp;y=2" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span>'
               '<span>news.example/a?x=1&amp;y=2</span></a> and <a href="https://b.example/">b.example</a> '
               '<a href="https://a.social/tags/GE" class="mention hashtag" rel="tag">#<span>GE</span></a> '
               '<a href="javascript:alert(1)">x</a></p>')
    base = {"created_at": "2024-06-01T10:00:00.000Z", "content": content, "account": acct, "tags": [{"name": "GE"}], "mentions": []}
    streamed = dict(base, id="1", uri="https://a.social/users/alice/statuses/1", card=None)
    fetched = dict(base, id="2", uri="https://a.social/users/alice/statuses/2", card={"url": "https://b.example/"})
    f = tmp_path / "links.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in (streamed, fetched)) + "\n")
    st, _ = _study(tmp_path, f)
    posts = _posts(st)
    for s in (streamed, fetched):
        assert list(posts[s["uri"]]["urls"]) == ["https://news.example/a?x=1&y=2", "https://b.example/"]
    from botwatch.ingest.other_platforms import _content_links

    assert _content_links("<A HREF='https://q.r/x'>x</A> <a href=https://s.t/>s</a> <a data-href=\"https://u.v/\">u</a>", None) == ["https://q.r/x", "https://s.t/"]


def test_a_mastodon_statuss_content_warning_is_part_of_its_text(tmp_path: Path) -> None:
    """The content warning (`spoiler_text`) was dropped: on political Mastodon it often names the
    topic ("uspol") above a body that does not, so party matching and language detection never saw
    it, and a status with a warning and no body had no text at all."""
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    base = {"created_at": "2024-06-01T10:00:00.000Z", "account": acct, "tags": [], "mentions": []}
    both = dict(base, id="1", uri="https://a.social/s/1", spoiler_text=" UK politics, Labour ", content="<p>A long thread.</p>")
    cw_only = dict(base, id="2", uri="https://a.social/s/2", spoiler_text="uspol", content="")
    plain = dict(base, id="3", uri="https://a.social/s/3", spoiler_text="", content="<p>no warning</p>")
    boost = dict(base, id="4", uri="https://a.social/s/4", spoiler_text="", content="", reblog=both)
    f = tmp_path / "cw.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in (both, cw_only, plain, boost)) + "\n")
    st, _ = _study(tmp_path, f)
    posts = _posts(st)
    assert posts[both["uri"]]["text"] == "UK politics, Labour\n\nA long thread."
    assert posts[cw_only["uri"]]["text"] == "uspol"
    assert posts[plain["uri"]]["text"] == "no warning"
    assert posts[boost["uri"]]["text"] == "UK politics, Labour\n\nA long thread."  # the boosted status's warning


def test_a_hashtag_typed_in_a_mastodon_content_warning_is_among_the_statuss_hashtags() -> None:
    """The server tags the body alone: "#GE2017" in the warning was in the text but in no post's
    hashtags, so the election match and co-hashtags never saw it. A boost's are the boosted status's."""
    from botwatch.ingest.other_platforms import handle_mastodon

    class Rows:
        def __init__(self) -> None:
            self.posts: list[dict] = []

        def post(self, row: dict, line: int) -> None:
            self.posts.append(row)

        def account(self, row: dict, line: int) -> None:
            pass

    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    s = {"id": "1", "uri": "https://a.social/s/1", "created_at": "2024-06-01T10:00:00.000Z", "account": acct, "mentions": [],
         "spoiler_text": "#GE2017 #Labour, #1 and #ge2017 again", "content": "<p>#labour</p>", "tags": [{"name": "labour"}]}
    rows = Rows()
    handle_mastodon(s, 1, rows)
    handle_mastodon(dict(s, id="2", uri="https://a.social/s/2", spoiler_text="", content="", tags=[], reblog=s), 2, rows)
    assert [list(r["hashtags"]) for r in rows.posts] == [["labour", "GE2017"]] * 2


def test_a_bluesky_post_dated_after_the_network_relayed_it_takes_the_relay_time(tmp_path: Path) -> None:
    """`createdAt` is whatever the client wrote: one post dated 2099 in a 2024 Jetstream capture
    made the study's period covered, its timelines and day counts run to 2099. Nothing is made
    after the network relayed it (`time_us`), so a time past that by more than Bluesky's 2-minute
    clock-skew window is the relay time; a few seconds of skew are kept as written."""
    did = "did:plc:abc123"
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [_jet_post(did, "future", "2099-06-01T12:00:00Z"), _jet_post(did, "skew", "2024-06-01T12:00:30Z"),
                                                      _jet_post(did, "tiny", "2024-06-01T12:00:00Z", 1),
                                                      _jet_post(did, "huge", "2024-06-01T12:00:00Z", 10**30)]) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    posts = _posts(st)
    assert str(posts[f"{did}/future"]["created_at"]) == "2024-06-01 12:00:00"
    assert str(posts[f"{did}/skew"]["created_at"]) == "2024-06-01 12:00:30"
    # a time_us that is no microsecond count (a hand-made file's) is not compared, nor a reason to reject
    assert str(posts[f"{did}/tiny"]["created_at"]) == str(posts[f"{did}/huge"]["created_at"]) == "2024-06-01 12:00:00"


def test_a_bluesky_post_relayed_at_a_time_after_the_ingest_keeps_its_own_date(tmp_path: Path) -> None:
    """A relay whose clock ran years ahead wrote `time_us` 2100: the post, whose `createdAt` was
    right, was "dated when relayed", 2100, and the study's period covered ran to 2100. A relay
    time after tomorrow is no time a relay wrote, and is not compared."""
    did = "did:plc:abc123"
    f = tmp_path / "jet.jsonl"
    f.write_text(json.dumps(_jet_post(did, "ahead", "2024-06-01T12:00:00Z", 4_102_444_800_000_000)) + "\n")  # 2100-01-01
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    assert str(_posts(st)[f"{did}/ahead"]["created_at"]) == "2024-06-01 12:00:00"


def test_a_bluesky_post_without_created_at_is_not_dated_by_a_relay_time_after_tomorrow(tmp_path: Path) -> None:
    """A post with no `createdAt` is dated when relayed (`time_us`); one relayed "in 2100" (a relay
    whose clock ran ahead) was dated 2100, and the study's period covered ran to 2100. With no time
    left it is undatable, and rejected with its reason and line as a post with no time is on the
    other readers; one relayed at a plausible time still takes it."""
    did = "did:plc:abc123"
    f = tmp_path / "jet.jsonl"
    ahead, now = _jet_post(did, "ahead", "", 4_102_444_800_000_000), _jet_post(did, "dated", "")  # 2100-01-01; 2024-06-01T12:00:00Z
    for e in (ahead, now):
        del e["commit"]["record"]["createdAt"]
    f.write_text(json.dumps(ahead) + "\n" + json.dumps(now) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 1
    assert {k: str(v["created_at"]) for k, v in _posts(st).items()} == {f"{did}/dated": "2024-06-01 12:00:00"}
    (line, error), = st.sql("SELECT line, error FROM rejected")
    assert line == 1 and "record.createdAt" in error and "time_us" in error and "after tomorrow" in error, error


def _jet_post(did: str, rkey: str, created: str, time_us: int = 1717243200000000) -> dict:  # 2024-06-01T12:00:00Z
    """A Jetstream event creating a Bluesky post whose record claims `created`, relayed at `time_us`."""
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
            "record": {"createdAt": created, "langs": ["en"], "text": "Vote"}}}


def test_a_backdated_bluesky_post_is_dated_when_relayed_and_its_claim_kept(tmp_path: Path) -> None:
    """A client can write any `createdAt`: a post relayed in 2024 claiming 2015 stood outside the
    election window (or, claiming a day inside it, among its bursts) at its author's choice. More
    than a day before the relay's time it takes the relay's time; the claim is kept in
    `rejected` beside a repair note and counted on the file's line. A delay under a day (a relay
    catching up) is kept as written. Read again, nothing is stored or noted twice."""
    did = "did:plc:abc123"
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [_jet_post(did, "old", "2015-03-01T09:00:00+01:00"), _jet_post(did, "late", "2024-05-31T14:00:00Z"),
                                                      _jet_post(did, "future", "2099-06-01T12:00:00Z")]) + "\n")
    st, summary = _study(tmp_path, f)
    res = summary.files[0]
    assert (res.stored, res.rejected, res.repaired, res.redated) == (3, 0, 2, 2)
    posts = _posts(st)
    assert str(posts[f"{did}/old"]["created_at"]) == "2024-06-01 12:00:00"
    assert str(posts[f"{did}/late"]["created_at"]) == "2024-05-31 14:00:00"
    notes = st.pandas("rejected").sort_values("line").to_dict("records")
    assert [n["line"] for n in notes] == [1, 3]
    assert notes[0]["error"].startswith("repaired, record kept: record.createdAt 2015-03-01T08:00:00 is before the relay's time_us 2024-06-01T12:00:00")
    assert json.loads(notes[0]["raw"])["commit"]["record"]["createdAt"] == "2015-03-01T09:00:00+01:00"
    again = ingest(st, [str(f)], force=True)
    assert again.files[0].stored == 0 and len(st.pandas("rejected")) == 2 and len(st.pandas("posts")) == 3


def test_whom_a_mastodon_status_boosts_or_quotes_is_a_known_account(tmp_path: Path) -> None:
    """A boost or quote holds its target author's whole account object; the reader kept only the
    poster's, so an amplified account (its bot flag, age, counts) was unknown to the accounts
    table and `explain`, where a retweeted or quoted author's profile is kept on Twitter."""
    alice = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    bob = {"id": "9", "username": "bob", "acct": "bob@other.social", "url": "https://other.social/@bob", "bot": True,
           "created_at": "2024-05-01T00:00:00.000Z", "followers_count": 7, "note": "<p>news &amp; feed</p>"}
    carol = {"id": "8", "username": "carol", "acct": "carol@third.social", "url": "https://third.social/@carol", "followers_count": 3}
    target = {"id": "5", "uri": "https://other.social/users/bob/statuses/5", "created_at": "2024-06-01T09:00:00.000Z", "account": bob,
              "content": "<p>x</p>", "tags": []}
    quoted = {"id": "6", "uri": "https://third.social/users/carol/statuses/6", "account": carol, "content": "<p>y</p>"}
    boost = {"id": "300", "uri": "https://example.social/users/alice/statuses/300/activity", "created_at": "2024-06-01T10:00:00.000Z",
             "content": "", "account": alice, "reblog": target, "tags": []}
    quote = {"id": "301", "uri": "https://example.social/users/alice/statuses/301", "created_at": "2024-06-01T10:01:00.000Z",
             "content": "<p>see</p>", "account": alice, "tags": [], "quote": {"state": "accepted", "quoted_status": quoted}}
    f = tmp_path / "amplified.jsonl"
    f.write_text(json.dumps(boost) + "\n" + json.dumps(quote) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    acc = st.pandas("accounts").set_index("account_id")
    assert set(acc.index) == {alice["url"], bob["url"], carol["url"]}
    b = acc.loc[bob["url"]]
    assert b["handle"] == "bob@other.social" and b["followers"] == 7 and b["description"] == "news & feed"
    assert json.loads(b["extra"])["bot"] is True and str(b["created_at"]) == "2024-05-01 00:00:00"
    assert acc.loc[carol["url"], "handle"] == "carol@third.social"

    # an author named only by a local id (no profile URL) is the serving instance's: not pooled
    boost2 = dict(boost, id="302", uri="https://example.social/users/alice/statuses/302/activity",
                  reblog=dict(target, uri="https://other.social/users/dan/statuses/7", account={"id": "9", "acct": "dan@other.social"}))
    g = tmp_path / "local.jsonl"
    g.write_text(json.dumps(boost2) + "\n")
    ingest(st, [str(g)])
    assert "9" not in set(st.pandas("accounts")["account_id"])


def test_a_bluesky_post_embedding_a_feed_or_list_is_no_quote(tmp_path: Path) -> None:
    """`app.bsky.embed.record` holds any record: a post sharing a feed, list or starter pack was
    stored as a quote of its owner, of a post `did/rkey` that never exists (a party account's list
    shared counted as quoting the party). A post embedding a post is still a quote."""
    did, party = "did:plc:abc123", "did:plc:party"

    def post(rkey: str, uri: str, media: bool = False) -> dict:
        rec = {"$type": "app.bsky.embed.record", "record": {"uri": uri, "cid": "c"}}
        embed = {"$type": "app.bsky.embed.recordWithMedia", "record": rec, "media": {"$type": "app.bsky.embed.images", "images": []}} if media else rec
        return {"did": did, "time_us": 1717243200000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                "record": {"createdAt": "2024-06-01T12:00:00Z", "text": "look", "embed": embed}}}

    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [post("list", f"at://{party}/app.bsky.graph.list/3kcandidates"),
                                                      post("feed", f"at://{party}/app.bsky.feed.generator/news", media=True),
                                                      post("quote", f"at://{party}/app.bsky.feed.post/3kpost", media=True)]) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    posts = _posts(st)
    for rkey in ("list", "feed"):
        p = posts[f"{did}/{rkey}"]
        assert p["kind"] == "original" and not isinstance(p["ref_post_id"], str) and not isinstance(p["ref_account_id"], str), p
    q = posts[f"{did}/quote"]
    assert q["kind"] == "quote" and q["ref_post_id"] == f"{party}/3kpost" and q["ref_account_id"] == party


def test_deletes_and_edits_in_a_capture_change_nothing_stored_as_docs_collect_says(tmp_path: Path) -> None:
    """docs/collect.md: a Jetstream delete or update and a Mastodon stream `delete` or
    `status.update` are records that are not posts and change no post stored; an edit is kept
    beside its post (`test_an_edited_post_keeps_its_first_text_and_its_edits_beside_it`), and a
    delete is counted as a delete notice."""
    did = "did:plc:abc123"
    commit = {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "p1", "record": {"createdAt": "2024-06-01T12:00:00Z", "text": "first"}}
    jet = [{"did": did, "time_us": 1717243200000000, "kind": "commit", "commit": commit},
           {"did": did, "time_us": 1717243201000000, "kind": "commit", "commit": dict(commit, operation="update", record=dict(commit["record"], text="edited"))},
           {"did": did, "time_us": 1717243202000000, "kind": "commit", "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": "p1"}}]
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    status = {"id": "11", "uri": "https://example.social/users/alice/statuses/11", "created_at": "2024-06-01T12:00:00.000Z", "content": "<p>first</p>", "account": acct}
    masto = [{"stream": ["public"], "event": "update", "payload": json.dumps(status)},
             {"stream": ["public"], "event": "status.update", "payload": json.dumps(dict(status, content="<p>edited</p>"))},
             {"stream": ["public"], "event": "delete", "payload": "11"}]
    (tmp_path / "jet.jsonl").write_text("\n".join(json.dumps(e) for e in jet) + "\n")
    (tmp_path / "masto.jsonl").write_text("\n".join(json.dumps(e) for e in masto) + "\n")
    st, summary = _study(tmp_path, tmp_path / "jet.jsonl", tmp_path / "masto.jsonl")
    assert [(f.stored, f.rejected, f.edited, f.deleted) for f in summary.files] == [(1, 0, 1, 1), (1, 0, 1, 1)]  # deletes counted as delete notices
    assert {p["text"] for p in _posts(st).values()} == {"first"}


def test_a_bluesky_profile_record_gives_the_accounts_name_and_description(tmp_path: Path) -> None:
    """`app.bsky.actor.profile` commits were skipped: Bluesky accounts had no display name or
    description, so their evidence and the name and description signals had nothing to read. The
    latest profile by `time_us` wins, whatever the order of the lines or files; re-reading adds no
    snapshot; the record's `createdAt` (when the profile record was written) is no creation date."""
    did = "did:plc:abc123"

    def profile(t_us: int, name: str, op: str = "update", rkey: str = "self", **more) -> dict:
        rec = {"$type": "app.bsky.actor.profile", "createdAt": "2024-09-01T00:00:00Z", "displayName": name,
               "avatar": {"$type": "blob", "ref": {"$link": "bafk"}, "mimeType": "image/jpeg", "size": 1000}, **more}
        return {"did": did, "time_us": t_us, "kind": "commit", "commit": {"rev": "r", "operation": op, "collection": "app.bsky.actor.profile",
                                                                          "rkey": rkey, "cid": "c", "record": rec}}

    post = {"did": did, "time_us": 1725911162000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "p1",
            "record": {"createdAt": "2024-09-09T19:46:02Z", "text": "Vote! #GE2024"}}}
    first, older = tmp_path / "jet.jsonl", tmp_path / "older.jsonl"
    first.write_text("\n".join(json.dumps(e) for e in [
        profile(1725911170000000, "Latest Name", description="Voter in Leeds"),
        post,
        profile(1725911160000000, "Earlier Name", op="create", description="old words"),  # relayed earlier, read later
        profile(1725911180000000, "Not the profile", rkey="other"),
    ]) + "\n")
    older.write_text(json.dumps(profile(1725000000000000, "Oldest Name", description="oldest words")) + "\n")
    st, summary = _study(tmp_path, first)
    assert summary.files[0].rejected == 0 and len(_posts(st)) == 1
    snaps = st.sql("SELECT count(*) FROM account_snapshots")[0][0]
    st.close()
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    ingest(st, [str(first)])  # again: nothing new
    ingest(st, [str(older)])  # a capture of an older profile, read last
    acc = st.sql("SELECT display_name, description, created_at, followers, posts_count FROM accounts WHERE account_id = ?", [did])
    assert acc == [("Latest Name", "Voter in Leeds", None, None, None)]
    assert st.sql("SELECT count(*) FROM accounts")[0][0] == 1
    assert st.sql("SELECT count(*) FROM account_snapshots")[0][0] == snaps + 1  # the older file's one, not the first's again


def test_a_bluesky_handle_that_failed_validation_is_no_handle(tmp_path: Path) -> None:
    """An `identity` event names the handle `handle.invalid` when the account's handle failed
    validation. Stored as a handle, it replaced the account's last known one, and every such
    account read "@handle.invalid"."""
    def ident(did: str, t: int, handle: str) -> dict:
        return {"did": did, "time_us": 1725911160000000 + t * 1000000, "kind": "identity",
                "identity": {"did": did, "handle": handle, "seq": t, "time": f"2024-09-09T19:46:{t:02d}Z"}}

    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [ident("did:plc:a", 1, "voter.bsky.social"), ident("did:plc:a", 2, "handle.invalid"),
                                                      ident("did:plc:b", 3, "handle.invalid")]) + "\n")
    st, summary = _study(tmp_path, f)
    assert summary.files[0].rejected == 0
    assert dict(st.sql("SELECT account_id, handle FROM accounts")) == {"did:plc:a": "voter.bsky.social", "did:plc:b": None}


def test_ingest_says_how_many_bluesky_posts_were_redated_and_where_their_claims_are(tmp_path: Path) -> None:
    """The file's line names the redated among its repaired, and the summary says why they were
    redated and where the claimed times are, not that a UTF-16 surrogate was mended."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    did = "did:plc:abc123"
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(e) for e in [_jet_post(did, "old", "2015-03-01T09:00:00Z"), _jet_post(did, "now", "2024-06-01T11:59:59Z")]) + "\n")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "repaired 1 (1 of them redated)," in text, res.output
    assert "1 Bluesky post claimed a time (createdAt) more than a day before, or minutes after, the network relayed it" in text, res.output
    assert "'repaired, record kept: record.createdAt'" in text and "surrogate" not in text, res.output


def test_an_edited_post_keeps_its_first_text_and_its_edits_beside_it(tmp_path: Path) -> None:
    """A Bluesky post record rewritten (`update` commit) and a Mastodon `status.update` were
    skipped as no post: the new text was lost. The post keeps its first text (what readers saw
    first); each edit is kept in `rejected` under its own note, counted neither as rejected nor as
    repaired, and ingesting the file again adds nothing twice."""
    did = "did:plc:abc123"
    edit = _jet_post(did, "p", "2024-06-01T12:00:00Z", 1717243300000000)
    edit["commit"] = dict(edit["commit"], operation="update", record={"createdAt": "2024-06-01T12:00:00Z", "text": "Vote Labour"})
    jet = tmp_path / "jet.jsonl"
    jet.write_text("\n".join(json.dumps(e) for e in [_jet_post(did, "p", "2024-06-01T12:00:00Z"), edit]) + "\n")
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    status = {"id": "7", "uri": "https://a.social/users/alice/statuses/7", "created_at": "2024-06-01T10:00:00.000Z", "account": acct,
              "content": "<p>Vote</p>", "tags": []}
    edited = dict(status, content="<p>Vote Labour</p>", edited_at="2024-06-01T10:05:00.000Z")
    toot = tmp_path / "stream.jsonl"
    toot.write_text("\n".join(json.dumps({"stream": ["public"], "event": e, "payload": json.dumps(s)})
                              for e, s in [("update", status), ("status.update", edited)]) + "\n")
    st, summary = _study(tmp_path, jet, toot)
    assert [(f.stored, f.rejected, f.repaired, f.edited) for f in summary.files] == [(1, 0, 0, 1)] * 2
    posts = _posts(st)
    assert posts[f"{did}/p"]["text"] == "Vote" and posts[status["uri"]]["text"] == "Vote"
    notes = st.pandas("rejected").sort_values("source").to_dict("records")
    assert [n["error"].split(";")[0] for n in notes] == [f"edited, first text kept: post {did}/p rewritten (relayed at 2024-06-01T12:01:40)",
                                                         f"edited, first text kept: status {status['uri']} edited at 2024-06-01T10:05:00"]
    assert json.loads(notes[0]["raw"])["commit"]["record"]["text"] == "Vote Labour"
    assert json.loads(notes[1]["raw"])["content"] == "<p>Vote Labour</p>"
    from botwatch.report.section_overview import study_summary

    assert (study_summary(st)["rejected"], study_summary(st)["repaired"]) == (0, 0)
    again = ingest(st, [str(jet), str(toot)], force=True)
    assert [f.stored for f in again.files] == [0, 0] and len(st.pandas("rejected")) == 2 and len(st.pandas("posts")) == 2


def test_ingest_says_how_many_edits_it_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's line counts the edits kept, which are neither rejected nor repaired records."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.terminal import wide_consoles

    wide_consoles(monkeypatch)

    did = "did:plc:abc123"
    edit = _jet_post(did, "p", "2024-06-01T12:00:00Z")
    edit["commit"]["operation"] = "update"
    f = tmp_path / "jet.jsonl"
    f.write_text(json.dumps(_jet_post(did, "p", "2024-06-01T12:00:00Z")) + "\n" + json.dumps(edit) + "\n")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "stored 1, duplicates 0, rejected 0, edits kept 1, accounts 1" in text, res.output
    # The edit is said once: it was also "1 of them not a post: profiles, account events and the
    # like" on the same line, in the runs message, the summary's "not posts" and Methods.
    assert "read 2, stored 1" in text and "not post" not in text, res.output
    assert "edits kept" in res.output.split("Ingest summary")[1]  # the summary table's column
    import re

    from botwatch import open_study
    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import study_summary

    with open_study(tmp_path / "s.duckdb") as st:
        assert st.sql("SELECT message FROM runs WHERE stage = 'ingest'")[0][0] == "read 2, stored 1, duplicates 0, rejected 0, edits kept 1"
        said = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
        assert study_summary(st)["files"][0][3] == 0  # the overview's "not posts" column
    assert "0 were duplicates of posts already stored, 1 was an edit of a stored post (kept beside its first text) and 0 could not be read" in said, said


def test_a_zip_read_by_url_is_not_given_a_command_naming_the_url(tmp_path: Path) -> None:
    """`ingest --engine spark s3a://b/tweets.zip` reads a local copy under the URL's name: the
    refusal told the user to run `python -m zipfile -e s3a://b/tweets.zip s3a://b/tweets`, which
    `zipfile` cannot open. A local zip keeps its own command."""
    import zipfile

    from botwatch.ingest.runner import stage_into

    packed = tmp_path / "tweets.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("a.jsonl", "{}\n")
    for url in ("s3a://bucket/tweets.zip", "file:/data/tweets.zip"):
        said = stage_into(str(packed), lambda kind, t: None, name=url).unreadable or ""
        assert "unpack it first (`python -m zipfile -e FILE FOLDER`)" in said and "-e s3a" not in said and "-e file:" not in said, said
    said = stage_into(str(packed), lambda kind, t: None).unreadable or ""
    assert f"`python -m zipfile -e {packed} {tmp_path / 'tweets'}`" in said, said
