"""`botwatch ingest --engine spark LAKE FILES...`: the readers run on the executors, the merge in Spark.

The file list is spread one file per task; each task reads its file with the same Python readers
as a DuckDB ingest (`engines/spark_stage.py`) and streams staged Arrow batches back into Spark,
which writes them to a scratch folder inside the lake. The driver sees one small row per file,
never the posts. The merge into the lake's tables then runs the `canonical` Ibis expressions on
Spark, with the same result as ingesting the files one after another into a DuckDB study:

* posts: the first occurrence wins, in file order; posts already stored stay first;
* account_snapshots: each file's snapshots reduced to one row per account; a snapshot already
  stored (same account, times and range) is not stored again; accounts recomputed from them;
* rejected: each bad record once per (source, line, error, raw); a file read whole has the bad
  records it no longer gives moved to `rejected_earlier`, as on DuckDB (`merge.retire_rejected`);
* sources: one row per file read, with its SHA-256 (an identical file is skipped unread), written
  last, so a command stopped half-way is completed by running it again; `runs`: one `ingest` row;
* captures: a `botwatch collect` folder among the inputs (a local path) is recorded with its
  sampling rate (`collect.study_link.record_captures`), so `analyze` scales by it as on DuckDB.

The lake is a `LakeStudy` (`engines/lake.py`); its tables are read and written through
`engines/lake_tables.py`, which keeps the expressions on naive timestamps.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from botwatch import canonical, sql_cache
from botwatch.code_identity import version_label
from botwatch.library_versions import LIBRARIES_KEY, library_versions
from botwatch.engines.lake_files import SparkUnavailable, first_line, spark_session
from botwatch.engines.lake_tables import LakeError, sql_ident, check_location, conform, read_naive, spark_schema, store
from botwatch.shown_text import shell_word
from botwatch.engines.spark_inputs import expand_urls, glob_literal, is_url, normal
from botwatch.engines.spark_stage import WIDE, stage_contents, stage_partition
from botwatch.ingest import read_notices
from botwatch.ingest.runner import FileResult, IngestSummary, expand_inputs, not_read
from botwatch.ingest.counts import records_rejected
from botwatch.ingest.rereads import identical_said
from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES
from botwatch.schema import ACCOUNT_SNAPSHOTS, ACCOUNTS, POSTS, REJECTED, RUNS, SNAPSHOT_ROW, SOURCE_NOTICES, SOURCES
from botwatch.study import RUNNING, interrupt_in, stop_message, utcnow

# Posts are ordered across files by `_file * _FILE_SPAN + _seq` (int64: 2**23 files of 2**40 rows).
_FILE_SPAN = 1 << 40
_REJECT_KEY = ["source", "line", "error", "raw"]  # as DuckDB's `merge_rejected`: the record's text too
_SNAPSHOT_KEY = [*canonical.ACCOUNT_KEY, "observed_at", "first_seen", "last_seen"]
# Up to this many files in a call, each file's stored posts are counted in the posts write's own
# job (`_Merge._append_counted`); beyond, by a grouped count of the persisted rows.
_OBSERVED_FILES = 64

ProgressFn = Callable[["StagingProgress"], None]


class SparkIngestError(RuntimeError):
    """The lake could not be written; the message is one line for the user."""


@dataclass
class StagingProgress:
    """What the executors have finished so far (accumulators, updated as each task ends)."""

    files_done: int
    files: int
    records: int
    rejected: int
    merging: bool = False  # the files are read; the lake's tables are being merged


def ingest_lake(
    spark: Any,
    location: str,
    paths: list[str],
    *,
    force: bool = False,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    on_progress: ProgressFn | None = None,
    columns: Any = None,
    not_files: Iterable[str] = (),
) -> IngestSummary:
    """Ingest `paths` into the lake at `location` (created when absent); records the call in `runs`.
    `columns` (an `ingest.csv_mapping.ColumnMap`) reads every file as a CSV through that map, on
    the executors as on DuckDB, and is recorded in the run's parameters. `not_files`: the named
    pipes, sockets and devices the caller's folder walk left out, each a failed input, never opened
    (`runner.expand_inputs`).

    Raises `LakeError` for a location that cannot be a lake and `SparkIngestError` (one line)
    when Spark fails; a file that cannot be read is a result, not an exception."""
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.lake_lock import LockError
    from botwatch.study import NewerLayout

    odd = list(not_files)
    files = expand_inputs(paths, not_files=odd)
    check_location(spark, location)
    try:
        with LakeStudy(location, spark=spark) as lake:
            # In the lake's own scratch folder, whose owner is recorded: staged files a crashed
            # ingest left are removed by the next command (`lake_scratch`), never a running one's.
            work = f"{lake._scratch}/ingest"
            params = {"inputs": files, "force": force, "max_record_bytes": max_record_bytes, "engine": "spark",
                      **(columns.as_params() if columns is not None else {}), LIBRARIES_KEY: library_versions("spark")}
            run = {"run_id": uuid.uuid4().hex[:12], "stage": "ingest", "params": json.dumps(params, default=str, sort_keys=True),
                   "version": version_label(), "started_at": utcnow(), "finished_at": None, "status": RUNNING, "rows_written": None, "message": None}
            lake._record_start([run[c] for c in RUNS.names])  # as `Study.run`: a killed ingest is seen as one
            run["status"] = "failed"
            try:
                summary = _ingest(spark, lake, files, force, max_record_bytes, work, on_progress, columns)
                summary.files[:0] = [not_read(p) for p in odd]
                # A capture folder's sampling rate travels with its posts, as on DuckDB (`estimates`
                # scales counts by it): read at the driver from the folders given, when local.
                from botwatch.collect.study_link import record_captures

                record_captures(lake, paths)
                from botwatch.ingest.counts import run_message
                run.update(status="ok", rows_written=summary.total("stored"), message=run_message(summary.files))
            except BaseException as exc:
                # Ctrl-C or SIGTERM in the words `Study.run` records for them (a DuckDB ingest's
                # row): this row said "KeyboardInterrupt: KeyboardInterrupt", which `status` and
                # the report read as a failure rather than a stop. And, as `Study.run`, the merge's
                # Spark job is cancelled first: the JVM ran it on after Python stopped waiting, so
                # it could still add posts once the lock below was released, and on a remote lake
                # (where the row is a Spark write) the row waited behind it.
                if interrupt_in(exc):
                    run["message"] = stop_message()
                    lake._cancel_work()
                else:
                    run["message"] = f"{type(exc).__name__}: {first_line(exc)}"[:1000]
                raise
            finally:
                # The row `Study.run` writes, in place of the started one.
                lake._record_run([{**run, "finished_at": utcnow()}[c] for c in RUNS.names])
                lake.files.delete(work)
    except (LakeError, LockError, NewerLayout, KeyboardInterrupt):  # said as they are: the lake is not at fault
        raise
    except Exception as exc:  # noqa: BLE001 - recorded in runs as failed; the user gets one line
        raise SparkIngestError(first_line(exc)) from exc
    return summary


def _ingest(spark: Any, lake: Any, files: list[str], force: bool, max_record_bytes: int, work: str,
            on_progress: ProgressFn | None, columns: Any = None) -> IngestSummary:
    # The driver's small reads (`sources`, `rejected`'s broken-off notes, and `runs` in
    # `lake_conflicts`) are Arrow reads on a local lake, with no Spark job (`LakeStudy.driver_arrow`).
    recorded = lake.driver_arrow("sources", ["sha256", "source", "format", "bytes", "posts_stored", "duplicates", "rejected", "accounts_seen", "ingested_at"]).to_pylist()
    known = {r["sha256"]: r["source"] for r in recorded if r["sha256"] is not None and r["format"] is not None}  # an unreadable file is refused again, not skipped
    refused = {(r["source"], r["sha256"]) for r in recorded if r["format"] is None}  # and keeps one `sources` row, as on DuckDB
    files, missing = expand_urls(spark, files)  # URLs (hdfs://, s3a://) listed through Hadoop
    from botwatch.ingest.rereads import held_prefixes, lake_conflicts

    prefixes = held_prefixes((r["source"], r["sha256"], r["bytes"], r["format"]) for r in recorded)
    from botwatch.ingest.cut_short import BROKE_OFF

    # The sources whose read broke off: an identical file there is read again while still cut (`cut_short`).
    notes = lake.driver_arrow("rejected", ["source", "error"], {"line": 0}).to_pylist()
    broken = sorted({r["source"] for r in notes if r["error"] is not None and r["error"].startswith(BROKE_OFF)})
    # The content each source's latest read found: a file put back to an earlier version is read again (`runner._changed_back`).
    latest = {r["source"]: r["sha256"] for r in sorted(recorded, key=lambda r: (r["ingested_at"] is None, r["ingested_at"] or 0))
              if r["sha256"] is not None}
    folder = f"{work}/staged"
    staged, meta = _stage(spark, files, known, force, max_record_bytes, folder, on_progress, missing, columns, prefixes, broken, latest)

    results, keep, counts = _outcomes(files, meta, force, lake_conflicts(lake, columns))
    summary = IngestSummary(files=results)
    unsure = _retire_older(lake, recorded)
    reread = {meta[i]["source"] for i in keep if meta[i].get("sha256") and not meta[i].get("broke_off")}  # retired by the merge below
    if unsure := sorted(set(unsure) - reread):
        n = len(unsure)
        summary.notes.append(
            f"{n} file{'' if n == 1 else 's'} ({', '.join(unsure[:3])}{', ...' if n > 3 else ''}) ha{'s' if n == 1 else 've'} bad records of an "
            "earlier version still in `rejected`, where an older botwatch kept them (counted apart, but listed with the others): "
            f"`botwatch ingest --engine spark --force {shell_word(lake.path)} FILE` (with the column map it was read with, if any) reads each again and moves them to `rejected_earlier`")
    if on_progress:
        on_progress(StagingProgress(len(files), len(files), summary.total("read"), sum(records_rejected(f) for f in summary.files), merging=True))
    if keep:
        from pyspark.sql import functions as F

        # Before the merge, as DuckDB's `read_notices.prepare`: none of this call's notices is taken for an earlier read's.
        earlier = _earlier_notices(lake, recorded, [results[i] for i in keep])
        merge = _Merge(spark, lake, staged.where(F.col("_file").isin(keep)), keep, folder)
        # An ingest cut after its posts were stored but before its `sources` row (written last)
        # left them behind: read again, they are this read's own, not duplicates in the archive.
        # Only the files no `sources` row names, and only after an ingest run that did not end.
        named = {r["source"] for r in recorded}
        unrecorded = [i for i in keep if meta[i]["source"] not in named] if not merge._empty("posts") else []
        if unrecorded and not any(r["status"] in ("failed", RUNNING) and r["run_id"] not in lake._started_runs
                                  for r in lake.driver_arrow("runs", ["run_id", "status"], {"stage": "ingest"}).to_pylist()):
            unrecorded = []
        try:
            stored = merge.posts(unrecorded)
            merge.accounts()
            # As DuckDB's `retire_rejected`: a complete read of a file on disk gives its bad records now.
            # Only a path read before can hold others (a first read costs no Spark job for it).
            before = {r["source"] for r in recorded}
            merge.retire_rejected({meta[i]["source"] for i in keep if meta[i].get("sha256") and not meta[i].get("broke_off")
                                   and meta[i]["source"] in before}, keep)
            merge.rejected(_copies(recorded, meta, keep))
            if any(int(meta[i].get("n_deleted") or 0) for i in keep):  # else no Spark job for it
                merge.deletions()
            if any(int(meta[i].get("n_limited") or 0) for i in keep):
                merge.stream_limits(_copies(recorded, meta, keep))
            if any(int(meta[i].get("n_warned") or 0) for i in keep):
                merge.stream_warnings(_copies(recorded, meta, keep))
        finally:
            merge.close()
        now = utcnow()
        rows, noticed = [], []
        for i in keep:
            res = results[i]
            res.stored = stored.get(i, 0)
            res.duplicates = counts[i] - res.stored
            res.accounts = int(meta[i].get("n_accounts") or 0)  # counted on the executors (`spark_stage`)
            if res.format is None and (meta[i]["source"], meta[i]["sha256"]) in refused:
                continue
            rows.append({"source": meta[i]["source"], "sha256": meta[i]["sha256"], "bytes": meta[i]["bytes"],
                         "format": res.format, "records_read": res.read, "posts_stored": res.stored, "duplicates": res.duplicates,
                         "rejected": res.rejected, "accounts_seen": res.accounts, "ingested_at": now})
            noticed.append(read_notices.row(meta[i]["source"], now, res))
        if (earlier is not None or read_notices.TABLE in lake.tables()) and (earlier or noticed):  # no empty part
            # Before `sources`: a command cut between the two leaves rows no `sources` row names
            # (never counted: a row is taken by its source and time), and reads its files again.
            lake.append_arrow(read_notices.TABLE, pa.Table.from_pylist([*(earlier or []), *noticed], schema=SOURCE_NOTICES))
        if rows:
            lake.append_arrow("sources", pa.Table.from_pylist(rows, schema=SOURCES))  # last: the files count as ingested only now
    _record_copies(lake, meta, results, known, keep)
    # Contents a read put something in (an earlier one, or one of this call): a file skipped as
    # identical to one is held; one skipped as identical to a read that put nothing in (a
    # header-only CSV) still fails the command, as on DuckDB (`FileResult.nothing_held`).
    counts_of = lambda r: (r["posts_stored"], r["duplicates"], r["accounts_seen"])  # noqa: E731
    held = {r["sha256"] for r in recorded if r["format"] is not None and (None in counts_of(r) or sum(counts_of(r)) > 0)}
    held |= {meta[i]["sha256"] for i in keep if results[i].stored + results[i].duplicates + results[i].accounts > 0}
    for i, res in enumerate(results):
        if res.skipped and not res.refused and i not in keep and (meta.get(i) or {}).get("sha256"):
            res.nothing_held = meta[i]["sha256"] not in held
    return summary


def _earlier_notices(lake: Any, recorded: list[dict[str, Any]], kept: list[FileResult]) -> list[dict[str, Any]] | None:
    """The `source_notices` rows (`ingest/read_notices.py`) of the reads the lake kept before it
    had the table, when this call's reads make it (one counted a notice or an edit), counted from
    the notices kept for their paths as DuckDB's `read_notices.prepare` counts them; None when the
    table is there already or none of them makes it. A Spark job only where the lake has earlier
    reads: a new lake's first ingest costs none."""
    if read_notices.TABLE in lake.tables() or not any(read_notices.counts_any(r) for r in kept):
        return None
    if not recorded:
        return []
    found = lake.sql(read_notices.earlier_reads_sql(lake.tables()))
    return [dict(zip(SOURCE_NOTICES.names, r, strict=True)) for r in found]


