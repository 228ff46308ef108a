"""Python work over whole groups of rows (one account's posts), returning one small table:
`study.group_map_arrow(source, key, fn, schema)`.

Why: some per-account work is Python by nature (the origin-behaviour calendar facts, counting
words in a post's own text) and needs all of an account's rows together. Collecting every row
to one process is O(posts); what is needed back is O(accounts). Both engines hand `fn` whole
groups and keep only what it returns:

* DuckDB (`Study`) sorts the source by (key, order_by) and streams it in Arrow batches; the
  batches are cut at group boundaries (`whole_groups`), so `fn` sees several whole groups at a
  time, in order, and memory holds a batch plus one group.
* A lake (`LakeStudy`) runs `fn` on Spark's executors the same way within each partition: the
  rows are hash-partitioned by key, sorted by (key, order_by) and cut with `whole_groups`
  (`mapInArrow`). It used to call `fn` once per group (`groupBy(key).applyInArrow`), a Python
  call and an Arrow stream per account.

So `fn(table)` must accept one or more whole groups, rows in (key, order_by) order, and return
rows of `schema` (whatever it returns is cast to it). The result comes back sorted by the key
columns `schema` holds, so the two engines return the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

GroupFn = Callable[[pa.Table], Any]


def _same_as_last(table: pa.Table, key: Sequence[str]) -> np.ndarray:
    """Per row: does its key equal the last row's (NULL equals NULL, as a group-by groups them)?"""
    same = np.ones(table.num_rows, bool)
    last = table.num_rows - 1
    for name in key:
        col = table.column(name)
        value = col[last]
        if value.is_valid:
            eq = pc.fill_null(pc.equal(col, value), False)
        else:
            eq = pc.is_null(col)
        same &= np.asarray(eq.to_numpy(zero_copy_only=False), bool)
    return same


def whole_groups(batches: Iterable[pa.RecordBatch | pa.Table], key: Sequence[str], min_rows: int) -> Iterator[pa.Table]:
    """Tables of whole groups from batches sorted by `key`: each holds at least `min_rows` rows
    (but the last) and no group is split between two tables."""
    pending: list[pa.Table] = []
    rows = 0
    for batch in batches:
        part = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        if not part.num_rows:
            continue
        pending.append(part)
        rows += part.num_rows
        if rows < min_rows:
            continue
        table = pa.concat_tables(pending)
        differ = np.flatnonzero(~_same_as_last(table, key))
        cut = int(differ[-1]) + 1 if len(differ) else 0  # where the last group (it may go on) starts
        if cut < min_rows:
            pending = [table]
            continue
        yield table.slice(0, cut)
        rest = table.slice(cut)
        pending, rows = [rest], rest.num_rows
    if rows:
        yield pa.concat_tables(pending)


def conform(got: Any, schema: pa.Schema) -> pa.Table:
    """`fn`'s answer as a table of `schema` (a table, a record batch or a dict of columns)."""
    if isinstance(got, pa.RecordBatch):
        got = pa.Table.from_batches([got])
    elif isinstance(got, dict):
        got = pa.table(got)
    elif got is None:
        return schema.empty_table()
    return got.select(schema.names).cast(schema)


def sort_by_key(table: pa.Table, key: Sequence[str]) -> pa.Table:
    """The result in key order (the key columns `table` has), so both engines return one table."""
    cols = [k for k in key if k in table.column_names]
    return table.sort_by([(k, "ascending") for k in cols]) if cols and table.num_rows else table


def run_sorted(batches: Iterable[pa.RecordBatch], key: Sequence[str], fn: GroupFn, schema: pa.Schema, batch_rows: int) -> pa.Table:
    """`fn` over the whole groups of sorted `batches`, in-process; its answers as one table."""
    parts = [conform(fn(chunk), schema) for chunk in whole_groups(batches, key, batch_rows)]
    return sort_by_key(pa.concat_tables(parts) if parts else schema.empty_table(), key)
