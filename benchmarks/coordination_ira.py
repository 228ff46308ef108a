"""The coordination stage on the real IRA troll tweets: which Clemson account categories end up
clustered together, and how pure the clusters are (against a label-shuffle baseline).

Needs ../shared/data/ira (FiveThirtyEight / Clemson, see its README). Ingests it into a study
once (kept at --study), then runs the stage at each window.

    python benchmarks/coordination_ira.py --study /tmp/ira.duckdb --windows 60,600
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from botwatch import open_study
from botwatch.coordination.clusters import category_mixing, cluster_purity
from botwatch.coordination.network import NetworkOptions
from botwatch.coordination.stage import run_coordination

IRA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ira"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--study", default="ira.duckdb")
    ap.add_argument("--windows", default="60")
    a = ap.parse_args()
    with open_study(a.study, read_only=False) as st:
        if st.count("posts") == 0:
            from botwatch.ingest.runner import ingest

            if not IRA.is_dir():
                raise SystemExit(f"no IRA data at {IRA}")
            t = time.perf_counter()
            ingest(st, [str(IRA / "authors.csv.gz"), str(IRA / "tweets.csv.gz")])
            print(f"ingested {st.count('posts'):,} posts in {time.perf_counter() - t:.0f} s")
        for w in [int(x) for x in a.windows.split(",")]:
            t = time.perf_counter()
            res = run_coordination(st, NetworkOptions(window_s=w), country="US", log=lambda m: None)
            secs = time.perf_counter() - t
            pur = cluster_purity(st)
            sizes = st.sql("SELECT count(*) FILTER (WHERE size >= 3), max(size) FROM clusters")[0]
            print(
                f"window {w} s: {res.edges:,} edges beat chance among {res.candidate_pairs:,} co-acting pairs; {pur['accounts']:,} labelled accounts "
                f"in {pur['clusters']:,} clusters ({sizes[0]:,} with 3+ members, largest {sizes[1]}); purity {pur['purity']:.3f} "
                f"(labels shuffled: {pur['purity_shuffled']:.3f}; clusters of 3+: {pur['purity_clusters_3plus']:.3f}); {secs:.0f} s; steps {json.dumps(res.seconds)}"
            )
            cats = dict(st.sql("SELECT account_category, count(*) FROM cluster_members WHERE account_category IS NOT NULL GROUP BY 1"))
            print("  clustered accounts by category: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items(), key=lambda kv: -kv[1])))
            print("  edges by category pair: " + "; ".join(f"{x}–{y} {n:,}" for x, y, n, _ in category_mixing(st)[:12]))


if __name__ == "__main__":
    main()
