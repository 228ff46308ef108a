"""Ingest's progress where no bar is drawn (stderr a pipe or a log file, as under nohup or cron).

Rich draws its bar only on a terminal, so a long ingest into a log said nothing until each
file's result line: the full IRA CSV (1.7M rows) two minutes of silence, a bigger archive hours.
Now a plain line says how far the file is read, every BOTWATCH_PROGRESS_SECONDS (30 s)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.ingest_workers import ira_csv


def test_a_file_read_into_a_log_says_how_far_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", "0.000001")
    path = ira_csv(tmp_path / "ira.csv", 300)  # 10,500 rows: the reader reports every 5,000 posts
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path), "--workers", "1"])
    assert res.exit_code == 0, res.output
    lines = [x for x in res.output.splitlines() if x.startswith("reading ") and "ira.csv: " in x]
    assert lines and all(" MB (" in x and "MB/s, about 0:00:" in x and x.endswith(" left") for x in lines), res.output


def test_the_write_into_the_study_after_the_read_is_said_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write of a file's records into the study follows its read (some 40 s for a big archive,
    after the line had said no time was left): a line says it, at the same cadence, on stderr."""
    import time

    import botwatch.ingest.runner as runner

    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", "0.000001")
    merge = runner.merge_staged_posts

    def slow_merge(study: object) -> tuple[int, int]:  # a write long enough for the ticker's wake-up
        time.sleep(1.0)  # the ticker wakes every 0.01 s; a second leaves room for a loaded CI machine
        return merge(study)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "merge_staged_posts", slow_merge)
    path = ira_csv(tmp_path / "ira.csv", 300)
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path), "--workers", "1"])
    assert res.exit_code == 0, res.output
    writing = [x for x in res.stderr.splitlines() if "ira.csv: writing 10,500 records into the study: still running, " in x]
    assert writing and writing[0].endswith(" s so far"), res.output
    assert "writing" not in res.stdout
    lines = res.stderr.splitlines()  # every such line before the file's result line
    assert max(i for i, x in enumerate(lines) if "writing" in x) < next(i for i, x in enumerate(lines) if x.startswith("ok "))
