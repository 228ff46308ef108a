"""`LakeStudy.driver_arrow`: an ingest's small reads at the driver (`sources`, `runs`, `rejected`'s
broken-off notes) come from a local lake's Parquet parts through Arrow, with no Spark job, and
give the rows and values Spark's collect gives: for Arrow-written parts, Spark-written ones (INT96
timestamps), a mix, an empty table, a filter on a column with nulls; a partitioned folder and a
missing column are left to Spark."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake import LakeStudy

pytestmark = pytest.mark.spark


def _jobs(spark: Any) -> int:
    return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))


def _by_spark(lake: LakeStudy, name: str, columns: list[str], equal: dict[str, Any]) -> list[dict[str, Any]]:
    df = lake.df(name)
    for col, value in equal.items():
        df = df.where(df[col] == value)
    return lake._collect(df.select(*columns)).to_pylist()


def _key(row: dict[str, Any]) -> str:
    return repr(sorted(row.items()))


def test_driver_reads_equal_spark_collects_and_run_no_job(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    t0 = datetime(2017, 5, 1, 12, 30, 15, 123456)
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("mixed", pa.table({"source": ["a", None, "c"], "line": pa.array([0, 0, 7], pa.int64()),
                                            "at": [t0, None, datetime(2020, 1, 1)], "error": ["x", "y", None]}))
        lake.sql("INSERT INTO mixed SELECT source, line + 0, at, 'from spark' FROM mixed")  # a Spark-written part (INT96) beside Arrow's
        lake.sql("CREATE TABLE by_spark AS SELECT source, line, at, error FROM mixed")
    with LakeStudy(path, spark=spark) as lake:
        reads = [("mixed", ["source", "at", "error"], {}), ("mixed", ["source", "error"], {"line": 0}),
                 ("by_spark", ["at", "line"], {"line": 7}), ("by_spark", ["error"], {"source": "a"}),
                 ("sources", ["sha256", "source", "format", "bytes", "ingested_at"], {}), ("runs", ["params", "started_at"], {"stage": "ingest"})]
        for name, columns, equal in reads:
            before = _jobs(spark)
            got = lake.driver_arrow(name, columns, equal)
            assert _jobs(spark) == before, name  # no Spark job on a local lake
            assert got.column_names == columns
            want = _by_spark(lake, name, columns, equal)
            assert sorted(got.to_pylist(), key=_key) == sorted(want, key=_key), (name, equal)
        assert lake.driver_arrow("mixed", ["at"], {"line": 0}).to_pylist().count({"at": t0}) == 2  # microseconds kept, naive UTC
        # rows whose column holds one of a set (a NULL source is in none), on a part by Arrow and one by Spark
        got = lake.driver_arrow("mixed", ["source", "error"], among={"source": {"a", "z"}})
        assert sorted(got.to_pylist(), key=_key) == [{"source": "a", "error": "from spark"}, {"source": "a", "error": "x"}]


def test_a_partitioned_folder_is_read_by_spark(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    with LakeStudy(path, spark=spark) as lake:
        spark.createDataFrame([("a", 1), ("b", 2)], "source string, k int").write.partitionBy("k").parquet(str(path / "parted"))
        got = lake.driver_arrow("parted", ["source"], {"k": 2})
        assert got.to_pylist() == [{"source": "b"}]
        got = lake.driver_arrow("parted", ["k"], among={"source": {"a"}})  # the same rows when Spark reads
        assert got.to_pylist() == [{"k": 1}]


def test_the_staged_files_meta_rows_read_by_arrow_equal_sparks(spark: Any, tmp_path: Path) -> None:
    """The one row per file the executors write (hash, format, counts, errors) is
    read from the local staging folder without a Spark job, as Spark collects it."""
    from botwatch.engines.spark_ingest import _meta, _stage
    from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES

    fix = Path(__file__).resolve().parent / "fixtures" / "ingest"
    files = [str(fix / "twarc2_flat.jsonl"), str(fix / "twarc2_stream_with_error.jsonl.gz"), str(tmp_path / "missing.jsonl"),
             str(fix / "v1_uklabour.jsonl")]
    folder = str(tmp_path / "staged")
    staged, meta = _stage(spark, files, {}, False, DEFAULT_MAX_RECORD_BYTES, folder, None)
    by_spark = {int(r["_file"]): r["meta"].asDict() for r in staged.where("_kind = 'file'").select("_file", "meta").collect()}
    assert sorted(meta) == [0, 1, 2, 3] and meta == by_spark
    assert meta[2]["error"] and meta[0]["sha256"] and meta[1]["n_rejected"]  # each kind of row is there
    before = _jobs(spark)
    assert _meta(staged, folder) == by_spark and _jobs(spark) == before


def test_conform_in_one_statement_casts_as_column_casts_do(spark: Any) -> None:
    """`lake_tables.conform` is one SQL statement (the Column form was ~10 py4j calls a column):
    the same columns, order, types and values as `F.col(c).cast(t).alias(c)`, for a zoned
    timestamp to NTZ, an int widened, a list, a struct, an awkward name and an extra column dropped."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, IntegerType, LongType, StringType, StructField, StructType, TimestampNTZType

    from botwatch.engines.lake_tables import conform

    df = spark.sql("SELECT TIMESTAMP'2017-05-01 12:30:15.123456' AS at, CAST(3 AS INT) AS n, array('a', NULL) AS tags, "
                   "named_struct('x', 1, 'y', 'b') AS s, 'z' AS `odd name`, 1 AS extra "
                   "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, 2")
    schema = StructType([StructField("n", LongType()), StructField("at", TimestampNTZType()), StructField("tags", ArrayType(StringType())),
                         StructField("s", StructType([StructField("x", LongType()), StructField("y", StringType())])),
                         StructField("odd name", StringType()), StructField("n2", IntegerType())])
    df = df.withColumn("n2", F.col("n"))
    by_columns = df.select([F.col(f"`{f.name}`").cast(f.dataType).alias(f.name) for f in schema.fields])
    got = conform(df, schema)
    assert got.schema == by_columns.schema
    assert sorted(map(repr, got.collect())) == sorted(map(repr, by_columns.collect()))