def _record_copies(lake: Any, meta: dict[int, dict[str, Any]], results: list[FileResult], known: dict[str, str], keep: list[int]) -> None:
    """The own SHA-256 of each file taken as the text of an earlier read (a `.gz` of it, or the file
    after its `.gz`), as on DuckDB (`runner._record_copy`, schema.SOURCE_COPIES): its `sources` row,
    if any, holds that read's. Once per (source, SHA-256); after `sources`, so a cut run's copy is
    recorded when the command runs again."""
    from botwatch.schema import SOURCE_COPIES

    first = {meta[k]["sha256"]: meta[k]["source"] for k in reversed(keep) if meta[k].get("sha256")}
    rows, seen = [], set()
    if "source_copies" in lake.tables():
        seen = {(r["source"], r["sha256"]) for r in lake.driver_arrow("source_copies", ["source", "sha256"]).to_pylist()}
    now = utcnow()
    for i, m in sorted(meta.items()):
        own = m.get("file_sha256")
        if own is None or results[i].error or results[i].refused or (m["source"], own) in seen:
            continue
        seen.add((m["source"], own))
        rows.append({"source": m["source"], "sha256": own, "bytes": m["bytes"], "same_as": known.get(m["sha256"]) or first.get(m["sha256"]),
                     "same_sha256": m["sha256"], "seen_at": now})
    if rows:
        lake.append_arrow("source_copies", pa.Table.from_pylist(rows, schema=SOURCE_COPIES))


