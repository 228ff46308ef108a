"""Where readers put what they read: rows buffered per table and flushed as Arrow batches.

Readers call `post(...)`, `account(...)` and `reject(...)` one record at a time; the sink keeps
the row dicts of one batch and hands a `pyarrow.Table` to the flush callback every `batch_rows`
rows, so only one batch is ever alive and a 100-million-post archive streams in constant memory.

Account snapshots are folded as they arrive: an archive carries the author's profile with every
post, so one account posting 500 times would otherwise make 500 identical rows. Consecutive
identical profiles become one row with the range of times it was seen; a changed profile is kept
as its own row, and the merge picks each field's latest non-NULL value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

import pyarrow as pa

# Re-exported for the readers that import them from here; their home imports no pyarrow, so the
# collectors, which share the readers' field helpers, start without it.
from botwatch.ingest.record_error import RecordError as RecordError, not_an_object as not_an_object
from botwatch.schema import DELETIONS, POSTS, PROFILE_VALUE_FIELDS, RAW_LIMIT, REJECTED, SNAPSHOT_ROW, STREAM_LIMITS, STREAM_WARNINGS

FlushFn = Callable[[str, pa.Table], None]
_POST_DEFAULTS = dict.fromkeys(POSTS.names)
_SNAPSHOT_DEFAULTS = dict.fromkeys(SNAPSHOT_ROW.names)


# The error of a `rejected` row that notes a repair rather than a loss: the record was stored
# (mended, e.g. a lone surrogate replaced by U+FFFD) and its original is kept here, so the change
# can be seen. Counts of rejected records leave these rows out.
REPAIRED = "repaired, record kept: "
# The error of a `rejected` row that keeps an edit of a stored post (a Bluesky post record updated,
# a Mastodon `status.update`): `posts` keeps the text first stored, this row the edit as read.
# Neither a loss nor a repair: counts of rejected and of repaired records leave these rows out.
EDITED = "edited, first text kept: "
NOTES = (REPAIRED, EDITED)


def is_note(error: str | None) -> bool:
    """Is this `rejected` row's error a note beside a stored record (a repair, an edit), not a loss?"""
    return (error or "").startswith(NOTES)


def note_sql(column: str) -> str:
    """`is_note` as a DuckDB condition on the text column `column` (the prefixes hold no quote)."""
    return "(" + " OR ".join(f"starts_with({column}, '{p}')" for p in NOTES) + ")"


_PROFILE_VALUES = itemgetter(*PROFILE_VALUE_FIELDS)


