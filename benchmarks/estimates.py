"""The estimates stage: per-account cells brought to Python (before) against the engine path
(distinct count vectors per cell, bootstrap per cell where they lie), on one generated study.

    PYTHONPATH=src .venv/bin/python benchmarks/estimates.py --posts 1000000 --accounts 300000
    PYTHONPATH=src .venv/bin/python benchmarks/estimates.py --posts 200000 --accounts 60000 --spark

The study is written straight into DuckDB (post_labels, post_party, account_scores: only the
columns the stage reads), with a heavy tail of posts per account as real archives have (account
= floor(A * u^3) for a uniform u: most accounts write one or two posts, a few thousands). It is
generated data: it measures code paths (rows, seconds, memory), never the method.

Printed per path, each in a child process of its own: seconds, the peak RSS of that process, the
rows brought to Python (the per-account cells before; the estimate rows now) and, for the engine
path, how many distinct count vectors the engine kept. With --spark the engine path also runs
on a lake copy of the study (Spark local[2]) and prints what `LakeStudy.collected` counted.
Whether both paths give the same table is printed too (they must: the bootstrap draws the same
numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, posts: int, accounts: int) -> None:
    from botwatch.elections import load_election
    from botwatch.study import Study

    us = load_election("us-2016")
    start, end = us.window_utc()
    span = int((end - start).total_seconds())
    parties = [p.key for p in us.parties]
    u = lambda k: f"((hash(i * 11 + {k}) % 1000003) / 1000003.0)"  # noqa: E731 - a uniform from the row number, same on any machine
    party_list = "list_filter([" + ", ".join(f"CASE WHEN {u(10 + j)} < 0.4 THEN '{p}' END" for j, p in enumerate(parties)) + "], lambda x: x IS NOT NULL)"
    with Study(path) as st:
        st.sql(f"""CREATE OR REPLACE TABLE post_labels AS SELECT 'twitter' AS platform, 'p' || i AS post_id,
                   'a' || CAST(floor({accounts} * pow({u(1)}, 3)) AS BIGINT) AS account_id,
                   TIMESTAMP '{start:%Y-%m-%d %H:%M:%S}' + to_seconds(CAST(floor({u(2)} * {span}) AS BIGINT)) AS created_at,
                   {u(3)} < 0.9 AS in_election,
                   CASE WHEN {u(4)} < 0.2 THEN NULL ELSE round({u(5)} * 2 - 1, 2) END AS sentiment,
                   {party_list} AS parties, '{us.key}' AS election
                   FROM range({posts}) t(i)""")
        st.sql(f"""CREATE OR REPLACE TABLE post_party AS SELECT platform, post_id, account_id, created_at, in_election, sentiment, party,
                   ['support', 'oppose', 'neutral'][1 + CAST(hash(post_id || party) % 3 AS INT)] AS stance
                   FROM (SELECT *, unnest(parties) AS party FROM post_labels)""")
        st.sql("""CREATE OR REPLACE TABLE account_scores AS SELECT DISTINCT platform, account_id,
                  CASE WHEN hash(account_id) % 3 = 0 THEN 0.9 ELSE 0.1 END AS bot_probability,
                  CASE WHEN hash(account_id) % 4 = 0 THEN 'RU' ELSE 'US' END AS origin_country, 0.8 AS origin_probability,
                  CASE WHEN hash(account_id) % 4 = 0 THEN '{"RU": 0.8, "US": 0.2}' ELSE '{"US": 0.9, "RU": 0.1}' END AS origin_probabilities
                  FROM post_labels""")


def child(mode: str, path: str, out: str, reps: int) -> None:
    """One path in this process; its figures as JSON in `out`."""
    import pyarrow.parquet as pq

    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, _groups, bootstrap_cells, cell_vectors, compute_estimates, default_windows
    from botwatch.estimates.relational import account_cells, units
    from botwatch.study import open_study

    us = load_election("us-2016")
    opts = EstimateOptions(sample_rate=0.01, reps=reps)
    fig: dict[str, object] = {}
    if mode == "lake":
        from botwatch.engines.lake import LakeStudy

        st = LakeStudy(path, read_only=True)
    else:
        st = open_study(path, read_only=True)
    try:
        t0 = time.perf_counter()
        if mode == "per_account":
            windows = default_windows(us)
            groups = _groups(st, us, lambda m: None)
            cells = st.expr_arrow(account_cells(units(st.table("post_labels"), st.table("post_party")), groups, windows))
            fig["rows_to_python"] = cells.num_rows
            fig["bytes_to_python"] = cells.nbytes
            table = bootstrap_cells(cells, us, windows, opts, ("all", "likely_automated", "foreign_origin"))
        else:
            table = compute_estimates(st, us, opts, log=lambda m: None)
            fig["rows_to_python"] = table.num_rows
            if mode == "engine":
                groups = _groups(st, us, lambda m: None)
                vec = cell_vectors(account_cells(units(st.table("post_labels"), st.table("post_party")), groups, default_windows(us)))
                fig["distinct_vectors"] = int(st.sql(f"SELECT count(*) FROM ({__import__('ibis').to_sql(vec, dialect='duckdb')})")[0][0])
                fig["account_cells"] = int(st.sql(f"SELECT count(*) FROM ({__import__('ibis').to_sql(account_cells(units(st.table('post_labels'), st.table('post_party')), groups, default_windows(us)), dialect='duckdb')})")[0][0])
            else:
                fig["collected"] = st.collected
        fig["seconds"] = round(time.perf_counter() - t0, 2)
    finally:
        st.close()
    fig["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    pq.write_table(table, out + ".parquet")
    Path(out).write_text(json.dumps(fig))


def run_child(mode: str, path: Path, work: Path, reps: int) -> dict:
    out = str(work / f"{mode}.json")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path), out, str(reps)], env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-2000:]}")
    return json.loads(Path(out).read_text())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=300_000)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--spark", action="store_true", help="also run the engine path on a lake copy (Spark local[2])")
    a = ap.parse_args()
    import pyarrow.parquet as pq

    work = Path(tempfile.mkdtemp(prefix="bw-estimates-"))
    path = work / "s.duckdb"
    t0 = time.perf_counter()
    generate(path, a.posts, a.accounts)
    print(f"generated {a.posts:,} posts over up to {a.accounts:,} accounts in {time.perf_counter() - t0:.0f} s ({work})")
    figs = {m: run_child(m, path, work, a.reps) for m in ("per_account", "engine")}
    if a.spark:
        os.environ.setdefault("SPARK_MASTER", "local[2]")
        from botwatch.engines.lake import lake_from_study
        from botwatch.study import open_study

        with open_study(path) as st:
            lake_from_study(st, work / "lake").close()
        figs["lake"] = run_child("lake", work / "lake", work, a.reps)
    for m, f in figs.items():
        print(f"{m:12s} {json.dumps(f)}")
    same = pq.read_table(work / "per_account.json.parquet").equals(pq.read_table(work / "engine.json.parquet"))
    print(f"same table from both paths: {same}")
    if a.spark:
        print(f"same table on the lake: {pq.read_table(work / 'lake.json.parquet').equals(pq.read_table(work / 'engine.json.parquet'))}")


if __name__ == "__main__":
    main()
