"""Parsing on every core: the main process reads records, worker processes turn them into rows.

Reading lines (or CSV rows) is cheap and must be sequential; turning a record into canonical rows
is where the time goes, and it is independent per record. So the main process cuts the input into
chunks of a few thousand records, a pool of worker processes runs the format's handler on each
chunk and returns Arrow tables, and the main process stages them in input order (order matters:
the first occurrence of a post wins). At most `2 × workers` chunks are in flight, so memory stays
bounded whatever the file size. Workers are started with `spawn`, never `fork`, because the parent
holds a DuckDB connection with its own threads (parsing needs no loaded model, so a fresh process
costs only its imports).

The workers are processes this module starts and stops itself, each with a pipe for its chunks
and one for its answers, not a `multiprocessing.Pool`: a worker killed under a Pool (the
out-of-memory killer, `kill -9`) left the pool waiting forever for the chunk it held, and the
command hung. Here the parent reads each worker's answers from that worker's own pipe, so a dead
worker is its pipe's end: `WorkerFailed`, saying which records it held and how it ended, and the
ingest runner turns that into the file's error line. Ctrl-C (or any error) in the parent
terminates the workers before the parent goes on, and the workers ignore SIGINT (the terminal
sends it to the whole process group), so the command's one line is all that is printed.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from queue import SimpleQueue
from typing import Any

import pyarrow as pa

from botwatch.forkpool import WorkerFailed, cores, how_it_ended, let_sigint_in, sigint_held
from botwatch.ingest.csv_records import consume_rows, csv_rows
from botwatch.ingest.json_records import consume_lines, first_json_char, pretty_object_start, value_stream
from botwatch.ingest.sink import RowSink
from botwatch.ingest.source import InputSource

CHUNK_RECORDS = 5000
MIN_PARALLEL_BYTES = 32 * 1024 * 1024  # below this, starting workers costs more than it saves


def default_workers() -> int:
    """Worker processes to use: the cores available to this process, capped at 8."""
    return max(1, min(cores(), 8))


def can_parallelise(fmt_kind: str, src: InputSource) -> bool:
    """JSON lines and CSV can be chunked; a JSON array is one document and is read in-process."""
    if fmt_kind == "json" and (first_json_char(src.head()) == "[" or pretty_object_start(src.head()) or value_stream(src.read_ahead())):
        return False  # (an object over many lines, `jq .`'s output, is one record: not cut into lines; nor are objects apart by commas)
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


class _Worker:
    """One spawned parsing process: chunks go down `tasks`, answers come back on `answers`, in
    the order sent. `held`: (records before, records up to and with) each chunk still unanswered."""

    def __init__(self, ctx: Any, number: int) -> None:
        self.number = number
        task_r, self.tasks = ctx.Pipe(duplex=False)
        self.answers, answer_w = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_serve, args=(task_r, answer_w), daemon=True, name=f"botwatch-ingest-{number}")
        self.proc.start()
        task_r.close()  # the worker's ends: only it holds them now, so its death closes them
        answer_w.close()
        self.held: deque[tuple[int, int]] = deque()


def _serve(tasks: Any, answers: Any) -> None:
    """A worker's loop: a chunk's arguments in, ("ok", _work(...)) or ("error", one line,
    traceback) out; None (or the parent gone) ends it.

    A thread takes the chunks off the pipe as they come, so the parent never waits to hand one
    over while this process works: both sending large messages at once to a full pipe would wait
    on each other for ever."""
    let_sigint_in()  # Ctrl-C is the parent's (it stops this process); born with it held (`forkpool.sigint_held`)
    queue: SimpleQueue[Any] = SimpleQueue()

    def take() -> None:
        while True:
            try:
                item = tasks.recv()
            except (EOFError, OSError):  # the parent is gone
                item = None
            queue.put(item)
            if item is None:
                return

    threading.Thread(target=take, daemon=True).start()
    while (args := queue.get()) is not None:
        try:
            reply: tuple[Any, ...] = ("ok", _work(args))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
            reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            try:
                answers.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an answer that cannot be sent: say why instead
                answers.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        except OSError:  # the parent stopped reading (it failed or was interrupted): nothing to tell
            return


def spawn_context() -> Any:
    """multiprocessing's spawn context, with its resource tracker already running.

    Why: a spawned process's start launches the tracker the first time, and the tracker's start
    unblocks SIGINT in the calling thread when it is done (`resource_tracker.ensure_running`).
    Inside `forkpool.sigint_held` that undid the hold: the second worker was born with Ctrl-C let
    through and, pressed while it was still starting, printed "Fatal Python error:
    init_import_site" and a KeyboardInterrupt traceback beside the command's one line. Started
    here, before the hold, the tracker leaves the hold alone."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    return mp.get_context("spawn")


