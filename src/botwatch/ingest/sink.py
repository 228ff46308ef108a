"""Where readers put what they read: column buffers flushed as Arrow batches.

Readers call `post(...)`, `account(...)` and `reject(...)` one record at a time; the sink keeps
plain Python lists per column and hands a `pyarrow.Table` to the flush callback every
`batch_rows` rows. Only one batch is ever alive, which is what keeps a 100-million-post archive
streaming in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from botwatch.schema import POSTS, RAW_LIMIT, REJECTED, SNAPSHOT_ROW

FlushFn = Callable[[str, pa.Table], None]


class RecordError(ValueError):
    """A record that cannot become a canonical row; the message says why, for the rejected table."""


class RowSink:
    """Buffers canonical rows by table and flushes them in Arrow batches."""

    def __init__(self, flush: FlushFn, source_name: str, source_format: str, batch_rows: int = 20_000) -> None:
        self._flush = flush
        self.source_name = source_name
        self.source_format = source_format
        self.batch_rows = batch_rows
        self._schemas = {"posts": POSTS, "snapshots": SNAPSHOT_ROW, "rejected": REJECTED}
        self._cols: dict[str, dict[str, list[Any]]] = {
            t: {f.name: [] for f in s} for t, s in self._schemas.items()
        }
        self.counts = {"posts": 0, "snapshots": 0, "rejected": 0}

    # -- the readers' interface -------------------------------------------------------------
    def post(self, row: dict[str, Any], line: int) -> None:
        """Add one post; `row` holds canonical post fields (missing ones become NULL)."""
        row["source"] = f"{self.source_name}:{line}"
        row["source_format"] = self.source_format
        self._add("posts", row)

    def account(self, row: dict[str, Any], line: int) -> None:
        """Add one account snapshot as seen in this record."""
        row["source"] = f"{self.source_name}:{line}"
        self._add("snapshots", row)

    def reject(self, line: int, error: str, raw: bytes | str) -> None:
        """Keep a record aside with its location and the reason it could not be read."""
        if isinstance(raw, bytes):
            raw = raw[: RAW_LIMIT * 4].decode("utf-8", errors="replace")
        self._add("rejected", {"source": self.source_name, "line": line, "error": error, "raw": raw[:RAW_LIMIT]})

    # -- plumbing -------------------------------------------------------------------------------
    def _add(self, table: str, row: dict[str, Any]) -> None:
        cols = self._cols[table]
        for name, values in cols.items():
            values.append(row.get(name))
        self.counts[table] += 1
        if len(cols["source"]) >= self.batch_rows:
            self._emit(table)

    def _emit(self, table: str) -> None:
        cols = self._cols[table]
        if not cols["source"]:
            return
        batch = pa.Table.from_pydict(cols, schema=self._schemas[table])
        for values in cols.values():
            values.clear()
        self._flush(table, batch)

    def flush(self) -> None:
        """Hand over whatever is still buffered."""
        for table in self._cols:
            self._emit(table)