def _retire_older(lake: Any, recorded: list[dict[str, Any]]) -> list[str]:
    """A lake written by an older botwatch kept the bad records of a file's earlier versions in
    `rejected` (`status` counts them apart: `section_overview._REPLACED`; a DuckDB study, and a
    lake now, move them to `rejected_earlier` when the changed file is read). Where the latest
    read of the path gave no bad record, every one `rejected` holds for it is an earlier
    version's: moved now, as DuckDB's `merge.retire_rejected` did. Where it gave some, which of
    them are the latest's cannot be told without reading the file: those sources are returned.
    Costs nothing on a lake where no path was read with more than one content."""
    from pyspark.sql import functions as F

    from botwatch.ingest.sink import NOTES, is_note
    from botwatch.schema import REJECTED_EARLIER

    reads: dict[str, list[dict[str, Any]]] = {}
    for r in recorded:
        if r["sha256"] is not None:
            reads.setdefault(r["source"], []).append(r)
    latest = {src: int(max(rows, key=lambda r: (r["ingested_at"] is not None, r["ingested_at"] or 0))["rejected"] or 0)
              for src, rows in reads.items() if len({r["sha256"] for r in rows}) > 1}
    if not latest:
        return []
    held: dict[str, int] = {}
    # Only the rows of those paths: all of `rejected` (every bad record of every file) came to the driver.
    for r in lake.driver_arrow("rejected", ["source", "error"], among={"source": set(latest)}).to_pylist():
        if r["source"] in latest and not is_note(r["error"]):
            held[r["source"]] = held.get(r["source"], 0) + 1
    older = {src for src, n in held.items() if n > latest[src]}
    whole = sorted(src for src in older if latest[src] == 0)
    if whole:
        stored = read_naive(lake, "rejected")
        note = F.col("error").startswith(NOTES[0])
        for prefix in NOTES[1:]:
            note = note | F.col("error").startswith(prefix)
        ours = F.coalesce(F.col("source").isin(whole) & ~note, F.lit(False))
        out = conform(stored.where(ours).withColumn("replaced_at", F.lit(utcnow())), spark_schema(REJECTED_EARLIER))
        if "rejected_earlier" in lake.tables():
            store(lake, "rejected_earlier", out, "append")
        else:
            lake.write_df("rejected_earlier", out, "overwrite")
        store(lake, "rejected", read_naive(lake, "rejected").where(~ours), "overwrite")
    return sorted(older - set(whole))


