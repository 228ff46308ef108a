"""The per-file distinct-account count a Spark ingest takes on each executor (`n_accounts`):
CPU and peak memory of `spark_stage.DistinctKeys` against the set of (platform, account_id)
tuples it replaced, on one file's worth of Twitter-style numeric ids in 8,192-row batches.

    PYTHONPATH=src .venv/bin/python benchmarks/spark_file_accounts.py [--accounts 3000000]

Each way runs in a child process of its own, so each peak RSS is its own (the inputs are built
before the clock and the baseline are read). Prints one line a way.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

BATCH = 8192


def _run(way: str, n: int) -> None:
    import pyarrow as pa

    from botwatch.engines.spark_stage import DistinctKeys

    batches = [(pa.array(["twitter"] * min(BATCH, n - i)), pa.array([str(10**12 + j) for j in range(i, min(n, i + BATCH))]))
               for i in range(0, n, BATCH)]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    if way == "set":
        seen: set[tuple[str, str]] = set()
        for plat, ids in batches:
            seen.update(zip(plat.to_pylist(), ids.to_pylist()))
        count = len(seen)
    else:
        keys = DistinctKeys()
        for plat, ids in batches:
            keys.add(plat, ids)
        count = len(keys)
    cpu = time.process_time() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    print(f"{way:>12}: {count:,} accounts, {cpu:.2f} CPU-s, peak RSS +{grown:,.0f} MiB ({grown * 2**20 / max(count, 1):.0f} bytes an account)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=3_000_000)
    ap.add_argument("--way", choices=("set", "DistinctKeys"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.way:
        _run(a.way, a.accounts)
        return
    for way in ("set", "DistinctKeys"):
        subprocess.run([sys.executable, __file__, "--accounts", str(a.accounts), "--way", way], check=True)


if __name__ == "__main__":
    main()
