"""Batches of rows worked on in forked worker processes, answered one batch late: the machinery
the content stage (`content.pool.LabelPool`) and the accounts stage (`accounts.pool.BatchPool`)
share on DuckDB.

Why: both stages' per-batch work is Python by nature (labelling posts; features, models and
evidence of accounts), so one process uses one core. Each stage forks its workers once (after the
read-only models are loaded, so they share them), shares every batch out among them as Arrow IPC
streams and puts the answers back together in the order one process gives them. What is shared
here is what does not depend on the stage: forking with the care a parent holding DuckDB's and
Arrow's threads needs, the workers' loop and their garbage collection, the wire, failures (a
worker's traceback, a worker that died, a parent that failed mid-stream), and `OneBatchLate`,
which lets `Study.map_arrow` read and insert while the workers compute.

A stage's pool offers four steps over a batch (`Staged`): `prepare` (cut it into the workers'
shares, done while the workers still hold the previous batch), `send`, `receive` (wait for the
answers) and `assemble` (the answers as one in-process call gives them), and `empty()`, what the
first late call returns.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import pyarrow as pa


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform says, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def default_workers() -> int:
    """Worker processes a stage forks when none is asked for: the cores, at most 4 (the content
    stage's default since it first forked; the accounts stage takes the same)."""
    return min(cores(), 4)


def worker_count(asked: int | None) -> int:
    """The workers a stage forks for `asked` (None: `default_workers()`): never more than the
    cores. More would only share the same cores, and each accounts worker holds a batch of
    about a gigabyte, so `--workers 100000` would have forked that many and filled memory."""
    return max(1, min(default_workers() if asked is None else asked, cores()))


_HELD = (signal.SIGINT, signal.SIGTERM)  # the stops held back while a worker starts (`sigint_held`)


@contextmanager
def _sigint_recorded() -> Iterator[None]:
    """In the main thread: for the block, a Ctrl-C only noted, then acted on as the block ends.

    Why: a signal mask holds SIGINT back from the calling thread alone. Another thread of the
    process (DuckDB's, Arrow's, a test runner's) can take it, and Python then raises
    KeyboardInterrupt in the main thread at its next line: inside `fork()`'s hooks, where Python
    drops the exception and the command went on, or between a worker's start and its being
    listed, which left that worker running. Noted here, it is raised after the block, when every
    worker started is on the list its caller stops."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    # SIGTERM too: the command line's handler (`cli.guard.on_terminate`) raises KeyboardInterrupt
    # as Ctrl-C's does, and run inside the fork's hooks it was dropped ("Exception ignored in …",
    # a traceback) and the command went on as if never stopped.
    was = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _HELD}
    try:
        yield
    finally:
        for sig in _HELD:  # (SIGTERM's last: a signal taken as it is put back finds both in place)
            signal.signal(sig, was[sig])
    if caught:
        sig, handler = caught[0], was[caught[0]]
        if callable(handler):
            handler(sig, None)  # default_int_handler, or the command line's, raises KeyboardInterrupt
        elif handler == signal.SIG_DFL and sig == signal.SIGINT:
            raise KeyboardInterrupt
        elif handler == signal.SIG_DFL:
            signal.raise_signal(sig)  # the process ends as SIGTERM asked


@contextmanager
def sigint_held() -> Iterator[None]:
    """SIGINT (and SIGTERM, `_HELD`) held back from this thread for the block, and the processes
    it starts born with them held back too (a signal mask survives fork and exec; a Python handler
    does not).

    Why: a worker must not take Ctrl-C before it can ignore it (the terminal sends it to the
    whole process group; a worker printed its own KeyboardInterrupt traceback, "Process
    SpawnProcess-1: ...", beside the parent's line), and ignoring SIGINT in the parent while they
    start, as the parallel ingest did, lost a Ctrl-C pressed in that moment: the command went on.
    Held back, it is delivered when the block ends (or at once through another thread of the
    process), and the parent stops the workers. A worker ignores SIGINT and then lets it through
    (`let_sigint_in`). Where signal masks are not available, SIGINT is ignored for the block."""
    sigmask = getattr(signal, "pthread_sigmask", None)
    if sigmask is not None:
        with _sigint_recorded():  # the mask is this thread's only: another thread can still take it
            previous = sigmask(signal.SIG_BLOCK, set(_HELD))
            try:
                yield
            finally:
                sigmask(signal.SIG_SETMASK, previous)
        return
    try:
        was = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, was)


def let_sigint_in() -> None:
    """In a worker born inside `sigint_held`: ignore SIGINT (the parent stops its workers), let
    SIGTERM end it (`terminate()`; a forked worker had the command line's handler, which raised
    KeyboardInterrupt in it), then take both off the held signals (a pending SIGINT is dropped by
    the ignoring, a pending SIGTERM ends the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(_HELD))


# What Python 3.12 and later say (a DeprecationWarning) when a process with more than one thread
# forks: "This process (pid=1234) is multi-threaded, use of fork() may lead to deadlocks in the child."
_FORK_WARNING = r"This process \(pid=\d+\) is multi-threaded, use of fork\(\) may lead to deadlocks"


@contextmanager
def forking() -> Iterator[None]:
    """Silence, for the block only, Python's warning that this multi-threaded process forks.

    Every fork of ours happens in a process that holds DuckDB's and Arrow's thread pools, so from
    Python 3.12 on each one printed that DeprecationWarning (once per worker under `-W always`
    and in the tests). We fork on purpose and keep forking:

    - Why fork and not spawn: a forked worker starts with the parent's loaded models and modules
      shared page by page; a spawned one imports botwatch and loads the models again, and holds
      its own copy of each. Two content workers started and answering: fork 0.23-0.25 s (3.2 s
      the first time), spawn 21.9-23.6 s, on a loaded two-core machine (`python
      benchmarks/fork_start.py`; docs/performance.md, "Forked workers and Python 3.12").
    - What the warning is about: a lock some other thread of the parent held at the fork stays
      held in the child. The children run our own per-batch Python (`serve`, `fork_map`) and
      do not use the parent's DuckDB connection, whose threads are the ones running; Arrow
      starts its thread pools afresh in a forked child. The content and accounts workers have
      forked this way since they were written, with the tests comparing their tables to one
      process's.

    Only that warning, and only around our own `fork()` calls: any other DeprecationWarning still
    shows, and a fork elsewhere (a library's) still warns. The filter is process-wide while the
    block runs (the `warnings` module has no per-thread filters), so the block is kept to the
    fork itself. The block also holds Ctrl-C back (`sigint_held`): a child cannot take it before
    it ignores it, and the parent takes it when the block ends."""
    with warnings.catch_warnings(), sigint_held():  # (and Ctrl-C held while the child starts: `sigint_held`)
        warnings.filterwarnings("ignore", message=_FORK_WARNING, category=DeprecationWarning)
        yield


class PoolError(RuntimeError):
    """A worker failed (its traceback is the message) or died."""


class WorkerFailed(PoolError):
    """A worker process died (killed, crashed) or its work raised: the message says which
    worker, what it held and how it ended, in one line a command can print as it is (the
    worker's traceback, when there is one, is in `detail`). Before, a worker killed under a
    `multiprocessing.Pool` (the out-of-memory killer, `kill -9`) left the pool waiting forever
    for the task it held."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


def how_it_ended(exitcode: int | None) -> str:
    """A worker's end in words, from `Process.exitcode` (negative: the signal that killed it)."""
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == getattr(signal, "SIGKILL", None):
            return f"killed by {name}, the signal the system's out-of-memory killer sends"
        return f"killed by {name}"
    return f"exit code {exitcode}"


def ipc(table: pa.Table | pa.RecordBatch) -> pa.Buffer:
    """`table` as an Arrow IPC stream (sent as its own rows only)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write(table)
    return sink.getvalue()


class _Table:
    """Where a table of a reply was: its rows follow the reply as one Arrow IPC stream each
    (`_answer`), sent straight from the stream's buffer and read by the parent without
    unpickling: a pickled table was copied into the pickle, out of the pipe and again by
    unpickling (about a tenth of the accounts stage's parent CPU went to moving tables)."""


_TABLE = _Table()


def _recv_reply(conn: Any) -> tuple[Any, ...]:
    """A reply `_answer` sent: its tables read from their IPC streams (zero-copy on the bytes
    received)."""
    head = pickle.loads(conn.recv_bytes())
    return tuple(pa.ipc.open_stream(pa.py_buffer(conn.recv_bytes())).read_all() if isinstance(v, _Table) else v for v in head)


def _answer(conn: Any, reply: tuple[Any, ...]) -> bool:
    """Send `reply` to the parent; False when the parent has closed its end (it failed mid-stream
    and raises its own error, which a worker traceback would only bury). An answer that cannot
    be sent (an object that cannot be pickled, a table IPC cannot write) is reported as the
    worker's error instead, before any of it is written."""
    try:
        try:
            head = pickle.dumps(tuple(_TABLE if isinstance(v, pa.Table) else v for v in reply))
            streams = [ipc(v) for v in reply if isinstance(v, pa.Table)]
        except Exception as exc:  # noqa: BLE001 - reported instead of the answer
            conn.send(("error", traceback.format_exc(), exception_line(exc)))
            return True
        conn.send_bytes(head)
        for data in streams:
            conn.send_bytes(data)
    except (BrokenPipeError, ConnectionResetError, EOFError):
        return False
    return True


def exception_line(exc: BaseException) -> str:
    """`exc` as its traceback's exception line ("OSError: [Errno 27] File too large"), its message's
    first line only. The traceback's last line is not that when the message runs over several lines
    (DuckDB's "LINE 1: …", a note added to it): "accounts worker 0 failed: Candidate bindings: …"."""
    said = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return said.splitlines()[0] if said else type(exc).__name__


def serve(conn: Any, work: Callable[[pa.Table], tuple[Any, ...]], inherited: tuple[Any, ...] = ()) -> None:
    """A worker's loop: an IPC stream of rows in, ("ok", *work(rows)) out (or ("error",
    traceback, `exception_line`); `_answer`); an empty message ends it.

    Python's cyclic garbage collector is off while a batch is worked on and run once after it:
    the work allocates hundreds of thousands of short-lived containers, each allocation burst
    started a collection, and every full one walked the whole heap the worker inherited (models,
    modules) and its caches (about a sixth of a content worker's CPU). After each batch's
    collection the survivors (cache entries, all long-lived) are frozen (`gc.freeze`), so the next
    one walks only what the next batch made. Nothing computed depends on it.

    Ctrl-C is left to the parent (SIGINT ignored here): the terminal sends it to the whole
    process group, and the parent stops the workers by closing their pipes; an idle worker
    printed a KeyboardInterrupt traceback of its own beside the parent's.

    `inherited`: the parent's ends of the pipes, copied by the fork; closed here, so that a
    parent that dies leaves this worker reading the end of its pipe (and exiting), not waiting
    forever on a pipe it holds open itself. A parent that fails mid-stream closes its ends while a
    worker still works: the worker's answer (or its error report) then finds the pipe closed,
    and the worker exits without a word (the parent raises the real error)."""
    let_sigint_in()
    for c in inherited:
        c.close()
    gc.disable()
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, ConnectionResetError):
            break
        if not data:  # the parent's end-of-work message
            break
        try:
            reply: tuple[Any, ...] = ("ok", *work(pa.ipc.open_stream(data).read_all()))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            reply = ("error", traceback.format_exc(), exception_line(exc))
        if not _answer(conn, reply):
            break
        gc.collect()
        gc.freeze()
    conn.close()


class Workers:
    """`count` forked processes, each running `serve(work)` on its own pipe. Use as a context
    manager, entered after everything the workers only read is loaded (they inherit it, pages
    shared until written); `name` says whose workers an error names ("content", "accounts")."""

    def __init__(self, work: Callable[[pa.Table], tuple[Any, ...]], count: int, name: str) -> None:
        self.work, self.count, self.name = work, count, name
        self.procs: list[Any] = []
        self.conns: list[Any] = []

    def __enter__(self) -> "Workers":
        ctx = mp.get_context("fork")
        # What the workers inherit (modules, models) is frozen before the fork, so their
        # collections never walk it (nor touch, and so copy, its pages); unfrozen here after.
        gc.freeze()
        try:
            for _ in range(self.count):
                here, there = ctx.Pipe()
                proc = ctx.Process(target=serve, args=(there, self.work, (*self.conns, here)), daemon=True)
                with forking():
                    proc.start()
                there.close()
                self.procs.append(proc)
                self.conns.append(here)
        except BaseException:
            self.__exit__()
            raise
        finally:
            gc.unfreeze()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop every worker: asked to end, then waited for (killed after 10 s: a worker still in
        a batch whose parent failed)."""
        for conn in self.conns:
            try:
                conn.send_bytes(b"")
                conn.close()
            except OSError:
                pass
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self.procs, self.conns = [], []

    def _died(self, w: int) -> PoolError:
        """The error for worker `w` gone (how it ended, once the process is reaped)."""
        self.procs[w].join(timeout=1)
        return WorkerFailed(f"{self.name} worker {w} died ({how_it_ended(self.procs[w].exitcode)})")

    def send(self, w: int, data: pa.Buffer) -> None:
        """Hand worker `w` an IPC stream of rows (written from its buffer, not pickled);
        PoolError when it has died (a broken or reset pipe)."""
        try:
            self.conns[w].send_bytes(data)
        except OSError as e:  # BrokenPipeError, ConnectionResetError: the worker is gone
            raise self._died(w) from e

    def receive(self, w: int) -> tuple[Any, ...]:
        """Worker `w`'s answer (what `work` returned), waited for; PoolError when it failed or died
        (also mid-answer: multiprocessing's "got end of file during message" is an OSError)."""
        try:
            reply = _recv_reply(self.conns[w])
        except (EOFError, OSError) as e:
            raise self._died(w) from e
        if reply[0] != "ok":
            # The reason (the traceback's last line) on the first line, which is all a command prints:
            # "content worker 0 failed:" alone, under a file-size limit, said nothing.
            why = reply[2] if len(reply) > 2 else next((line.strip() for line in reversed(str(reply[1]).splitlines()) if line.strip()),
                                                      "no reason given")
            raise PoolError(f"{self.name} worker {w} failed: {why}\n{reply[1]}")
        return reply[1:]


class HoldsWorkers:
    """What a stage's pool shares about the `Workers` it holds (`_workers`: None until they are
    forked and after the block): leaving the block stops them, and `procs` lists them."""

    _workers: Workers | None = None

    def __exit__(self, *exc: object) -> None:
        if self._workers is not None:
            self._workers.__exit__()
            self._workers = None

    @property
    def procs(self) -> list[Any]:
        """The worker processes (none before they are forked or after the block)."""
        return self._workers.procs if self._workers is not None else []


class Staged(Protocol):
    """A pool's four steps over one batch, which `OneBatchLate` interleaves with the parent's
    reading and writing."""

    def prepare(self, batch: pa.RecordBatch | pa.Table) -> Any: ...
    def send(self, ready: Any) -> Any: ...
    def receive(self, sent: Any) -> Any: ...
    def assemble(self, sent: Any, got: Any) -> Any: ...
    def empty(self) -> Any: ...


class OneBatchLate:
    """A pool over a stream of batches that answers `depth` batches late (one by default), for
    `Study.map_arrow`: each call waits for the workers' answers to the oldest batch in flight
    once `depth` are, hands the new one out, and only then puts the oldest answers in order and
    returns them (the first `depth` calls return `pool.empty()`); `drain()` returns the answers
    still owed, oldest first. So this process inserts batch k - depth, reads batch k + 1 and
    prepares it while the workers compute the batches in flight, where before the workers
    waited for all three between batches. The rows and their order are the pool's (the same
    outputs, each batch's inserted after the one before; tests/test_content_pool.py,
    tests/test_accounts_pool.py). A pool that hands each worker whole batches in turn
    (`accounts.pool.BatchPool`) keeps as many in flight as it has workers.

    `overlapped_cpu`: this process's CPU seconds (all its threads, DuckDB's included) spent while
    the workers held a batch, from each hand-out to the wait for its answers: the share of the
    parent's work that ran beside the workers (the content benchmark's estimate reads it)."""

    def __init__(self, pool: Staged, depth: int = 1) -> None:
        self.pool = pool
        self.depth = max(1, depth)
        self._pending: deque[Any] = deque()
        self._since: float | None = None
        self.overlapped_cpu = 0.0

    def _take_oldest(self) -> tuple[Any, Any]:
        """(what was sent, the workers' answers) of the oldest batch in flight, waited for."""
        if self._since is not None:
            self.overlapped_cpu += time.process_time() - self._since
            self._since = None
        sent = self._pending.popleft()
        got = (sent, self.pool.receive(sent))
        if self._pending:  # the others are still being computed while this process goes on
            self._since = time.process_time()
        return got

    def __call__(self, batch: pa.RecordBatch | pa.Table) -> Any:
        ready = self.pool.prepare(batch)  # while the workers still work on the batches before
        done = self._take_oldest() if len(self._pending) >= self.depth else None
        self._pending.append(self.pool.send(ready))
        self._since = time.process_time()
        if done is None:
            return self.pool.empty()
        return self.pool.assemble(*done)

    def drain(self) -> list[Any]:
        """The answers still owed, oldest first (none when no batch came)."""
        out = []
        while self._pending:
            out.append(self.pool.assemble(*self._take_oldest()))
        return out


def _map_share(conn: Any, fn: Callable[[Any], Any], items: Sequence[Any], w: int, k: int, inherited: tuple[Any, ...]) -> None:
    """A `fork_map` worker: `fn` over items w, w + k, w + 2k, ... (inherited by the fork, not
    sent), then one answer, ("ok", results) or ("error", traceback, `exception_line`). SIGINT is the parent's (as in
    `serve`); a parent gone before the answer is sent ends the worker quietly."""
    let_sigint_in()
    for c in inherited:
        c.close()
    try:
        reply: tuple[Any, ...] = ("ok", [fn(x) for x in items[w::k]])
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        reply = ("error", traceback.format_exc(), exception_line(exc))
    try:
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send(("error", traceback.format_exc()))
    except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
        pass
    conn.close()


def fork_map(fn: Callable[[Any], Any], items: Sequence[Any], workers: int, name: str) -> list[Any]:
    """`[fn(x) for x in items]` computed in `workers` forked processes, in the items' order.

    For the small pools of a stage (VADER over distinct texts, the stance model over a batch's
    rows), which used `multiprocessing.Pool.map`: a worker killed there left `map` waiting
    forever for the task it held, and Ctrl-C printed a KeyboardInterrupt traceback from every
    worker beside the parent's. Here each worker is forked with `fn` and `items` already in its
    memory (nothing is sent to it), takes every `workers`-th item and sends its answers back once;
    SIGINT is ignored in the workers (the parent stops them). A worker that dies or fails raises
    `WorkerFailed` in the parent at once, and whatever ends the parent's wait (that error, Ctrl-C)
    terminates the others before it goes on."""
    k = max(1, min(workers, len(items)))
    if not items:
        return []
    ctx = mp.get_context("fork")
    procs: list[Any] = []
    conns: list[Any] = []
    done = False
    try:
        for w in range(k):
            here, there = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_map_share, args=(there, fn, items, w, k, (*conns, here)), daemon=True)
            with forking():  # a Ctrl-C held while it starts is delivered as the block ends:
                proc.start()
                procs.append(proc)  # so the worker is on the list the `finally` stops before that
                conns.append(here)
            there.close()
        out: list[Any] = [None] * len(items)
        for w, conn in enumerate(conns):
            try:
                reply = conn.recv()
            except (EOFError, OSError) as e:  # its end of the pipe closed without an answer: it died
                procs[w].join(timeout=1)
                raise WorkerFailed(f"{name} worker {w} of {k} died ({how_it_ended(procs[w].exitcode)})") from e
            if reply[0] != "ok":
                # The exception's own first line, as `Workers` says it: a traceback's last line is a
                # message's last line ("Candidate bindings: …" for a DuckDB binder error).
                why = reply[2] if len(reply) > 2 else (reply[1].strip().splitlines() or ["no reason given"])[-1]
                raise WorkerFailed(f"{name} worker {w} of {k} failed: {why}", reply[1])
            out[w::k] = reply[1]
        done = True
        return out
    finally:
        for conn in conns:
            conn.close()
        for proc in procs:
            if not done:
                proc.terminate()
            proc.join(timeout=None if not done else 10)
            if proc.is_alive():
                proc.terminate()
                proc.join()
