"""On real IRA troll tweets (../shared/data/ira): the clusters found are purer against the
Clemson account categories than the same clusters with the labels shuffled."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.coordination.clusters import category_mixing, cluster_purity
from botwatch.coordination.network import NetworkOptions
from botwatch.coordination.stage import run_coordination

MONTH = "2016-10"  # a slice keeps this test to seconds; the full run is benchmarks/coordination_ira.py


def test_ira_clusters_follow_account_categories(shared_data: Path, tmp_path: Path) -> None:
    from botwatch.ingest.runner import ingest

    ira = shared_data / "ira"
    if not (ira / "tweets.csv.gz").exists():
        pytest.skip(f"no IRA tweets at {ira}")
    # One month (October 2016, ~89k tweets): a time slice keeps co-actions whole, where a
    # sample of lines would keep only 1 in n² of them.
    import duckdb

    sliced = tmp_path / "ira_2016_10.csv"
    con = duckdb.connect()
    src = str(ira / "tweets.csv.gz").replace("'", "''")
    con.execute(
        f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true) WHERE publish_date LIKE '{MONTH}%') TO '{sliced}' (FORMAT CSV, HEADER)"
    ).fetchall()
    con.close()
    with open_study(tmp_path / "ira.duckdb", read_only=False) as st:
        ingest(st, [str(ira / "authors.csv.gz"), str(sliced)])
        res = run_coordination(st, NetworkOptions(window_s=60), country="US", log=lambda m: None)
        assert res.edges > 0
        pur = cluster_purity(st, shuffles=30)
        assert pur["accounts"] >= 20
        assert pur["purity"] >= pur["purity_shuffled"] + 0.1
        assert pur["purity"] >= 0.8
        mixing = category_mixing(st)
        same = sum(n for a, b, n, _ in mixing if a == b)
        assert same >= 0.8 * sum(n for _, _, n, _ in mixing)
