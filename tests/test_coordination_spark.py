"""The same Ibis co-action expressions on PySpark and DuckDB give the same network (sample data)."""

from __future__ import annotations

import pytest

from botwatch.coordination.behaviours import DEFAULT_BEHAVIOURS, traces
from botwatch.coordination.edges import PairOptions, aggregate_edges, first_actions, pair_rows, with_popularity

pytestmark = pytest.mark.spark


def _first(posts: object) -> object:
    """Each account's first action per trace, with popularity: what the stage materialises once
    (`network.prepare_first_actions`, `_coord_first`) and pairs at any window."""
    return with_popularity(first_actions(traces(posts, DEFAULT_BEHAVIOURS)))


def _edges(first: object, window: int) -> list[tuple[str, str, str, int, int]]:
    e = aggregate_edges(pair_rows(first, PairOptions(window_s=window, max_trace_accounts=1000)))
    rows = e.select("platform", "account_a", "account_b", "co_actions", "a_first").to_pyarrow().to_pylist()
    return sorted((r["platform"], r["account_a"], r["account_b"], int(r["co_actions"]), int(r["a_first"])) for r in rows)


def test_spark_and_duckdb_build_the_same_network(sample_study: object, spark: object, tmp_path: object) -> None:
    import ibis

    path = tmp_path / "posts.parquet"  # type: ignore[operator]
    sample_study.export("posts", path)  # type: ignore[attr-defined]
    spark.read.parquet(str(path)).createOrReplaceTempView("posts")  # type: ignore[attr-defined]
    con = ibis.pyspark.connect(spark)
    duck_first = _first(sample_study.table("posts"))  # type: ignore[attr-defined]
    # Cached on Spark, as the stage materialises it: both windows pair one computed table instead
    # of Spark computing the traces and first actions again for each (DuckDB's are quick either way).
    with _first(con.table("posts")).cache() as spark_first:  # type: ignore[attr-defined]
        for window in (60, 3600):
            duck = _edges(duck_first, window)
            sp = _edges(spark_first, window)
            assert duck, "the sample should co-act at all"
            assert sp == duck
