"""Twitter's `&amp;` `&lt;` `&gt;` in post text are decoded at ingest, once, the same on every path
(ingest/html_entities.py): the lenient and typed v1.1 readers, DuckDB's native v1.1 reader, v2 pages
and flattened tweets, and the Twitter CSV exports, where a text is decoded only when it can be the
escaped form. Ids never depend on the decoding, so a study ingested before it stores nothing twice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch import open_study
from botwatch.ingest import csv_formats, html_entities, native_v1, runner, twitter_v1, twitter_v1_fast, twitter_v2
from botwatch.ingest.html_entities import decode, decode_if_escaped, decode_sql
from botwatch.ingest.runner import ingest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# (as the API sends it, as posted)
CASES = [
    ("Q&amp;A with @x", "Q&A with @x"),
    ("&lt;script&gt;window.__pwned=1&lt;/script&gt;", "<script>window.__pwned=1</script>"),
    ("typed literally: &amp;amp; and &amp;lt;", "typed literally: &amp; and &lt;"),  # Twitter escaped the user's "&amp;"
    ("&quot;quoted&quot; &#39;x&#39; stay", "&quot;quoted&quot; &#39;x&#39; stay"),  # never made by Twitter: kept
    ("no entity at all", "no entity at all"),
    ("&AMP; &amp &ampx;", "&AMP; &amp &ampx;"),
]


@pytest.mark.parametrize(("sent", "posted"), CASES)
def test_the_three_entities_are_decoded_once_and_nothing_else(sent: str, posted: str) -> None:
    assert decode(sent) == posted


def test_a_csv_text_is_decoded_only_when_it_can_be_the_escaped_form() -> None:
    assert decode_if_escaped("Harbottle &amp; Lewis") == "Harbottle & Lewis"
    assert decode_if_escaped("shaved legs &gt; shaving legs &lt;") == "shaved legs > shaving legs <"
    # Already decoded by the collector (a bare "&", "<" or ">", or another entity): kept as written.
    kept = ['If you piss them off, every "&" you type will say "&amp;"', "a < b &amp; c", "x > y &amp;", "Om&auml;r R&amp;B"]
    for text in kept:
        assert decode_if_escaped(text) == text


@pytest.fixture(scope="module")
def decode_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory DuckDB for the property test's examples: opening a database costs more than
    the query each example runs (300 examples), and no example leaves anything in it (each is a
    SELECT), so every example still runs the same SQL on an empty database."""
    con = duckdb.connect()
    yield con
    con.close()


_TEXTS = st.text(alphabet=st.sampled_from(list("&;amplgtAx <>#3")), max_size=40) | st.sampled_from([s for s, _ in CASES])


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_TEXTS, min_size=1, max_size=20))
def test_the_native_readers_sql_decodes_exactly_as_python(decode_con: duckdb.DuckDBPyConnection, texts: list[str]) -> None:
    con = decode_con
    got = [r[0] for r in con.execute(f"SELECT {decode_sql('t')} FROM (SELECT unnest(?::VARCHAR[]) AS t, generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i",
                                     [texts, texts]).fetchall()]
    assert got == [decode(t) for t in texts]
    assert con.execute(f"SELECT {decode_sql('NULL::VARCHAR')}").fetchone() == (None,)


# -- the readers ---------------------------------------------------------------------------------------


class _Sink:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def post(self, row: dict[str, Any], line: int) -> None:
        self.posts.append(row)

    def account(self, row: dict[str, Any], line: int) -> None:
        pass


def _v1(i: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"id_str": str(9000 + i), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": text,
            "user": {"id_str": "42", "screen_name": "someone", "description": "Fish & chips <3"}, **extra}


def _v1_statuses() -> list[dict[str, Any]]:
    out = [_v1(i, sent) for i, (sent, _) in enumerate(CASES)]
    # A retweet's text is the retweeted status's; an extended tweet's its full text.
    out.append(_v1(50, "RT @a: Q&amp;A …", retweeted_status={"id_str": "77", "text": "Q&amp;A &lt;3", "user": {"id_str": "43"}}))
    out.append(_v1(51, "short", extended_tweet={"full_text": "long &gt; short &amp; more"}))
    return out


V1_POSTED = [posted for _, posted in CASES] + ["Q&A <3", "long > short & more"]


def test_both_python_v1_readers_store_the_decoded_text() -> None:
    lenient, fast = _Sink(), _Sink()
    for i, obj in enumerate(_v1_statuses()):
        twitter_v1.handle_status(obj, i + 1, lenient)
        assert twitter_v1_fast.fast_status(json.dumps(obj).encode(), i + 1, fast)
    assert [p["text"] for p in lenient.posts] == [p["text"] for p in fast.posts] == V1_POSTED


