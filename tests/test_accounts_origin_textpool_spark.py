"""The shared-text neighbours of `origin_textpool` are the same on PySpark as on DuckDB (one Ibis expression)."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.accounts import origin_textpool as tp

pytestmark = pytest.mark.spark

ROWS = [("a", "the same campaign message about the vote, number one"), ("b", "The same campaign message about the vote, number ONE!"),
        ("a", "RT @desk: another message that the desk pushed today https://t.co/x"), ("b", "another message that the desk pushed today"),
        ("c", "the same campaign message about the vote, number one"), ("c", "Сообщение кампании на русском языке номер один"),
        ("a", "Сообщение кампании на русском языке номер один"), ("d", "short")]


def test_neighbours_parity(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    from botwatch import open_study
    from botwatch.engines.spark import spark_backend

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE OR REPLACE TABLE posts (platform VARCHAR, account_id VARCHAR, text VARCHAR)")
        st.con.executemany("INSERT INTO posts VALUES ('twitter', ?, ?)", ROWS)
        duck = tp.neighbours(st)
    finally:
        st.close()
    backend = spark_backend(spark)
    spark.createDataFrame([("twitter", a, t) for a, t in ROWS], "platform string, account_id string, text string").createOrReplaceTempView("tp_posts")

    class SparkStudy:  # the two methods `neighbours` uses
        def table(self, name: str):  # type: ignore[no-untyped-def]
            return backend.table("tp_posts")

        def expr_arrow(self, expr) -> pa.Table:  # type: ignore[no-untyped-def]
            return expr.to_pyarrow()

    sp = tp.neighbours(SparkStudy())
    as_set = lambda nb: set(zip(nb.platform, nb.account_id, nb.other_id, nb.shared))  # noqa: E731
    # a-b share two texts; a-c share one English and one Russian text (Cyrillic letters are kept).
    assert as_set(duck) == as_set(sp) == {("twitter", "a", "b", 2), ("twitter", "b", "a", 2), ("twitter", "a", "c", 2), ("twitter", "c", "a", 2)}
