"""A hostile or broken record, in any reader, is kept aside or stored with what could be read;
it never costs the rest of its file, and no traceback reaches the user.

Found by feeding every reader records mutated at every field (a count beyond 64 bits, a list
where an object belongs, a number where a list belongs): until then one such record raised
something other than `RecordError`, or failed the Arrow batch at flush, and the whole file was
rolled back ("failed ...: OverflowError ... nothing from this file was stored")."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner as runner_mod
from botwatch.ingest.formats import FORMATS, classify_json
from botwatch.ingest.runner import ingest
from botwatch.ingest.sink import RecordError, RowSink
from botwatch.ingest.surrogates import loads_repairing
from botwatch.schema import POSTS, REJECTED, SNAPSHOT_ROW

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _v1(i: int, **user: Any) -> dict[str, Any]:
    return {
        "id_str": str(1000 + i), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": f"post {i}",
        "user": {"id_str": str(50 + i), "screen_name": f"user{i}", "followers_count": 10, "utc_offset": 3600, **user},
        "entities": {"hashtags": [], "user_mentions": [], "urls": []},
    }


# Values out of the range of the columns they fill: int64 counts, the int32 utc_offset.
OUT_OF_RANGE: list[tuple[str, Any]] = [
    ("followers_count", 10**30), ("followers_count", 2**63), ("friends_count", -(10**25)), ("statuses_count", 1e300),
    ("listed_count", 2**64 + 5), ("favourites_count", "1e400"), ("followers_count", "99999999999999999999999"), ("utc_offset", 2**40),
]


@pytest.mark.parametrize("field, value", OUT_OF_RANGE)
def test_a_count_out_of_range_is_stored_as_unknown_and_the_file_goes_in(tmp_path: Path, field: str, value: Any) -> None:
    """`"followers_count": 1e30` in one status failed the file: "OverflowError: Python int too
    large to convert to C long (nothing from this file was stored)", exit 1."""
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(_v1(i, **({field: value} if i == 1 else {}))) for i in range(3)) + "\n")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(f)])
    assert res.exit_code == 0, res.output
    assert "Error:" not in res.output and "failed /" not in res.output and "Traceback" not in res.output
    with open_study(study) as st:
        assert st.count("posts") == 3
        col = {"followers_count": "followers", "friends_count": "following", "statuses_count": "posts_count", "utc_offset": "utc_offset",
               "listed_count": "json_extract(extra, '$.listed_count')", "favourites_count": "json_extract(extra, '$.likes_count')"}[field]
        assert st.sql(f"SELECT {col} FROM accounts WHERE account_id = '51'")[0][0] in (None, "null")


def test_out_of_range_counts_in_csv_and_other_json_readers_are_unknown_too(tmp_path: Path) -> None:
    """The same count through the CSV readers (a cell "1e30" or "1e400") and Mastodon's JSON."""
    io = tmp_path / "io.csv"
    io.write_text("tweetid,userid,tweet_text,tweet_time,follower_count,following_count\n"
                  "1,2,a,2016-01-01 10:00,5,1\n2,3,b,2016-01-01 10:00,1e30,1e400\n3,4,c,2016-01-01 10:00,7,99999999999999999999999\n")
    acct = {"id": "1", "acct": "a", "url": "https://m/@a", "followers_count": 10**30, "following_count": 1e300, "statuses_count": 2**63}
    masto = tmp_path / "m.json"
    masto.write_text(json.dumps([{"id": str(i), "uri": f"https://m/s/{i}", "created_at": "2024-06-01T10:00:00Z", "content": "<p>x</p>",
                                  "account": acct if i == 1 else dict(acct, followers_count=3)} for i in range(3)]))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = ingest(st, [str(io), str(masto)], workers=1).files
        assert [(r.error, r.stored, r.rejected) for r in files] == [(None, 3, 0), (None, 3, 0)]