def _same_profile(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _PROFILE_VALUES(a) == _PROFILE_VALUES(b)


def _later(a: Any, b: Any) -> bool:
    """Is observation time `a` at least as late as `b` (None counts as earliest)?"""
    return b is None or (a is not None and a >= b)


# How the readers word a record rejected for bytes that are not UTF-8 (CSV rows; JSON lines).
NOT_UTF8 = ("invalid UTF-8", "is not valid UTF-8")


def not_utf8(error: str) -> bool:
    """Was a record rejected for bytes that are not UTF-8? Counted apart, so a file saved in
    another encoding (Excel's cp1252 CSV) is said to be one, not just "rejected N"."""
    return any(marker in error for marker in NOT_UTF8)


def not_utf8_sql(column: str) -> str:
    """`not_utf8` as a DuckDB condition on the text column `column`."""
    return "(" + " OR ".join(f"contains({column}, '{marker}')" for marker in NOT_UTF8) + ")"


# The platform's own notices a reader keeps (`RowSink.deletion`, `limit`, `warning`): each table's
# layout and the count (`counts`, `FileResult`) it adds to.
_NOTICE_TABLES = {"deletions": (DELETIONS, "deleted"), "stream_limits": (STREAM_LIMITS, "limited"), "stream_warnings": (STREAM_WARNINGS, "warned")}


class RowSink:
    """Buffers canonical rows by table and flushes them in Arrow batches."""

    def __init__(self, flush: FlushFn, source_name: str, source_format: str, batch_rows: int = 20_000, *, fold: bool = True) -> None:
        self._flush = flush
        self.fold = fold  # False: one snapshot row per record (a caller that orders them by line itself)
        self.source_name = source_name
        self.source_format = source_format
        self.batch_rows = batch_rows
        self._posts: list[dict[str, Any]] = []
        self._rejected: list[dict[str, Any]] = []
        self._notices: dict[str, list[dict[str, Any]]] = {table: [] for table in _NOTICE_TABLES}
        self._accounts: dict[tuple[str, str], dict[str, Any]] = {}  # current profile per account
        self._superseded: list[dict[str, Any]] = []  # earlier, different profiles, in arrival order
        # non_ascii: posts whose text has characters beyond ASCII, read as UTF-8 (beside records
        # rejected as not UTF-8 they show a file that mixes encodings, `cli.ingest.other_encoding`).
        # redated: posts dated by the platform's relay time, not the time their author claimed (`redated`).
        # rekeyed: Mastodon accounts keyed apart from their profile URL, which disagreed with their instance (`rekeyed`).
        # edited: edits of posts kept in `rejected` beside the first text (`edited`).
        # deleted: the platforms' delete notices read (a post's author deleted it): valid records,
        # neither posts nor errors, so counted on their own (`deletion`).
        # limited: an X v1.1 stream's limit notices read (`limit`): no posts, no errors either.
        # warned: its stall warnings read (`warning`), likewise.
        self.counts = {"posts": 0, "snapshots": 0, "rejected": 0, "repaired": 0, "not_utf8": 0, "non_ascii": 0, "redated": 0, "rekeyed": 0, "edited": 0, "deleted": 0,
                       "limited": 0, "warned": 0}
        self._noted_line: int | None = None  # the line of the last row in `_rejected`, when a repair note
        # What a reader keeps from one record to the next of this read, by its own key (the IRA
        # reader: the first row under each made post id, `csv_formats._ira_made_id`).
        self.reader_state: dict[str, Any] = {}

    # -- the readers' interface -------------------------------------------------------------
    def post(self, row: dict[str, Any], line: int) -> None:
        """Add one post; `row` holds canonical post fields (missing ones become NULL)."""
        row = {**_POST_DEFAULTS, **row}  # every column present, so a batch transposes in C
        row["source"] = f"{self.source_name}:{line}"
        row["source_format"] = self.source_format
        self._posts.append(row)
        self.counts["posts"] += 1
        if row["text"] and not row["text"].isascii():
            self.counts["non_ascii"] += 1
        if len(self._posts) >= self.batch_rows:
            self._emit_posts()

    def account(self, row: dict[str, Any], line: int) -> None:
        """Add one account snapshot as seen in this record.

        Consecutive identical profiles of an account are folded into one row spanning the times
        they were seen; a changed profile pushes the previous row out, so every distinct profile
        reaches the merge in arrival order, which picks each field's latest non-NULL value.
        """
        self.counts["snapshots"] += 1
        row = {**_SNAPSHOT_DEFAULTS, **row}
        seen = row.get("observed_at")
        row["source"] = f"{self.source_name}:{line}"
        row["first_seen"] = row["last_seen"] = seen
        key = (row.get("platform") or "", row["account_id"])
        current = self._accounts.get(key)
        if current is not None and self.fold and _same_profile(current, row):
            if seen is not None:
                first, last = current["first_seen"], current["last_seen"]
                current["first_seen"] = seen if first is None or seen < first else first
                current["last_seen"] = seen if last is None or seen > last else last
                if _later(seen, current["observed_at"]):
                    current["observed_at"], current["source"] = seen, row["source"]
            return
        if current is not None:
            self._superseded.append(current)
        self._accounts[key] = row
        if len(self._accounts) + len(self._superseded) >= self.batch_rows:
            self._emit_accounts()

    def reject(self, line: int, error: str, raw: bytes | str) -> None:
        """Keep a record aside with its location and the reason it could not be read."""
        # A full batch goes out before the next row, not after the last: the newest row stays in
        # the buffer, so a second repair of its line can still join its note (`repair`).
        if len(self._rejected) >= self.batch_rows:
            self._emit("rejected", self._rejected, REJECTED)
            self._rejected = []
        self._rejected.append({"source": self.source_name, "line": line, "error": _storable(error), "raw": _raw(raw)})
        self._noted_line = None
        self.counts["rejected"] += 1
        if not_utf8(error):
            self.counts["not_utf8"] += 1

    def deletion(self, row: dict[str, Any], line: int) -> None:
        """Keep one delete notice (X's stream `delete`, a Jetstream delete commit, a Mastodon
        `delete` event): `row` holds `schema.DELETIONS` fields (missing ones become NULL). Read as
        an error, a 1% stream sample reported thousands of "rejected" records that were the stream
        working as designed; they are counted apart and kept in `deletions` instead."""
        self._notice("deletions", {**dict.fromkeys(DELETIONS.names), **row, "source": f"{self.source_name}:{line}"})

    def limit(self, track: int, limited_at: datetime | None, line: int) -> None:
        """Keep one X v1.1 stream limit notice: the stream had withheld `track` matching posts
        since its connection opened (`schema.STREAM_LIMITS`). Read as an error, a capture that hit
        the stream's cap reported "rejected" records and said nothing of the posts it missed."""
        self._notice("stream_limits", {"source": self.source_name, "line": line, "limited_at": limited_at, "track": track})

    def warning(self, row: dict[str, Any], line: int) -> None:
        """Keep one X v1.1 stream stall warning (`schema.STREAM_WARNINGS`: code, message,
        percent_full, warned_at). The stream working as designed, not an error: read as one, a
        capture at risk of being cut off reported "rejected" records and said nothing of the risk."""
        self._notice("stream_warnings", {"source": self.source_name, "line": line, **row})

    def _notice(self, table: str, row: dict[str, Any]) -> None:
        """Buffer one of the platform's own notices for `table`, counted; handed over per batch."""
        schema, count = _NOTICE_TABLES[table]
        rows = self._notices[table]
        rows.append(row)
        self.counts[count] += 1
        if len(rows) >= self.batch_rows:
            self._emit(table, rows, schema)
            self._notices[table] = []

    def repair(self, line: int, what: str, raw: bytes | str) -> None:
        """Note a record that was stored after a repair: its original beside the words saying what changed.

        It goes to `rejected` (the place for records as read that botwatch could not take as they
        were) under the `REPAIRED` prefix, counted apart from the records that were lost. One note
        per line: a line mended at two levels (a Mastodon stream envelope and the status JSON
        escaped inside it, each noted by its own reader) is one record stored after a repair, so
        the second note joins the first, keeping the longer original (the enclosing record)."""
        if self._noted_line == line and self._rejected:
            note = self._rejected[-1]
            note["error"] += "; " + _storable(what)
            fuller = _raw(raw)
            if len(fuller) > len(note["raw"]):
                note["raw"] = fuller
            return
        self.reject(line, REPAIRED + what, raw)
        self._noted_line = line
        self.counts["rejected"] -= 1
        self.counts["repaired"] += 1

    def redated(self, line: int, what: str, raw: bytes | str) -> None:
        """Note a post stored under another time than the one its record claims (a Bluesky
        `createdAt` far from when the network relayed it): a repair note (`repair`), so the claimed
        time stays beside the record, counted apart too, so the file's line can say how many."""
        self.repair(line, what, raw)
        self.counts["redated"] += 1

    def rekeyed(self, line: int, what: str, raw: bytes | str) -> None:
        """Note a record stored under another account key than its profile URL (a Mastodon account
        whose url, uri, acct and status disagree on its instance: `other_platforms.account_key`):
        a repair note (`repair`) saying what disagreed, counted apart too, so the file's line and
        the summary can say how many and why."""
        self.repair(line, what, raw)
        self.counts["rekeyed"] += 1

    def edited(self, line: int, what: str, raw: bytes | str) -> None:
        """Keep an edit of a post (its new text, as the platform sent it) in `rejected` under the
        `EDITED` prefix: `posts` keeps the text first stored, what readers saw first, and the edit
        stays beside it located by file and line, counted apart from lost and repaired records."""
        self.reject(line, EDITED + what, raw)
        self.counts["rejected"] -= 1
        self.counts["edited"] += 1

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
        self._emit("snapshots", self._superseded + list(self._accounts.values()), SNAPSHOT_ROW)
        self._accounts = {}
        self._superseded = []

    def flush(self) -> None:
        """Hand over whatever is still buffered."""
        self._emit_posts()
        self._emit_accounts()
        self._emit("rejected", self._rejected, REJECTED)
        self._rejected = []
        for table, (schema, _) in _NOTICE_TABLES.items():
            self._emit(table, self._notices[table], schema)
            self._notices[table] = []
        self._noted_line = None


def _raw(raw: bytes | str) -> str:
    """A record's original as the `rejected` table keeps it: storable text, cut to `RAW_LIMIT`."""
    return _storable(raw[: RAW_LIMIT * 4] if isinstance(raw, bytes) else raw[:RAW_LIMIT])[:RAW_LIMIT]


def _storable(text: bytes | str) -> str:
    """Text Arrow and DuckDB can store, whatever a reader handed over.

    Bad UTF-8 (a multi-byte letter cut by a stray quote, byte noise) arrives either as bytes or as
    text decoded with surrogateescape; its lone surrogates cannot be encoded, and one such rejected
    record used to roll back its whole file. Back to bytes, then decoded with U+FFFD for what is not
    UTF-8; other lone surrogates (a JSON "\\ud800" escape) become "?"."""
    if isinstance(text, str):
        try:
            text = text.encode("utf-8", errors="surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", errors="replace").decode("utf-8")
    return text.decode("utf-8", errors="replace")

