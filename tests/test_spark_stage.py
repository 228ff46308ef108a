"""What a Spark ingest task sends back for one file, checked as plain Python (no JVM needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from botwatch.engines.spark_stage import WIDE, stage_partition
from botwatch.ingest.runner import stage_file
from botwatch.ingest.source import file_sha256

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _run(paths: list[str], known: dict[str, str] | None = None, force: bool = False) -> tuple[pa.Table, list[tuple[int, int]]]:
    told: list[tuple[int, int]] = []
    listing = pa.record_batch({"_file": pa.array(range(len(paths)), pa.int64()), "path": pa.array(paths)})
    batches = list(stage_partition([listing], known or {}, force, counted=lambda r, j: told.append((r, j))))
    assert all(b.schema == WIDE for b in batches)
    return pa.Table.from_batches(batches, WIDE), told


def _meta(t: pa.Table) -> list[dict[str, Any]]:
    return [r["meta"] for r in t.filter(pa.compute.equal(t["_kind"], "file")).to_pylist()]


def test_a_task_sends_the_rows_stage_file_reads_and_one_meta_row_per_file() -> None:
    path = str(FIX / "twarc2_stream_with_error.jsonl.gz")
    wide, told = _run([path])
    expected = stage_file(path)
    for kind, col in (("posts", "post"), ("snapshots", "snap"), ("rejected", "rej")):
        rows = wide.filter(pa.compute.equal(wide["_kind"], kind))
        assert [r[col] for r in rows.to_pylist()] == expected[kind].drop_columns(["_seq"]).to_pylist()
        assert rows["_seq"].to_pylist() == expected[kind]["_seq"].to_pylist()  # one counter over every kind, as DuckDB stages
    [meta] = _meta(wide)
    assert meta["sha256"] == file_sha256(path) and meta["format"] == "twitter-v2-page"
    assert (meta["records_read"], meta["n_posts"], meta["n_rejected"]) == (8, 7, 1)
    assert told == [(8, 1)]


def test_known_content_is_skipped_unread_unless_forced() -> None:
    path = str(FIX / "ira_authors.csv")
    wide, _ = _run([path], known={file_sha256(path): "earlier.csv"})
    assert wide.num_rows == 1 and _meta(wide)[0]["skipped"] == "identical content already ingested from earlier.csv"
    forced, _ = _run([path], known={file_sha256(path): "earlier.csv"}, force=True)
    assert _meta(forced)[0]["skipped"] is None and _meta(forced)[0]["n_snapshots"] > 0


def test_missing_and_unreadable_files_become_meta_rows_not_exceptions(tmp_path: Path) -> None:
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)) * 4)
    wide, _ = _run([str(tmp_path / "missing.jsonl"), str(noise)])
    missing, unreadable = _meta(wide)
    assert missing["error"] == "no such file"
    assert unreadable["error"] is None and unreadable["n_rejected"] == 1
    [rej] = [r["rej"] for r in wide.to_pylist() if r["_kind"] == "rejected"]
    assert rej["line"] == 0 and "unreadable input" in rej["error"]


def test_a_task_counts_the_bluesky_posts_it_redated_as_stage_file_does(tmp_path: Path) -> None:
    """A post dated by the relay's time (`FileResult.redated`) reaches the Spark summary through
    the file's meta row: its note is among the repaired, and the count of redated rides beside it."""
    import json

    from tests.test_ingest_formats import _jet_post

    f = tmp_path / "jet.jsonl"
    f.write_text("\n".join(json.dumps(_jet_post("did:plc:a", k, c)) for k, c in [("old", "2015-03-01T09:00:00Z"), ("now", "2024-06-01T12:00:00Z")]) + "\n")
    [meta] = _meta(_run([str(f)])[0])
    assert (meta["n_posts"], meta["n_rejected"], meta["n_repaired"], meta["redated"]) == (2, 0, 1, 1)


def test_a_task_counts_the_post_edits_it_kept_apart_from_the_rejected(tmp_path: Path) -> None:
    """An edit of a post is kept in `rejected` (`RowSink.edited`) but is no lost record: the meta
    row counts it as edited, not among `n_rejected`, as DuckDB's ingest does."""
    import json

    from tests.test_ingest_formats import _jet_post

    edit = _jet_post("did:plc:a", "p", "2024-06-01T12:00:00Z")
    edit["commit"]["operation"] = "update"
    f = tmp_path / "jet.jsonl"
    f.write_text(json.dumps(_jet_post("did:plc:a", "p", "2024-06-01T12:00:00Z")) + "\n" + json.dumps(edit) + "\n")
    wide, told = _run([str(f)])
    [meta] = _meta(wide)
    assert (meta["n_posts"], meta["n_rejected"], meta["n_repaired"], meta["edited"]) == (1, 0, 0, 1)
    assert told == [(2, 0)]


def test_a_files_delete_notices_reach_its_meta_row(tmp_path: Path) -> None:
    """v1.1 stream delete notices are counted (`n_deleted`), not rejected, as on DuckDB."""
    import json

    status = {"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}}
    notice = {"delete": {"status": {"id_str": "8", "user_id_str": "1"}, "timestamp_ms": "1494447600000"}}
    path = tmp_path / "stream.jsonl"
    path.write_text(json.dumps(status) + "\n" + json.dumps(notice) + "\n")
    [meta] = _meta(_run([str(path)])[0])
    assert (meta["records_read"], meta["n_posts"], meta["n_rejected"], meta["n_deleted"]) == (2, 1, 0, 1)