def test_the_sql_reader_stores_an_out_of_range_count_as_the_python_readers_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large v1.1 files are read by DuckDB, which hands the lines it doubts to the Python
    readers: an out-of-range count is one of those, and must not fail the file there either."""
    monkeypatch.setattr(runner_mod, "NATIVE_MIN_BYTES", 0)
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(_v1(i, **({"followers_count": 10**30, "utc_offset": 2**40} if i == 1 else {}))) for i in range(3)) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        r = ingest(st, [str(f)], workers=1).files[0]
        assert (r.error, r.format, r.stored) == (None, "twitter-v1.1", 3)
        assert st.sql("SELECT followers, utc_offset FROM accounts WHERE account_id = '51'")[0] == (None, None)


# -- every JSON reader, every field, hostile values ---------------------------------------------

_DID = "did:plc:abc"
_ACCT = {"id": "1", "username": "alice", "acct": "alice@x", "display_name": "Alice", "url": "https://x/@alice", "note": "<p>n</p>",
         "created_at": "2022-11-01T00:00:00.000Z", "followers_count": 10, "following_count": 3, "statuses_count": 99, "bot": True,
         "avatar": "https://x/missing.png"}
_STATUS = {"id": "111", "uri": "https://x/s/111", "created_at": "2024-06-01T10:00:00.000Z", "content": "<p>Hello</p>", "language": "en",
           "account": _ACCT, "card": {"url": "https://c"}, "reblog": None, "in_reply_to_id": None, "tags": [{"name": "t"}],
           "mentions": [{"acct": "m"}], "application": {"name": "Web"}, "quote": {"quoted_status": {"id": "5"}}}


def _seeds() -> dict[str, Any]:
    """One valid record of each JSON layout, with the optional parts that have their own code."""
    return {
        "v1.1": json.loads((FIX / "v1_uklabour.jsonl").read_text().splitlines()[0]),
        "v2 page": json.loads(gzip.decompress((FIX / "twarc2_two_tweets.jsonl.gz").read_bytes()).splitlines()[0]),
        "v2 flat": json.loads((FIX / "twarc2_flat.jsonl").read_text().splitlines()[0]),
        "jetstream post": {"did": _DID, "time_us": 1725911162329308, "kind": "commit", "commit": {
            "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3l3", "record": {
                "createdAt": "2024-09-09T19:46:02.102Z", "langs": ["en"], "text": "Vote #GE",
                "reply": {"parent": {"uri": f"at://{_DID}/app.bsky.feed.post/1"}},
                "embed": {"$type": "app.bsky.embed.record", "record": {"uri": f"at://{_DID}/app.bsky.feed.post/2"}},
                "facets": [{"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "GE"}]}]}}},
        "jetstream repost": {"did": _DID, "time_us": 1725911163000000, "kind": "commit", "commit": {
            "operation": "create", "collection": "app.bsky.feed.repost", "rkey": "rp1",
            "record": {"createdAt": "2024-09-09T19:46:03Z", "subject": {"uri": f"at://{_DID}/app.bsky.feed.post/1"}}}},
        "jetstream identity": {"did": _DID, "time_us": 1, "kind": "identity", "identity": {"handle": "h.bsky.social", "time": "2024-09-09T19:46:06Z"}},
        "mastodon": _STATUS,
        "mastodon reblog": dict(_STATUS, reblog=dict(_STATUS, account=dict(_ACCT, id="9"))),
        "mastodon reply": dict(_STATUS, in_reply_to_id="7", in_reply_to_account_id="8"),
        "mastodon stream": {"stream": ["public"], "event": "update", "payload": _STATUS},
        "twibot20": {"ID": "17", "profile": {"id_str": "17 ", "screen_name": "S ", "followers_count": "15 ", "friends_count": "6 ",
                                             "listed_count": "4 ", "created_at": "Fri Nov 07 18:29:22 +0000 2008 ", "verified": "True "},
                     "tweet": ["x"], "domain": ["Politics"], "label": "0"},
    }


HOSTILE: list[Any] = [None, 1.5, 1e300, 2**64 + 5, True, "", "x", [], {}, [None], [[]], [{}], "1e400"]


def _paths(obj: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, at + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:1]):  # the first element: the code is the same for the others
            out += _paths(v, at + (i,))
    return out


def _with(obj: Any, at: tuple[Any, ...], value: Any) -> Any:
    obj = copy.deepcopy(obj)
    node = obj
    for k in at[:-1]:
        node = node[k]
    node[at[-1]] = value
    return obj


def _flush_as_arrow(table: str, batch: Any) -> None:
    """The batch was built against its schema: that is where an out-of-range value used to fail."""
    assert batch.schema in (POSTS, SNAPSHOT_ROW, REJECTED)


@pytest.mark.parametrize("name", list(_seeds()))
def test_any_field_of_any_json_layout_replaced_by_a_hostile_value_only_rejects_the_record(name: str) -> None:
    """Each field of a valid record (and the record's parts) replaced by a value of another JSON
    type or out of range: the reader stores the record, or rejects it with a `RecordError`, and
    its batch builds. Found: `"facets": 5` and a `$type` that is not a string (Bluesky), an
    `includes.users` of null, a `referenced_tweets` type that is a list (v2), counts beyond 64
    bits (all readers): each failed its whole file."""
    seed = _seeds()[name]
    fmt = classify_json(seed)
    assert fmt is not None
    handler = FORMATS[fmt].handler
    failures = []
    for at in _paths(seed)[1:]:
        for value in HOSTILE:
            obj, _ = loads_repairing(json.dumps(_with(seed, at, value)).encode())  # as read from a file (big ints become floats)
            sink = RowSink(_flush_as_arrow, "f", fmt, batch_rows=1)
            try:
                handler(obj, 1, sink)
                sink.flush()
            except RecordError:
                pass
            except Exception as exc:  # noqa: BLE001 - collected to name every failing field at once
                failures.append(f"{'.'.join(map(str, at))} = {value!r}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(sorted(set(failures))[:20])


# -- times at the edges of the calendar ---------------------------------------------------------


def test_posts_dated_year_1_and_9999_are_analysed(tmp_path: Path) -> None:
    """Ingest stores any time from year 1 to 9999 (tests/test_ingest_hostile.py); one post
    dated "Mon Jan 01 00:00:00 +0000 0001" then stopped `analyze --election us-2016` with
    "OverflowError: date value out of range. This is a bug in botwatch" (New York's local day of
    it is in year 0), before any stage and again in the timeline stage's offsets."""
    times = ["Mon Jan 01 00:00:00 +0000 0001", "Fri Dec 31 23:59:59 +0000 9999", "Wed May 10 20:19:24 +0000 2017"]
    f = tmp_path / "edges.jsonl"
    f.write_text("\n".join(json.dumps(dict(_v1(i), created_at=t)) for i, t in enumerate(times)) + "\n")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    for election in ("us-2016", "uk-ge2017"):
        res = runner.invoke(app, ["analyze", str(study), "--election", election, "--only", "timeline"])
        assert res.exit_code == 0 and "bug" not in res.output, res.output


def test_the_zone_helpers_answer_at_the_edges_of_the_calendar() -> None:
    """The two conversions that overflowed, at the first and last instants a datetime holds."""
    from botwatch.elections.model import load_election
    from botwatch.timeline import zones

    first, last = datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)
    for name in ("us-2016", "uk-ge2017"):
        election = load_election(name)
        assert zones.local_date(election, first) == first.date()  # year 0 locally: the UTC day
        assert zones.local_date(election, last) == last.date()
        table = zones.offsets_table([first, last], election.timezone)
        assert table.num_rows == 2


