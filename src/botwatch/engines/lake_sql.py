"""DuckDB-dialect statements, as stages write them, turned into what a lake study runs on Spark.

Stages call `study.sql(query, params)` with DuckDB SQL. A lake study cannot hand that text to
Spark: the dialects differ (sqlglot compiles one into the other, as it does for Ibis), `?`
parameters must become literals (Spark SQL has no positional parameters for DDL), and statements
that change tables (`CREATE TABLE .. AS`, `INSERT`, `DELETE`, `DROP`) must become writes of the
lake's Parquet folders. This module only parses and classifies; `botwatch.engines.lake` runs.

Parameters are bound into the parsed tree as literal nodes (never pasted into the text), so a
value holding quotes or SQL stays a value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

READ = "duckdb"
WRITE = "spark"


class LakeSqlError(ValueError):
    """A statement a lake study cannot run (the message says which and why)."""


def literal(value: Any) -> exp.Expression:
    """A SQL literal node for one bound parameter."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return exp.cast(exp.Literal.string(text), exp.DataType.build("double"))
        # A float parameter is a DOUBLE in DuckDB; a bare 0.5 would be a DECIMAL literal in Spark.
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("double"))
    if isinstance(value, Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("timestamp"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[literal(v) for v in value])
    raise LakeSqlError(f"cannot bind a parameter of type {type(value).__name__}")


def table_names(tree: exp.Expression) -> set[str]:
    """The bare names of the tables a parsed statement names (its CTEs' names among them: a
    lake registers only the names that are its own tables, so an extra name costs nothing)."""
    return {t.name for t in tree.find_all(exp.Table) if t.name}


def counted_table(tree: exp.Expression) -> str | None:
    """The table's name when `tree` is exactly `SELECT count(*) FROM table` (no filter, join,
    grouping, limit or CTE: a count of every stored row), else None."""
    tables = list(tree.find_all(exp.Table))
    if len(tables) != 1 or not tables[0].name or {k for k, v in tables[0].args.items() if v} - {"this", "alias"}:
        return None  # a schema-qualified name, a sample, a join hint, ...
    whole = sqlglot.parse_one("SELECT count(*) FROM t", read=READ)
    whole.find(exp.Table).replace(tables[0].copy())
    return tables[0].name if tree == whole else None


def distinct_column(tree: exp.Expression) -> tuple[str, str] | None:
    """(table, column) when `tree` is exactly `SELECT DISTINCT column FROM table`, with or without
    a `LIMIT` of a positive whole number (no filter, join, order or CTE: the distinct values of
    every stored row), else None."""
    tables = list(tree.find_all(exp.Table))
    cols = list(tree.find_all(exp.Column))
    if len(tables) != 1 or not tables[0].name or {k for k, v in tables[0].args.items() if v} - {"this", "alias"}:
        return None
    if len(cols) != 1 or cols[0].table or not cols[0].name:
        return None
    limit = tree.args.get("limit")
    n = limit.expression if isinstance(limit, exp.Limit) else None
    if limit is not None and not (isinstance(n, exp.Literal) and n.is_int and int(n.this) > 0):
        return None
    whole = sqlglot.parse_one("SELECT DISTINCT c FROM t" + (f" LIMIT {int(n.this)}" if limit is not None else ""), read=READ)  # type: ignore[union-attr]
    whole.find(exp.Table).replace(tables[0].copy())
    whole.find(exp.Column).replace(cols[0].copy())
    return (tables[0].name, cols[0].name) if tree == whole else None


def number_placeholders(query: str) -> str:
    """`query` with its i-th `?` written ` $i `, found by DuckDB's tokenizer (so a `?` inside a
    string or a comment stays text). Parsed, `?` nodes carry no position, and a tree walk meets
    LIMIT before WHERE: numbering them in the text is what keeps the order of `params`. (The
    spaces matter: `$4,$5` reads as the start of a dollar-quoted string; `?::INT` is one token.)"""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.tokens import TokenType

    starts = [
        t.start for t in DuckDB().tokenize(query)
        if (t.token_type == TokenType.PLACEHOLDER and t.text == "?") or (t.token_type == TokenType.QDCOLON and t.text.startswith("?"))
    ]
    out, last = [], 0
    for i, pos in enumerate(starts, 1):
        out.append(query[last:pos] + f" ${i} ")
        last = pos + 1
    return "".join(out) + query[last:]


def bind(tree: exp.Expression, params: list[Any] | tuple[Any, ...] | None) -> exp.Expression:
    """`tree` (parsed from `number_placeholders` text) with `$i` replaced by literals of `params`."""
    params = list(params or [])
    holes = list(tree.find_all(exp.Placeholder))
    if len(holes) != len(params):
        raise LakeSqlError(f"statement has {len(holes)} parameters, {len(params)} given")
    for hole in holes:
        name = str(hole.this)
        index = int(name) - 1 if name.isdigit() else -1
        if not 0 <= index < len(params):
            raise LakeSqlError(f"statement has a parameter {name!r} no value was given for")
        hole.replace(literal(params[index]))
    return tree


def parse(query: str, params: list[Any] | tuple[Any, ...] | None = None) -> exp.Expression:
    """One DuckDB statement, parsed and with its parameters bound."""
    trees = [t for t in sqlglot.parse(number_placeholders(query), read=READ) if t is not None]
    if len(trees) != 1:
        raise LakeSqlError(f"a lake study runs one statement per call, got {len(trees)}")
    return bind(trees[0], params)


def spark_sql(tree: exp.Expression) -> str:
    """The Spark SQL text of a (bound) tree.

    A study's timestamps are naive UTC; a lake stores them as Spark TIMESTAMP with the session
    zone UTC (what `createDataFrame` and Parquet give), so DuckDB's TIMESTAMP is written as that
    and not as TIMESTAMP_NTZ (sqlglot's literal mapping), which would mix two types in one lake."""
    tree = tree.copy()
    for dt in tree.find_all(exp.DataType):
        if dt.this in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ):
            dt.set("this", exp.DataType.Type.TIMESTAMPTZ)
    for n in list(tree.find_all(exp.Length)):
        # DuckDB's len() also counts a list's items; sqlglot writes Spark's LENGTH, which takes
        # only text. Where the argument is visibly a list (a split, a list literal), use SIZE.
        if isinstance(n.this, _LISTS):
            n.replace(exp.ArraySize(this=n.this.copy()))
    return tree.sql(dialect=WRITE)


