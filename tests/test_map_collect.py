"""`map_collect`: a Python pass over Arrow batches whose few rows per batch come back to the caller
instead of being stored (the study prior's sums, `accounts.batches.study_prior`). On a lake it is
one Spark job, where a temp table written and read back was two; both engines give the same rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch import open_study

SCHEMA = pa.schema([("rows", pa.int64()), ("total", pa.int64())])


def per_batch() -> Any:
    """An `fn` giving one row per batch: its rows and their sum (a batch size the engine ignored
    would show). Made here, not at module level, so Spark's executors get it by value."""
    schema = SCHEMA

    def rows(batch: pa.RecordBatch) -> pa.Table:
        return pa.table({"rows": [batch.num_rows], "total": [sum(batch.column("n").to_pylist())]}, schema=schema)

    return rows


def _origins(n: int) -> pa.Table:
    """A stored origins table as `study_prior` reads it without pooling: one P(Russia) per account."""
    return pa.table({"_p": pa.array([None if i % 7 == 0 else (i % 10) / 10 + 0.05 for i in range(n)], pa.float64())})


def test_a_study_collects_each_batchs_rows(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE nums AS SELECT range::BIGINT AS n FROM range(10)")
        got = st.map_collect("nums", per_batch(), SCHEMA, batch_rows=3)
        assert got.schema == SCHEMA
        assert sorted(got.column("rows").to_pylist()) == [1, 3, 3, 3] and sum(got.column("total").to_pylist()) == 45
        assert st.map_collect("SELECT n FROM nums WHERE n < 0", per_batch(), SCHEMA).num_rows == 0


@pytest.mark.spark
def test_a_lake_collects_the_same_rows_in_one_spark_job(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import LakeStudy

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        setting = spark.conf.get(conf)
        before = jobs()
        got = lake.map_collect("nums", per_batch(), SCHEMA, batch_rows=3)
        assert jobs() - before == 1
        assert spark.conf.get(conf) == setting
        assert got.schema == SCHEMA
        assert max(got.column("rows").to_pylist()) <= 3 and sum(got.column("rows").to_pylist()) == 10
        assert sum(got.column("total").to_pylist()) == 45


@pytest.mark.spark
def test_the_study_prior_is_one_spark_job_and_the_same_on_both_engines(spark: Any, tmp_path: Path) -> None:
    """`study_prior` over a stored table of P(Russia): the same prior from a DuckDB study and a
    lake, the lake's in one Spark job (two while the batches' rows went through a temp table)."""
    from botwatch.accounts import batches
    from botwatch.accounts.origin_prior import study_base
    from botwatch.engines.lake import LakeStudy

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    table, base = _origins(200), study_base("US")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with st.temp_view("stored_p", table):
            want = batches.study_prior(st, "stored_p", base, None, batch_rows=50)  # type: ignore[arg-type]
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("stored_p", table)
        before = jobs()
        got = batches.study_prior(lake, "stored_p", base, None, batch_rows=50)  # type: ignore[arg-type]
        ran = jobs() - before
    assert want is not None and got is not None
    assert (got.accounts, got.share, got.lo, got.hi) == (want.accounts, want.share, want.lo, want.hi)
    assert ran == 1, f"Spark jobs of the study prior: {ran}"
