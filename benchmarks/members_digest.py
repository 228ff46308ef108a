"""`coordination.stage.members_digest` at scale: seconds and peak memory over a generated
`cluster_members` of N rows, against the earlier form that sorted every row in Python.

    PYTHONPATH=src .venv/bin/python benchmarks/members_digest.py                  # 1M and 5M members
    PYTHONPATH=src .venv/bin/python benchmarks/members_digest.py --sizes 200000

Each form runs in a process of its own (its peak resident memory is its own, its CPU seconds
include the process's start-up; the study is made first, by DuckDB alone). The two digests must be equal: the digest is recorded in the runs table
and compared across runs, so a new form that hashed other bytes would call every study's later
stages out of date once. Generated data: it measures speed and memory only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

_RUN = """
import hashlib, json, resource, sys, time
from botwatch.study import open_study
from botwatch.coordination.stage import members_digest


def python_sorted(study):
    # The form before 2026-12-07: every row as a Python list, sorted in Python, dumped whole.
    members = sorted([str(p), str(a), int(c)] for p, a, c in study.sql("SELECT platform, account_id, cluster_id FROM cluster_members"))
    return hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).hexdigest()


with open_study(sys.argv[1], read_only=True) as st:
    t0 = time.perf_counter()
    got = (python_sorted if sys.argv[2] == "before" else members_digest)(st)
    took = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"digest": got, "s": took, "cpu": use.ru_utime + use.ru_stime, "peak_mib": use.ru_maxrss / 1024}))
"""


def make_study(path: Path, n: int) -> None:
    """A study file holding only a `cluster_members` of `n` rows over two platforms, clusters of
    about 50 members, ids of varied length (their text order is not their number order)."""
    from botwatch.study import open_study

    with open_study(path, read_only=False):
        pass  # the study's own tables and layout record
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE cluster_members AS SELECT CAST(hash(i) % (? // 50 + 1) AS INTEGER) AS cluster_id, "
        "CASE WHEN i % 7 = 0 THEN 'bluesky' ELSE 'twitter' END AS platform, CAST(hash(i * 31) % 10000000000 AS VARCHAR) AS account_id "
        "FROM range(?) t(i)", [n, n])
    con.close()


def measure(study: Path, form: str) -> dict:
    got = subprocess.run([sys.executable, "-c", _RUN, str(study), form], check=True, capture_output=True, text=True)
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="botwatch-digest-bench-"))
    try:
        for n in args.sizes:
            study = folder / f"members{n}.duckdb"
            make_study(study, n)
            before, now = measure(study, "before"), measure(study, "now")
            same = "same digest" if before["digest"] == now["digest"] else "DIGESTS DIFFER"
            print(f"{n:>10,} members: Python sort {before['s']:.2f} s ({before['cpu']:.1f} CPU-s, peak {before['peak_mib']:,.0f} MiB); "
                  f"now {now['s']:.2f} s ({now['cpu']:.1f} CPU-s, peak {now['peak_mib']:,.0f} MiB); {same}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