def _ingest_texts(tmp: Path, name: str, files: list[Path], *, native: bool = False) -> dict[str, str]:
    with mock.patch.object(runner, "NATIVE_MIN_BYTES", 0 if native else 1 << 62), open_study(tmp / f"{name}.duckdb", read_only=False) as study:
        ingest(study, [str(f) for f in files], workers=1)
        return dict(study.sql("SELECT post_id, text FROM posts"))


def test_the_duckdb_native_reader_stores_what_the_python_readers_store(tmp_path: Path) -> None:
    f = tmp_path / "v1.jsonl"
    f.write_text("".join(json.dumps(o) + "\n" for o in _v1_statuses()), encoding="utf-8")
    native = _ingest_texts(tmp_path, "native", [f], native=True)
    python = _ingest_texts(tmp_path, "python", [f])
    assert native == python
    assert sorted(native.values()) == sorted(V1_POSTED)


def test_v2_pages_and_flattened_tweets_are_decoded() -> None:
    page = {"data": [{"id": "1", "author_id": "9", "created_at": "2019-01-01T00:00:00.000Z", "text": "A &amp; B &lt;3"},
                     {"id": "2", "author_id": "9", "created_at": "2019-01-01T00:00:01.000Z", "text": "RT @x: C &amp; D …",
                      "referenced_tweets": [{"type": "retweeted", "id": "3"}]}],
            "includes": {"tweets": [{"id": "3", "author_id": "8", "text": "C &amp; D &gt; E"}], "users": []}}
    sink = _Sink()
    twitter_v2.handle_page(page, 1, sink)
    twitter_v2.handle_flat({"id": "4", "author_id": "9", "created_at": "2019-01-01T00:00:00.000Z", "text": "F &amp;amp; G"}, 2, sink)
    assert [p["text"] for p in sink.posts] == ["A & B <3", "C & D > E", "F &amp; G"]


def _ira_csv(path: Path, contents: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates", "post_type", "retweet"])
        for i, c in enumerate(contents):
            w.writerow(["SomeTroll", c, "United States", "English", f"2017-01-0{i + 1} 10:00:00", f"2017-01-0{i + 1} 10:05:00", "1", "2", "3", "", "0"])
    return path


IRA_CONTENTS = [
    "Dolce &amp; Gabbana &gt; the rest #fashion",  # harvested escaped
    'If you piss them off, every "&" you type will say "&amp;"',  # harvested decoded, with a literal "&amp;"
    "RT @other: Q&amp;A tonight https://t.co/x?a=1&amp;b=2",
]


def test_the_ira_csv_decodes_escaped_rows_only_and_keeps_its_text_hash_ids(tmp_path: Path) -> None:
    f = _ira_csv(tmp_path / "ira.csv", IRA_CONTENTS)
    with open_study(tmp_path / "s.duckdb", read_only=False) as study:
        ingest(study, [str(f)], workers=1)
        rows = dict(study.sql("SELECT post_id, text FROM posts"))
        urls = study.sql("SELECT urls FROM posts WHERE kind = 'retweet'")[0][0]
    # The id hashes the text as the file has it (csv_formats.handle_ira_tweet), as before decoding existed.
    ids = ["ira538-" + hashlib.blake2b(f"sometroll\x1f2017-01-0{i + 1} 10:00:00\x1f{c}".encode(), digest_size=10).hexdigest()
           for i, c in enumerate(IRA_CONTENTS)]
    assert rows == {ids[0]: "Dolce & Gabbana > the rest #fashion", ids[1]: IRA_CONTENTS[1], ids[2]: "Q&A tonight https://t.co/x?a=1&b=2"}
    assert urls == ["https://t.co/x?a=1&b=2"]


def test_twarc_csv_text_is_decoded() -> None:
    sink = _Sink()
    csv_formats.handle_twarc_csv({"id": "5", "author_id": "9", "created_at": "2021-01-01T00:00:00.000Z", "text": "H &amp; M &lt;3"}, 1, sink)
    csv_formats.handle_io_tweet({"tweetid": "6", "userid": "abc", "tweet_time": "2016-01-01 10:00", "tweet_text": "I &amp; J"}, 2, sink)
    assert [p["text"] for p in sink.posts] == ["H & M <3", "I & J"]


def test_other_platforms_are_left_as_they_are() -> None:
    """Bluesky text is plain; Mastodon's HTML is turned into text by its own reader, once."""
    from botwatch.ingest.other_platforms import handle_jetstream, handle_mastodon

    sink = _Sink()
    handle_jetstream({"did": "did:plc:x", "time_us": 1_704_067_200_000_000, "kind": "commit",
                      "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "r1",
                                 "record": {"text": "typed &amp; kept", "createdAt": "2024-01-01T00:00:00Z"}}}, 1, sink)
    handle_mastodon({"uri": "https://m.example/1", "created_at": "2024-01-01T00:00:00Z", "content": "<p>A &amp;amp; B &lt;3</p>",
                     "account": {"url": "https://m.example/@a", "acct": "a"}}, 2, sink)
    assert [p["text"] for p in sink.posts] == ["typed &amp; kept", "A &amp; B <3"]