def test_a_local_lakes_listings_equal_hadoops(spark: Any, tmp_path: Path) -> None:
    """`LakeFiles.exists/dirs/files` answer a local path from the disk (Hadoop's listing was three
    py4j calls an entry): the answers Hadoop's local file system gives, its checksum files hidden."""
    from botwatch.engines.lake_files import LakeFiles

    (tmp_path / "a").mkdir()
    (tmp_path / "_b").mkdir()
    (tmp_path / ".c").mkdir()
    (tmp_path / "f.sql").write_text("x")
    (tmp_path / ".f.sql.crc").write_text("x")
    (tmp_path / "_SUCCESS").write_text("")
    files = LakeFiles(spark, str(tmp_path))
    hadoop = files.fs
    path = files._path

    def by_hadoop(p: str, want_dirs: bool) -> list[str]:
        if not hadoop.exists(path(p)):
            return []
        return sorted(s.getPath().getName() for s in hadoop.listStatus(path(p)) if (s.isDirectory() if want_dirs else s.isFile()))

    for p in (str(tmp_path), "file://" + str(tmp_path), str(tmp_path / "f.sql"), str(tmp_path / "missing"), str(tmp_path / "a")):
        assert files.exists(p) == bool(hadoop.exists(path(p))), p
        assert files.dirs(p) == by_hadoop(p, True), p
        assert files.files(p) == by_hadoop(p, False), p
    assert files.files(str(tmp_path)) == ["_SUCCESS", "f.sql"] and files.dirs(str(tmp_path)) == [".c", "_b", "a"]


def test_a_bare_count_reads_the_footers_with_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """`SELECT count(*) FROM t` of a stored table or a temp table on a local lake is its footers'
    row count (what `count` reads), with no Spark job; anything more than the bare count, and a
    view, still runs on Spark, with the same answers."""
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("t", pa.table({"x": pa.array([1, 2, None, 4], pa.int64())}))
        lake.sql("INSERT INTO t SELECT x + 10 FROM t")  # a Spark-written part beside Arrow's
        lake.sql("CREATE TEMP TABLE _t AS SELECT x FROM t WHERE x > 2")
        lake.sql("CREATE TEMP VIEW _v AS SELECT x FROM t WHERE x > 2")
        for query, want in [("SELECT count(*) FROM t", 8), ('select COUNT(*) from "t"', 8), ("SELECT count(*) FROM _t", 4)]:
            before = _jobs(spark)
            assert lake.sql(query) == [(want,)], query
            assert _jobs(spark) == before, query
        for query, want in [("SELECT count(*) FROM t WHERE x > 2", 4), ("SELECT count(x) FROM t", 6), ("SELECT count(*) FROM _v", 4)]:
            before = _jobs(spark)
            assert lake.sql(query) == [(want,)], query
            assert _jobs(spark) > before, query


