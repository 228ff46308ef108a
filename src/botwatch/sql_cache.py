"""Ibis expressions compiled to SQL once per shape, not once per call.

A small `analyze` spends about a third of its CPU in Ibis compiling expressions to SQL, and the
same stages build the same expressions run after run (every study with the same tables and
options gives the same shapes). `ibis.to_sql` compiles `expr.unbind()`, the expression with
every backend table replaced by its name, namespace and schema; so two expressions whose unbound
forms are equal compile to the same SQL, whatever connection or study they came from. That
unbound form is the cache key, never an object's identity (an id is reused once its object is
gone).

Ibis compares nodes by `==`, under which a few different values are equal (`0.0 == -0.0`,
`1 == 1.0`, `Decimal("1.0") == Decimal("1.00")`) and would compile to different SQL, so the key
also holds each literal's type and `repr`. Expressions holding an in-memory table are compiled
every time: their data would stay alive in the cache, and each has a name of its own, so they
would never be met again. Scalar parameters (`**params`) are not cached either.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.operations as ops

# Enough for every shape the stages build with room for several elections and option sets; each
# entry holds only an unbound expression (schemas and names) and its SQL text.
MAX_ENTRIES = 1024

# Values that `==` equates with a different one of another text (`True == 1`, `0.0 == -0.0`).
_LOOSE_NUMBERS = (bool, float, complex, Decimal)

_entries: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_lock = threading.Lock()


def _exact(node: Any) -> tuple[Any, ...] | None:
    """What `==` on `node` leaves out: each literal's (and each other number's) type and text,
    and which parts are one object, in a walk fixed by the expression's structure; None for an
    expression holding an in-memory table.

    Shared parts are recorded as such (a reference to the part's first visit): Ibis compiles
    equal parts once, so without it two expressions equal under `==` but with `0.0` and `-0.0`
    spread differently over shared and unshared parts could have the same literals in the same
    order and still compile differently."""
    first: dict[int, int] = {}  # every part stays alive under `node` meanwhile, so ids are not reused
    walk: list[Any] = []
    stack = [node]
    while stack:
        part = stack.pop()
        seen = first.get(id(part))
        if seen is not None:
            walk.append(seen)
            continue
        first[id(part)] = len(first)
        if isinstance(part, ops.InMemoryTable):
            return None
        if isinstance(part, ops.Literal):
            walk.append((type(part.value), repr(part.value)))
        else:
            walk.append(tuple((type(a), repr(a)) for a in part.__args__ if isinstance(a, _LOOSE_NUMBERS)) or None)
        stack.extend(reversed(part.__children__))
    return tuple(walk)


def _key(expr: Any, dialect: str, pretty: bool) -> tuple[Any, ...] | None:
    """The cache key of `expr` under `dialect`, or None where it must not be cached."""
    node = expr.unbind().op()
    exact = _exact(node)
    if exact is None:
        return None
    return (node, exact, dialect, pretty, ibis.options.sql.fuse_selects)


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
