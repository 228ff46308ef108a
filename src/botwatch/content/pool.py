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
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.content.language import _batch, normalise_tag


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
    forever on a pipe it holds open itself."""
    for c in inherited:
        c.close()
    gc.disable()
    while True:
        try:
            data = conn.recv()
        except EOFError:
            break
        if data is None:
            break
        try:
            scored = labeller.scorer.scored
            labels, party, rows = labeller.label_rows(pa.ipc.open_stream(data).read_all())
            conn.send(("ok", labels, party, rows, labeller.scorer.scored - scored))
        except BaseException:  # noqa: BLE001 - handed to the parent, which raises it
            conn.send(("error", traceback.format_exc()))
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
        t = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        if not t.num_rows:
            return self.labeller.label(t)
        worker = self.route(t.column("text").combine_chunks())
        where = [np.flatnonzero(worker == w) for w in range(self.workers)]
        busy = [w for w in range(self.workers) if len(where[w])]
        for w in busy:
            self._conns[w].send(_ipc(t.take(pa.array(where[w]))))
        got = []
        for w in busy:
            try:
                reply = self._conns[w].recv()
            except EOFError as e:
                raise PoolError(f"content worker {w} died (exit code {self._procs[w].exitcode})") from e
            if reply[0] != "ok":
                raise PoolError(f"content worker {w} failed:\n{reply[1]}")
            got.append(reply[1:])
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
