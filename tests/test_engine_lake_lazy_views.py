"""A lake registers a table as a Spark view the first time something names it, not at open:
opening an analysed lake used to register all of its ~30 tables (4-18 s) before `status` read
five. What is named still resolves, a view brings the tables it reads, and a rewrite is seen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake import LakeStudy

pytestmark = pytest.mark.spark


def _views(spark: Any) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.isTemporary}


def test_tables_become_views_when_first_named(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    before = _views(spark)  # another test's views on the shared session
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("t1", pa.table({"v": [1, 2]}))
        lake.write_table("t2", pa.table({"w": ["x"]}))
        lake.sql("CREATE VIEW big AS SELECT v FROM t1 WHERE v > 1")
    ours = {"t1", "t2", "big", "posts", "runs", "accounts"}
    assert not ours & (_views(spark) - before)
    with LakeStudy(path, spark=spark) as lake:
        assert _views(spark) == before  # opening registers nothing
        assert set(lake.tables()) >= {"t1", "t2", "big", "posts"}
        assert lake.sql("SELECT count(*) FROM big") == [(1,)]
        assert {"big", "t1"} <= _views(spark) and not {"t2", "posts", "runs"} & (_views(spark) - before)
        assert lake.columns("t2") == ["w"] and "t2" in _views(spark)
        lake.sql("CREATE TEMP VIEW tv AS SELECT v FROM t1")
        # A rewrite drops the stale view; the next statement, and the views over it, see the new rows.
        lake.write_table("t1", pa.table({"v": [5, 6, 7]}))
        assert lake.sql("SELECT count(*) FROM tv") == [(3,)]
        lake.write_table("t1", pa.table({"v": [5, 6, 7]}))
        assert lake.sql("SELECT count(*) FROM big") == [(3,)]
        assert lake.expr_arrow(lake.table("t1").filter(lambda t: t.v > 5)).num_rows == 2
        assert lake.ibis.table("posts").count().execute() == 0  # `study.ibis.table` registers too
    assert not ours & (_views(spark) - before)  # close drops what it registered


def test_status_reads_a_local_lake_without_registering_a_view(spark: Any, tmp_path: Path) -> None:
    from datetime import datetime

    from pyspark.sql.pandas.types import to_arrow_schema

    from botwatch.engines.lake_report import reading, spark_schema_of_part
    from botwatch.report.section_overview import study_summary

    path = tmp_path / "lake"
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("mixed", pa.table({"at": [datetime(2017, 5, 1)], "tags": [["a"]], "n": pa.array([1], pa.int32()), "ok": [True]}))
        lake.sql("INSERT INTO mixed SELECT at, tags, n + 1, ok FROM mixed")  # a part written by Spark beside Arrow's
        lake.sql("CREATE TABLE by_spark AS SELECT count(*) AS n, list(tags) AS nested, max(at) AS last FROM mixed")
    before = _views(spark)
    with LakeStudy(path, read_only=True, spark=spark) as lake:
        large = bool(spark._jconf.arrowUseLargeVarTypes())
        for name in ("mixed", "by_spark", "runs", "posts"):
            for part in sorted((path / name).glob("*.parquet")):
                assert spark_schema_of_part(str(part), large) == to_arrow_schema(lake.df(name).schema, prefers_large_types=large), (name, part.name)
    with LakeStudy(path, read_only=True, spark=spark) as lake, reading(lake) as st:
        assert study_summary(st)["posts"] == 0
        assert _views(spark) == before  # the small tables came from their files, their types from the footers


def _jobs(spark: Any) -> int:
    return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))


def test_a_local_table_is_registered_with_its_footer_schema_and_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """Spark infers a Parquet folder's schema in a job of its own (a sixth of a small ingest's
    jobs); a local lake gives Spark the first part's footer schema instead, which must be the one
    Spark infers: for Arrow-written parts, Spark-written ones, a mix, an empty table and a
    partitioned folder (left to Spark)."""
    from datetime import datetime

    path = tmp_path / "lake"
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("mixed", pa.table({"at": [datetime(2017, 5, 1)], "tags": [["a"]], "n": pa.array([1], pa.int32()),
                                            "ok": [True], "m": [[("k", 1.5)]]}, schema=pa.schema(
            [("at", pa.timestamp("us")), ("tags", pa.list_(pa.string())), ("n", pa.int32()), ("ok", pa.bool_()), ("m", pa.map_(pa.string(), pa.float64()))])))
        lake.sql("INSERT INTO mixed SELECT at, tags, n + 1, ok, m FROM mixed")  # a part written by Spark beside Arrow's
        lake.sql("CREATE TABLE by_spark AS SELECT count(*) AS n, list(tags) AS nested, max(at) AS last FROM mixed")
        lake.sql("CREATE TABLE nothing AS SELECT * FROM mixed WHERE n > 100")
        spark.createDataFrame([(1, "a")], "v INT, k STRING").write.partitionBy("k").parquet(str(path / "parted"))
    with LakeStudy(path, read_only=True, spark=spark) as lake:
        for name in ("mixed", "by_spark", "nothing", "runs", "posts", "parted"):
            folder = str(path / name)
            inferred = spark.read.parquet(folder).schema
            before = _jobs(spark)
            got = lake._read_folder(folder).schema
            assert got == inferred, name
            assert _jobs(spark) == before or name == "parted", name  # Spark lists a partitioned folder itself
        before = _jobs(spark)
        assert lake.df("mixed").schema == spark.read.parquet(str(path / "mixed")).schema
        assert lake.sql("SELECT count(*) FROM mixed") == [(2,)]
