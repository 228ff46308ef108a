"""An input the system will not open (permission denied) is said in the system's words, the same on
both engines ("cannot open: Permission denied"; it was "[Errno 13] Permission denied: '/the/path'"
on DuckDB and "cannot read: ..." on Spark), and such a failure, like a dangling link, is marked
lasting in `ingest --results-json`, so collect's follow mode names it once instead of retrying it."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from botwatch.engines import spark_stage
from botwatch.ingest import runner
from botwatch.ingest.runner import FileResult
from botwatch.ingest.source import InputSource, lasting_failure

DENIED = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/data/capture.jsonl.gz")


def _duckdb_words(monkeypatch: pytest.MonkeyPatch, path: Path) -> str | None:
    def refuse(*_a: object, **_k: object) -> InputSource:
        raise DENIED

    monkeypatch.setattr(InputSource, "open", staticmethod(refuse))
    result = FileResult(source=str(path))
    assert runner._open_or_say(str(path), result) is None
    return result.error


def _spark_words(monkeypatch: pytest.MonkeyPatch, path: Path) -> str | None:
    def refuse(_p: str) -> str:
        raise DENIED

    monkeypatch.setattr(spark_stage, "file_sha256", refuse)
    last = list(spark_stage.stage_one(0, str(path), {}, False, 1 << 20))[-1]
    return last.column("meta").to_pylist()[0]["error"]


def test_permission_denied_is_one_phrase_on_both_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "capture.jsonl.gz"
    path.write_bytes(b"{}\n")
    duck = _duckdb_words(monkeypatch, path)
    spark = _spark_words(monkeypatch, path)
    assert duck == spark == "cannot open: Permission denied"
    assert lasting_failure(duck)


@pytest.mark.parametrize("error, lasting", [
    ("no such file", True),
    ("a link whose target is missing: /gone/x.jsonl.gz", True),
    (f"cannot open: {os.strerror(errno.EACCES)}", True),
    (f"cannot open: {os.strerror(errno.ELOOP)}", True),
    (f"cannot open: {os.strerror(errno.EIO)}", False),  # a bad sector may read next time
    ("RuntimeError: rolled back", False),
    (None, False),
])
def test_which_failures_are_lasting(error: str | None, lasting: bool) -> None:
    assert lasting_failure(error) is lasting


def test_results_json_marks_a_dangling_link_lasting(tmp_path: Path) -> None:
    from botwatch.cli.ingest import write_results
    from botwatch.ingest.runner import IngestSummary

    dangling, failed = FileResult(source="a.jsonl.gz"), FileResult(source="b.jsonl.gz")
    dangling.error = "a link whose target is missing: /gone"
    failed.error = "cannot open: Input/output error"
    out = tmp_path / "r.jsonl"
    write_results(IngestSummary(files=[dangling, failed]), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["status"] == "failed" and rows[0]["lasting"] is True
    assert rows[1]["status"] == "failed" and "lasting" not in rows[1]