def _stage(spark: Any, files: list[str], known: dict[str, str], force: bool, max_record_bytes: int, folder: str,
           on_progress: ProgressFn | None, missing: set[str] = frozenset(), columns: Any = None,
           prefixes: dict[str, list[tuple[int, str]]] | None = None, broken: list[str] | None = None,
           latest: dict[str, str] | None = None) -> tuple[Any, dict[int, dict[str, Any]]]:  # type: ignore[assignment]
    """Read every file on the executors (one task each) into `folder`: the staged rows as a
    DataFrame, and each file's `meta` row (one small row per file is all the driver collects)."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    sc = spark.sparkContext
    records, rejected, done = sc.accumulator(0), sc.accumulator(0), sc.accumulator(0)
    shas = sc.broadcast(known)
    held = sc.broadcast(prefixes or {})
    last = sc.broadcast(latest or {})
    cut = frozenset(broken or ())  # a few names at most: sent with the task

    def counted(n_read: int, n_rejected: int) -> None:
        records.add(n_read)
        rejected.add(n_rejected)
        done.add(1)

    def task(batches: Any) -> Any:
        return stage_partition(batches, shas.value, force, max_record_bytes, counted, columns, held.value, cut, last.value)

    # Files on HDFS or object storage come to the executors as bytes (`binaryFile`); files on a
    # disk the executors share, and names that match nothing, by path.
    by_url = [(i, f) for i, f in enumerate(files) if is_url(f) and f not in missing]
    by_path = [(i, f) for i, f in enumerate(files) if not (is_url(f) and f not in missing)]
    wide = None
    if by_path:
        listing = spark.createDataFrame(
            sc.parallelize(by_path, max(1, len(by_path))),
            StructType([StructField("_file", LongType(), False), StructField("path", StringType(), False)]),
        )
        wide = listing.mapInArrow(task, spark_schema(WIDE))
    index = sc.broadcast({normal(f): (i, f) for i, f in by_url})
    if by_url:
        def url_task(batches: Any) -> Any:
            return stage_contents(batches, index.value, shas.value, force, max_record_bytes, counted, columns, held.value, cut, last.value)

        contents = spark.read.format("binaryFile").load([glob_literal(f) for _, f in by_url]).select("path", "content")
        from_urls = contents.mapInArrow(url_task, spark_schema(WIDE))
        wide = from_urls if wide is None else wide.unionByName(from_urls)
    assert wide is not None  # `files` is never empty (expand_inputs keeps what it was given)
    batch_conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
    batch_before = spark.conf.get(batch_conf)
    failure: list[BaseException] = []
    # The job runs in its own thread (the caller's thread shows progress); a job group names it,
    # so Ctrl-C or an error here cancels it before the caller deletes the folder it writes into.
    group = f"botwatch-stage-{uuid.uuid4().hex[:12]}"

    def write() -> None:
        try:
            # Set in this thread: with PySpark's pinned threads a job group is per Python thread.
            sc.setJobGroup(group, "botwatch ingest: reading files on the executors", interruptOnCancel=True)
            wide.write.mode("overwrite").partitionBy("_kind").parquet(folder)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)

    if by_url:
        spark.conf.set(batch_conf, "1")  # one file's bytes in an Arrow batch, not 10,000 files'
    writer = threading.Thread(target=write, name="botwatch-spark-stage", daemon=True)
    writer.start()
    try:
        while writer.is_alive():
            writer.join(0.5)
            if on_progress:
                on_progress(StagingProgress(done.value, len(files), records.value, rejected.value))
    except BaseException:
        sc.cancelJobGroup(group)
        writer.join(30)  # the tasks stop; the folder is deleted only after, by the caller
        raise
    finally:
        shas.unpersist()
        held.unpersist()
        last.unpersist()
        index.unpersist()
        spark.conf.set(batch_conf, batch_before)
    if failure:
        raise failure[0]
    # The declared schema (the partition column `_kind` last, where Spark puts it) spares a pass over the files to infer one.
    staged = spark.read.schema(spark_schema(WIDE.remove(WIDE.get_field_index("_kind")).append(WIDE.field("_kind")))).parquet(folder)
    return staged, _meta(staged, folder)


def _meta(staged: Any, folder: str) -> dict[int, dict[str, Any]]:
    """Each file's `meta` row (one per file read). A local staging folder's `_kind=file`
    partition is read by Arrow at the driver (no Spark job; `lake_arrow.read_local_parts`, the
    same rows Spark collects: `tests/test_lake_driver_reads.py`); else Spark collects it."""
    from botwatch.engines.lake_arrow import read_local_parts

    rows = None if is_url(folder) else read_local_parts(f"{folder}/_kind=file", ["_file", "meta"], {})
    if rows is not None:
        return {int(r["_file"]): r["meta"] for r in rows.to_pylist()}
    return {int(r["_file"]): r["meta"].asDict() for r in staged.where("_kind = 'file'").select("_file", "meta").collect()}


def _outcomes(files: list[str], meta: dict[int, dict[str, Any]], force: bool,
              conflict: Callable[[str, str | None], str | None] | None = None) -> tuple[list[FileResult], list[int], dict[int, int]]:
    """Each file's result so far, the files whose rows are merged, and their staged post counts.

    A file that failed is dropped whole (a DuckDB ingest rolls it back); of identical files in
    one command only the first is read, as when they are ingested one after another. A file the
    lake holds from a read under another column map is refused with `conflict(source, sha)`'s reason (ingest/rereads.py), as on DuckDB: its rows would be stored a second time."""
    results, keep, counts = [], [], {}
    first: dict[str, str] = {}
    for i, path in enumerate(files):
        m = meta.get(i) or {"source": path, "error": "the executor reading it returned nothing"}
        res = FileResult(source=path, format=m.get("format"), read=int(m.get("records_read") or 0), unreadable=m.get("unreadable"))
        results.append(res)
        if m.get("error"):
            res.error = m["error"]
        elif m.get("skipped"):
            res.skipped = m["skipped"]
        elif m.get("sha256") and not force and m["sha256"] in first:
            res.skipped, res.read, res.format = identical_said(first[m['sha256']], m["source"], stored=False), 0, None
        elif m.get("sha256") and not force and (twin := _same_text_among(m, [meta[k] for k in keep])) is not None:
            res.skipped, res.read, res.format = identical_said(twin[0], m["source"], stored=False), 0, None
            m["file_sha256"], m["sha256"] = m["sha256"], twin[1]  # held as that read's content (`nothing_held`)
        elif m.get("sha256") and conflict is not None and (why := conflict(m["source"], m["sha256"])):
            res.skipped, res.refused, res.read, res.format = why, True, 0, None
        else:
            if m.get("sha256") and force and m["sha256"] not in first and (twin := _same_text_among(m, [meta[k] for k in keep])) is not None:
                m["file_sha256"], m["sha256"] = m["sha256"], twin[1]  # read again with --force: a re-read of that text, as on DuckDB
            if m.get("sha256"):
                first.setdefault(m["sha256"], m["source"])
            res.rejected = int(m.get("n_rejected") or 0)
            res.repaired = int(m.get("n_repaired") or 0)  # as DuckDB's `staged_repairs`: the file's notes
            res.broke_off = m.get("broke_off")  # cut short after some records, as on DuckDB
            res.not_utf8 = int(m.get("not_utf8") or 0)  # as DuckDB's line says it
            res.non_ascii = int(m.get("non_ascii") or 0)
            res.redated = int(m.get("redated") or 0)
            res.rekeyed = int(m.get("rekeyed") or 0)
            res.edited = int(m.get("edited") or 0)
            res.deleted = int(m.get("n_deleted") or 0)  # delete notices, as DuckDB's reader counts them
            res.limited = int(m.get("n_limited") or 0)  # stream limit notices, likewise
            res.warned = int(m.get("n_warned") or 0)  # and its stall warnings
            keep.append(i)
            counts[i] = int(m.get("n_posts") or 0)
    return results, keep, counts


