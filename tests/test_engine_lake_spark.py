"""A lake study on a shared SparkSession: two lakes never read each other's tables, close leaves
no views behind, and appended rows take the stored column types. Small on purpose (one session)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake import LakeStudy
from botwatch.study import StudyError

pytestmark = pytest.mark.spark


def _views(spark: Any) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.isTemporary}


def test_two_lakes_on_one_session_read_only_their_own_tables(spark: Any, tmp_path: Path) -> None:
    before = _views(spark)  # another test's views on the shared session (a lake replaces one only when it names it)
    a = LakeStudy(tmp_path / "a", spark=spark)
    a.write_table("t", pa.table({"v": ["from a"]}))
    a.write_table("only_a", pa.table({"v": [1]}))
    b = LakeStudy(tmp_path / "b", spark=spark)
    b.write_table("t", pa.table({"v": ["from b"]}))
    try:
        assert a.sql("SELECT v FROM t") == [("from a",)]
        assert b.sql("SELECT v FROM t") == [("from b",)]
        assert a.arrow("t").column("v").to_pylist() == ["from a"]
        with pytest.raises(StudyError):
            b.sql("SELECT * FROM only_a")  # lake a's table, not b's
        assert b.query_arrow("SELECT v FROM t").column("v").to_pylist() == ["from b"]
    finally:
        b.close()
        assert a.sql("SELECT v FROM t") == [("from a",)]  # b's close leaves a usable
        a.close()
    assert not {"t", "only_a", "posts", "runs"} & (_views(spark) - before)  # nothing left on the session


def test_append_arrow_casts_to_the_stored_types(spark: Any, tmp_path: Path) -> None:
    with LakeStudy(tmp_path / "c", spark=spark) as lake:
        lake.write_table("n", pa.table({"k": pa.array([1], pa.int64()), "s": ["x"]}))
        lake.append_arrow("n", pa.table({"k": pa.array([2], pa.int32()), "s": ["y"]}))
        got = lake.arrow("n")
        assert got.schema.field("k").type == pa.int64()
        assert sorted(got.column("k").to_pylist()) == [1, 2]


def test_a_lake_another_writer_holds_is_refused_for_writing_only(spark: Any, tmp_path: Path) -> None:
    import json

    from botwatch.engines.lake_lock import LOCK_FILE, LakeLocked

    path = tmp_path / "locked"
    LakeStudy(path, spark=spark).close()  # a lake; closing gave its lock back
    assert not (path / LOCK_FILE).exists()
    (path / LOCK_FILE).write_text(json.dumps({"user": "bob", "host": "other-node", "pid": 7, "token": "t", "since": "2026-11-30 09:00:00", "command": "botwatch analyze"}))
    with pytest.raises(LakeLocked, match="bob on other-node"):
        LakeStudy(path, spark=spark)
    with LakeStudy(path, read_only=True, spark=spark) as reader:  # readers take no lock
        assert "posts" in reader.tables()
    assert json.loads((path / LOCK_FILE).read_text())["user"] == "bob"


def test_a_lake_keeps_no_empty_scratch_or_dropped_hidden_table(spark: Any, tmp_path: Path) -> None:
    """Every command left an empty `_scratch/` behind, and `DROP TABLE IF EXISTS _tl_offsets`
    (the timeline's own table, hidden from `tables()`) did nothing: the folder stayed, full."""
    path = tmp_path / "tidy"
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("_tl_offsets", pa.table({"hour": [1]}))  # what timeline_expr writes
        lake.write_table("kept", pa.table({"v": [1]}))
        lake.sql("CREATE TEMP TABLE scratchy AS SELECT v FROM kept")
        assert (path / "_tl_offsets").is_dir() and "_tl_offsets" not in lake.tables()
        lake.sql("DROP TABLE IF EXISTS _tl_offsets")
        assert not (path / "_tl_offsets").exists()
        lake.sql("DROP TABLE IF EXISTS _never_written")  # still nothing to say
    assert not (path / "_scratch").exists()
    other = path / "_scratch" / "another-command"  # a reader's temp tables, still in use
    other.mkdir(parents=True)
    with LakeStudy(path, spark=spark, read_only=True) as lake:
        assert lake.sql("SELECT v FROM kept") == [(1,)]
    assert other.is_dir()


def test_ctrl_c_in_a_lake_stage_stops_its_job_and_is_recorded(spark: Any, tmp_path: Path) -> None:
    """Ctrl-C stops the Python side only: the JVM ran the stage's job on to its end, and the
    stage's `runs` row (a Spark job of its own) queued behind it, so the command took as long as
    the job to stop."""
    import threading
    import time

    def slow(batches: Any) -> Any:
        for batch in batches:
            time.sleep(60)
            yield batch

    outcome: list[str] = []

    def job() -> None:
        try:
            spark.range(0, 2, numPartitions=2).mapInArrow(slow, "id long").collect()
            outcome.append("ran to its end")
        except Exception:  # noqa: BLE001 - cancelled, as it should be
            outcome.append("cancelled")

    worker = threading.Thread(target=job, daemon=True)
    with LakeStudy(tmp_path / "cut", spark=spark) as lake:
        with pytest.raises(KeyboardInterrupt), lake.run("timeline", {"engine": "spark"}):
            worker.start()
            tracker = spark.sparkContext.statusTracker()
            for _ in range(1200):  # the job's tasks are running
                if any(s.numActiveTasks for s in map(tracker.getStageInfo, tracker.getActiveStageIds()) if s):
                    break
                time.sleep(0.05)
            began = time.monotonic()
            raise KeyboardInterrupt
        assert time.monotonic() - began < 50  # not the minute the cut-off job had left
        worker.join(50)
        assert outcome == ["cancelled"]
        assert lake.sql("SELECT stage, status, message FROM runs") == [("timeline", "failed", "interrupted (Ctrl-C)")]


def test_a_stage_s_runs_row_is_written_without_a_spark_write_job(spark: Any, tmp_path: Path) -> None:
    """The row went through INSERT INTO runs: a Spark write job per stage (three jobs for two rows)."""
    with LakeStudy(tmp_path / "rows", spark=spark) as lake:
        lake.sql("SELECT count(*) FROM runs")
        tracker = spark.sparkContext.statusTracker()
        before = set(tracker.getJobIdsForGroup(None))
        for stage in ("coverage", "timeline"):
            with lake.run(stage, {"engine": "spark"}) as info:
                info["rows_written"] = 3
        assert len(set(tracker.getJobIdsForGroup(None)) - before) <= 1  # at most the stored schema's read
        assert sorted(lake.sql("SELECT stage, status, rows_written FROM runs")) == [("coverage", "ok", 3), ("timeline", "ok", 3)]


def test_create_table_with_columns_writes_no_spark_job_and_reads_as_spark_would(spark: Any, tmp_path: Path) -> None:
    """`CREATE TABLE t (cols)` on a local lake is one Parquet file Arrow writes (it was a Spark job
    writing an empty DataFrame: timeline_groups, impact and impact_irf each analyze), with the
    schema Spark gives the same columns (a temp table's, still written by Spark), and rows
    inserted after it read back typed as before."""
    ddl = ("a VARCHAR, b DOUBLE, c BIGINT, d INTEGER, e BOOLEAN, f TIMESTAMP, g DATE, h DECIMAL(12,3), i SMALLINT, j TINYINT, "
           "k FLOAT, l VARCHAR[], m BLOB, p STRUCT(x INTEGER, y VARCHAR)")
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        before = int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))
        lake.sql(f"CREATE OR REPLACE TABLE t ({ddl})")
        lake.sql(f"CREATE TABLE IF NOT EXISTS t ({ddl})")
        assert int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId())) == before
        lake.sql(f"CREATE TEMP TABLE by_spark ({ddl})")
        assert lake.df("t").schema == lake.df("by_spark").schema and lake.count("t") == 0
        lake.sql("INSERT INTO t (a, f, h, j) VALUES ('x', TIMESTAMP '2016-11-08 12:00:00', 1.5, 3)")
        assert lake.sql("SELECT a, f, h, j, b FROM t") == [("x", datetime(2016, 11, 8, 12), Decimal("1.500"), 3, None)]
