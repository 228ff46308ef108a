"""One status saved pretty-printed (`curl .../statuses/ID | jq . > s.json`) is one record over
many lines: it was refused as matching no format, though the same object on one line was read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from botwatch import open_study
from botwatch.ingest.runner import ingest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
ACCT = {"id": "1", "username": "alice", "acct": "alice@example.social", "display_name": "Alice",
        "url": "https://example.social/@alice", "note": "", "created_at": "2022-11-01T00:00:00.000Z",
        "followers_count": 10, "following_count": 3, "statuses_count": 99, "bot": False}
MASTODON = {"id": "111", "uri": "https://example.social/users/alice/statuses/111", "created_at": "2024-06-01T10:00:00.000Z",
            "content": "<p>Hello\\nthere</p>", "language": "en", "account": ACCT, "reblog": None, "tags": [], "mentions": []}


def _ingest(tmp_path: Path, f: Path, **kw):
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    return st, ingest(st, [str(f)], **kw)


def test_a_pretty_printed_mastodon_status_is_read_as_one_record(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps(MASTODON, indent=2) + "\n")
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "mastodon-status" and summary.files[0].read == 1
    assert list(st.pandas("posts")["post_id"]) == [MASTODON["uri"]]
    assert st.pandas("rejected").empty


def test_a_pretty_printed_twitter_status_gzipped_is_read_as_one_record(tmp_path: Path) -> None:
    status = json.loads((FIX / "v1_uklabour.jsonl").read_text().splitlines()[0])
    f = tmp_path / "t.json.gz"
    f.write_bytes(gzip.compress(json.dumps(status, indent=4).encode()))
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1"
    assert list(st.pandas("posts")["post_id"]) == [status["id_str"]]


def test_a_pretty_printed_twitter_v2_tweet_is_read(tmp_path: Path) -> None:
    tweet = json.loads((FIX / "twarc2_flat.jsonl").read_text().splitlines()[0])
    f = tmp_path / "t.json"
    f.write_text(json.dumps(tweet, indent=2))
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v2-flat"
    assert list(st.pandas("posts")["post_id"]) == [tweet["id"]]


def test_json_lines_behind_a_lone_brace_line_are_still_read_line_by_line(tmp_path: Path) -> None:
    lines = (FIX / "v1_uklabour.jsonl").read_text().splitlines()
    f = tmp_path / "t.jsonl"
    f.write_text("{\n" + "\n".join(lines) + "\n")
    st, summary = _ingest(tmp_path, f)
    assert len(st.pandas("posts")) == len({json.loads(l)["id_str"] for l in lines})
    assert list(st.pandas("rejected")["line"]) == [1]


def test_a_pretty_printed_object_over_the_record_limit_is_refused_saying_so(tmp_path: Path) -> None:
    f = tmp_path / "big.json"
    f.write_text(json.dumps(dict(MASTODON, content="x" * 3_000_000), indent=2))
    st, summary = _ingest(tmp_path, f, max_record_bytes=2 << 20)
    assert "longer than 2 MB" in (summary.files[0].unreadable or "")
