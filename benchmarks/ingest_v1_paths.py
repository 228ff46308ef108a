"""Ingest one v1.1 JSON-lines file by one chosen reader path, into a fresh study, and print the time.

botwatch has three ways to read v1.1 statuses: DuckDB's `read_json` (the native path, taken for
plain files of 16 MB or more), the typed msgspec decoder with the dict reader behind it (the
Python path, in worker processes for large files), and the dict reader alone. This script forces
one of them, so each can be timed as a whole process on the same input:

    python benchmarks/ingest.py 100000 --keep /tmp/v1      # writes /tmp/v1/v1_100000.jsonl
    python benchmarks/ingest_v1_paths.py /tmp/v1/v1_100000.jsonl native
    python benchmarks/ingest_v1_paths.py /tmp/v1/v1_100000.jsonl python --workers 1

Paths: `native`, `python` (typed decoder first, dict reader for what it declines) and `lenient`
(the dict reader alone). Prints seconds, posts/s, posts and accounts stored; timing a whole
process from outside (e.g. `/usr/bin/time -v`) adds start-up and peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from botwatch import open_study
from botwatch.ingest import formats, runner


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("reader", choices=["native", "python", "lenient"])
    ap.add_argument("--workers", type=int, default=None, help="Python path: worker processes (default: every core, at most 8)")
    args = ap.parse_args()
    if args.reader == "native":
        runner.NATIVE_MIN_BYTES = 0
    else:
        runner.NATIVE_MIN_BYTES = 1 << 62
    if args.reader == "lenient":  # workers look the format up again: they inherit nothing, so patch the module
        fmt = formats.FORMATS["twitter-v1.1"]
        formats.FORMATS["twitter-v1.1"] = dataclasses.replace(fmt, fast=None)
        args.workers = 1
    with tempfile.TemporaryDirectory(prefix="bw-v1paths-") as tmp:
        t = time.perf_counter()
        with open_study(str(Path(tmp) / "s.duckdb"), read_only=False) as st:
            res = runner.ingest(st, [str(args.path)], workers=args.workers).files[0]
            posts, accounts = st.count("posts"), st.count("accounts")
        el = time.perf_counter() - t
    print(f"{args.reader:8s} {el:7.2f} s  {posts / el:9,.0f} posts/s  posts {posts:,}  accounts {accounts:,}  "
          f"format {res.format}  rejected {res.rejected}  error {res.error}")


if __name__ == "__main__":
    main()
