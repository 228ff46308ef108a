#!/usr/bin/env python
"""Run the accounts stage on a copy of a study and save its three tables as Parquet, so that two
versions of the code can be compared value for value (the speed work must change no output).

    PYTHONPATH=src .venv/bin/python scripts/accounts_snapshot.py STUDY.duckdb OUT_DIR [--election us-2016]
    PYTHONPATH=src .venv/bin/python scripts/accounts_snapshot.py --compare DIR_A DIR_B

`--clusters` runs the stages accounts, coordination and accounts_clusters through the pipeline
instead (the tables as a full analysis leaves them, cluster evidence included).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

FLOAT_NOISE = 1e-12
# Columns whose last bits may differ between the two snapshots, with --float-std-before: until
# 2026-12-04 DuckDB's float `std` of the gaps merged its threads' partial sums in no fixed order,
# so a snapshot made by code before then differs there from any other. Since then `gap_std_s` is
# computed from exact sums (`behaviour.exact_pop_std`), and any difference, however small, is one.
NOISY_COLUMNS = frozenset({"gap_std_s", "gap_cv"})
TABLES = ("account_scores", "account_features", "account_evidence")


def snapshot(study: Path, out: Path, election: str | None, clusters: bool = False) -> None:
    from botwatch import open_study
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.duckdb"
        shutil.copy(study, path)
        with open_study(path, read_only=False) as st:
            if clusters:
                from botwatch.pipeline import Context, analyze

                ctx = Context(election=load_election(election) if election else None, log=lambda m: None)
                analyze(st, ctx, only=["accounts", "coordination", "accounts_clusters"])
            else:
                run_accounts(st, load_election(election) if election else None)
            for t in TABLES:
                pq.write_table(st.con.sql(f"SELECT * FROM {t}").to_arrow_table(), out / f"{t}.parquet")


def compare(a: Path, b: Path, values_only: bool = False, float_std_before: bool = False) -> int:
    """Differences between two snapshots, table by table; returns how many were found.
    `values_only`: columns whose types differ (an int64 column that was float64) are compared by
    value (3 == 3.0); the type differences are listed but not counted."""
    bad = 0
    for t in TABLES:
        x, y = pq.read_table(a / f"{t}.parquet"), pq.read_table(b / f"{t}.parquet")
        if x.schema != y.schema:
            if x.column_names != y.column_names or not values_only:
                print(f"{t}: schema differs\n{x.schema}\n{y.schema}")
                bad += 1
                continue
            types = [f"{f.name} {f.type}->{g.type}" for f, g in zip(x.schema, y.schema) if f.type != g.type]
            print(f"{t}: column types differ (values compared): {', '.join(types)}")
        if x.num_rows != y.num_rows:
            print(f"{t}: {x.num_rows} vs {y.num_rows} rows")
            bad += 1
            continue
        for name in x.column_names:
            if not x.column(name).equals(y.column(name)):
                xs, ys = x.column(name).to_pylist(), y.column(name).to_pylist()
                diff = [i for i, (u, v) in enumerate(zip(xs, ys)) if u != v and not (u != u and v != v)]
                noise = [i for i in diff if float_std_before and name in NOISY_COLUMNS and isinstance(xs[i], float) and isinstance(ys[i], float)
                         and math.isclose(xs[i], ys[i], rel_tol=FLOAT_NOISE)]
                if noise:
                    print(f"{t}.{name}: {len(noise)} rows differ in the last bits only (a snapshot before the exact std)")
                    diff = [i for i in diff if i not in set(noise)]
                if diff:
                    print(f"{t}.{name}: {len(diff)} rows differ, e.g. row {diff[0]}: {xs[diff[0]]!r} vs {ys[diff[0]]!r}")
                    bad += 1
        print(f"{t}: {x.num_rows} rows compared")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs=2, type=Path)
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--values-only", action="store_true", help="with --compare: columns of another type are compared by value")
    ap.add_argument("--float-std-before", action="store_true",
                    help="with --compare: one snapshot was made by code before 2026-12-04, whose gap_std_s / gap_cv "
                         "came from a float std: their last bits are not counted as differences")
    ap.add_argument("--clusters", action="store_true", help="accounts, coordination, accounts_clusters through the pipeline")
    args = ap.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.paths, values_only=args.values_only, float_std_before=args.float_std_before) else 0)
    snapshot(args.paths[0], args.paths[1], args.election or None, args.clusters)


if __name__ == "__main__":
    main()
