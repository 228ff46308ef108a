"""`botwatch ingest --engine spark`: the command's Spark branch, with progress and the same report.

Kept apart from `cli/ingest.py` so the DuckDB command stays as it was; it prints the same lines
per file and the same summary table, and every failure (PySpark or Java missing, a master that
cannot be reached, a folder that is not a lake, a write that failed) is one red line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from botwatch.cli.common import console, fail
from botwatch.cli.ingest import empty_inputs, fail_if_some_failed, print_file_result, print_summary, write_results
from botwatch.shown_text import name_shown
from botwatch.ticker import Framed, Ticker, interval_from_env

if TYPE_CHECKING:
    from botwatch.engines.spark_ingest import StagingProgress


class ReadingLog:
    """In a pipe or a log file, a line every `BOTWATCH_PROGRESS_SECONDS` (30 s) while the
    executors read the files and the lake's tables are merged: what the terminal's bar shows.

    Why: the bar is hidden off a terminal, so `ingest --engine spark` into a log said nothing from
    its start to its summary (three minutes for a 5,000-row CSV on a loaded two-core machine, far
    longer for an archive), where README promises a line every 30 s while `ingest` reads."""

    def __init__(self, files: int, emit: Callable[[str], None], interval: float | None = None) -> None:
        self.files = files
        self.interval = interval if interval is not None else interval_from_env()
        self._last: "StagingProgress | None" = None  # replaced whole by the command's thread
        self._framed = Framed()
        self._ticker = Ticker(self.line, emit, self.interval, name="botwatch-spark-ingest")

    def start(self) -> "ReadingLog":
        self._framed.begin("ingest")
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._ticker.stop()
        self._framed.end()

    def update(self, progress: "StagingProgress") -> None:
        self._last = progress

    def line(self) -> str | None:
        """"reading on the executors: 3 of 8 files read, 120,000 records, 2 rejected · 1 min 00 s
        so far", or None when a line was printed less than an interval ago."""
        from botwatch.engines.spark_progress import seconds_text

        due = self._framed.due(self.interval)
        if due is None:
            return None
        seconds = seconds_text(due[1])
        p = self._last
        if p is None:
            return f"reading on the executors: 0 of {_files(self.files)} read · {seconds} so far"
        counts = f"{p.records:,} records, {p.rejected:,} rejected"
        if p.merging:
            return f"merging into the lake: {_files(p.files)} read, {counts} · {seconds} so far"
        return f"reading on the executors: {p.files_done:,} of {_files(p.files)} read, {counts} · {seconds} so far"


def _files(n: int) -> str:
    """"1 file", "8 files"."""
    return f"{n:,} file{'' if n == 1 else 's'}"


def ingest_on_spark(location: str, files: list[str], force: bool, max_record_mb: float, master: Optional[str],
                    results_json: Optional[Path] = None, columns: Any = None, notes: list[str] | None = None,
                    not_files: list[str] | None = None) -> None:
    """Ingest `files` into the lake at `location` on Spark; exits 1 when nothing could be read.
    `not_files`: the named pipes, sockets and devices the folder walk left out (failed inputs)."""
    from botwatch.engines.spark_ingest import SparkUnavailable, spark_session

    try:
        spark, started = spark_session(master)
    except SparkUnavailable as exc:
        fail(str(exc))
        raise  # unreachable
    try:
        _ingest(spark, location, files, force, max_record_mb, results_json, columns, notes, not_files)
    finally:
        if started:
            spark.stop()


def _ingest(spark: Any, location: str, files: list[str], force: bool, max_record_mb: float, results_json: Optional[Path] = None,
            columns: Any = None, notes: list[str] | None = None, not_files: list[str] | None = None) -> None:
    from botwatch.engines.lake_lock import LockError
    from botwatch.engines.lake_tables import LakeError, check_location, delete_location
    from botwatch.engines.spark_ingest import SparkIngestError, StagingProgress, first_line, ingest_lake
    from botwatch.study import NewerLayout

    try:
        existed = check_location(spark, location)
    except LakeError as exc:
        fail(str(exc))
        raise  # unreachable
    except Exception as exc:  # noqa: BLE001 - a URL whose filesystem Spark cannot reach (no s3a jars, bad host)
        fail(f"cannot reach {name_shown(location)}: {first_line(exc)}")
        raise  # unreachable
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("reading on the executors", total=len(files))

        log = None if console.is_terminal else ReadingLog(len(files), lambda line: console.print(line, highlight=False, markup=False)).start()

        def show(p: StagingProgress) -> None:
            what = "merging into the lake" if p.merging else "reading on the executors"
            progress.update(task, completed=p.files_done, description=f"{what}: {p.records:,} records, {p.rejected:,} rejected")
            if log is not None:
                log.update(p)

        try:
            try:
                summary = ingest_lake(spark, location, files, force=force, max_record_bytes=int(max_record_mb * 1024 * 1024), on_progress=show,
                                      columns=columns, not_files=not_files or ())
            finally:  # before any error line: the log's last line never follows it
                if log is not None:
                    log.stop()
        except (LakeError, LockError) as exc:  # busy, or a folder that cannot hold the lock
            fail(str(exc))
            raise  # unreachable
        except NewerLayout as exc:  # a usage error, in a DuckDB study's words (exit 2, README)
            fail(exc.for_command())
            raise  # unreachable
        except SparkIngestError as exc:
            fail(f"the lake {name_shown(location)} could not be written ({exc}); no file of this command counts as ingested: run the same command again",
                 code=1)  # not done, as a DuckDB study that could not be written; 2 is a usage error (README)
            raise  # unreachable
    for res in summary.files:
        print_file_result(res)
    print_summary(summary, location, notes=[*(notes or []), *summary.notes])
    write_results(summary, results_json)
    if summary.nothing_read:
        if not existed:  # a lake this command created and filled with nothing is not left behind
            delete_location(spark, location)
        fail("nothing could be read from the inputs" + empty_inputs(summary) + ("" if existed else f"; no lake was created at {name_shown(location)}"), code=1)
    fail_if_some_failed(summary)
