"""A lake's `map_arrow` drains an `fn` that answers one batch late (`drain()`, as
`content.pool.OneBatchLate` does), as DuckDB's does: before, the executors dropped the last batch
of every partition. The batch logic runs without Spark; one Spark test checks the whole path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake_arrow import map_batches, wide_schema

SCHEMA = pa.schema([("n", pa.int64())])


def late() -> Any:
    """An `fn` that returns each batch's rows at the next call and the last from `drain()`. Its
    class is made here, not at module level, so Spark's executors get it by value."""

    class Late:
        def __init__(self) -> None:
            self.held: pa.Table | None = None

        def __call__(self, batch: pa.RecordBatch) -> pa.Table:
            out, self.held = self.held, pa.Table.from_batches([batch])
            return out if out is not None else pa.schema([("n", pa.int64())]).empty_table()

        def drain(self) -> list[pa.Table]:
            out, self.held = self.held, None
            return [] if out is None else [out]

    return Late()


def test_map_batches_yields_what_a_late_fn_still_owes() -> None:
    outputs = {"out": SCHEMA}
    batches = pa.table({"n": pa.array(range(10), pa.int64())}).to_batches(max_chunksize=3)
    got = pa.Table.from_batches(list(map_batches(late(), outputs, wide_schema(outputs), batches)), wide_schema(outputs))
    assert got.column("o0__n").to_pylist() == list(range(10))
    plain = map_batches(lambda b: pa.Table.from_batches([b]), outputs, wide_schema(outputs), batches)
    assert sum(b.num_rows for b in plain) == 10  # an fn without drain() as before


@pytest.mark.spark
def test_a_lake_stores_every_row_of_a_late_fn(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import LakeStudy

    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        assert lake.map_arrow("nums", late(), SCHEMA, "out", batch_rows=3) == {"out": 10}
        assert sorted(r[0] for r in lake.sql("SELECT n FROM out")) == list(range(10))


@pytest.mark.spark
def test_one_output_is_stored_as_mapped_in_one_spark_job(spark: Any, tmp_path: Path) -> None:
    """A `map_arrow` with one output stores the mapped rows directly (one Spark job for a plain
    table's rows), where writing them to scratch and storing them again took two; the rows, the
    batch size setting restored after it, and two outputs split as before."""
    from botwatch.engines.lake import LakeStudy

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    def double(batch: pa.RecordBatch) -> pa.Table:
        return pa.table({"n": pa.array([2 * x for x in batch.column("n").to_pylist()], pa.int64())})

    def split(batch: pa.RecordBatch) -> tuple[pa.Table, pa.Table]:
        t = pa.Table.from_batches([batch])
        return t.filter(pa.compute.less(t["n"], 4)), t.filter(pa.compute.greater_equal(t["n"], 4))

    conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        setting = spark.conf.get(conf)
        for temp in (False, True):
            before = jobs()
            assert lake.map_arrow("nums", double, SCHEMA, "out", batch_rows=3, temp=temp) == {"out": 10}
            assert jobs() - before == 1, temp
            assert spark.conf.get(conf) == setting
            assert sorted(r[0] for r in lake.sql("SELECT n FROM out")) == list(range(0, 20, 2))
        assert lake.map_arrow("nums", split, {"low": SCHEMA, "high": SCHEMA}) == {"low": 4, "high": 6}
        assert sorted(r[0] for r in lake.sql("SELECT n FROM high")) == list(range(4, 10))