_LISTS = (exp.Split, exp.RegexpSplit, exp.Array, exp.StringToArray)


def table_name(node: exp.Expression) -> str:
    """The bare table name a CREATE/INSERT/DELETE/DROP names (`schema.x` and `"x"` give x)."""
    table = node.this if isinstance(node, exp.Schema) else node
    if isinstance(table, exp.Table):
        return table.name
    return table.name if hasattr(table, "name") else str(table)


@dataclass
class Statement:
    """What a statement asks of a lake: `kind` is one of select, create_as, create_empty,
    create_view, insert, delete, drop, copy, set, info_schema, describe."""

    kind: str
    tree: exp.Expression
    name: str | None = None
    replace: bool = False
    if_not_exists: bool = False
    if_exists: bool = False
    temp: bool = False
    columns: list[str] | None = None  # INSERT's column list
    source: exp.Expression | None = None  # the SELECT / VALUES feeding a write


def classify(tree: exp.Expression) -> Statement:
    """Sort a bound statement into what a lake study does with it."""
    if isinstance(tree, exp.Set) or isinstance(tree, exp.Command) and tree.name.upper() in ("SET", "PRAGMA", "CHECKPOINT"):
        return Statement("set", tree)
    if isinstance(tree, exp.Describe):
        return Statement("describe", tree, source=tree.this)
    if isinstance(tree, exp.Copy):
        return Statement("copy", tree, source=tree.this)
    if any((t.db or "").lower() == "information_schema" for t in tree.find_all(exp.Table)):
        return Statement("info_schema", tree)
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        props = tree.args.get("properties")
        temp = bool(props and any(isinstance(p, exp.TemporaryProperty) for p in props.expressions))
        common = dict(name=table_name(tree.this), replace=bool(tree.args.get("replace")), if_not_exists=bool(tree.args.get("exists")), temp=temp)
        if kind == "VIEW":
            return Statement("create_view", tree, source=tree.expression, **common)
        if kind != "TABLE":
            raise LakeSqlError(f"a lake study cannot CREATE {kind}")
        if tree.expression is not None:
            return Statement("create_as", tree, source=tree.expression, **common)
        return Statement("create_empty", tree, **common)
    if isinstance(tree, exp.Insert):
        target = tree.this
        cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        if tree.args.get("conflict") is not None or tree.args.get("alternative"):
            raise LakeSqlError("a lake study has no keys: INSERT .. ON CONFLICT / OR REPLACE is not supported")
        if tree.args.get("by_name"):
            # `_sql_insert` maps the SELECT's columns to the table's by position: BY NAME would
            # silently put values in the wrong columns. Nothing uses it; list the columns instead.
            raise LakeSqlError(f"a lake study cannot run INSERT .. BY NAME (name the columns instead): {_text(tree)}")
        return Statement("insert", tree, name=table_name(target), columns=cols, source=tree.expression)
    if isinstance(tree, exp.Delete):
        # The rows kept are computed from the WHERE alone (`delete_keep_query`): a USING table or
        # an alias the WHERE refers to would be dropped and the statement mean something else.
        if tree.args.get("using"):
            raise LakeSqlError(f"a lake study cannot run DELETE .. USING: {_text(tree)}")
        if isinstance(tree.this, exp.Table) and tree.this.alias:
            raise LakeSqlError(f"a lake study cannot run DELETE with a table alias: {_text(tree)}")
        return Statement("delete", tree, name=table_name(tree.this))
    if isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        if kind not in ("TABLE", "VIEW"):
            raise LakeSqlError(f"a lake study cannot DROP {kind}")
        tables = tree.args.get("tables") or [tree.this]
        if len(tables) != 1:
            raise LakeSqlError("a lake study drops one table per statement")
        return Statement("drop", tree, name=table_name(tables[0]), if_exists=bool(tree.args.get("exists")))
    if isinstance(tree, (exp.Query, exp.Values)):
        return Statement("select", tree, source=tree)
    raise LakeSqlError(f"a lake study cannot run {type(tree).__name__} statements: {tree.sql(dialect=READ)[:120]}")


