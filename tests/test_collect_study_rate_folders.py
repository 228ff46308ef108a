"""The rate a capture manifest records applies only to the files that capture wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
RUN = {"platform": "x", "stream": "x-stream", "filter": {}, "pid": 111, "started": "2026-01-01T00:00:00Z", "ended": "2026-01-01T01:00:00Z"}
OWN = "x-stream-20260101T000500123456Z-111.jsonl.gz"  # as the collector names a file its run 111 opened at 00:05
OTHER = "x-stream-20260102T000000654321Z-222.jsonl.gz"  # another capture's (a whole stream's) file


def _capture(folder: Path, rate: float, runs: list[dict[str, Any]], name: str = OWN) -> Path:
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "capture.json").write_text(json.dumps({"format": 1, "sample_rate": rate, "runs": runs}))
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", folder / name)
    return folder


def _rate(study: Path) -> tuple[float | None, str]:
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.study import Study

    with Study(study) as st:
        return recorded_sample_rate(st)


def _ingest(study: Path | str, *inputs: Path | str) -> None:
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["ingest", str(study), *map(str, inputs)])
    assert res.exit_code == 0, res.output


def test_another_captures_file_in_or_beside_a_recorded_capture_gets_no_rate(tmp_path: Path) -> None:
    one_pct = _capture(tmp_path / "one_percent", 0.01, [RUN])
    study = tmp_path / "s.duckdb"
    _ingest(study, one_pct)
    assert _rate(study)[0] == 0.01  # the capture's own file: its rate
    # a whole capture's closed file, copied without its .botwatch/ into the 1% folder, was scaled ×100
    shutil.copy(FIX / "twarc2_stream_with_error.jsonl.gz", one_pct / OTHER)
    _ingest(study, one_pct)
    rate, note = _rate(study)
    assert rate is None, note
    assert "no recorded capture wrote" in note and OTHER in note and "--sample-rate" in note


def test_a_file_copied_elsewhere_is_matched_to_its_capture_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cap = _capture(tmp_path / "work" / "cap", 0.25, [RUN])
    (tmp_path / "work" / "copy").mkdir()
    shutil.copy(cap / OWN, tmp_path / "work" / "copy" / OWN)
    monkeypatch.chdir(tmp_path / "work")
    _ingest("s.duckdb", "copy", "cap")  # its copy first; the capture's own file is then skipped by hash
    monkeypatch.chdir(tmp_path)  # `estimate` run from another folder: the source is still "copy/x-stream-…"
    assert _rate(tmp_path / "work" / "s.duckdb")[0] == 0.25


def test_without_process_ids_in_the_manifest_a_file_outside_its_folder_gets_no_rate(tmp_path: Path) -> None:
    cap = _capture(tmp_path / "cap", 0.01, [{"platform": "x", "stream": "x-stream", "filter": {}}])
    (tmp_path / "copied").mkdir()
    stray = tmp_path / "copied" / OTHER
    shutil.copy(FIX / "twarc2_stream_with_error.jsonl.gz", stray)
    study = tmp_path / "s.duckdb"
    _ingest(study, cap)
    assert _rate(study)[0] == 0.01
    _ingest(study, stray)
    rate, note = _rate(study)
    assert rate is None and str(stray) in note, note


def test_another_captures_file_makes_the_report_scope_a_mix_not_the_filters(tmp_path: Path) -> None:
    """The report said the counts were "the posts the capture's filter let through" while part of
    them came from a file no recorded capture wrote (its filter and rate unknown)."""
    from botwatch.report.scope import scope
    from botwatch.study import Study

    cap = _capture(tmp_path / "cap", 0.01, [{**RUN, "filter": {"origin": "election preset uk-ge2017", "hashtags": ["GE2017"]}}])
    study = tmp_path / "s.duckdb"
    _ingest(study, cap)
    with Study(study) as st:
        assert scope(st, 0.01).filtered is not None  # the capture alone: its filter's posts
    shutil.copy(FIX / "twarc2_stream_with_error.jsonl.gz", cap / OTHER)
    _ingest(study, cap)
    with Study(study) as st:
        sc = scope(st, None)
    assert sc.filtered is None and sc.partly is not None and "1 other input" in sc.partly, sc
