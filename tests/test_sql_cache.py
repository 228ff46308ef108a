"""botwatch/sql_cache.py: an expression compiled from the cache is always the SQL `ibis.to_sql`
gives it; expressions on other schemas, literals Ibis holds equal but writes differently, and
in-memory tables never share an entry."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import ibis.expr.operations as ops
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch import sql_cache


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    sql_cache.clear()
    yield
    sql_cache.clear()


def _fresh(expr: object) -> str:
    return str(ibis.to_sql(expr, dialect="duckdb"))  # type: ignore[arg-type]


def _shape(t: object) -> object:
    return t.filter(t.a > 1).group_by("b").agg(n=t.a.count())  # type: ignore[attr-defined]


def test_one_entry_serves_two_connections_and_holds_neither(tmp_path: Path) -> None:
    """Two study files give one entry, and it keeps no connection alive (nor the file's lock)."""
    exprs, held = [], []
    for i in range(2):
        con = ibis.duckdb.from_connection(duckdb.connect(str(tmp_path / f"{i}.duckdb")))
        con.raw_sql("CREATE TABLE t (a BIGINT, b VARCHAR)")
        exprs.append(_shape(con.table("t")))
        held.append(weakref.ref(con))
    assert [sql_cache.to_sql(e) for e in exprs] == [_fresh(e) for e in exprs]
    assert len(sql_cache._entries) == 1
    del con, exprs
    gc.collect()
    assert [ref() for ref in held] == [None, None]


def test_other_schemas_and_names_do_not_share_an_entry() -> None:
    exprs = [
        _shape(ibis.table({"a": "int64", "b": "string"}, name="t")),
        _shape(ibis.table({"a": "float64", "b": "string"}, name="t")),
        _shape(ibis.table({"a": "int64", "b": "string"}, name="u")),
        ibis.table({"a": "int64"}, name="t").select(x=lambda t: t.a.cast("string")),
        ibis.table({"a": "string"}, name="t").select(x=lambda t: t.a.cast("string")),
    ]
    assert [sql_cache.to_sql(e) for e in exprs] == [_fresh(e) for e in exprs]
    assert len(sql_cache._entries) == len(exprs)


def test_literals_ibis_holds_equal_compile_as_written() -> None:
    """`0.0 == -0.0` and Ibis compiles equal parts once, so these two expressions are equal
    under `==` (same hash) and still compile to different SQL."""
    t = ibis.table({"a": "float64"}, name="t")
    one = t.select(x=t.a + ibis.literal(0.0), y=t.a + ibis.literal(-0.0))
    other = t.select(x=t.a + ibis.literal(-0.0), y=t.a + ibis.literal(0.0))
    assert one.op() == other.op() and _fresh(one) != _fresh(other)
    assert sql_cache.to_sql(one) == _fresh(one)
    assert sql_cache.to_sql(other) == _fresh(other)


def test_an_in_memory_table_is_never_kept() -> None:
    expr = ibis.memtable({"a": [1, 2]}).filter(lambda t: t.a > 1)
    assert sql_cache.to_sql(expr) == _fresh(expr)
    assert not sql_cache._entries


_VALUES = [0.0, -0.0, 1, 1.0, Decimal("1.0"), Decimal("1.00"), Decimal("-0.0")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_VALUES) - 1), st.booleans()), min_size=1, max_size=5))
def test_any_spread_of_equal_literals_gets_its_own_sql(picks: list[tuple[int, bool]]) -> None:
    """Columns adding literals from `_VALUES`, each either a new literal or the previous
    column's literal object again (shared), compiled one after another through the cache: each
    must be what Ibis compiles on its own, whatever was cached before it."""
    t = ibis.table({"a": "float64"}, name="t")
    columns = {}
    last = None
    for i, (pick, reuse) in enumerate(picks):
        lit = last if reuse and last is not None else ibis.literal(_VALUES[pick])
        columns[f"c{i}"] = t.a + lit
        last = lit
    expr = t.select(**columns)
    assert sql_cache.to_sql(expr) == _fresh(expr)


def test_a_backends_own_compile_is_called_once_per_shape_and_dialect() -> None:
    """A lake passes Spark's `compile`: its SQL is cached under the dialect it names, apart from
    the DuckDB SQL of the same expression."""
    calls = []

    def spark_compile(expr: object) -> str:
        calls.append(expr)
        return str(ibis.to_sql(expr, dialect="pyspark", pretty=False))  # type: ignore[arg-type]

    first, second = (_shape(ibis.table({"a": "int64", "b": "string"}, name="t")) for _ in range(2))
    spark = [sql_cache.to_sql(e, "pyspark", pretty=False, compile=spark_compile) for e in (first, second)]
    assert spark == [spark_compile(first)] * 2 and len(calls) == 2  # one miss, one hit, one check
    assert sql_cache.to_sql(first) == _fresh(first) != spark[0]
    assert len(sql_cache._entries) == 2


def test_a_raw_sql_querys_result_is_never_kept() -> None:
    """Its node holds the connection, which a cache entry would keep open."""
    con = ibis.duckdb.from_connection(duckdb.connect())
    query = ops.SQLQueryResult(query="SELECT 1 AS a", schema=ibis.schema({"a": "int64"}), source=con)
    expr = query.to_expr().filter(lambda t: t.a > 0)
    assert sql_cache.to_sql(expr) == _fresh(expr)
    assert not sql_cache._entries


def test_a_dialects_own_option_that_changes_its_sql_is_part_of_the_key() -> None:
    """Spark's `treat_nan_as_null` makes Ibis write every float as NANVL(x, NULL): an entry
    compiled before it was set must not be served after."""
    pytest.importorskip("pyspark")
    ibis.pyspark  # noqa: B018 (registers the backend's options)
    t = ibis.table({"a": "float64"}, name="t")
    expr = t.select(x=t.a + 1.5)

    def spark(e: object) -> str:
        return str(ibis.to_sql(e, dialect="pyspark", pretty=False))  # type: ignore[arg-type]

    before = ibis.options.pyspark.treat_nan_as_null
    try:
        ibis.options.pyspark.treat_nan_as_null = False
        plain = sql_cache.to_sql(expr, "pyspark", pretty=False, compile=spark)
        ibis.options.pyspark.treat_nan_as_null = True
        assert sql_cache.to_sql(expr, "pyspark", pretty=False, compile=spark) == spark(expr) != plain
    finally:
        ibis.options.pyspark.treat_nan_as_null = before
