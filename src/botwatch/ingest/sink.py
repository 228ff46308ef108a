"""Where readers put what they read: rows buffered per table and flushed as Arrow batches.

Readers call `post(...)`, `account(...)` and `reject(...)` one record at a time; the sink keeps
the row dicts of one batch and hands a `pyarrow.Table` to the flush callback every `batch_rows`
rows, so only one batch is ever alive and a 100-million-post archive streams in constant memory.

Account snapshots are folded as they arrive: an archive carries the author's profile with every
post, so one account posting 500 times would otherwise make 500 near-identical rows. The fold
keeps, per account, the newest snapshot (older non-NULL values fill its gaps) and the range of
times it was seen.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

import pyarrow as pa

from botwatch.schema import POSTS, RAW_LIMIT, REJECTED, SNAPSHOT_ROW

FlushFn = Callable[[str, pa.Table], None]
_POST_DEFAULTS = dict.fromkeys(POSTS.names)
_SNAPSHOT_DEFAULTS = dict.fromkeys(SNAPSHOT_ROW.names)


class RecordError(ValueError):
    """A record that cannot become a canonical row; the message says why, for the rejected table."""


def _later(a: Any, b: Any) -> bool:
    """Is observation time `a` at least as late as `b` (None counts as earliest)?"""
    return b is None or (a is not None and a >= b)


class RowSink:
    """Buffers canonical rows by table and flushes them in Arrow batches."""

    def __init__(self, flush: FlushFn, source_name: str, source_format: str, batch_rows: int = 20_000) -> None:
        self._flush = flush
        self.source_name = source_name
        self.source_format = source_format
        self.batch_rows = batch_rows
        self._posts: list[dict[str, Any]] = []
        self._rejected: list[dict[str, Any]] = []
        self._accounts: dict[tuple[str, str], dict[str, Any]] = {}
        self.counts = {"posts": 0, "snapshots": 0, "rejected": 0}

    # -- the readers' interface -------------------------------------------------------------
    def post(self, row: dict[str, Any], line: int) -> None:
        """Add one post; `row` holds canonical post fields (missing ones become NULL)."""
        row = {**_POST_DEFAULTS, **row}  # every column present, so a batch transposes in C
        row["source"] = f"{self.source_name}:{line}"
        row["source_format"] = self.source_format
        self._posts.append(row)
        self.counts["posts"] += 1
        if len(self._posts) >= self.batch_rows:
            self._emit_posts()

    def account(self, row: dict[str, Any], line: int) -> None:
        """Add one account snapshot as seen in this record."""
        self.counts["snapshots"] += 1
        key = (row.get("platform") or "", row["account_id"])
        seen = row.get("observed_at")
        old = self._accounts.get(key)
        row = {**_SNAPSHOT_DEFAULTS, **row}
        if old is None:
            row["source"] = f"{self.source_name}:{line}"
            row["first_seen"] = row["last_seen"] = seen
            self._accounts[key] = row
            if len(self._accounts) >= self.batch_rows:
                self._emit_accounts()
            return
        first, last = old["first_seen"], old["last_seen"]
        if _later(seen, old.get("observed_at")):
            newer, older = row, old
            row["source"] = f"{self.source_name}:{line}"
            self._accounts[key] = row
        else:
            newer, older = old, row
        for k, v in older.items():
            if v is not None and newer.get(k) is None:
                newer[k] = v
        if seen is not None:
            first = seen if first is None or seen < first else first
            last = seen if last is None or seen > last else last
        newer["first_seen"], newer["last_seen"] = first, last

    def reject(self, line: int, error: str, raw: bytes | str) -> None:
        """Keep a record aside with its location and the reason it could not be read."""
        if isinstance(raw, bytes):
            raw = raw[: RAW_LIMIT * 4].decode("utf-8", errors="replace")
        self._rejected.append({"source": self.source_name, "line": line, "error": error, "raw": raw[:RAW_LIMIT]})
        self.counts["rejected"] += 1
        if len(self._rejected) >= self.batch_rows:
            self._emit("rejected", self._rejected, REJECTED)
            self._rejected = []

    # -- plumbing -------------------------------------------------------------------------------
    def _emit(self, table: str, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
        if not rows:
            return
        names = schema.names
        columns = zip(*map(itemgetter(*names), rows))
        self._flush(table, pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema))

    def _emit_posts(self) -> None:
        self._emit("posts", self._posts, POSTS)
        self._posts = []

    def _emit_accounts(self) -> None:
        self._emit("snapshots", list(self._accounts.values()), SNAPSHOT_ROW)
        self._accounts = {}

    def flush(self) -> None:
        """Hand over whatever is still buffered."""
        self._emit_posts()
        self._emit_accounts()
        self._emit("rejected", self._rejected, REJECTED)
        self._rejected = []
