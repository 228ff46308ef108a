"""The accounts stage's per-batch passes in forked worker processes on DuckDB (`batches.run`).

Why: `OriginPass` and `ScoreBatch` are Python by nature (features, the bot and origin models, the
evidence sentences), so the stage used one core: on a 106k-account study it ran as many
CPU-seconds as wall seconds. Here the workers (forked once per pass, after the pass has loaded
what it reads, so they share it; `botwatch.forkpool`) take whole batches of accounts in turn, as
many in flight as there are workers, and this process only reads the batches from DuckDB, hands
them out and inserts the answers in batch order (`forkpool.OneBatchLate` with that depth): it
reads the next batch and inserts the oldest finished one while the workers compute.

The tables are the ones one process writes, row for row and in the same order: every value is
per account (the two values that read other accounts, shared-text pooling and the study prior,
come in as stored columns, computed over the whole study in the engine), a worker runs the same
pass over the same batch, and the answers are inserted in batch order
(tests/test_accounts_pool.py compares the pooled tables with the in-process ones).

Whole batches rather than each batch cut into one share per worker (`whole=False`, kept for
the comparison): a pass has a fixed cost per call (about 0.15 CPU-s for `ScoreBatch`), which
shares paid once per worker and batch; measured in docs/performance.md ("2026-12-02: the
accounts stage on two cores").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.forkpool import HoldsWorkers, Workers, ipc

# Accounts in a study before the passes run in forked workers (measured on a shared two-core
# machine: docs/performance.md, "2026-12-02: the accounts stage on two cores"; the workers lost
# at 40k accounts and won at 60k). Below it each worker's cold start (first-call costs, a fresh
# heap), the warm-up before the fork and the pipeline's first and last batch cost more than the
# second core gives back.
POOL_MIN = 50_000
WHOLE_BATCHES = True  # each worker computes whole batches in turn (False: every batch cut into one share per worker)
WARM_ROWS = 64  # accounts the pass runs over here, before the fork, so the workers share what it loads


def preload() -> None:
    """Load, before the fork, what the passes read lazily and that the warm-up's accounts may not
    reach: the gender name list (`signals._name_list`; gender-guesser's detector, which it
    replaced, took half a second and about 22 MiB, which each worker loaded again on the real
    study, whose first accounts have no name it is asked about), the
    gazetteer's tables and the fitted parameters (cheap, named so that none is left to chance)."""
    from botwatch.accounts import bot_behaviour, gazetteer, origin_shifts, origin_signals, signals

    signals._name_list()
    gazetteer.countries()
    gazetteer.time_zone_names()
    gazetteer.regional_languages()
    bot_behaviour.parameters()
    origin_shifts.parameters()
    origin_signals.parameters()
    origin_signals._dists()  # scipy.stats, imported lazily (about 0.7 CPU-s in each worker otherwise)


def one_batch(table: pa.Table) -> pa.RecordBatch:
    """`table`'s rows as one record batch (what a pass is given in-process)."""
    got = table.combine_chunks().to_batches()
    return got[0] if got else pa.RecordBatch.from_pylist([], schema=table.schema)