def _same_text_among(m: dict[str, Any], kept: list[dict[str, Any]]) -> tuple[str, str] | None:
    """(source, SHA-256) of a file of this command already kept whose text `m`'s file holds, when
    one of the two is a `.gz` of the other: read one after the other, DuckDB skips the second
    (`runner._same_text_read`), where the executors, each reading one file, cannot tell. Local
    files only; the gzip trailer's text size is compared first, so only a likely pair is hashed."""
    from botwatch.ingest.source import gzip_text_size, text_sha256

    def text_size(meta: dict[str, Any]) -> tuple[bool, int | None]:
        path = str(meta.get("path") or "")
        if is_url(path) or not os.path.isfile(path):
            return False, None
        packed = gzip_text_size(path)
        return packed is not None, packed if packed is not None else meta.get("bytes")

    packed, size = text_size(m)
    if size is None:
        return None
    mine: list[str | None] = []
    for other in kept:
        o_packed, o_size = text_size(other)
        if o_size is None or not (packed or o_packed) or o_size % (1 << 32) != size % (1 << 32) or other.get("broke_off"):
            continue
        if not mine:
            mine.append(text_sha256(str(m["path"])))
        if mine[0] is not None and text_sha256(str(other["path"])) == mine[0]:
            return str(other["source"]), str(other["sha256"])
    return None


