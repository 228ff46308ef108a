"""`ingest --engine spark` in a pipe or a log file says how the read goes every interval
(`cli/ingest_spark.ReadingLog`), without Spark: a stand-in for `ingest_lake` reports progress as
the executors' accumulators would. Before, the terminal's bar was the only progress, so a log
heard nothing from the command's start to its summary."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
import typer

from botwatch.engines.spark_ingest import SparkIngestError, StagingProgress


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """`botwatch.ticker`'s `time.monotonic`, moved by the test alone (`clock[0] += 31`): a test
    that slept past a 10 ms interval and asked for the next line at once failed when a loaded
    machine woke it more than 10 ms late."""
    import botwatch.ticker as ticker

    now = [1000.0]
    monkeypatch.setattr(ticker, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def test_a_log_line_says_files_records_and_time_reading_then_merging(clock: list[float]) -> None:
    from botwatch.cli.ingest_spark import ReadingLog

    log = ReadingLog(8, lambda line: None, interval=30)
    log._framed.begin("ingest")
    assert log.line() is None  # not yet an interval
    clock[0] += 30
    assert log.line() == "reading on the executors: 0 of 8 files read · 30 s so far"
    assert log.line() is None  # said just now: the next waits a full interval
    log.update(StagingProgress(3, 8, 120_000, 2))
    clock[0] += 30
    assert log.line() == "reading on the executors: 3 of 8 files read, 120,000 records, 2 rejected · 1 min 00 s so far"
    log.update(StagingProgress(8, 8, 321_000, 2, merging=True))
    clock[0] += 30
    assert log.line() == "merging into the lake: 8 files read, 321,000 records, 2 rejected · 1 min 30 s so far"


def test_one_file_is_not_said_as_files(clock: list[float]) -> None:
    """A one-file ingest said "all 1 files read"."""
    from botwatch.cli.ingest_spark import ReadingLog

    log = ReadingLog(1, lambda line: None, interval=30)
    log._framed.begin("ingest")
    clock[0] += 30
    assert log.line() == "reading on the executors: 0 of 1 file read · 30 s so far"
    log.update(StagingProgress(1, 1, 34, 4, merging=True))
    clock[0] += 30
    assert log.line() == "merging into the lake: 1 file read, 34 records, 4 rejected · 1 min 00 s so far"


def test_ingest_on_spark_in_a_pipe_prints_progress_lines_before_its_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import botwatch.engines.lake_tables as lake_tables
    import botwatch.engines.spark_ingest as spark_ingest
    from botwatch.cli.ingest_spark import _ingest

    err: list[str] = []

    def slow_ingest(spark: Any, location: str, files: list[str], **kw: Any) -> Any:
        kw["on_progress"](StagingProgress(1, 2, 5_000, 1))
        end = time.monotonic() + 10  # until the log's line comes (a loaded machine wakes its thread late)
        while time.monotonic() < end and "reading on the executors: 1 of 2" not in "".join(err):
            time.sleep(0.02)
            err.append(capsys.readouterr().err)
        raise SparkIngestError("disk full")

    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", "0.02")
    monkeypatch.setattr(lake_tables, "check_location", lambda spark, location: True)
    monkeypatch.setattr(spark_ingest, "ingest_lake", slow_ingest)
    with pytest.raises(typer.Exit):
        _ingest(None, "lake", ["a.csv", "b.csv"], False, 16.0)
    lines = "".join([*err, capsys.readouterr().err]).splitlines()
    reading = [x for x in lines if x.startswith("reading on the executors: 1 of 2 files read, 5,000 records, 1 rejected · ")]
    assert reading, lines
    assert lines[-1].startswith("error: the lake lake could not be written (disk full)"), lines  # the log's lines stop first
