"""The `canonical` expressions compiled to DuckDB SQL that runs as fast as SQL written for DuckDB.

`canonical` is written once for every engine, so it says what it means portably: "the value at
the largest key" (Ibis `argmax`) and a 38-digit decimal key (Spark has no 128-bit integer).
Ibis compiles the first to an ordered aggregate, `first(x ORDER BY key DESC)`, which DuckDB
runs by sorting each group, and DuckDB's `arg_max` over a DECIMAL key falls back to a generic,
slow comparison. Reducing a million snapshots that way took 4.5 times the CPU of the same
reduction with `arg_max` over a HUGEINT key. This module rewrites just those two constructs in
the compiled SQL; nothing else changes:

- `first(x ORDER BY k DESC)` becomes `arg_max_null(x, k)`: the same row's `x`, NULL included.
  They differ only where `k` is NULL or tied, and every key `canonical` orders by is neither
  (times filled with the epoch, then a position in the file).
- `CAST(... AS DECIMAL(38, 0))` becomes `CAST(... AS HUGEINT)`: whole numbers of the same value.
"""

from __future__ import annotations

from functools import lru_cache

import ibis
import pyarrow as pa
import sqlglot
from sqlglot import exp

from botwatch import canonical, sql_cache
from botwatch.schema import SNAPSHOT_ROW

_KEY_DECIMAL = exp.DataType.build("DECIMAL(38, 0)", dialect="duckdb")
_HUGEINT = exp.DataType.build("HUGEINT", dialect="duckdb")


def _fast(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.First) and isinstance(node.this, exp.Order):
        keys = node.this.expressions
        if len(keys) == 1 and keys[0].args.get("desc"):
            return exp.Anonymous(this="arg_max_null", expressions=[node.this.this, keys[0].this])
    if isinstance(node, exp.Cast) and node.to == _KEY_DECIMAL:
        return exp.Cast(this=node.this, to=_HUGEINT.copy())
    return node


def to_duckdb_sql(expr: object) -> str:
    """DuckDB SQL for an Ibis expression, with the rewrites above (where there is one to make:
    parsing the SQL again costs tens of milliseconds, paid per file)."""
    sql = sql_cache.to_sql(expr)
    if "FIRST(" not in sql and "DECIMAL(38, 0)" not in sql:
        return sql
    return sqlglot.parse_one(sql, read="duckdb").transform(_fast).sql(dialect="duckdb")


@lru_cache(maxsize=None)
def reduce_snapshots_sql(table: str) -> str:
    """`canonical.reduce_snapshots` over the named table of snapshots (`schema.SNAPSHOT_ROW` and
    `_seq`), compiled once per process rather than once per file."""
    staged = ibis.table(ibis.schema(SNAPSHOT_ROW.append(pa.field("_seq", pa.int64()))), name=table)
    return to_duckdb_sql(canonical.reduce_snapshots(staged))