# -- the merge: canonical Ibis expressions on the session's Ibis backend -----------------------------
class _Merge:
    """One call's merge of the kept files' staged rows into the lake's tables.

    Staged and stored tables are handed to Ibis as temp views (dropped by `close`); every rule is
    a `canonical` expression, plus the one a batch needs that a file-by-file ingest does not:
    among this call's files, the earliest copy of a row wins (`_earliest_file`)."""

    def __init__(self, spark: Any, lake: Any, kept: Any, files: Collection[int], folder: str | None = None) -> None:
        from botwatch.engines.spark import spark_backend

        self.spark, self.lake, self.kept = spark, lake, kept
        self.files = sorted(files)  # the kept files (`_file`), whose staged rows `kept` holds
        self.folder = folder  # the staging folder `kept` reads: its footers spare jobs (`staged_footers`); None, unknown
        self._held: dict[str, set[int] | None] = {}  # `_footers`' answer per kind: the staging folder does not change during the merge
        self.db = spark_backend(spark)
        self.views: list[str] = []

    def close(self) -> None:
        for name in self.views:
            self.spark.catalog.dropTempView(name)

    def _view(self, df: Any, stem: str) -> Any:
        name = f"_bw_{stem}_{uuid.uuid4().hex[:8]}"
        df.createOrReplaceTempView(name)
        self.views.append(name)
        return self.db.table(name)

    def _stored(self, name: str) -> Any:
        return self._view(read_naive(self.lake, name), name)

    def _empty(self, name: str) -> bool:
        """Whether the lake's table holds no row, known from a local lake's Parquet footers (no
        Spark job). Then a rule that compares staged rows with stored ones (an anti-join) can
        be left out: against no row it keeps every row. Unknown (a lake behind a URL) is False."""
        return self.lake._stored_rows(name) == 0

    def _earliest(self, t: Any, key: list[str], kind: str) -> Any:
        """`_earliest_file`'s rows of `t` (staged rows of `kind`). Where one kept file at most
        gave rows of that kind, every row is its own earliest copy: `t` as it is, without the
        window that finds the earliest (a shuffle, one Spark job). Most files give no bad record,
        so a call of several files mostly has one or none with `rejected` rows (the staging
        folder's footers say which: `staged_footers.files_holding`)."""
        if len(self.files) <= 1 or len(self._holding(kind)) <= 1:
            return t
        return _earliest_file(t, key)

    def _holding(self, kind: str) -> set[int]:
        """The kept files that may have staged rows of `kind`; all of them where the footers cannot
        tell."""
        found = self._footers(kind)
        return set(self.files) if found is None else found

    def _footers(self, kind: str) -> set[int] | None:
        """`staged_footers.files_holding` for the kept files and `kind`, None where the footers
        cannot tell. Read once per kind: `rejected` asks before it stages, `_earliest` again, and
        `retire_rejected` hands the answer to `staged_rejected`, which read the footers a third time."""
        from botwatch.engines.staged_footers import files_holding

        if kind not in self._held:
            self._held[kind] = files_holding(self.folder, kind, self.files)
        return self._held[kind]

    def _df(self, expr: Any) -> Any:
        """An Ibis expression as a Spark DataFrame (lazy: Spark plans and runs it on the cluster)."""
        self.db._run_pre_execute_hooks(expr)
        return self.spark.sql(sql_cache.to_sql(expr, "pyspark", pretty=False, compile=self.db.compile))

    def _staged(self, kind: str, struct_col: str, schema: pa.Schema, global_seq: bool = False) -> Any:
        # One SQL statement: built from Column objects it was some ten py4j round trips a column.
        seq = f"_file * {_FILE_SPAN} + _seq" if global_seq else "_seq"
        fields = ", ".join(f"{struct_col}.{sql_ident(c)} AS {sql_ident(c)}" for c in schema.names)
        rows = self.spark.sql(f"SELECT _file, {seq} AS _seq, {fields} FROM {{kept}} WHERE _kind = '{kind}'", kept=self.kept)
        return self._view(rows, f"stage_{kind}")

    def posts(self, unrecorded: Collection[int] = ()) -> dict[int, int]:
        """Append the posts not stored yet (first occurrence in file order); stored posts per file.
        Of the files `unrecorded` (no `sources` row names them), a post stored already from the
        same file and line (`source`) counts as stored by this read: a cut ingest stored it."""
        first = canonical.first_posts(self._staged("posts", "post", POSTS, global_seq=True), keep=("_file",))
        before: dict[int, int] = {}
        if unrecorded and not self._empty("posts"):
            theirs = first.filter(first._file.isin(sorted(unrecorded)))
            before = _per_file(self._df(theirs.semi_join(self._stored("posts"), [*canonical.POST_KEY, "source"]).select("_file")))
        # A new lake's empty `posts` would keep every row of the anti-join: left out (the same columns).
        fresh = first if self._empty("posts") else canonical.new_posts(first, self._stored("posts"), keep=("_file",))
        stored = self._append_counted("posts", self._df(fresh))
        return {i: stored.get(i, 0) + before.get(i, 0) for i in {*stored, *before}}

    def _append_counted(self, name: str, df: Any) -> dict[int, int]:
        """Append `df` to table `name`; its rows per `_file` (of `self.files`, the kept files). For
        a few files they are counted in the write's own job (`DataFrame.observe`, one `count_if` a
        file: a comparison per row and file), where persisting the rows to count them by a grouped
        query and then write them was 4 Spark jobs more an ingest. Many files are counted that way
        still (`_OBSERVED_FILES`)."""
        from pyspark import StorageLevel
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        wanted = self.files  # sorted
        if len(wanted) <= _OBSERVED_FILES:
            counted = Observation(f"botwatch_{name}_{uuid.uuid4().hex[:8]}")
            store(self.lake, name, df.observe(counted, *(F.count_if(F.col("_file") == i).alias(str(i)) for i in wanted)), "append")
            return {i: n for i in wanted if (n := int(counted.get[str(i)] or 0))}  # read after the write: `get` waits for it
        held = df.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            stored = _per_file(held)
            store(self.lake, name, held, "append")
        finally:
            held.unpersist()
        return stored

    def accounts(self) -> None:
        """Store each file's reduced snapshots not stored yet and recompute the accounts they touch.

        A snapshot equal (same account, times and range) to one stored before, or to one from an
        earlier file of this call, is not stored again: what a file-by-file ingest does, since
        each file is checked against everything stored before it. (The accounts seen per file
        are counted on the executors: `n_accounts` in each file's meta row.)"""
        staged = self._staged("snapshots", "snap", SNAPSHOT_ROW)
        reduced_df = self._df(canonical.reduce_snapshots(staged, per=("_file",)))
        if self._empty("account_snapshots") and self._empty("accounts"):
            self._first_accounts(self._view(_by_account(reduced_df), "reduced"))
            return
        # Not held in memory: read once, by the append, since the accounts below take their keys
        # from the staged rows. Held, the rows cost a Spark job of their own to build, and the
        # keys' two broadcasts (one per join) read them apart (2 jobs); from the staging folder's
        # scan Spark builds the keys' broadcast once and uses it for both joins.
        reduced = self._view(reduced_df, "reduced")
        fresh = self._earliest(canonical.new_snapshots(reduced, self._stored("account_snapshots")), _SNAPSHOT_KEY, "snapshots")
        store(self.lake, "account_snapshots", self._df(fresh.select(*ACCOUNT_SNAPSHOTS.names)), "append")
        # The accounts the files touch, as the staged rows give them: the reduction keeps a row for
        # each account it is given (a NULL key too), so these are the reduced rows' keys.
        # Not `distinct()`: a semi- or anti-join keeps the same rows whatever the copies of a key
        # on its right, and the distinct was a shuffle job of its own under each join.
        touched = staged.select(*canonical.ACCOUNT_KEY)
        snapshots = self._stored("account_snapshots")  # read again: with what was just appended
        theirs = _by_account(self._df(snapshots.semi_join(touched, canonical.ACCOUNT_KEY)))
        recomputed = canonical.accounts_from_snapshots(self._view(theirs, "theirs"))
        untouched = self._stored("accounts").anti_join(touched, canonical.ACCOUNT_KEY).select(*ACCOUNTS.names)
        naive = spark_schema(ACCOUNTS)
        store(self.lake, "accounts", conform(self._df(untouched), naive).unionByName(conform(self._df(recomputed), naive)), "overwrite")

    def _first_accounts(self, reduced: Any) -> None:
        """`accounts` for a lake with no snapshot and no account stored yet (a new lake): every
        reduced snapshot is new but for an earlier file's copy, and the accounts are computed from
        the snapshots being appended, held in memory, instead of re-reading the table and joining
        it with the accounts touched (every one) and the untouched (none). The snapshots are the
        general path's rows in the types the table gives back (`read_naive`'s casts), so the same
        accounts come out (`tests/test_spark_ingest_merge.py`); 5 fewer Spark jobs an ingest."""
        from pyspark import StorageLevel

        fresh = self._df(self._earliest(reduced, _SNAPSHOT_KEY, "snapshots").select(*ACCOUNT_SNAPSHOTS.names))
        fresh = conform(fresh, spark_schema(ACCOUNT_SNAPSHOTS)).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            store(self.lake, "account_snapshots", fresh, "append")
            accounts = self._df(canonical.accounts_from_snapshots(self._view(fresh, "fresh")))
            store(self.lake, "accounts", conform(accounts, spark_schema(ACCOUNTS)), "overwrite")
        finally:
            fresh.unpersist()

    def retire_rejected(self, sources: Collection[str], files: Collection[int]) -> None:
        """Move the bad records `rejected` holds for `sources` that this read of them did not give
        again (an earlier version's: the file was corrected or replaced since) to `rejected_earlier`,
        and take back from there those it gave again (an earlier version put back), as DuckDB's
        `merge.retire_rejected`. The lake kept them in `rejected`: `status` counted them apart but
        listed them with the file's bad records ("Rejected, by error", the report's sample rows)."""
        from pyspark.sql import functions as F

        from botwatch.engines.staged_footers import any_matched, any_unmatched, staged_rejected
        from botwatch.schema import REJECTED_EARLIER

        if not sources or self._empty("rejected") and "rejected_earlier" not in self.lake.tables():
            return
        names = sorted(sources)
        rej = self.kept.where(F.col("_kind") == "rejected").where(F.col("_file").isin(sorted(files)))
        given = rej.select(*(F.col(f"rej.{c}").alias(c) for c in _REJECT_KEY)).where(F.col("source").isin(names))

        def matched(df: Any) -> Any:
            return [df[c] == given[c] for c in _REJECT_KEY[:-1]] + [df["raw"].eqNullSafe(given["raw"])]

        ours = lambda df: F.coalesce(df["source"].isin(names), F.lit(False))  # noqa: E731
        stored = read_naive(self.lake, "rejected")
        gone = stored.where(ours(stored)).join(given, matched(stored), "left_anti")
        given_rows = staged_rejected(self.folder, sorted(files), names, self._footers("rejected"))  # None: only Spark can tell
        moved = not self._empty("rejected") and self._any_row(gone, "rejected", names, given_rows, any_unmatched)
        if "rejected_earlier" in self.lake.tables():
            earlier = self.lake.df("rejected_earlier")
            back = earlier.where(ours(earlier)).join(given, matched(earlier), "left_semi")
            if self._any_row(back, "rejected_earlier", names, given_rows, any_matched):
                store(self.lake, "rejected_earlier", earlier.where(~ours(earlier)).unionByName(
                    earlier.where(ours(earlier)).join(given, matched(earlier), "left_anti")), "overwrite")
        if not moved:
            return
        out = conform(gone.withColumn("replaced_at", F.lit(utcnow())), spark_schema(REJECTED_EARLIER))
        if "rejected_earlier" in self.lake.tables():
            store(self.lake, "rejected_earlier", out, "append")
        else:
            self.lake.write_df("rejected_earlier", out, "overwrite")
        stored = read_naive(self.lake, "rejected")
        store(self.lake, "rejected", stored.where(~ours(stored)).unionByName(
            stored.where(ours(stored)).join(given, matched(stored), "left_semi")), "overwrite")

    def _any_row(self, df: Any, name: str, sources: Collection[str], given: list[tuple[Any, ...]] | None,
                 test: Callable[[Any, list[tuple[Any, ...]]], bool]) -> bool:
        """Whether `df` (the rows of table `name` for `sources`, joined with this read's bad records
        `given`) has a row. Where the table and `given` are small and at hand (a local lake), `test`
        answers at the driver from the rows themselves (`staged_footers`), for the three Spark jobs
        of `df.count()`; else Spark counts (the rows, or their text, too many to bring to the driver)."""
        from botwatch.engines.staged_footers import MATCH_ROWS, small_text

        if given is not None and (n := self.lake._stored_rows(name)) is not None and n <= MATCH_ROWS \
                and (folder := self.lake._folders().get(name)) is not None and small_text(folder, "raw"):
            held = self.lake.driver_arrow(name, _REJECT_KEY, among={"source": set(sources)})
            return test(list(zip(*(held[c].to_pylist() for c in _REJECT_KEY), strict=True)), given)
        return bool(df.count())

    def deletions(self) -> None:
        """Append the delete notices the lake lacks, one row per (platform, post_id), the first
        read (earliest file, then line) kept, as DuckDB's `merge.merge_deletions`."""
        from botwatch.schema import DELETIONS

        self._first_notices("deletions", "gone", DELETIONS, ("platform", "post_id"))

    def stream_limits(self, copies: Collection[int] = ()) -> None:
        """Append the stream limit notices the lake lacks, one row per (limited_at, track), and a
        notice without a time per file and line too, the first read (earliest file, then line) kept,
        none of the files `copies`, as DuckDB's `merge.merge_stream_limits`."""
        from botwatch.schema import STREAM_LIMITS

        self._first_notices("stream_limits", "lim", STREAM_LIMITS, ("limited_at", "track"), copies, timeless="limited_at")

    def stream_warnings(self, copies: Collection[int] = ()) -> None:
        """Append the stream stall warnings the lake lacks, one row per file, line and content, as
        DuckDB's `merge.merge_stream_warnings`: none of the files `copies` (content the lake holds
        under another name: kept there), and two captures' same warning on the same line are two."""
        from botwatch.schema import STREAM_WARNINGS

        self._first_notices("stream_warnings", "warn", STREAM_WARNINGS, ("source", "line", "warned_at", "code", "message", "percent_full"),
                            copies)

    def _first_notices(self, kind: str, struct: str, schema: Any, key: tuple[str, ...], copies: Collection[int] = (),
                       timeless: str | None = None) -> None:
        """Append to table `kind` the staged rows of that kind (fields in the `struct` column)
        whose `key` it lacks, the first read of each key only, none of the files `copies`; a row
        whose `timeless` column (a time in `key`) is NULL is keyed by its file and line too. The
        table is made with the first row, as DuckDB's `merge._merge_first_notices` makes it."""
        from functools import reduce

        from pyspark.sql import Window
        from pyspark.sql import functions as F

        def keyed(df: Any) -> Any:  # `key` and, for a row of no time, its file and line (`_where_*`)
            for c in ("source", "line") if timeless else ():
                df = df.withColumn(f"_where_{c}", F.when(F.col(timeless).isNull(), F.col(c)))
            return df

        full = (*key, *(("_where_source", "_where_line") if timeless else ()))
        rows = self.kept.where(F.col("_kind") == kind).select("_file", "_seq", *(F.col(f"{struct}.{c}").alias(c) for c in schema.names))
        if copies:
            rows = rows.filter(~rows._file.isin(sorted(copies)))
        first = keyed(rows).withColumn("_n", F.row_number().over(Window.partitionBy(*full).orderBy("_file", "_seq"))).where("_n = 1")
        out = conform(first.select(*schema.names), spark_schema(schema))
        if kind not in self.lake.tables():
            self.lake.write_df(kind, out, "overwrite")
            return
        out = keyed(out)
        held = keyed(self.lake.df(kind)).select(*(F.col(k).alias(f"_held_{k}") for k in full))
        same = reduce(lambda a, b: a & b, [out[k].eqNullSafe(held[f"_held_{k}"]) for k in full])
        store(self.lake, kind, out.join(held, same, "left_anti").select(*schema.names), "append")

    def rejected(self, copies: Collection[int] = ()) -> None:
        """Append the bad records not recorded yet (a re-read file's bad lines are kept once);
        none of the files `copies` (content the lake holds under another name: kept there)."""
        if not self._holding("rejected") - set(copies):  # no bad record to append: no Spark job (2 or 3 before)
            return
        staged = self._staged("rejected", "rej", REJECTED)
        if copies:
            staged = staged.filter(~staged._file.isin(sorted(copies)))
        fresh = staged if self._empty("rejected") else staged.anti_join(self._stored("rejected"), _REJECT_KEY)
        store(self.lake, "rejected", self._df(self._earliest(fresh, _REJECT_KEY, "rejected").select(*REJECTED.names)), "append")


