#!/usr/bin/env python
"""Run the content stage on a copy of a study and save the tables it writes (post_labels,
post_party) as Parquet, so two versions of the code can be compared value for value: the speed
work must change no label, no score, no evidence string.

    PYTHONPATH=src .venv/bin/python scripts/content_snapshot.py STUDY.duckdb OUT_DIR --election us-2016
    PYTHONPATH=src .venv/bin/python scripts/content_snapshot.py --compare DIR_A DIR_B

Rows are saved sorted by their keys, so the comparison does not depend on batch order. Floats
are compared exactly (NaN equal to NaN): the content stage has no parallel float aggregate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

TABLES = {"post_labels": "platform, post_id", "post_party": "platform, post_id, party"}


def snapshot(study: Path, out: Path, election: str) -> None:
    from botwatch import open_study
    from botwatch.content.stage import run_content
    from botwatch.elections import load_election

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.duckdb"
        shutil.copy(study, path)
        with open_study(path, read_only=False) as st:
            t, c = time.perf_counter(), sum(os.times()[:4])
            n, _ = run_content(st, load_election(election), log=print)
            print(f"{n:,} posts in {time.perf_counter() - t:.1f} s wall, {sum(os.times()[:4]) - c:.1f} CPU-s")
            for name, order in TABLES.items():
                pq.write_table(st.con.sql(f"SELECT * FROM {name} ORDER BY {order}").to_arrow_table(), out / f"{name}.parquet")


def compare(a: Path, b: Path) -> int:
    bad = 0
    for name in TABLES:
        x, y = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        if x.schema != y.schema or x.num_rows != y.num_rows:
            print(f"{name}: schema or row count differs ({x.num_rows} vs {y.num_rows})")
            bad += 1
            continue
        for col in x.column_names:
            if x.column(col).equals(y.column(col)):
                continue
            xs, ys = x.column(col).to_pylist(), y.column(col).to_pylist()
            diff = [i for i, (u, v) in enumerate(zip(xs, ys)) if u != v and not (u != u and v != v)]
            if diff:
                print(f"{name}.{col}: {len(diff)} rows differ, e.g. row {diff[0]}: {xs[diff[0]]!r} vs {ys[diff[0]]!r}")
                bad += 1
        print(f"{name}: {x.num_rows:,} rows compared")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs=2, type=Path)
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.paths) else 0)
    snapshot(args.paths[0], args.paths[1], args.election)


if __name__ == "__main__":
    main()
