"""Parsing on every core: the main process reads records, worker processes turn them into rows.

Reading lines (or CSV rows) is cheap and must be sequential; turning a record into canonical rows
is where the time goes, and it is independent per record. So the main process cuts the input into
chunks of a few thousand records, a pool of worker processes runs the format's handler on each
chunk and returns Arrow tables, and the main process stages them in input order (order matters:
the first occurrence of a post wins). At most `2 × workers` chunks are in flight, so memory stays
bounded whatever the file size. Workers are started with `spawn`, never `fork`, because the parent
holds a DuckDB connection with its own threads.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import sys
from contextlib import contextmanager
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import pyarrow as pa

from botwatch.forkpool import cores
from botwatch.ingest.csv_records import consume_rows, csv_rows
from botwatch.ingest.json_records import consume_lines, first_json_char
from botwatch.ingest.sink import RowSink
from botwatch.ingest.source import InputSource

CHUNK_RECORDS = 5000
MIN_PARALLEL_BYTES = 32 * 1024 * 1024  # below this, starting workers costs more than it saves


def default_workers() -> int:
    """Worker processes to use: the cores available to this process, capped at 8."""
    return max(1, min(cores(), 8))


def can_parallelise(fmt_kind: str, src: InputSource) -> bool:
    """JSON lines and CSV can be chunked; a JSON array is one document and is read in-process."""
    if fmt_kind == "json" and first_json_char(src.head()) == "[":
        return False
    return True


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Start spawned workers without re-importing the caller's `__main__`.

    `spawn` normally re-runs the main script in every worker, which breaks for code run from
    stdin or a notebook and re-runs any unguarded top-level work. Workers here need only
    botwatch's own modules, so the main module's path is hidden while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if main is not None and hasattr(main, k)}
    try:
        for k in saved:
            if k == "__spec__":
                setattr(main, k, None)
            else:
                delattr(main, k)
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored in this process for the block (only the main thread may set signals)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_sigint() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle (it terminates the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _work(args: tuple[str, str, str, list[Any], list[str], int, Any]) -> tuple[int, list[tuple[str, pa.Table]], dict[str, int]]:
    """In a worker: run the format's handler (or the one given: a column map's) over one chunk and return its tables."""
    from botwatch.ingest.formats import FORMATS

    fmt_name, source_name, kind, chunk, header, max_record_bytes, given = args
    out: list[tuple[str, pa.Table]] = []
    sink = RowSink(lambda t, b: out.append((t, b)), source_name, fmt_name, batch_rows=len(chunk) + 1)
    fmt = FORMATS[fmt_name] if given is None else None
    handler = given if fmt is None else fmt.handler
    if kind == "json":
        assert fmt is not None
        read = consume_lines(chunk, sink, handler, max_record_bytes, fmt.fast)
    else:
        read = consume_rows(chunk, header, sink, handler)
    sink.flush()
    return read, out, sink.counts


def read_parallel(
    fmt_name: str,
    kind: str,
    src: InputSource,
    emit: Callable[[str, pa.Table], None],
    max_record_bytes: int,
    workers: int,
    on_chunk: Callable[[], None] | None = None,
    handler: Callable[..., None] | None = None,
) -> tuple[int, dict[str, int]]:
    """Read `src` with `workers` processes; staged tables go to `emit` in input order. `handler`
    (picklable) replaces the registered format's, for a reader that is not in `FORMATS`."""
    if kind == "json":
        header: list[str] = []
        records: Iterable[Any] = src.lines(max_record_bytes)
    else:
        header, records = csv_rows(src, max_record_bytes)
    read = 0
    counts = {"posts": 0, "snapshots": 0, "rejected": 0}
    ctx = mp.get_context("spawn")
    with _workers_skip_main(), _sigint_ignored():
        # The processes start here, while the main path is hidden and SIGINT ignored (a spawned
        # child keeps an ignored SIGINT from its start, and the initializer keeps it so): Ctrl-C
        # reaches the whole process group, and each worker printed its KeyboardInterrupt traceback
        # ("Process SpawnPoolWorker-1: ...") before the parent's one line. The parent stops them.
        pool = ctx.Pool(workers, initializer=_ignore_sigint)
    with pool:
        pending: deque[Any] = deque()

        def collect() -> None:
            nonlocal read
            n, tables, c = pending.popleft().get()
            read += n
            for k in counts:
                counts[k] += c[k]
            for table, batch in tables:
                emit(table, batch)
            if on_chunk:
                on_chunk()

        for chunk in _chunks(records, CHUNK_RECORDS):
            pending.append(pool.apply_async(_work, ((fmt_name, src.name, kind, chunk, header, max_record_bytes, handler),)))
            if len(pending) >= 2 * workers:
                collect()
        while pending:
            collect()
    return read, counts
