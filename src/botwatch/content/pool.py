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
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.content.language import _batch, normalise_tag
from botwatch.content.tables import POST_LABELS, POST_PARTY
from botwatch.forkpool import HoldsWorkers, OneBatchLate, PoolError, Workers, ipc

__all__ = ["LabelPool", "OneBatchLate", "PoolError", "gc_paused", "needs_detector", "route_by_text"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (and back as it was after): labelling
    a batch allocates hundreds of thousands of short-lived containers, each burst of which set
    off a collection that walked every long-lived object (models, caches). The workers below
    go further (`forkpool.serve`); this is for a batch labelled in this process (small studies, Spark's
    executors). What is labelled does not depend on it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def needs_detector(langs: list[str | None]) -> bool:
    """Whether any post may need py3langid: a NULL or unusable tag among `langs` (the study's
    distinct language tags)."""
    return any(normalise_tag(t) is None for t in langs)


def route_by_text(texts: list[str | None], workers: int) -> np.ndarray:
    """Each text's worker in 0..workers-1, the same in every process and run (a NULL text is
    routed like the empty one)."""
    return np.fromiter((zlib.crc32((t or "").encode("utf-8", "surrogatepass")) % workers for t in texts), np.int64, len(texts))


class LabelPool(HoldsWorkers):
    """`labeller.label` over batches, run in `workers` forked processes. Use as a context
    manager: the workers are forked once on entry (after the read-only models are loaded, so they
    inherit them) and stopped on exit."""

    def __init__(self, labeller: Any, workers: int, *, load_detector: bool = True) -> None:
        self.labeller = labeller
        self.workers = workers
        self.load_detector = load_detector
        self._workers: Workers | None = None

    def __enter__(self) -> "LabelPool":
        from botwatch.content.modelrun import shipped_models
        from botwatch.content.sentiment import analyzer

        # py3langid's model (about a second of LZMA, which releases the GIL) loads in a thread
        # while this one loads the rest; only when some post has no usable language tag.
        # Its failure (py3langid writes the model to a temporary file: a full disk, `ulimit -f`) is
        # raised here, after the join: left to the thread, it printed a traceback on the terminal.
        failed: list[BaseException] = []

        def load() -> None:
            try:
                _batch()
            except BaseException as exc:  # noqa: BLE001 - raised again in this thread, below
                failed.append(exc)

        loader = threading.Thread(target=load, daemon=True) if self.load_detector else None
        if loader is not None:
            loader.start()
        analyzer()
        if self.labeller.use_model:
            shipped_models()
        if loader is not None:
            loader.join()
            if failed:
                raise failed[0]
        self.labeller.scorer.workers = 1  # the workers are the parallelism: no pools inside them
        self._workers = Workers(self._work, self.workers, "content").__enter__()
        return self

    def _work(self, rows: pa.Table) -> tuple[Any, ...]:
        """What a worker does with its share: (post_labels, post_party, batch row of each
        post_party row, texts VADER scored)."""
        scored = self.labeller.scorer.scored
        labels, party, where = self.labeller.label_rows(rows)
        return labels, party, where, self.labeller.scorer.scored - scored

    def route(self, text: pa.Array) -> np.ndarray:
        """The worker of each row: by its text, so a text always meets the same caches.

        The key is the CRC-32 of the text's UTF-8 bytes, not Python's `hash()`: string hashes
        are salted per process (PYTHONHASHSEED), so the share-out, and with it what each
        worker's caches saw (the VADER-scored count the stage logs, say: two texts that differ
        only in a link are one cache entry on one worker, two on two), changed from run to run."""
        return route_by_text(text.to_pylist(), self.workers)

    def __call__(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table]:
        """(post_labels rows, post_party rows) of `batch`, as `labeller.label(batch)` gives them."""
        sent = self.send(self.prepare(batch))
        return self.assemble(sent, self.receive(sent))

    def empty(self) -> tuple[pa.Table, pa.Table]:
        """No rows of either table (what `OneBatchLate` returns before its first answer)."""
        return POST_LABELS.empty_table(), POST_PARTY.empty_table()

    def prepare(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, list[np.ndarray], list[int], list[pa.Buffer]]:
        """Share `batch` out among the workers by text: (the rows, each worker's rows, the
        workers that got some, the IPC stream each of those gets)."""
        t = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        if not t.num_rows:
            return t, [], [], []
        worker = self.route(t.column("text").combine_chunks())
        where = [np.flatnonzero(worker == w) for w in range(self.workers)]
        busy = [w for w in range(self.workers) if len(where[w])]
        return t, where, busy, [ipc(t.take(pa.array(where[w]))) for w in busy]

    def send(self, ready: tuple[pa.Table, list[np.ndarray], list[int], list[pa.Buffer]]) -> tuple[pa.Table, list[np.ndarray], list[int]]:
        """Hand what `prepare` made to the workers; (the rows, each worker's rows, the busy ones)."""
        t, where, busy, streams = ready
        assert self._workers is not None, "LabelPool used outside its with-block"
        for w, data in zip(busy, streams):
            self._workers.send(w, data)
        return t, where, busy

    def receive(self, sent: tuple[pa.Table, list[np.ndarray], list[int]]) -> list[tuple[Any, ...]]:
        """The busy workers' answers to what `send` sent (waits for them; PoolError when one
        failed or died)."""
        assert self._workers is not None, "LabelPool used outside its with-block"
        return [self._workers.receive(w) for w in sent[2]]

    def assemble(self, sent: tuple[pa.Table, list[np.ndarray], list[int]], got: list[tuple[Any, ...]]) -> tuple[pa.Table, pa.Table]:
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