def test_the_posts_over_time_chart_keeps_to_its_bar_limit_whatever_the_span(tmp_path: Path) -> None:
    """One post dated year 1 and one dated 9999 beside real ones drew 120,000 monthly bars (a
    13 MB report of empty bars for 4 posts): months had no limit, though the chart's own rule is
    at most `MAX_BARS`. Longer spans now go by years, then by spans of several years."""
    from datetime import timedelta

    import pyarrow as pa

    from botwatch.report.section_overview import MAX_BARS, overview, posts_over_time

    spans = {"year": [datetime(1990, 1, 1), datetime(2017, 5, 1), datetime(2090, 1, 1)],
             "25-year span": [datetime(1, 1, 1), datetime(2017, 5, 1), datetime(9999, 12, 31, 23, 59, 59)]}
    for want, times in spans.items():
        rows = [dict(platform="twitter", post_id=f"p{i}", account_id="a", created_at=t) for i, t in enumerate(times)]
        rows += [dict(platform="twitter", post_id=f"q{i}", account_id="a", created_at=datetime(2017, 5, 1) + timedelta(hours=i)) for i in range(20)]
        with open_study(tmp_path / f"{want}.duckdb", read_only=False) as st:
            st.con.register("_t", pa.Table.from_pylist(rows))
            st.sql("INSERT INTO posts BY NAME SELECT * FROM _t")
            unit, buckets, counts = posts_over_time(st)
            html = str(overview(st, {}).html)
        assert unit == want and len(buckets) <= MAX_BARS and sum(counts) == len(rows)
        assert buckets == sorted(buckets) and buckets[0] <= times[0].date() and html.count("<rect") == len(buckets)