def _copies(recorded: list[dict[str, Any]], meta: dict[int, dict[str, Any]], keep: list[int]) -> set[int]:
    """The files of `keep` whose content (SHA-256) the lake already holds under another name (a
    copy read with `--force`): a re-read, whose bad records are those kept under that name, as
    DuckDB's `merge_rejected(store=False)`. Stored again under the copy's name, `status` counted
    each twice while it counted the copy as a re-read, not another input."""
    first: dict[str, str] = {}
    for r in sorted(recorded, key=lambda r: (r["ingested_at"] is None, r["ingested_at"] or 0, r["source"])):  # first read first
        if r["sha256"] is not None and r["format"] is not None:
            first.setdefault(r["sha256"], r["source"])
    out = set()
    for i in keep:
        m = meta[i]
        if m.get("sha256") and not m.get("broke_off") and m.get("format") is not None \
                and first.setdefault(m["sha256"], m["source"]) != m["source"]:
            out.add(i)
    return out


def _by_account(df: Any) -> Any:
    """`df`'s rows spread over the tasks by account (`canonical.ACCOUNT_KEY`) only. Every later
    grouping of the accounts step (the earliest file's copy of a snapshot, one snapshot per
    account and time, one row per account) has the account in its key, so Spark finds the rows
    of each group together already: one shuffle where each grouping, on its own key, was one
    (a Spark job each). The same rows in the same groups; only which task holds them changes.
    Not for a frame persisted as it comes out of this: Spark 4.0 did not take the held rows as
    spread by account (measured), and the shuffle was one more, not one instead of several."""
    return df.repartition(*canonical.ACCOUNT_KEY)


def _per_file(df: Any) -> dict[int, int]:
    return {int(r["_file"]): int(r["count"]) for r in df.groupBy("_file").count().collect()}


def _earliest_file(t: Any, key: list[str]) -> Any:
    """Rows of the earliest file holding each key: a later file's copy would have met it as stored."""
    import ibis

    first = t.mutate(_first_file=t._file.min().over(ibis.window(group_by=key)))
    return first.filter(first._file == first._first_file).drop("_first_file")


__all__ = ["LakeError", "SparkIngestError", "SparkUnavailable", "StagingProgress", "ingest_lake", "spark_session"]
