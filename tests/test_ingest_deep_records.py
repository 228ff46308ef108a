"""A record nested deeper than orjson writes (it reads deeper) is still kept beside its post.

An edited or redated post is stored and its record kept whole in `rejected` (`RowSink.edited`,
`RowSink.redated`); writing that record back with `orjson.dumps` failed on an author's field
nested a few hundred levels deep, and the error failed the whole file, every good post with it."""

from __future__ import annotations

from pathlib import Path

import orjson

from botwatch import open_study
from botwatch.ingest import runner
from botwatch.ingest.fields import KEPT_DEPTH, record_json

DEEP = "[" * 400 + "]" * 400


def _event(rkey: str, second: int, operation: str, created: str, extra: str = "") -> str:
    record = f'{{"createdAt": "{created}", "text": "post {rkey}"{extra}}}'
    return (f'{{"did": "did:plc:abc", "time_us": {1717243200000000 + second * 1_000_000}, "kind": "commit", '
            f'"commit": {{"operation": "{operation}", "collection": "app.bsky.feed.post", "rkey": "{rkey}", "record": {record}}}}}')


def test_a_deeply_nested_redated_or_edited_record_is_kept_and_the_file_read(tmp_path: Path) -> None:
    lines = [_event("r1", 0, "create", "2024-06-01T12:00:00Z"),
             _event("r2", 1, "create", "2099-06-01T12:00:00Z", f', "x": {DEEP}'),  # dated far past the relay: redated
             _event("r1", 2, "update", "2024-06-01T12:00:00Z", f', "x": {DEEP}')]  # an edit of r1
    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.error, res.stored, res.redated, res.edited) == (None, 2, 1, 1)
        raws = [r for (r,) in st.sql("SELECT raw FROM rejected ORDER BY line")]
    assert len(raws) == 2 and all("(nested deeper: not kept)" in r and '"post r' in r for r in raws)


def test_record_json_writes_what_orjson_writes_and_cuts_only_what_it_cannot() -> None:
    shallow = {"a": [1, {"b": "c"}], "n": None}
    assert record_json(shallow) == orjson.dumps(shallow)
    deep = orjson.loads(DEEP)
    kept = orjson.loads(record_json({"x": deep}))
    depth, node = 0, kept["x"]
    while isinstance(node, list):
        depth, node = depth + 1, node[0]
    assert (depth, node) == (KEPT_DEPTH - 1, "(nested deeper: not kept)")