def test_the_accounts_created_chart_keeps_to_a_bar_limit_whatever_the_creation_dates() -> None:
    """A profile created "0001-01-01" (a placeholder some archives write for unknown) beside one
    of 2017 drew a bar for every month between: 24,000 bars, an 11.8 MB report for 25 posts.
    Long spans now go by years, then by spans of years; the election's marks stay on their bar."""
    from types import SimpleNamespace

    from botwatch.report.svg import MAX_BARS
    from botwatch.timeline.report import creation_bars, dense_months

    election = SimpleNamespace(trigger_date=datetime(2017, 4, 18).date(), polling_day=datetime(2017, 6, 8).date())
    short = [(datetime(2016, 11, 1), 3), (datetime(2017, 6, 1), 1)]
    assert creation_bars(short, election)[:2] == (*dense_months(short),)  # as before when the months fit
    for first, want in ((datetime(1950, 1, 1), "year"), (datetime(1, 1, 1), "6-year span")):
        monthly = [(first, 2), (datetime(2017, 4, 1), 5), (datetime(2017, 6, 1), 7)]
        labels, values, marks, unit = creation_bars(monthly, election)
        assert unit == want and len(labels) <= MAX_BARS and sum(values) == 14
        assert len(marks) == 1 and marks[0][1] == "election called; polling day"  # one bar holds both
        bar = labels[marks[0][0]]
        assert bar == "2017" if want == "year" else int(bar[:4]) <= 2017 <= int(bar[-4:])


# -- files whose lines end in CR alone ----------------------------------------------------------


@pytest.mark.parametrize("name", ["ira_tweets.csv", "v1_uklabour.jsonl"])
def test_a_file_whose_lines_end_in_cr_alone_says_so(tmp_path: Path, name: str) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone. Such a CSV was refused as "not a
    known CSV header (first columns: )" (an empty list), and JSON lines as "no record in the first
    lines matches a known format": nothing said what was wrong, or how to fix it."""
    f = tmp_path / name
    f.write_bytes((FIX / name).read_bytes().replace(b"\n", b"\r"))
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f)])
    assert res.exit_code == 1, res.output
    assert "CR alone" in res.output and "tr '\\r' '\\n'" in res.output and "first columns: )" not in res.output
    if name.endswith(".csv"):  # read through a column map, it said "no CSV header line"
        mapped = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f), "--columns", "account_id=author_id,created_at=publish_date,text=content"])
        assert mapped.exit_code == 1 and "CR alone" in mapped.output, mapped.output


# -- ids a spreadsheet rounded ------------------------------------------------------------------