class BatchPool(HoldsWorkers):
    """`fn` (a pass: a record batch of accounts in, a table or a tuple of tables out, one row per
    account in batch order) over batches, run in `workers` forked processes. Use as a context
    manager; the workers are stopped on exit. A `forkpool.Staged` pool, so
    `forkpool.OneBatchLate(pool)` is what `Study.map_arrow` is given.

    The workers are forked at the first batch, after `preload` and after `fn` has run here over
    its first `WARM_ROWS` accounts (the answer is dropped): what the pass loads lazily and only
    reads (the bot model's trees, the gender name list, the gazetteer, fitted
    parameters, first-call caches) is then loaded once, in this process, and the workers share
    its pages instead of each loading a copy. The warm-up catches what `preload` does not name. The fork comes while
    `map_arrow`'s reader is open and the process holds threads (DuckDB keeps its background
    threads even at `SET threads = 1`, which the stage sets meanwhile so that no query runs on a
    second one; Arrow's pools; the allocator's): a forked child holds only the forking thread,
    and any lock another thread held is held for ever in it. That is safe here because the
    workers never call DuckDB (a pass must not use the study: `Study.map_arrow`) and leave
    through `os._exit` (multiprocessing's), so no engine destructor runs in them. Python 3.12
    and later warn at such a fork; the content stage has forked the same way since it first did."""

    def __init__(self, fn: Callable[[pa.RecordBatch], Any], workers: int, *, whole: bool | None = None) -> None:
        self.fn = fn
        self.workers = workers
        self.whole = WHOLE_BATCHES if whole is None else whole
        self._workers: Workers | None = None
        self._empty: Any = None
        self._next = 0  # the worker the next whole batch goes to

    @property
    def depth(self) -> int:
        """Batches `forkpool.OneBatchLate` keeps in flight: one per worker with whole batches."""
        return self.workers if self.whole else 1

    def __enter__(self) -> "BatchPool":
        return self

    def _start(self, batch: pa.RecordBatch) -> None:
        """`fn`'s answer to no rows kept, what it reads loaded (`preload`, then `fn` warmed on the
        batch's first rows), the workers forked."""
        self._empty = self.fn(batch.slice(0, 0))
        preload()
        self.fn(batch.slice(0, WARM_ROWS))
        self._workers = Workers(self._work, self.workers, "accounts").__enter__()

    def _work(self, rows: pa.Table) -> tuple[Any, ...]:
        """What a worker does with its share: `fn` over it, as a tuple of tables."""
        got = self.fn(one_batch(rows))
        return got if isinstance(got, tuple) else (got,)

    def __call__(self, batch: pa.RecordBatch | pa.Table) -> Any:
        """What `fn(batch)` returns, computed by the workers."""
        sent = self.send(self.prepare(batch))
        return self.assemble(sent, self.receive(sent))

    def empty(self) -> Any:
        """`fn`'s answer to no accounts (what `OneBatchLate` returns before its first answer)."""
        return self._empty if self._empty is not None else self.fn(pa.RecordBatch.from_pylist([]))

    def shares(self, n: int) -> list[tuple[int, int]]:
        """(offset, length) of each worker's contiguous share of `n` rows (none empty)."""
        bounds = np.linspace(0, n, self.workers + 1).round().astype(int)
        return [(int(a), int(b - a)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]

    def prepare(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.RecordBatch, list[pa.Buffer]]:
        """`batch` as the IPC streams the workers get: (the batch, the streams), one stream (the
        whole batch) or one per worker's share. The first batch starts the workers (`_start`)."""
        b = batch if isinstance(batch, pa.RecordBatch) else one_batch(batch)
        if self._workers is None and b.num_rows:
            self._start(b)
        if self.whole:
            return b, [ipc(b)] if b.num_rows else []
        return b, [ipc(b.slice(off, n)) for off, n in self.shares(b.num_rows)]

    def send(self, ready: tuple[pa.RecordBatch, list[pa.Buffer]]) -> tuple[pa.RecordBatch, list[int]]:
        """Hand what `prepare` made to the workers; (the batch, the worker of each stream): a
        whole batch to the next worker in turn, shares to one worker each."""
        b, streams = ready
        busy = [self._next] if self.whole and streams else list(range(len(streams)))
        if self.whole and streams:
            self._next = (self._next + 1) % self.workers
        for w, data in zip(busy, streams):
            assert self._workers is not None, "BatchPool used outside its with-block"
            self._workers.send(w, data)
        return b, busy

    def receive(self, sent: tuple[pa.RecordBatch, list[int]]) -> list[tuple[Any, ...]]:
        """The busy workers' answers (waits for them; `forkpool.PoolError` when one failed or died)."""
        if not sent[1]:
            return []
        assert self._workers is not None, "BatchPool used outside its with-block"
        return [self._workers.receive(w) for w in sent[1]]

    def assemble(self, sent: tuple[pa.RecordBatch, list[int]], got: list[tuple[Any, ...]]) -> Any:
        """The shares' answers as one `fn` call over the batch gives them: each table's parts
        one after another, in share (so batch) order."""
        b, busy = sent
        if not busy:
            return self.fn(b)
        tables = tuple(pa.concat_tables([g[k] for g in got]) for k in range(len(got[0])))
        return tables if isinstance(self._empty, tuple) else tables[0]
