"""Label a study's posts in forked worker processes, each batch shared out among them by text.

Why: labelling is Python by nature (matching, language id, VADER, the stance and sentiment
models), so one process uses one core. Before this, only VADER and the model step were forked (a
new pool for each per batch) while matching, language id and building the tables ran in the
parent with the workers idle. Here `Labeller.label` runs whole in the workers, and the parent only
reads the batches from DuckDB, shares them out and writes the results.

Rows go to a worker by their text, so every copy of a text (retweets are most of election talk)
meets the same worker's caches, batch after batch: no text is scored twice. The tables are the
ones one process writes, row for row and in the same order: each row's labels read that row
alone, every cache is keyed on all that its answer reads (VADER on the text; the models on text,
kind and the row's match hits), and the rows are put back in batch order
(tests/test_content_pool.py compares both).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.content.language import _batch, normalise_tag
from botwatch.content.tables import POST_LABELS, POST_PARTY


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (and back as it was after): labelling
    a batch allocates hundreds of thousands of short-lived containers, each burst of which set
    off a collection that walked every long-lived object (models, caches). The workers below
    go further (`_serve`); this is for a batch labelled in this process (small studies, Spark's
    executors). What is labelled does not depend on it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class PoolError(RuntimeError):
    """A worker failed (its traceback is the message) or died."""


def needs_detector(langs: list[str | None]) -> bool:
    """Whether any post may need py3langid: a NULL or unusable tag among `langs` (the study's
    distinct language tags)."""
    return any(normalise_tag(t) is None for t in langs)


def _ipc(table: pa.Table | pa.RecordBatch) -> pa.Buffer:
    """`table` as an Arrow IPC stream (sent as its own rows only)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write(table)
    return sink.getvalue()


def _answer(conn: Any, reply: tuple[Any, ...]) -> bool:
    """Send `reply` to the parent; False when the parent has closed its end (it failed mid-stream
    and raises its own error, which a worker traceback would only bury). An answer that cannot
    be pickled is reported as the worker's error instead."""
    try:
        try:
            conn.send(reply)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise
        except Exception:  # noqa: BLE001 - pickling fails before a byte is written
            conn.send(("error", traceback.format_exc()))
    except (BrokenPipeError, ConnectionResetError, EOFError):
        return False
    return True


def _serve(conn: Any, labeller: Any, inherited: tuple[Any, ...] = ()) -> None:
    """A worker's loop: an IPC stream of rows in, (post_labels, post_party, batch row of each
    post_party row, texts VADER scored) out; None ends it.

    Python's cyclic garbage collector is off while a batch is labelled and run once after it:
    labelling allocates hundreds of thousands of short-lived containers (feature dicts, lists),
    each allocation burst started a collection, and every full one walked the whole heap the
    worker inherited (models, modules) and its caches: about a sixth of a worker's CPU on the
    benchmark. After each batch's collection the survivors (cache entries, all long-lived) are
    frozen (`gc.freeze`), so the next one walks only what the next batch made. Nothing the
    labels read depends on it.

    `inherited`: the parent's ends of the pipes, copied by the fork; closed here, so that a
    parent that dies leaves this worker reading the end of its pipe (and exiting), not waiting
    forever on a pipe it holds open itself. A parent that fails mid-stream closes its ends while a
    worker still labels: the worker's answer (or its error report) then finds the pipe closed,
    and the worker exits without a word (the parent raises the real error)."""
    for c in inherited:
        c.close()
    gc.disable()
    while True:
        try:
            data = conn.recv()
        except (EOFError, ConnectionResetError):
            break
        if data is None:
            break
        try:
            scored = labeller.scorer.scored
            labels, party, rows = labeller.label_rows(pa.ipc.open_stream(data).read_all())
            reply: tuple[Any, ...] = ("ok", labels, party, rows, labeller.scorer.scored - scored)
        except BaseException:  # noqa: BLE001 - handed to the parent, which raises it
            reply = ("error", traceback.format_exc())
        if not _answer(conn, reply):
            break
        gc.collect()
        gc.freeze()
    conn.close()