def test_ids_a_spreadsheet_wrote_in_scientific_notation_are_not_merged_as_duplicates(tmp_path: Path) -> None:
    """A CSV saved from Excel holds 64-bit ids as "1.23457E+18": distinct posts got one id, and
    all but the first were counted as duplicates and dropped, exit 0 ("read 3, stored 1,
    duplicates 2"). Such a row is now rejected with the reason (the id's digits are gone); a
    reference so written is unknown; an IRA row falls back to the id made from its content."""
    io = tmp_path / "io.csv"
    io.write_text("tweetid,userid,tweet_text,tweet_time,retweet_tweetid,is_retweet\n"
                  "1.23457E+18,25,one,2016-01-01 10:00,,false\n1.23457E+18,25,two,2016-01-01 11:00,,false\n"
                  "7,2.5E+17,three,2016-01-01 12:00,,false\n8,25,four,2016-01-01 13:00,9.1E+17,true\n")
    twarc = tmp_path / "twarc.csv"
    twarc.write_text("id,text,created_at,author_id\n1.23457E+18,a,2021-01-01T00:00:00Z,5\n11,b,2021-01-01T00:00:01Z,5\n")
    ira = tmp_path / "ira.csv"
    ira.write_text("author,content,publish_date,tweet_id\nann,x,1/1/2017 10:00,9.87654E+17\nann,y,1/1/2017 10:01,9.87654E+17\n")
    mapped = tmp_path / "tool.csv"
    mapped.write_text("pid,uid,t,body\n4.4E+18,1,2017-01-01 10:00,p\n4.4E+18,1,2017-01-01 10:01,q\n12,1,2017-01-01 10:02,r\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = ingest(st, [str(io), str(twarc), str(ira)], workers=1).files
        assert [(r.stored, r.duplicates, r.rejected) for r in files] == [(1, 0, 3), (1, 0, 1), (2, 0, 0)]
        errors = [e for (e,) in st.sql("SELECT error FROM rejected ORDER BY source, line")]
        assert all("scientific notation" in e for e in errors), errors
        assert st.sql("SELECT ref_post_id FROM posts WHERE post_id = '8'")[0][0] is None
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(mapped), "--columns", "post_id=pid,account_id=uid,created_at=t,text=body"])
    assert "stored 1, duplicates 0, rejected 2" in res.output, res.output


# -- an election file with an event beyond the calendar ----------------------------------------


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_an_event_whose_utc_time_is_beyond_the_calendar_is_a_line_naming_it(tmp_path: Path, at: str) -> None:
    """An event `at = 9999-12-31T23:59:59-12:00` (in UTC, year 10000) made `elections check` say
    "OverflowError: date value out of range. This is a bug in botwatch"."""
    shown = runner.invoke(app, ["elections", "show", "uk-ge2017", "--toml"])
    text = shown.output.replace('key = "uk-ge2017"', 'key = "mine"', 1).replace("at = 2017-04-18T11:15:00+01:00", f"at = {at}", 1)
    f = tmp_path / "mine.toml"
    f.write_text(text)
    res = runner.invoke(app, ["elections", "check", str(f)])
    assert res.exit_code == 2 and "bug" not in res.output, res.output
    assert "events[0].at" in res.output and "outside the years 1-9999" in res.output


