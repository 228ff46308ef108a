"""Benchmark: the coordination stage on generated crowds of 1M, 5M and 10M posts (DuckDB).

The crowd (testsupport.coordination_synth) has heavy-tailed activity and popularity: 40% of posts
are retweets and 7.5% of those go to a single post within three hours (300,000 retweets of one
post at 10M posts), with a planted network hidden in it. Each step runs in its own process so
its peak memory (max RSS) is its own; DuckDB is limited to `--threads` (default 2).

Where the QUT Coordination Network Toolkit is importable (`pip install
coordination-network-toolkit`; not a botwatch dependency), it runs its co-retweet network
(60 s) on the same posts at the `--compare-at` size and the ratio of times is printed.

    python benchmarks/coordination.py                       # 1M, 5M, 10M
    python benchmarks/coordination.py --sizes 1000000 --compare-at 1000000
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)


def _peak_mib() -> float:
    # The larger of this process and its children (the QUT toolkit may fork workers).
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def child_generate(path: str, posts: int, threads: int) -> dict:
    from botwatch import open_study
    from testsupport.coordination_synth import CrowdSpec, generate

    t = time.perf_counter()
    with open_study(path, read_only=False) as st:
        st.sql(f"SET threads = {threads}")
        counts = generate(st, CrowdSpec(posts=posts, accounts=max(posts // 10, 1000), days=7, planted=50, campaign_posts=60))
    return {"seconds": time.perf_counter() - t, "peak_mib": _peak_mib(), **counts}


def child_coordination(path: str, threads: int, behaviours: list[str], replicates: int, memory_mb: int) -> dict:
    from botwatch import open_study
    from botwatch.coordination.network import NetworkOptions
    from botwatch.coordination.stage import run_coordination
    from testsupport.coordination_synth import CrowdSpec, planted_accounts, recovery

    t = time.perf_counter()
    with open_study(path, read_only=False) as st:
        st.sql(f"SET threads = {threads}")
        res = run_coordination(st, NetworkOptions(behaviours=tuple(behaviours), null_replicates=replicates, memory_mb=memory_mb), log=lambda m: None)
        rec = recovery(st, planted_accounts(CrowdSpec(planted=50)))
    return {
        "seconds": time.perf_counter() - t,
        "peak_mib": _peak_mib(),
        "steps": res.seconds,
        "co_action_rows": res.co_action_rows,
        "pairs": res.candidate_pairs,
        "edges": res.edges,
        "traces_capped": res.traces_capped,
        "traces_thinned": res.traces_thinned,
        "thinned_min_rate": res.thinned_min_rate,
        "recall": rec["recall"],
        "precision": rec["precision"],
    }


def child_qut(path: str, workdir: str, threads: int) -> dict:
    """Load the same posts into the QUT toolkit and build its 60 s co-retweet network."""
    import duckdb
    from coordination_network_toolkit import compute_networks, preprocess

    csv_path = os.path.join(workdir, "qut.csv")
    con = duckdb.connect(path, read_only=True)
    con.execute(
        f"""COPY (SELECT post_id AS message_id, account_id AS user_id, account_id AS username, coalesce(ref_post_id, '') AS repost_id,
                         '' AS reply_id, text AS message, epoch(created_at)::BIGINT AS timestamp, array_to_string(urls, ' ') AS urls
                  FROM posts) TO '{csv_path}' (FORMAT CSV, HEADER)"""
    ).fetchall()
    con.close()
    db = os.path.join(workdir, "qut.db")
    t = time.perf_counter()
    preprocess.preprocess_csv_files(db, [csv_path])
    load = time.perf_counter() - t
    t = time.perf_counter()
    compute_networks.compute_co_retweet_parallel(db, 60, n_threads=threads)
    net = time.perf_counter() - t
    return {"load_seconds": load, "network_seconds": net, "peak_mib": _peak_mib()}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,5000000,10000000")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--replicates", type=int, default=1, help="null-model runs (the default null's test is exact; these draw the report's curve)")
    ap.add_argument("--memory-mb", type=int, default=500, help="DuckDB memory limit of the stage (it spills above it)")
    ap.add_argument("--behaviours", default="co-retweet,co-post,co-link,co-hashtags,co-reply")
    ap.add_argument("--compare-at", type=int, default=1_000_000, help="size at which to run the QUT toolkit (0: never)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        if kind == "generate":
            print(json.dumps(child_generate(rest[0], int(rest[1]), a.threads)))
        elif kind == "coordination":
            print(json.dumps(child_coordination(rest[0], a.threads, a.behaviours.split(","), a.replicates, a.memory_mb)))
        elif kind == "qut":
            print(json.dumps(child_qut(rest[0], rest[1], a.threads)))
        return
    work = Path(a.workdir or tempfile.mkdtemp(prefix="botwatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"threads={a.threads} behaviours={a.behaviours} null runs={a.replicates} DuckDB memory limit={a.memory_mb} MB workdir={work}")
    for size in [int(s) for s in a.sizes.split(",")]:
        path = work / f"crowd_{size}.duckdb"
        path.unlink(missing_ok=True)
        common = ["--threads", str(a.threads), "--behaviours", a.behaviours, "--replicates", str(a.replicates), "--memory-mb", str(a.memory_mb)]
        gen = run_child(*common, "--child", "generate", str(path), str(size))
        res = run_child(*common, "--child", "coordination", str(path))
        print(
            f"{size:>11,} posts ({gen['retweets']:,} retweets, top post retweeted {gen['mega_retweets']:,} times): "
            f"generate {gen['seconds']:.1f} s; coordination {res['seconds']:.1f} s, peak {res['peak_mib']:,.0f} MiB; "
            f"{res['co_action_rows']:,} co-action rows, {res['pairs']:,} pairs, {res['edges']:,} edges kept, "
            f"{res['traces_capped']:,} traces capped, {res['traces_thinned']:,} thinned (rate down to {res['thinned_min_rate']}); planted recall {res['recall']:.2f} precision {res['precision']:.2f}; steps {res['steps']}",
            flush=True,
        )
        if a.compare_at and size == a.compare_at:
            try:
                import coordination_network_toolkit  # noqa: F401
            except ImportError:
                print("  QUT toolkit not installed: pip install coordination-network-toolkit to compare")
            else:
                ours = run_child(
                    "--threads", str(a.threads), "--behaviours", "co-retweet", "--replicates", str(a.replicates), "--memory-mb", str(a.memory_mb),
                    "--child", "coordination", str(path),
                )
                qdir = work / f"qut_{size}"
                qdir.mkdir(exist_ok=True)
                q = run_child("--threads", str(a.threads), "--child", "qut", str(path), str(qdir))
                qt = q["load_seconds"] + q["network_seconds"]
                print(
                    f"  co-retweet only, same posts: botwatch {ours['seconds']:.1f} s (with the null test, from the study) vs QUT toolkit "
                    f"{qt:.1f} s (load {q['load_seconds']:.1f} s + network {q['network_seconds']:.1f} s, peak {q['peak_mib']:,.0f} MiB; "
                    f"botwatch peak {ours['peak_mib']:,.0f} MiB): "
                    f"ratio QUT/botwatch {qt / ours['seconds']:.1f}x (network step alone {q['network_seconds'] / ours['seconds']:.1f}x)",
                    flush=True,
                )
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