# -- re-ingest: a study made before the decoding ---------------------------------------------------------


def _without_decoding():  # type: ignore[no-untyped-def]
    """The readers as they were before the decoding: every path stores the text as sent."""
    same = lambda text: text  # noqa: E731
    return mock.patch.multiple(twitter_v1, decode=same), mock.patch.multiple(twitter_v1_fast, decode=same), \
        mock.patch.multiple(twitter_v2, decode=same), mock.patch.multiple(csv_formats, decode_if_escaped=same), \
        mock.patch.multiple(native_v1, decode_sql=same)


@pytest.mark.parametrize("native", [False, True])
def test_a_study_ingested_before_the_decoding_gets_no_duplicates(tmp_path: Path, native: bool) -> None:
    v1 = tmp_path / "v1.jsonl"
    v1.write_text("".join(json.dumps(o) + "\n" for o in _v1_statuses()), encoding="utf-8")
    files = [str(v1), str(_ira_csv(tmp_path / "ira.csv", IRA_CONTENTS)), str(FIX / "twarc2_flat.jsonl")]
    path = tmp_path / "old.duckdb"
    with mock.patch.object(runner, "NATIVE_MIN_BYTES", 0 if native else 1 << 62):
        patches = _without_decoding()
        for p in patches:
            p.start()
        try:
            with open_study(path, read_only=False) as study:
                ingest(study, files, workers=1)
                before = dict(study.sql("SELECT post_id, text FROM posts"))
        finally:
            for p in patches:
                p.stop()
        assert any("&amp;" in t for t in before.values())
        with open_study(path, read_only=False) as study:
            ingest(study, files, workers=1, force=True)  # read again, now decoding
            after = dict(study.sql("SELECT post_id, text FROM posts"))
            assert study.sql("SELECT count(*) - count(DISTINCT (platform, post_id)) FROM posts")[0][0] == 0
        fresh = _ingest_texts(tmp_path, "fresh", [Path(f) for f in files], native=native)
    assert after == before  # nothing stored twice, nothing rewritten: the first copy stays
    assert set(fresh) == set(before)  # the same ids whichever code read the files
    assert any(fresh[k] != before[k] for k in fresh)  # while a new study gets the decoded texts


# -- the shared real data ----------------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "twarc2").is_dir(), reason="../shared/data/twarc2 not present (the real twarc2 files)")
def test_no_entity_is_left_in_the_real_twarc2_and_ge2017_posts(tmp_path: Path) -> None:
    files = sorted((SHARED / "twarc2").glob("*.jsonl.gz")) + sorted((SHARED / "ge2017").glob("*.json.gz"))
    with open_study(tmp_path / "s.duckdb", read_only=False) as study:
        ingest(study, [str(f) for f in files], workers=1)
        left = study.sql("SELECT count(*) FROM posts WHERE regexp_matches(text, '&(amp|lt|gt);')")[0][0]
        decoded = study.sql("SELECT count(*) FROM posts WHERE contains(text, '&') OR contains(text, '<') OR contains(text, '>')")[0][0]
    assert left == 0 and decoded > 0


# -- Spark ------------------------------------------------------------------------------------------------