class LabelPool:
    """`labeller.label` over batches, run in `workers` forked processes. Use as a context
    manager: the workers are forked once on entry (after the read-only models are loaded, so they
    inherit them) and stopped on exit."""

    def __init__(self, labeller: Any, workers: int, *, load_detector: bool = True) -> None:
        self.labeller = labeller
        self.workers = workers
        self.load_detector = load_detector
        self._procs: list[Any] = []
        self._conns: list[Any] = []

    def __enter__(self) -> "LabelPool":
        from botwatch.content.modelrun import shipped_models
        from botwatch.content.sentiment import analyzer

        # py3langid's model (about a second of LZMA, which releases the GIL) loads in a thread
        # while this one loads the rest; only when some post has no usable language tag.
        loader = threading.Thread(target=_batch, daemon=True) if self.load_detector else None
        if loader is not None:
            loader.start()
        analyzer()
        if self.labeller.use_model:
            shipped_models()
        if loader is not None:
            loader.join()
        self.labeller.scorer.workers = 1  # the workers are the parallelism: no pools inside them
        ctx = mp.get_context("fork")
        # What the workers inherit (modules, models) is frozen before the fork, so their
        # collections never walk it (nor touch, and so copy, its pages); unfrozen here after.
        gc.freeze()
        try:
            for _ in range(self.workers):
                here, there = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(there, self.labeller, (*self._conns, here)), daemon=True)
                proc.start()
                there.close()
                self._procs.append(proc)
                self._conns.append(here)
        except BaseException:
            self.__exit__()
            raise
        finally:
            gc.unfreeze()
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self._conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self._procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self._procs, self._conns = [], []

    def route(self, text: pa.Array) -> np.ndarray:
        """The worker of each row: by its text, so a text always meets the same caches."""
        k = self.workers
        return np.fromiter((hash(t) % k for t in text.to_pylist()), np.int64, len(text))

    def __call__(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table]:
        """(post_labels rows, post_party rows) of `batch`, as `labeller.label(batch)` gives them."""
        sent = self._send(self._prepare(batch))
        return self._assemble(sent, self._receive(sent))

    def _prepare(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, list[np.ndarray], list[int], list[pa.Buffer]]:
        """Share `batch` out among the workers by text: (the rows, each worker's rows, the
        workers that got some, the IPC stream each of those gets)."""
        t = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        if not t.num_rows:
            return t, [], [], []
        worker = self.route(t.column("text").combine_chunks())
        where = [np.flatnonzero(worker == w) for w in range(self.workers)]
        busy = [w for w in range(self.workers) if len(where[w])]
        return t, where, busy, [_ipc(t.take(pa.array(where[w]))) for w in busy]

    def _send(self, ready: tuple[pa.Table, list[np.ndarray], list[int], list[pa.Buffer]]) -> tuple[pa.Table, list[np.ndarray], list[int]]:
        """Hand what `_prepare` made to the workers; (the rows, each worker's rows, the busy ones)."""
        t, where, busy, streams = ready
        for w, data in zip(busy, streams):
            self._conns[w].send(data)
        return t, where, busy

    def _receive(self, sent: tuple[pa.Table, list[np.ndarray], list[int]]) -> list[tuple[Any, ...]]:
        """The busy workers' answers to what `_send` sent (waits for them)."""
        got = []
        for w in sent[2]:
            try:
                reply = self._conns[w].recv()
            except EOFError as e:
                raise PoolError(f"content worker {w} died (exit code {self._procs[w].exitcode})") from e
            if reply[0] != "ok":
                raise PoolError(f"content worker {w} failed:\n{reply[1]}")
            got.append(reply[1:])
        return got

    def _assemble(self, sent: tuple[pa.Table, list[np.ndarray], list[int]], got: list[tuple[Any, ...]]) -> tuple[pa.Table, pa.Table]:
        """The workers' answers as one `label` call over the batch gives them."""
        t, where, busy = sent
        if not t.num_rows:
            return self.labeller.label(t)
        self.labeller.scorer.scored += sum(g[3] for g in got)
        # post_labels: back in batch order. post_party: party by party (the matcher's order), each
        # party's rows in batch order, as one `label` call over the batch gives them.
        row = np.concatenate([where[w] for w in busy])
        labels = pa.concat_tables([g[0] for g in got]).take(pa.array(np.argsort(row, kind="stable")))
        party = pa.concat_tables([g[1] for g in got])
        if not party.num_rows:
            return labels, party
        party_row = np.concatenate([where[w][g[2]] for w, g in zip(busy, got)])
        rank = {p: i for i, p in enumerate(self.labeller.matcher.parties)}
        party_rank = np.fromiter((rank.get(p, len(rank)) for p in party.column("party").to_pylist()), np.int64, party.num_rows)
        return labels, party.take(pa.array(np.lexsort((party_row, party_rank))))


class OneBatchLate:
    """A `LabelPool` over a stream of batches that answers one batch late, for
    `Study.map_arrow`: each call waits for the workers' answers to the previous batch, hands them
    the new one, and only then puts the previous answers in order and returns them (the first
    call returns no rows); `drain()` returns the last batch's. So this process inserts batch
    k - 1, reads batch k + 1 and cuts it into the workers' shares while the workers label batch
    k, where before the workers waited for all three between batches. The rows and their order are the pool's (the same outputs, each
    batch's inserted after the one before; tests/test_content_pool.py).

    `overlapped_cpu`: this process's CPU seconds (all its threads, DuckDB's included) spent while
    the workers held a batch, from each hand-out to the wait for its answers: the share of the
    parent's work that ran beside the workers (the content benchmark's estimate reads it)."""

    def __init__(self, pool: LabelPool) -> None:
        self.pool = pool
        self._pending: tuple[pa.Table, list[np.ndarray], list[int]] | None = None
        self._since: float | None = None
        self.overlapped_cpu = 0.0

    def _take_pending(self) -> tuple[tuple[pa.Table, list[np.ndarray], list[int]], list[tuple[Any, ...]]] | None:
        """(what was sent, the workers' answers) of the pending batch, waited for; None when
        there is none."""
        if self._since is not None:
            self.overlapped_cpu += time.process_time() - self._since
            self._since = None
        pending, self._pending = self._pending, None
        return None if pending is None else (pending, self.pool._receive(pending))

    def __call__(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table]:
        ready = self.pool._prepare(batch)  # while the workers still label the batch before
        done = self._take_pending()
        self._pending = self.pool._send(ready)
        self._since = time.process_time()
        if done is None:
            return POST_LABELS.empty_table(), POST_PARTY.empty_table()
        return self.pool._assemble(*done)

    def drain(self) -> list[tuple[pa.Table, pa.Table]]:
        """The answers still owed: the last batch's (none when no batch came)."""
        done = self._take_pending()
        return [] if done is None else [self.pool._assemble(*done)]
