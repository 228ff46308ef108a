"""How long the content stage's workers take to start, forked (what botwatch does) or spawned.

Why it is kept: `forkpool.forking()` silences Python 3.12's warning that a multi-threaded process
forks, rather than switching the workers to `spawn`, and this is the measurement behind that
choice. A forked worker inherits the loaded models; a spawned one imports botwatch and loads
them again (VADER's lexicon, the stance and sentiment models, py3langid).

Each round starts K workers, hands each one a tiny request and waits for every answer: the time
from the first start to the last answer. The parent loads the models first (as `LabelPool` does),
which is not counted for fork; for spawn each worker's own loading is the cost.

Usage: python benchmarks/fork_start.py [--workers 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def _load() -> None:
    from botwatch.content.language import _batch
    from botwatch.content.modelrun import shipped_models
    from botwatch.content.sentiment import analyzer

    _batch()
    analyzer()
    shipped_models()


def _spawned(conn) -> None:  # type: ignore[no-untyped-def]
    _load()
    conn.recv_bytes()
    conn.send_bytes(b"ok")


def spawn_round(k: int) -> float:
    ctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    pairs = []
    for _ in range(k):
        here, there = ctx.Pipe()
        p = ctx.Process(target=_spawned, args=(there,), daemon=True)
        p.start()
        pairs.append((p, here))
    for _, c in pairs:
        c.send_bytes(b"go")
    for p, c in pairs:
        c.recv_bytes()
        p.join()
    return time.perf_counter() - t0


def fork_round(k: int) -> float:
    import pyarrow as pa

    from botwatch.forkpool import Workers, ipc

    t0 = time.perf_counter()
    with Workers(lambda rows: (rows.num_rows,), k, "bench") as w:
        data = ipc(pa.table({"x": [1]}))
        for i in range(k):
            w.send(i, data)
        for i in range(k):
            w.receive(i)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    _load()  # the parent's models, which forked workers inherit
    for r in range(a.rounds):
        f, s = fork_round(a.workers), spawn_round(a.workers)
        print(f"round {r + 1}: {a.workers} workers started and answering: fork {f:.2f} s, spawn {s:.2f} s", flush=True)


if __name__ == "__main__":
    main()