class _Workers:
    """The parsing processes of one `read_parallel` call: started on entry (spawned, with the main
    module hidden and SIGINT held back while they start), stopped on exit; terminated at once
    when the block ends with an error or Ctrl-C."""

    def __init__(self, count: int, source: str) -> None:
        self.count, self.source = count, source
        self.all: list[_Worker] = []

    def __enter__(self) -> "_Workers":
        ctx = spawn_context()
        try:
            with _workers_skip_main(), sigint_held():  # Ctrl-C reaches the whole process group
                for n in range(self.count):
                    try:
                        self.all.append(_Worker(ctx, n))
                    except OSError as exc:  # killed before it read its start-up data (a broken pipe), or no process to be had
                        raise WorkerFailed(f"ingest worker {n + 1} of {self.count} could not be started for {self.source} "
                                           f"({type(exc).__name__}: {exc})") from exc
        except BaseException:
            self._stop(at_once=True)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self._stop(at_once=kind is not None)

    def _stop(self, at_once: bool) -> None:
        """Each worker told to end and waited for, or (`at_once`: after an error or Ctrl-C,
        with chunks still in flight) terminated; none is left running either way."""
        for w in self.all:
            if not at_once:
                try:
                    w.tasks.send(None)
                except OSError:  # it has gone already
                    pass
            else:
                w.proc.terminate()
        for w in self.all:
            w.proc.join(timeout=10)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.tasks.close()
            w.answers.close()
        self.all = []

    def failed(self, w: _Worker, what: str, detail: str | None = None) -> WorkerFailed:
        """The error for worker `w`: `what` happened, on the chunk of `self.source` it held."""
        held = f" on records {w.held[0][0] + 1:,} to {w.held[0][1]:,} of {self.source}" if w.held else f" reading {self.source}"
        return WorkerFailed(f"ingest worker {w.number + 1} of {self.count} {what}{held}", detail)

    def send(self, w: _Worker, span: tuple[int, int], args: tuple[Any, ...]) -> None:
        w.held.append(span)
        try:
            w.tasks.send(args)
        except OSError as exc:  # BrokenPipeError: its end of the pipe is closed, it has died
            raise self._died(w) from exc

    def receive(self, w: _Worker) -> tuple[int, list[tuple[str, pa.Table]], dict[str, int]]:
        try:
            reply = w.answers.recv()
        except (EOFError, OSError) as exc:  # its end closed without an answer: it died
            raise self._died(w) from exc
        if reply[0] != "ok":
            raise self.failed(w, f"failed ({reply[1]})", reply[2])
        w.held.popleft()
        return reply[1]  # type: ignore[no-any-return]

    def _died(self, w: _Worker) -> WorkerFailed:
        w.proc.join(timeout=5)
        hint = "; fewer --workers use less memory" if w.proc.exitcode == -getattr(signal, "SIGKILL", 9) else ""
        return self.failed(w, f"died ({how_it_ended(w.proc.exitcode)}{hint})")


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
    (picklable) replaces the registered format's, for a reader that is not in `FORMATS`.

    Chunks go to the workers in turn, at most two per worker in flight, and their answers are
    taken in the same order: the input order. `WorkerFailed` when a worker dies or its chunk
    raises (nothing of the file is kept: the runner rolls its transaction back)."""
    if kind == "json":
        header: list[str] = []
        records: Iterable[Any] = src.lines(max_record_bytes)
    else:
        header, records = csv_rows(src, max_record_bytes)
    read = 0
    counts = {"posts": 0, "snapshots": 0, "rejected": 0, "non_ascii": 0, "redated": 0, "rekeyed": 0, "edited": 0, "deleted": 0, "limited": 0, "warned": 0}
    with _Workers(workers, src.name) as pool:
        order: deque[_Worker] = deque()  # the worker of each chunk in flight, oldest first

        def collect() -> None:
            nonlocal read
            n, tables, c = pool.receive(order.popleft())
            read += n
            for k in counts:
                counts[k] += c[k]
            for table, batch in tables:
                emit(table, batch)
            if on_chunk:
                on_chunk()

        first = 0
        for i, chunk in enumerate(_chunks(records, CHUNK_RECORDS)):
            if len(order) >= 2 * workers:
                collect()
            w = pool.all[i % workers]
            pool.send(w, (first, first + len(chunk)), (fmt_name, src.name, kind, chunk, header, max_record_bytes, handler))
            order.append(w)
            first += len(chunk)
        while order:
            collect()
    return read, counts