def _text(tree: exp.Expression) -> str:
    """A statement in one short line, for an error message."""
    return " ".join(tree.sql(dialect=READ).split())[:160]


def delete_keep_query(stmt: Statement) -> str:
    """Spark SQL for the rows a DELETE keeps (a NULL condition keeps the row, as in SQL)."""
    where = stmt.tree.args.get("where")
    target = exp.to_table(stmt.name)
    select = exp.select("*").from_(target)
    if where is not None:
        select = select.where(exp.Not(this=exp.Coalesce(this=exp.Paren(this=where.this), expressions=[exp.false()])))
    return spark_sql(select)


def column_defs(stmt: Statement) -> str:
    """A Spark DDL schema string ("a STRING, b BIGINT") from a CREATE TABLE's column list."""
    schema = stmt.tree.this
    if not isinstance(schema, exp.Schema):
        raise LakeSqlError(f"CREATE TABLE {stmt.name} has neither columns nor AS SELECT")
    parts = []
    for col in schema.expressions:
        if not isinstance(col, exp.ColumnDef):
            continue  # PRIMARY KEY (...) and other constraints: a lake has no keys
        kind = col.args.get("kind")
        parts.append(f"`{col.name}` {spark_sql(kind) if kind is not None else 'STRING'}")
    return ", ".join(parts)


def rename_info_schema(tree: exp.Expression, tables: str, columns: str) -> exp.Expression:
    """The statement with `information_schema.tables/columns` read from the given relations
    (the lake's own listing, put where DuckDB can run the original statement)."""
    for t in list(tree.find_all(exp.Table)):
        if (t.db or "").lower() == "information_schema":
            new = {"tables": tables, "columns": columns}.get(t.name.lower())
            if new is None:
                raise LakeSqlError(f"a lake study has no information_schema.{t.name}")
            t.replace(exp.to_table(new).as_(t.alias_or_name) if t.alias else exp.to_table(new))
    return tree