def test_accounts_top_beyond_64_bits_lists_them_all(tmp_path: Path) -> None:
    """`accounts --top 100000000000000000000` (meaning "all") said "ConversionException ... This
    is a bug in botwatch": the number went to SQL's LIMIT, a 64-bit integer."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    for extra in ([], ["--json"]):
        res = runner.invoke(app, ["accounts", str(study), "--top", str(10**20), *extra])
        assert res.exit_code == 0 and "bug" not in res.output, res.output


def test_a_blank_id_is_said_to_be_missing_not_of_the_wrong_type() -> None:
    """`"id_str": " "` was rejected as "post id has wrong type str": a string, said not to be one."""
    from botwatch.ingest.fields import req_id

    with pytest.raises(RecordError, match=r"^missing post id \(blank\)$"):
        req_id("  ", "post id")
    with pytest.raises(RecordError, match="wrong type list"):
        req_id(["1"], "post id")


def test_an_id_beyond_64_bits_without_id_str_is_said_to_be_out_of_range(tmp_path: Path) -> None:
    """A v1.1 status whose user id (or post id) is a number past 2**64, with no `id_str`, reaches
    the reader as a rounded float, and was rejected as "user id has wrong type float": the id is a
    whole number in the file, too large to read exactly. A float written as one stays "wrong type"."""
    from botwatch.ingest.fields import req_id

    base = {"id": 1, "id_str": "1", "created_at": "Sun May 07 20:02:01 +0000 2017", "text": "hi",
            "user": {"id": 0, "screen_name": "x", "created_at": "Thu Apr 03 08:57:48 +0000 2008"}}
    big = "123456789012345678901234567"
    lines = [json.dumps(base).replace('"id": 0', f'"id": {big}'),
             json.dumps({k: v for k, v in base.items() if k != "id_str"}).replace('"id": 1', f'"id": {big}'),
             json.dumps({**base, "id": 2, "id_str": "2"})]
    src = tmp_path / "big.jsonl"
    src.write_text("\n".join(lines) + "\n")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(src)])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        got = st.sql("SELECT line, error FROM rejected ORDER BY line")
    assert got == [(1, "user id is out of range: a number beyond 64 bits, which cannot be read exactly"),
                   (2, "post id is out of range: a number beyond 64 bits, which cannot be read exactly")]
    with pytest.raises(RecordError, match="wrong type float"):
        req_id(1.5, "post id")


# -- the same rows with other line endings --------------------------------------------------------


def test_a_crlf_copy_of_a_csv_without_ids_adds_no_post_twice(tmp_path: Path) -> None:
    """IRA tweets (no tweet_id) and a --columns CSV without post ids get ids made from the text as
    the file has it. A multi-line text holds CRLF in a copy saved on Windows (or checked out with
    autocrlf), so every multi-line post of that copy got a second id and was stored twice. Ids of
    single-line posts are unchanged (the first one below is pinned)."""
    lf = tmp_path / "ira_lf.csv"
    lf.write_bytes(b'author,content,publish_date\nann,"line one\nline two",1/1/2017 10:00\nbob,plain,1/1/2017 10:01\n')
    crlf = tmp_path / "ira_crlf.csv"
    crlf.write_bytes(lf.read_bytes().replace(b"\n", b"\r\n"))
    tool_lf, tool_crlf = tmp_path / "tool_lf.csv", tmp_path / "tool_crlf.csv"
    tool_lf.write_bytes(b'uid,t,body\n1,2017-01-01 10:00,"a\nb"\n2,2017-01-01 10:01,c\n')
    tool_crlf.write_bytes(tool_lf.read_bytes().replace(b"\n", b"\r\n"))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = ingest(st, [str(lf), str(crlf)], workers=1).files
        assert [(r.stored, r.duplicates) for r in files] == [(2, 0), (0, 2)]
        assert st.sql("SELECT post_id FROM posts WHERE text = 'plain'")[0][0] == "ira538-ef2950069b33894f8a0a"
    study = str(tmp_path / "t.duckdb")
    cols = ["--columns", "account_id=uid,created_at=t,text=body"]
    assert "stored 2, duplicates 0" in runner.invoke(app, ["ingest", study, str(tool_lf), *cols]).output
    again = runner.invoke(app, ["ingest", study, str(tool_crlf), *cols])
    assert "stored 0, duplicates 2" in again.output, again.output


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.integers(), st.floats(), st.text(max_size=30), st.integers().map(str), st.floats().map(str), st.none(), st.booleans()))
def test_a_count_is_unknown_or_fits_its_column(value: Any) -> None:
    """Whatever a count field holds, the reader's count is None or fits the int64 column (and the
    int32 one for utc_offset), so no value reaches an Arrow batch it would fail."""
    from botwatch.ingest.fields import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, opt_int, opt_int32

    n, small = opt_int(value), opt_int32(value)
    assert n is None or (type(n) is int and INT64_MIN <= n <= INT64_MAX)
    assert small is None or (type(small) is int and INT32_MIN <= small <= INT32_MAX)


# -- bursts over a series with a post thousands of years away -----------------------------------


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 40)), min_size=1, max_size=60),
       far=st.lists(st.integers(3001, 6000), max_size=3), hourly=st.booleans())
def test_bursts_found_island_by_island_are_those_of_the_dense_series(rows: list[tuple[int, int]], far: list[int], hourly: bool) -> None:
    """`find_bursts_sparse` (posts split where no post falls within the baseline's look-back)
    finds exactly the bursts `find_bursts` finds on the gap-free series."""
    from datetime import timedelta

    from botwatch.timeline import bursts as b

    step, period, lookback = (timedelta(hours=1), 24, 7) if hourly else (timedelta(days=1), 1, 14)
    at = {i: n for i, n in rows} | {i: 9 for i in far}
    t0 = datetime(2016, 1, 1)
    buckets = [t0 + i * step for i in sorted(at)]
    counts = [at[i] for i in sorted(at)]
    times, arr = b.dense(buckets, counts, step)
    assert b.find_bursts_sparse(buckets, counts, step, period=period, lookback=lookback) == b.find_bursts(times, arr, period=period, lookback=lookback)


def test_one_post_dated_9999_does_not_make_bursts_fill_the_memory() -> None:
    """200 posts of October 2016 and one dated 9999-12-31: `analyze` was killed for memory (the
    bursts stage built an hourly series of 70 million hours and a list of as many datetimes)."""
    from datetime import timedelta

    from botwatch.timeline import bursts as b

    buckets = [datetime(2016, 10, 10) + timedelta(hours=i) for i in range(200)] + [datetime(9999, 12, 31, 23)]
    counts = [3] * 150 + [60] + [3] * 49 + [1]
    found = b.find_bursts_sparse(buckets, counts, timedelta(hours=1), period=24, lookback=7)
    assert [bu.peak_at for bu in found] == [datetime(2016, 10, 10) + timedelta(hours=150)]


def test_a_window_of_centuries_skips_the_event_test_with_a_note_instead_of_filling_the_memory(tmp_path: Path) -> None:
    """A hand-written election whose window runs from year 1 to 9999, with posts near both ends:
    the bursts stage's event test built a dense hourly series of the window's 87 million hours
    per group and per permutation, and `analyze` was killed for memory without a word. The test
    is now skipped past `EVENT_TEST_MAX_HOURS` with a note naming the span; bursts are still found."""
    import re
    from importlib import resources

    from botwatch.study import Study

    preset = resources.files("botwatch.elections").joinpath("presets", "us-2016.toml").read_text(encoding="utf-8")
    toml = tmp_path / "centuries.toml"
    text = re.sub(r"\[window\]\nstart = [0-9-]+\nend = [0-9-]+", "[window]\nstart = 0001-01-02\nend = 9999-12-30", preset)
    toml.write_text(re.sub(r'(?m)^key = "us-2016"', 'key = "us-centuries"', text), encoding="utf-8")
    times = ["Tue Jan 02 12:00:00 +0000 0001", "Thu Dec 30 12:00:00 +0000 9999"] + [f"Mon Oct 10 {h:02d}:00:00 +0000 2016" for h in range(24)]
    f = tmp_path / "far.jsonl"
    f.write_text("\n".join(json.dumps(dict(_v1(i), created_at=t, text=f"Trump rally {i}")) for i, t in enumerate(times)) + "\n")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--election", str(toml), "--only", "bursts", "--with-deps"])
    assert res.exit_code == 0 and "bug" not in res.output, res.output
    with Study(study, read_only=True) as st:
        assert st.count("event_tests") == 0
        notes = [n for (n,) in st.sql("SELECT note FROM timeline_notes WHERE stage = 'bursts'")]
    assert any("event test is not run" in n and "0001-01-02" in n and "9999-12-3" in n for n in notes), notes


def test_an_empty_study_or_input_path_is_said_to_be_empty(tmp_path: Path) -> None:
    """`botwatch ingest "$STUDY" "$FILE"` with a variable unset: the empty study path was read as
    the current folder ("error:  is a folder: …") and an empty input as a nameless missing file
    ("failed : no such file", a summary table, exit 1). One line each, exit 2, nothing created."""
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(_v1(1)) + "\n")
    study = tmp_path / "s.duckdb"
    for args, said in ((["", str(f)], "the study path is empty"), ([str(study), ""], "an input path is empty"),
                       ([str(study), str(f), ""], "an input path is empty")):
        res = runner.invoke(app, ["ingest", *args])
        assert res.exit_code == 2 and said in res.output, res.output
    assert not study.exists()