def test_count_and_minimum_from_the_footers_equal_sparks_with_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """`stored_count_min` (the coordination stage's kept pairs and their fewest co-actions) gives
    what `SELECT count(*), min(x)` gives, with no Spark job, for a stored table of Arrow and Spark
    parts with NULLs, a temp table Spark wrote, an empty one and one of NULLs only; a view and a
    text column are left to Spark (None)."""
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("t", pa.table({"x": pa.array([5, None, 3], pa.int64()), "s": ["a", "b", None]}))
        lake.sql("INSERT INTO t SELECT x - 4, s FROM t")  # a Spark-written part beside Arrow's
        lake.sql("CREATE TEMP TABLE _t AS SELECT x, s FROM t WHERE x > 1")
        lake.sql("CREATE TEMP TABLE _none AS SELECT x FROM t WHERE x > 100")
        lake.sql("CREATE TEMP TABLE _nulls AS SELECT CAST(NULL AS BIGINT) AS x FROM t")
        lake.sql("CREATE TEMP VIEW _v AS SELECT x FROM t")
        for name, want in [("t", (6, -1)), ("_t", (2, 3)), ("_none", (0, None)), ("_nulls", (6, None))]:
            before = _jobs(spark)
            got = lake.stored_count_min(name, "x")
            assert _jobs(spark) == before, name
            assert got == want == tuple(lake.sql(f"SELECT count(*), min(x) FROM {name}")[0]), name
        assert lake.stored_count_min("_v", "x") is None
        assert lake.stored_count_min("t", "s") is None


def test_distinct_of_one_stored_value_comes_from_the_footers_and_equals_spark(spark: Any, tmp_path: Path) -> None:
    """`SELECT DISTINCT election FROM post_labels LIMIT 3` (asked before five stages run) on a local
    lake: where every row group's statistics say one value and no NULL, the footers answer with no
    Spark job; several values, a NULL, a filter or a view still go to Spark, with the same rows."""
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("one", pa.table({"election": ["us-2016"] * 3, "n": [1, 2, 3]}))
        lake.sql("INSERT INTO one SELECT election, n + 3 FROM one")  # a Spark-written part beside Arrow's
        lake.write_table("empty", pa.table({"election": pa.array([], pa.string())}))
        lake.write_table("two", pa.table({"election": ["us-2016", "uk-ge2017"]}))
        lake.write_table("nulls", pa.table({"election": ["us-2016", None]}))
        lake.sql("CREATE VIEW one_v AS SELECT election FROM one")
        for query, want, jobless in [
            ("SELECT DISTINCT election FROM one LIMIT 3", [("us-2016",)], True),
            ("SELECT DISTINCT election FROM one", [("us-2016",)], True),
            ("SELECT DISTINCT election FROM empty LIMIT 3", [], True),
            ("SELECT DISTINCT election FROM two", [("uk-ge2017",), ("us-2016",)], False),
            ("SELECT DISTINCT election FROM nulls", [(None,), ("us-2016",)], False),
            ("SELECT DISTINCT election FROM one_v LIMIT 3", [("us-2016",)], False),
            ("SELECT DISTINCT election FROM one WHERE n > 5", [("us-2016",)], False),
        ]:
            before = _jobs(spark)
            got = lake.sql(query)
            assert (_jobs(spark) == before) == jobless, query
            assert sorted(got, key=repr) == sorted(want, key=repr), query


def test_the_rate_s_read_of_sources_runs_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """`analyze` and `estimate` ask which inputs a study holds before the first stage
    (`recorded_sample_rate`): on a local lake that read was `SELECT DISTINCT source` through
    Spark SQL, two Spark jobs for a few rows; the note is the same."""
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.schema import SOURCES

    capture = "/data/x-stream-20260101T000000Z-1.jsonl.gz"  # named as `botwatch collect` names its files
    rows = {"source": [capture, "/data/archive.csv", capture], "sha256": ["a", "b", "c"]}
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.append_arrow("sources", pa.table({f.name: rows.get(f.name, [None] * 3) for f in SOURCES}, schema=SOURCES))
        lake.tables()
        before = _jobs(spark)
        rate, note = recorded_sample_rate(lake)
        assert _jobs(spark) == before
    assert rate is None
    assert note.startswith(f"1 input(s) written by botwatch collect (e.g. {capture}) were ingested without their capture folder's manifest")


def test_the_rate_s_reads_of_captures_run_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """With recorded captures, `recorded_sample_rate` read `captures` three times through Spark SQL
    (the unusable rates, the rates, each capture's runs) before `analyze`'s first stage."""
    from botwatch.collect.study_link import recorded_sample_rate

    manifest = json.dumps({"sample_rate": 0.25, "runs": [{"stream": "x-stream", "pid": 9}]})
    captures = {"folder": ["/cap/b", "/cap/a"], "sample_rate": [0.25, 0.25], "manifest": [manifest, manifest]}
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("captures", pa.table(captures))
        lake.append_arrow("sources", pa.table({"source": ["/data/x-stream-20260101T000000Z-1.jsonl.gz"]}))  # no run of theirs wrote it
        lake.tables()
        before = _jobs(spark)
        rate, note = recorded_sample_rate(lake)
        assert _jobs(spark) == before
        assert rate is None and note.startswith("the study holds captures at rate 0.25 and 1 file(s) named as botwatch collect names"), note
        lake.write_table("captures", pa.table({**captures, "sample_rate": pa.array([None, None], pa.float64())}))
        lake.tables()
        before = _jobs(spark)
        rate, note = recorded_sample_rate(lake)
        assert _jobs(spark) == before
        assert rate is None and note.startswith("the capture manifest of /cap/a (.botwatch/capture.json)"), note  # the first folder, as ORDER BY folder gave


