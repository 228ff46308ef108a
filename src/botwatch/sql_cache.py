"""Ibis expressions compiled to SQL once per shape, not once per call.

A small `analyze` spends about a third of its CPU in Ibis compiling expressions to SQL, and the
same stages build the same expressions run after run (every study with the same tables and
options gives the same shapes). `ibis.to_sql` compiles `expr.unbind()`, the expression with
every backend table replaced by its name, namespace and schema; so two expressions with the same
unbound form compile to the same SQL, whatever connection or study they came from. The key is
that unbound form, written out part by part (`_key`), never an object's identity (an id is
reused once its object is gone).

It is stricter than Ibis' own `==`, under which a few different values are equal (`0.0 == -0.0`,
`1 == 1.0`, `Decimal("1.0") == Decimal("1.00")`) and compile to different SQL: such values are
keyed by their type and text. Expressions holding an in-memory table or a connection (a raw SQL
query's result) are compiled every time: their data would stay alive in the cache, and each
has a name of its own, so they would never be met again. Scalar parameters are not supported.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
from ibis.backends import BaseBackend
from ibis.common.graph import Node

# Enough for every shape the stages build with room for several elections and option sets; each
# entry holds only an unbound expression (schemas and names) and its SQL text.
MAX_ENTRIES = 1024

# Arguments whose `==` is as strict as their text: kept as they are in the key.
_STRICT = (dt.DataType, sch.Schema, ops.Namespace)

_entries: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_lock = threading.Lock()


class _Uncacheable(Exception):
    """An expression part the key cannot stand for (a connection, an in-memory table)."""


def _value(arg: Any, index: dict[int, int]) -> Any:
    """An argument of a node as key material: a node by its place in the walk, a collection
    by its parts, and anything whose `==` is looser than its text (`0.0 == -0.0`, `True == 1`,
    aware datetimes of one instant) by its type and `repr`."""
    kind = type(arg)
    if kind is str or kind is int or arg is None or isinstance(arg, _STRICT):
        return arg
    if isinstance(arg, Node):
        return (Node, index[id(arg)])
    if kind is tuple or kind is list:
        return (tuple, *(_value(a, index) for a in arg))
    if isinstance(arg, dict):
        return (dict, *((_value(k, index), _value(v, index)) for k, v in arg.items()))
    if isinstance(arg, BaseBackend):
        raise _Uncacheable
    return (kind, repr(arg))


def _key(expr: Any, dialect: str, pretty: bool) -> tuple[Any, ...] | None:
    """The cache key of `expr` under `dialect`, or None where it must not be cached.

    The key is the expression's unbound form written out: every part once, children before
    their parent, each as its type and arguments with its children named by their place, a
    backend table as the name, namespace and schema Ibis compiles it to (`ibis.to_sql` compiles
    `expr.unbind()`; `unbind` itself rebuilds every node and cost as much as a compile saved).
    Parts that are one object are one entry: Ibis compiles equal parts once, so how literals
    that `==` holds equal are shared changes the SQL."""
    index: dict[int, int] = {}  # every part stays alive under `expr` meanwhile, so ids are not reused
    parts: list[Any] = []
    stack: list[tuple[Any, bool]] = [(expr.op(), False)]
    try:
        while stack:
            part, ready = stack.pop()
            if id(part) in index:
                continue
            if not ready:
                stack.append((part, True))
                stack.extend((child, False) for child in reversed(part.__children__) if id(child) not in index)
                continue
            if isinstance(part, ops.InMemoryTable):
                return None  # its data would stay alive here, and its name is its own: never met again
            if isinstance(part, ops.DatabaseTable):
                parts.append((ops.UnboundTable, part.name, part.schema, part.namespace))
            else:
                parts.append((type(part), *(_value(a, index) for a in part.__args__)))
            index[id(part)] = len(parts) - 1
        # Options the compilers read: `sql.fuse_selects`, and the dialect's own group (Spark's
        # `pyspark.treat_nan_as_null` wraps every float in NANVL), written out as its text.
        key = (tuple(parts), dialect, pretty, ibis.options.sql.fuse_selects, repr(getattr(ibis.options, dialect, None)))
        hash(key)
    except (_Uncacheable, TypeError):  # a connection, or an argument that cannot be a key
        return None
    return key


def to_sql(expr: Any, dialect: str = "duckdb", *, pretty: bool = True,
           compile: Callable[[Any], str] | None = None) -> str:
    """`ibis.to_sql(expr, dialect=dialect, pretty=pretty)` as text, from the cache where this
    shape was compiled before in this process.

    `compile` is a backend's own `compile` to use instead (a lake's Spark SQL: Ibis' SQL
    backends compile a bound table exactly as its unbound form, so the key holds there too);
    `dialect` and `pretty` must then say what it compiles to, as they are part of the key."""
    key = _key(expr, dialect, pretty)
    if key is not None:
        with _lock:
            sql = _entries.get(key)
            if sql is not None:
                _entries.move_to_end(key)
                return sql
    sql = str(ibis.to_sql(expr, dialect=dialect, pretty=pretty) if compile is None else compile(expr))
    if key is not None:
        with _lock:
            _entries[key] = sql
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return sql


def clear() -> None:
    """Forget every compiled statement (for tests and measurements)."""
    with _lock:
        _entries.clear()
