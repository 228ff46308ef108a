#!/usr/bin/env python
"""Throughput of the whole `accounts` stage (features + bot model + origin + writing tables).

    PYTHONPATH=src .venv/bin/python benchmarks/accounts.py                       # bundled sample
    PYTHONPATH=src .venv/bin/python benchmarks/accounts.py --study S.duckdb      # any study (copied first)
    PYTHONPATH=src .venv/bin/python benchmarks/accounts.py --study S.duckdb --workers 1   # all in this process

Prints accounts, posts, seconds per phase and accounts/s. The study is copied to a temporary
folder so the benchmark never changes it. Model loading is timed separately (once per process).
On a DuckDB study of `accounts.pool.POOL_MIN` accounts or more the stage scores in forked
workers (`--workers`, default as `botwatch analyze`): the CPU line then counts theirs too.
`--stage-only` skips the separate features and scoring phases (whole-process timings of the stage).
The stage's timing includes the training-account check the registered stage runs after scoring
(`accounts/training_accounts.py`), also printed on its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from botwatch import open_study
from botwatch.accounts import batches
from botwatch.accounts import features as feats
from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.scoring import score
from botwatch.accounts.stage import run_accounts
from botwatch.accounts.training_accounts import count_training_accounts
from botwatch.elections import load_election


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--study", type=Path, default=None)
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None, help="processes scoring accounts (default: as `botwatch analyze`; 1: this one)")
    ap.add_argument("--stage-only", action="store_true", help="time only the stage (no separate features and scoring phases)")
    args = ap.parse_args()
    election = load_election(args.election) if args.election else None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        if args.study:
            shutil.copy(args.study, path)
        else:
            from botwatch.cli import sample_files
            from botwatch.ingest.runner import ingest

            with open_study(path, read_only=False) as st:
                ingest(st, [str(p) for p in sample_files()])
        t = time.perf_counter()
        model = shipped_model()
        print(f"model load (incl. LightGBM import): {time.perf_counter() - t:.2f} s")
        with open_study(path, read_only=False) as st:
            n_acc, n_posts = st.count("accounts"), st.count("posts")
            if not args.stage_only:
                t0 = time.perf_counter()
                data = feats.build(st, election)
                t1 = time.perf_counter()
                score(data, model, getattr(election, "country", None))
                t2 = time.perf_counter()
                print(f"features {t1 - t0:.2f} s; scoring (bot + origin + evidence) {t2 - t1:.2f} s")
            workers = batches.pool_workers(st, "accounts", args.workers)
            best, cpu, check = float("inf"), float("inf"), float("inf")
            for _ in range(args.repeat):
                t, c, w = time.perf_counter(), time.process_time(), _children_cpu()
                run_accounts(st, election, workers=args.workers)
                tc = time.perf_counter()
                count_training_accounts(st)  # what the registered stage adds after run_accounts (training_accounts.py)
                check = min(check, time.perf_counter() - tc)
                # The workers' CPU too (they are waited for when each pass ends).
                best, cpu = min(best, time.perf_counter() - t), min(cpu, time.process_time() - c + _children_cpu() - w)
        where = f"{workers} forked workers" if workers > 1 else "in this process"
        print(f"accounts stage ({where}): {n_acc:,} accounts, {n_posts:,} posts, best of {args.repeat}: {best:.2f} s → {n_acc / best:,.0f} accounts/s ({n_posts / best:,.0f} posts/s)")
        print(f"of which the training-account check (count_training_accounts): {check:.3f} s")
        # On a shared machine the wall clock measures the neighbours too: CPU seconds (all of this
        # process's threads, DuckDB's included) are the work done, and peak RSS the memory.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        workers_rss = f" (this process; largest worker {child:,.0f} MiB, pages shared with it counted in both)" if workers > 1 else ""
        print(f"CPU: {cpu:.2f} s for the best run → {n_acc / cpu:,.0f} accounts per CPU-second; load average {os.getloadavg()[0]:.1f}; peak RSS {peak:,.0f} MiB{workers_rss}")


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the stage's workers)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


if __name__ == "__main__":
    main()