def test_the_window_check_reads_the_footers_and_says_what_the_query_says(spark: Any, tmp_path: Path) -> None:
    """`outside_election_window` (asked before `analyze`'s first stage, and by the report) scanned
    every post in two Spark jobs for "is any post in the window". A local lake's Arrow-written
    parts carry `created_at`'s min and max per row group: where they settle it, no Spark job and
    the same line; a row group that straddles the window, or a Spark-written INT96 part (no
    statistics), goes to the query as before."""
    from botwatch.elections.model import load_election
    from botwatch.report import caveats

    el = load_election("uk-ge2017")  # days in Europe/London
    start, end = el.window_utc()
    before_w, after_w = datetime(2016, 6, 23, 9, 0, 0, 1), datetime(2021, 5, 6, 22, 59)

    def by_query(lake: LakeStudy) -> str | None:
        lake.stored_time_ranges = lambda name, column: None  # type: ignore[method-assign]  # the footers say nothing
        try:
            return caveats.outside_election_window(lake, el)
        finally:
            del lake.stored_time_ranges

    cases = [([before_w, start - timedelta(microseconds=1), None], True), ([before_w, end - (end - start) / 2], True), ([end, after_w], True),
             ([None, None], True), ([before_w, after_w], False)]  # the last: one row group around the window
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        for times, jobless in cases:
            lake.write_table("posts", pa.table({"created_at": pa.array(times, pa.timestamp("us")), "post_id": [str(i) for i in range(len(times))]}))
            want = by_query(lake)
            before = _jobs(spark)
            assert caveats.outside_election_window(lake, el) == want, times
            assert (_jobs(spark) == before) == jobless, times
        lake.write_table("posts", pa.table({"created_at": pa.array([after_w, end], pa.timestamp("us")), "post_id": ["a", "b"]}))
        want = by_query(lake)
        assert want is not None and want.startswith("None of this study's posts (2017-06-10 to 2021-05-06, days in Europe/London) falls in the "), want
        lake.sql("INSERT INTO posts SELECT created_at, post_id || 'x' FROM posts")  # a Spark-written part: INT96, no statistics
        before = _jobs(spark)
        assert caveats.outside_election_window(lake, el) == want
        assert _jobs(spark) > before


def test_stored_since_estimates_reads_sources_and_runs_with_no_spark_job(spark: Any, tmp_path: Path) -> None:
    """`_stored_since_estimates` (asked before `analyze`'s first stage once an `estimates` run has
    recorded a rate) was Spark SQL over `sources` and `runs`: now Arrow at the driver on a local
    lake, with the query's answer for an input stored after, before, with no posts, undated, and a
    failed or unfinished later run that does not count."""
    from botwatch.estimates.recorded_rate import _stored_since_estimates
    from botwatch.schema import RUNS, SOURCES

    query = ("SELECT count(*) FROM sources WHERE posts_stored > 0 AND ingested_at > "
             "(SELECT max(finished_at) FROM runs WHERE status = 'ok' AND stage = 'estimates')")
    t = [datetime(2026, 1, d, 12, 0, 0, 5) for d in range(1, 6)]
    runs = {"run_id": ["r1", "r2", "r3", "r4"], "stage": ["estimates", "estimates", "estimates", "ingest"],
            "status": ["ok", "failed", "ok", "ok"], "finished_at": [t[1], t[4], None, t[4]]}
    cases = [([5, 0], [t[2], t[4]], True), ([5, 3], [t[1], None], False), ([0, None], [t[3], t[3]], False),
             ([1], [datetime(2026, 1, 2, 12, 0, 0, 6)], True)]  # a microsecond after the run ended
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("runs", pa.table({f.name: runs.get(f.name, [None] * 4) for f in RUNS}, schema=RUNS))
        for stored, at, want in cases:
            rows = {"source": [f"/d/{i}" for i in range(len(at))], "posts_stored": stored, "ingested_at": at}
            lake.write_table("sources", pa.table({f.name: rows.get(f.name, [None] * len(at)) for f in SOURCES}, schema=SOURCES))
            lake.tables()
            assert bool(lake.sql(query)[0][0]) is want, (stored, at)
            before = _jobs(spark)
            assert _stored_since_estimates(lake) is want, (stored, at)
            assert _jobs(spark) == before