@pytest.mark.spark
def test_a_spark_lake_stores_the_texts_a_duckdb_study_stores(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`ingest --engine spark` runs the same readers on its executors: the same decoded texts, ids
    and all, and a second call with `--force` adds nothing."""
    import pyarrow.parquet as pq

    from botwatch.engines.lake import naive_utc, table_path
    from botwatch.engines.spark_ingest import ingest_lake

    v1 = tmp_path / "v1.jsonl"
    v1.write_text("".join(json.dumps(o) + "\n" for o in _v1_statuses()), encoding="utf-8")
    files = [str(v1), str(_ira_csv(tmp_path / "ira.csv", IRA_CONTENTS)), str(FIX / "twarc2_flat.jsonl")]
    duck = _ingest_texts(tmp_path, "duck", [Path(f) for f in files])
    lake = tmp_path / "lake"
    for force in (False, True):
        ingest_lake(spark, str(lake), files, force=force)
        posts = naive_utc(pq.read_table(table_path(str(lake), "posts")))
        texts = dict(zip(posts.column("post_id").to_pylist(), posts.column("text").to_pylist()))
        assert len(texts) == posts.num_rows  # nothing stored twice
        assert texts == duck
    assert set(V1_POSTED) <= set(duck.values())


# -- the report ---------------------------------------------------------------------------------------------


def test_the_report_shows_a_decoded_script_tag_as_text_never_as_markup(tmp_path: Path) -> None:
    """A post sent as `&lt;script&gt;` is stored as `<script>` and the report escapes it once, as any
    text: the page shows "<script>…" to the reader and holds no script element of the post's; and
    "Q&amp;A" reads "Q&A", not the entity (which escaping the undecoded text gave: `Q&amp;amp;A`)."""
    from datetime import datetime, timedelta

    from typer.testing import CliRunner

    from botwatch.cli import app

    start = datetime(2017, 5, 20, 9)
    lines = []
    for a in range(6):
        user = {"id_str": str(5000 + a), "screen_name": f"acct{a}", "name": f"Name {a}", "created_at": "Mon Jan 02 10:00:00 +0000 2017",
                "followers_count": 10 * a, "friends_count": 5, "statuses_count": 100 + a}
        for k in range(4):
            when = (start + timedelta(minutes=17 * a + 3 * k)).strftime("%a %b %d %H:%M:%S +0000 %Y")
            text = f"&lt;script&gt;window.__pwned=1&lt;/script&gt; Q&amp;A on Labour &amp; the Tories #GE2017 {a}-{k}"
            lines.append(json.dumps({"id_str": str(800000 + 10 * a + k), "created_at": when, "text": text, "lang": "en", "user": user,
                                     "entities": {"hashtags": [{"text": "GE2017"}]}}))
    src = tmp_path / "h.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    study, out = tmp_path / "s.duckdb", tmp_path / "report.html"
    runner_ = CliRunner()
    assert runner_.invoke(app, ["ingest", str(study), str(src)]).exit_code == 0
    res = runner_.invoke(app, ["analyze", str(study), "--election", "uk-ge2017"])
    assert res.exit_code == 0, res.output
    res = runner_.invoke(app, ["report", str(study), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page  # never markup
    assert "&amp;lt;script" not in page and "Q&amp;amp;A" not in page  # nor the entity as text in the page's HTML
    # The explorer's data (JSON, which its script puts on the page as text) quotes the posts as posted.
    quoted: list[str] = []

    def strings(v: Any) -> None:
        if isinstance(v, str) and "window.__pwned" in v:
            quoted.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                strings(x)
        elif isinstance(v, list):
            for x in v:
                strings(x)

    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        strings(json.loads(block))
    assert quoted and all(q.startswith("<script>window.__pwned=1</script> Q&A on Labour & the Tories") for q in quoted), quoted[:2]


def test_the_ordinary_archives_written_as_v1_read_back_as_posted(tmp_path: Path) -> None:
    """brexit-2016 was scraped (plain text, a typed "&amp;" included); gop-debate-2015 is the API's
    escaped text. Written as v1.1 statuses (accounts/ordinary_archives.py) and read by the v1.1
    reader, the first stays exactly as scraped and the second is decoded."""
    import gzip

    from botwatch.accounts.ordinary_archives import ordinary_as_v1

    brexit = ["Harbottle &amp; Lewis & co <3 > you", "plain"]
    gop = ["Q&amp;A &gt; the debate", "RT @x: fish &amp; chips"]
    for name, header, rows in (
        ("brexit-2016", "tweet_id,user_id,created_at,user_location,text",
         [f"{i + 1},u{i},2016-06-01T10:00:0{i}Z,,{json.dumps(t)}" for i, t in enumerate(brexit)]),
        ("gop-debate-2015", "author,created_at,text,is_retweet,user_location,user_time_zone,row_id",
         [f"a{i},2015-08-07T01:00:0{i}Z,{json.dumps(t)},{int(t.startswith('RT'))},,,{i}" for i, t in enumerate(gop)]),
    ):
        folder = tmp_path / "ordinary" / name
        folder.mkdir(parents=True)
        with gzip.open(folder / "tweets.csv.gz", "wt", encoding="utf-8") as f:
            f.write("\n".join([header, *rows]) + "\n")
    out = tmp_path / "v1.jsonl.gz"
    assert ordinary_as_v1(tmp_path, out) == 4
    sink = _Sink()
    for i, line in enumerate(gzip.open(out, "rt", encoding="utf-8")):
        twitter_v1.handle_status(json.loads(line), i + 1, sink)
    # the retweet is stored with the retweeted text (the v1.1 reader reads `retweeted_status`), decoded too
    assert [p["text"] for p in sink.posts] == [*brexit, "Q&A > the debate", "fish & chips"]
