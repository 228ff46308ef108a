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
