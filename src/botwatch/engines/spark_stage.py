"""The executor side of `ingest --engine spark`: each task reads its files with the Python readers.

A task gets rows of (`_file`, `path`) and streams back Arrow record batches in one "wide" shape:
every staged row is tagged with its kind (`posts`, `snapshots`, `rejected`) and carries its
columns in the struct of that kind (the other structs are NULL), and each file ends with one
`file` row whose `meta` struct says what happened to it (hash, format, counts, or why it was
skipped or failed). One shape lets a single `mapInArrow` pass read each file exactly once; the
driver then splits the kinds apart and never holds the rows themselves.

Nothing here imports pyspark: the functions run inside Spark's Python workers and are tested
as plain Python.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.ingest.cut_short import read_again
from botwatch.ingest.rereads import identical_said
from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES, cannot_open, file_sha256, not_there, shown_name
from botwatch.schema import DELETIONS, POSTS, REJECTED, SNAPSHOT_ROW, STREAM_LIMITS, STREAM_WARNINGS

# kind -> (struct column, the staged rows' schema), in the order `RowSink` names them.
KINDS: dict[str, tuple[str, pa.Schema]] = {"posts": ("post", POSTS), "snapshots": ("snap", SNAPSHOT_ROW), "rejected": ("rej", REJECTED),
                                          "deletions": ("gone", DELETIONS), "stream_limits": ("lim", STREAM_LIMITS),
                                          "stream_warnings": ("warn", STREAM_WARNINGS)}

META = pa.schema(
    [
        ("source", pa.string()), ("path", pa.string()), ("sha256", pa.string()), ("bytes", pa.int64()), ("format", pa.string()),
        ("records_read", pa.int64()), ("n_posts", pa.int64()), ("n_snapshots", pa.int64()), ("n_rejected", pa.int64()),
        ("error", pa.string()), ("skipped", pa.string()),
        ("n_repaired", pa.int64()),  # stored after a repair: notes among the rejected rows, not lost records
        ("unreadable", pa.string()),  # why no reader knew the file (`FileResult.unreadable`)
        ("broke_off", pa.string()),  # a compressed stream cut short after some records (`FileResult.broke_off`)
        ("not_utf8", pa.int64()),  # records rejected for bytes that are not UTF-8 (`FileResult.not_utf8`)
        ("non_ascii", pa.int64()),  # posts read as UTF-8 with characters beyond ASCII (`FileResult.non_ascii`)
        ("redated", pa.int64()),  # posts dated by the relay's time, not their claimed one (`FileResult.redated`)
        ("rekeyed", pa.int64()),  # Mastodon accounts keyed apart from a profile URL off their instance (`FileResult.rekeyed`)
        ("edited", pa.int64()),  # edits of posts kept in `rejected` beside the first text (`FileResult.edited`)
        # Distinct (platform, account_id) among the file's snapshot rows: the accounts the merge
        # reduces them to (one group each, NULL keys one group as in GROUP BY), counted here where
        # the rows pass, so the driver needs no grouped count job for `accounts_seen`.
        ("n_accounts", pa.int64()),
        ("file_sha256", pa.string()),  # the file's own SHA-256 where `sha256` is an earlier read's text's (`same_text_read`)
        ("n_deleted", pa.int64()),  # delete notices read (`FileResult.deleted`): neither posts nor rejected
        ("n_limited", pa.int64()),  # X v1.1 stream limit notices read (`FileResult.limited`): neither posts nor rejected
        ("n_warned", pa.int64()),  # its stall warnings read (`FileResult.warned`), likewise
    ]
)

WIDE = pa.schema(
    [("_file", pa.int64()), ("_kind", pa.string()), ("_seq", pa.int64())]
    + [(col, pa.struct(list(schema))) for col, schema in KINDS.values()]
    + [("meta", pa.struct(list(META)))]
)

_STRUCTS = [col for col, _ in KINDS.values()] + ["meta"]
_QUEUE_BATCHES = 4  # batches a reader may run ahead of Spark: bounds a task's memory, whatever the file's size


def _wide(file_idx: int, kind: str, seq0: int, struct_col: str, rows: pa.StructArray) -> pa.RecordBatch:
    """One record batch of the wide shape: `rows` in its struct column, every other struct NULL."""
    n = len(rows)
    cols: list[pa.Array] = [
        pa.array([file_idx] * n, pa.int64()),
        pa.array([kind] * n, pa.string()),
        pa.array(range(seq0, seq0 + n), pa.int64()),
    ]
    for name in _STRUCTS:
        typ = WIDE.field(name).type
        cols.append(rows if name == struct_col else pa.nulls(n, typ))
    return pa.RecordBatch.from_arrays(cols, schema=WIDE)


def _as_struct(table: pa.Table, schema: pa.Schema) -> pa.StructArray:
    table = table.select(schema.names).cast(schema)
    return pa.StructArray.from_arrays([table.column(f.name).combine_chunks() for f in schema], fields=list(schema))


def _stream(path: str, max_record_bytes: int, name: str | None = None, columns: Any = None) -> Iterator[tuple[str, Any]]:
    """(kind, staged table) as the readers flush them, then ("done", FileResult) or ("failed", exc).

    The readers push batches through a callback; a thread and a small queue turn that into a
    generator, so a task holds a few batches, never a whole file."""
    from botwatch.ingest.runner import stage_into

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUE_BATCHES)

    def work() -> None:
        try:
            q.put(("done", stage_into(path, lambda kind, t: q.put((kind, t)), max_record_bytes, name, columns)))
        except Exception as exc:  # noqa: BLE001 - a reader bug fails this file only, as a rolled-back DuckDB transaction does
            q.put(("failed", exc))

    threading.Thread(target=work, name=f"botwatch-read-{os.path.basename(path)}", daemon=True).start()
    while True:
        kind, item = q.get()
        yield kind, item
        if kind in ("done", "failed"):
            return


def stage_one(file_idx: int, path: str, known: Mapping[str, str], force: bool, max_record_bytes: int,
              counted: Callable[[int, int], None] | None = None, name: str | None = None,
              columns: Any = None, prefixes: Mapping[str, list[tuple[int, str]]] | None = None,
              broken: Collection[str] = (), latest: Mapping[str, str] | None = None) -> Iterator[pa.RecordBatch]:
    """Read one input into wide batches, ending with its `file` row (through the column map
    `columns`, an `ingest.csv_mapping.ColumnMap`, when given).

    `known` maps the SHA-256 of every file already in the lake to its source: an identical file
    is skipped unread unless `force`, as the DuckDB ingest does. `counted(records, rejected)` is
    told the file's figures when it is done (the driver's progress line). `name` is the source
    to record when `path` is a local copy of the input (`stage_contents`). `prefixes`
    (`rereads.held_prefixes`): the earlier reads of each source, which a `.gz` of one of them (or
    the text of one) is recognised by (`same_text_read`); the file's first bytes are not hashed
    against them, since any read at the same path counts as an earlier read of it. `broken`:
    the sources whose read broke off (`cut_short.BROKEN_SOURCES_SQL`). `latest`: the SHA-256 each
    source's latest read found; a file whose content differs from it is read again even when
    identical to an earlier read (put back to a version read before), as on DuckDB
    (`runner._changed_back`): its bad records then are those of the version it holds."""
    meta: dict[str, Any] = dict.fromkeys(META.names)
    meta.update(source=name or (str(Path(path)) if path != "-" else "<stdin>"), path=name or path, n_posts=0, n_snapshots=0, n_rejected=0, n_repaired=0, records_read=0, n_accounts=0)
    if path == "-":
        meta["error"] = "standard input cannot be read on Spark executors: save it to a file first"
    elif gone := not_there(path):
        meta["error"] = gone
    else:
        try:
            if os.path.isfile(path):
                meta["bytes"] = os.path.getsize(path)
                meta["sha256"] = file_sha256(path)
        except OSError as exc:  # worded as on DuckDB, where opening the file fails the same way
            meta["error"] = cannot_open(exc)
        if meta["error"] is None and meta["sha256"] and meta["sha256"] not in known and prefixes:
            # A `.gz` of a file read before (or the file after its `.gz`): the same text, recorded
            # under that read's SHA-256, as on DuckDB (`runner._same_text_read`): skipped as
            # identical, or with --force a re-read whose bad records are kept once, not one more input.
            if (text := same_text_read(path, meta["source"], prefixes)) is not None and text != meta["sha256"]:
                meta["file_sha256"], meta["sha256"] = meta["sha256"], text
        seen = known.get(meta["sha256"]) if meta["sha256"] else None
        # An identical file whose read broke off there is read again while still cut (`cut_short`), as on DuckDB.
        was = (latest or {}).get(meta["source"]) or (latest or {}).get(shown_name(meta["source"]))
        changed_back = was is not None and meta["sha256"] is not None and was != meta["sha256"]
        if meta["error"] is None and seen is not None and not force and not changed_back and not read_again(path, (seen, meta["source"]), broken):
            meta["skipped"] = identical_said(seen, meta["source"])
        elif meta["error"] is None:
            yield from _read_rows(file_idx, path, max_record_bytes, meta, name, columns)
    if counted is not None:  # the row that records a break is no record rejected (`counts.records_rejected`), as the summary counts
        rejected = int(meta["n_rejected"] or 0)
        counted(int(meta["records_read"] or 0), rejected - (1 if (meta.get("broke_off") or meta.get("unreadable")) and rejected else 0))
    yield _wide(file_idx, "file", 0, "meta", pa.StructArray.from_arrays([pa.array([meta[f.name]], f.type) for f in META], fields=list(META)))


def same_text_read(path: str, source: str, reads: Mapping[str, list[tuple[int, str]]]) -> str | None:
    """The SHA-256 recorded for an earlier read (`reads`: `rereads.held_prefixes`, {source:
    [(bytes, sha256)]}) of the text the file at `path` holds, when one of the two is a `.gz` of the
    other, else None; the executor's side of DuckDB's `runner._same_text_read`, with the same
    cheap test first: the gzip trailer's text size against the other's size, the files hashed only
    when it matches. A `.gz` read before is compared while it is still the file read then (a local path)."""
    from botwatch.ingest.source import gzip_text_size, text_sha256

    packed = gzip_text_size(path)
    size = packed if packed is not None else os.path.getsize(path)
    mine: list[str | None] = []

    def my_text() -> str | None:
        if not mine:
            mine.append(text_sha256(path))
        return mine[0]

    if packed is not None:  # a plain file read before, of the size this `.gz`'s text has
        held = {digest for rows in reads.values() for n, digest in rows if n % (1 << 32) == size}
        if held and (text := my_text()) in held:
            return text
    for other, rows in reads.items():  # a `.gz` read before, still the file read then, whose text this one's is
        if other == source or not os.path.isfile(other) or gzip_text_size(other) != size % (1 << 32):
            continue
        if (digest := file_sha256(other)) in {d for _, d in rows} and (text := my_text()) is not None and text_sha256(other) == text:
            return digest
    return None


def _read_rows(file_idx: int, path: str, max_record_bytes: int, meta: dict[str, Any], name: str | None = None,
               columns: Any = None) -> Iterator[pa.RecordBatch]:
    """The staged rows of one file, `_seq` counting every kind in arrival order (as DuckDB's stager does)."""
    seq = 0
    accounts = DistinctKeys()
    for kind, item in _stream(path, max_record_bytes, name, columns):
        if kind == "failed":
            # Rows already sent stay in the staging folder; the driver drops a failed file's rows.
            meta["error"] = meta["error"] or f"{type(item).__name__}: {item}"
        elif kind == "done":
            meta.update(source=item.source, format=item.format, records_read=item.read, unreadable=item.unreadable, broke_off=item.broke_off,
                        not_utf8=item.not_utf8, non_ascii=item.non_ascii, redated=item.redated, rekeyed=item.rekeyed, edited=item.edited, n_deleted=item.deleted,
                        n_limited=item.limited, n_warned=item.warned)
            meta["error"] = meta["error"] or item.error
        elif meta["error"] is None:
            col, schema = KINDS[kind]
            try:
                rows = _as_struct(item, schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                # The file fails alone (the rest of the reader's output is drained, not sent), as
                # a DuckDB insert of that batch would fail and roll the file back.
                meta["error"] = f"{type(exc).__name__}: {exc}"
                continue
            yield _wide(file_idx, kind, seq, col, rows)
            if kind == "snapshots":
                accounts.add(rows.field("platform"), rows.field("account_id"))
            seq += item.num_rows
            if kind in ("deletions", "stream_limits", "stream_warnings"):  # counted by the reader (`n_deleted`, `n_limited`, `n_warned`: the "done" item)
                continue
            notes, edits = _notes(item) if kind == "rejected" else (0, 0)
            meta[f"n_{kind}"] += item.num_rows - notes - edits
            meta["n_repaired"] += notes
    meta["n_accounts"] = len(accounts)


class DistinctKeys:
    """The number of distinct (platform, account_id) keys in one file's snapshots, counted on the
    executor for the file's `n_accounts`: exactly the count a set of the pairs gives.

    Why not a Python set of tuples: at about 230 bytes a key, one input file with millions of
    accounts (a month of a 1% stream in one file) held gigabytes in the Spark Python worker. Ids
    that are plain decimal numbers (Twitter's, written as a number is: no sign, no leading zero,
    at most 19 digits) are kept as one unsigned 64-bit integer each, in a sorted NumPy array per
    platform: 8 bytes a key, and the text is the number's own, so the count stays exact. New ids
    are deduplicated per batch and merged with the kept ones whenever they outnumber them (each
    key is merged a bounded number of times). Any other id, and a null platform or id, goes into a
    set of pairs as before: such archives (handles as ids, Mastodon accounts) are the smaller ones."""

    NUMBER = r"^(0|[1-9][0-9]{0,18})$"  # 19 digits at most: under 2**64, so the cast cannot overflow

    def __init__(self) -> None:
        self._kept: dict[str, np.ndarray] = {}
        self._new: dict[str, list[np.ndarray]] = {}
        self._new_rows = 0
        self._other: set[tuple[Any, Any]] = set()

    def add(self, platform: pa.Array, account_id: pa.Array) -> None:
        """Count these rows' keys (two arrays of the same length, any string-castable type)."""
        import pyarrow.compute as pc

        if not len(platform):
            return
        platform, account_id = platform.cast(pa.string()), account_id.cast(pa.string())
        number = pc.and_(pc.fill_null(pc.match_substring_regex(account_id, self.NUMBER), False), pc.is_valid(platform))
        rest = pc.invert(number)
        if pc.any(rest).as_py():
            self._other.update(zip(platform.filter(rest).to_pylist(), account_id.filter(rest).to_pylist()))
        if not pc.any(number).as_py():
            return
        platform, account_id = platform.filter(number), account_id.filter(number)
        for name in pc.unique(platform).to_pylist():
            same = pc.equal(platform, name)
            ids = account_id if pc.all(same).as_py() else account_id.filter(same)  # one platform a file, as a rule
            got = _sorted_unique(ids.cast(pa.uint64()).to_numpy(zero_copy_only=False))
            self._new.setdefault(name, []).append(got)
            self._new_rows += len(got)
        if self._new_rows > max(sum(len(k) for k in self._kept.values()), 1 << 16):
            self._merge()

    def _merge(self) -> None:
        for name, parts in self._new.items():
            self._kept[name] = _sorted_unique(np.concatenate([self._kept.get(name, np.empty(0, np.uint64)), *parts]))
        self._new, self._new_rows = {}, 0

    def __len__(self) -> int:
        self._merge()
        return sum(len(k) for k in self._kept.values()) + len(self._other)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (`np.unique` by sorting: NumPy 2.3's hash-table `unique` took
    five times as long on 64-bit ids)."""
    out = np.sort(values)
    return out[np.concatenate(([True], out[1:] != out[:-1]))] if len(out) else out


def _notes(rejected: pa.Table) -> tuple[int, int]:
    """Rows of a rejected batch that note a stored record's repair, and those that keep an edit of
    a stored post: (repairs, edits), neither a lost record."""
    import pyarrow.compute as pc

    from botwatch.ingest.sink import EDITED, REPAIRED

    error = rejected.column("error")
    return tuple(int(pc.sum(pc.starts_with(error, p)).as_py() or 0) for p in (REPAIRED, EDITED))  # type: ignore[return-value]


def stage_partition(batches: Iterable[pa.RecordBatch], known: Mapping[str, str], force: bool,
                    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                    counted: Callable[[int, int], None] | None = None, columns: Any = None,
                    prefixes: Mapping[str, list[tuple[int, str]]] | None = None, broken: Collection[str] = (),
                    latest: Mapping[str, str] | None = None) -> Iterator[pa.RecordBatch]:
    """`mapInArrow`'s function: every (`_file`, `path`) row of the task's partition, read in turn."""
    for batch in batches:
        for idx, path in zip(batch.column("_file").to_pylist(), batch.column("path").to_pylist()):
            yield from stage_one(int(idx), str(path), known, force, max_record_bytes, counted, columns=columns, prefixes=prefixes, broken=broken,
                                 latest=latest)


def stage_contents(batches: Iterable[pa.RecordBatch], index: Mapping[str, tuple[int, str]], known: Mapping[str, str], force: bool,
                   max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                   counted: Callable[[int, int], None] | None = None, columns: Any = None,
                   prefixes: Mapping[str, list[tuple[int, str]]] | None = None, broken: Collection[str] = (),
                   latest: Mapping[str, str] | None = None) -> Iterator[pa.RecordBatch]:
    """`mapInArrow`'s function for inputs on object storage (`s3a://`, `hdfs://`): Spark's
    `binaryFile` source hands each file's bytes (`path`, `content`) to the task, which reads them
    from a local copy with the same readers; rows record the input's URL as their source.
    `index` maps the path Spark reports to (file number, the URL as given)."""
    import tempfile

    for batch in batches:
        paths, contents = batch.column("path"), batch.column("content")
        for i in range(batch.num_rows):  # one file's bytes at a time (a batch may hold several files)
            idx, url = index[str(paths[i].as_py())]
            with tempfile.TemporaryDirectory(prefix="botwatch-input-") as tmp:
                local = os.path.join(tmp, os.path.basename(url.rstrip("/")) or "input")
                with open(local, "wb") as fh:
                    if contents[i].is_valid:
                        fh.write(contents[i].as_buffer())
                yield from stage_one(idx, local, known, force, max_record_bytes, counted, name=url, columns=columns, prefixes=prefixes, broken=broken,
                                     latest=latest)
