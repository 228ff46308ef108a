"""Notices and edits counted as what they are on every read: a file whose merge failed (rolled
back) counts none of them, a grown file's re-read counts its new ones as notices and edits, and
notices kept as one row (a post deleted twice) are still each a notice read, not "not posts"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study
from botwatch.ingest import runner
from botwatch.ingest.counts import run_message

DID = "did:plc:abc"


def _post(rkey: str, second: int, created: str = "2024-06-01T12:00:00Z") -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey, "record": {"createdAt": created, "text": f"post {rkey}"}}}


def _edit(rkey: str, second: int) -> dict[str, Any]:
    event = _post(rkey, second)
    event["commit"] = dict(event["commit"], operation="update", record={"createdAt": "2024-06-01T12:00:00Z", "text": f"edited {rkey}"})
    return event


def _delete(rkey: str, second: int) -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "commit",
            "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": rkey}}


def _identity(second: int) -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "identity", "identity": {"did": DID, "handle": "a.bsky.social"}}


def _write(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_a_file_whose_merge_failed_counts_no_edit_redated_post_or_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge fails midway and the file is rolled back: nothing of it is in the study, so its
    result counts nothing of it either; the summary, and the runs message, said "edits kept 1"
    for a file that stored nothing. The next file, and the same file read again, count their own."""
    bad = _write(tmp_path / "bad.jsonl", [_post("p1", 0, created="2099-01-01T00:00:00Z"), _edit("p1", 1), _delete("p2", 2)])
    good = _write(tmp_path / "good.jsonl", [_post("q1", 0), _edit("q1", 1)])
    real, calls = runner.merge_deletions, []

    def fails_once(study: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(study)

    monkeypatch.setattr(runner, "merge_deletions", fails_once)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = runner.ingest(st, [str(bad), str(good)], workers=1)
        failed, ok = summary.files
        assert failed.error == "RuntimeError: disk full"
        assert (failed.stored, failed.redated, failed.edited, failed.deleted, failed.repaired, failed.non_ascii) == (0, 0, 0, 0, 0, 0)
        assert (ok.stored, ok.edited, ok.redated) == (1, 1, 0)
        assert (summary.total("edited"), summary.total("redated"), summary.total("deleted")) == (1, 0, 0)
        assert "edits kept 1," in run_message(summary.files) + ","
        [again] = runner.ingest(st, [str(bad)], workers=1).files  # the retry reads it whole
        assert (again.error, again.stored, again.redated, again.edited, again.deleted) == (None, 1, 1, 1, 1)
