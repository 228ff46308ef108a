"""What `botwatch coordination` prints and writes, checked against the tables it stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study

from test_timeline import write_posts

runner = CliRunner()


def _pairs(path: Path, groups: int) -> None:
    """`groups` pairs of accounts, each pair retweeting its own six posts seven seconds apart
    (one cluster each), and five accounts retweeting every post at random times."""
    import numpy as np

    rng = np.random.default_rng(3)
    posts = []
    for g in range(groups):
        for k in range(6):
            t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k + g, seconds=5)
            for a in range(2):
                posts.append(dict(post_id=f"r{g}-{k}-{a}", platform="twitter", account_id=f"g{g}a{a}", created_at=t0 + timedelta(seconds=7 * a),
                                  kind="retweet", text="t", ref_post_id=f"o{g}-{k}", ref_account_id="src"))
            for h in range(5):
                posts.append(dict(post_id=f"h{g}-{k}-{h}", platform="twitter", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                                  kind="retweet", text="t", ref_post_id=f"o{g}-{k}", ref_account_id="src"))
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)


def test_a_cut_clusters_table_says_how_many_it_left_out(tmp_path: Path) -> None:
    """The table stops at 15 rows: with 18 clusters it showed 15 and said nothing of the other 3."""
    study = tmp_path / "s.duckdb"
    _pairs(study, 18)
    res = runner.invoke(app, ["coordination", str(study), "--window", "60s"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        assert st.count("clusters") == 18
    assert "the 15 largest of 18 clusters" in res.output and "clusters -o clusters.csv" in res.output, res.output


def test_graphml_and_csv_hold_the_stored_network_edge_for_edge(tmp_path: Path) -> None:
    """docs/exports.md: one GraphML edge per `coordination_edges` row, its source `account_a`
    (what `a_first` counts), the same co-actions and cluster ids as the tables and the CSV files."""
    import csv
    import xml.etree.ElementTree as ET

    study = tmp_path / "s.duckdb"
    _pairs(study, 3)
    gml, edges_csv = tmp_path / "net.graphml", tmp_path / "edges.csv"
    res = runner.invoke(app, ["coordination", str(study), "--window", "60s", "--graphml", str(gml), "--csv", str(edges_csv)])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        table = {(a, b): n for a, b, n in st.sql("SELECT account_a, account_b, co_actions FROM coordination_edges")}
        members = dict(st.sql("SELECT account_id, cluster_id FROM cluster_members"))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    root = ET.parse(gml).getroot()
    assert root.find(f"{ns}graph").get("edgedefault") == "undirected"
    nodes = {n.get("id"): {d.get("key"): d.text for d in n} for n in root.iter(f"{ns}node")}
    graph_edges = {(nodes[e.get("source")]["v_account_id"], nodes[e.get("target")]["v_account_id"]): int(e.find(f"{ns}data[@key='e_co_actions']").text)
                   for e in root.iter(f"{ns}edge")}
    assert len(table) == 3 and graph_edges == table
    assert {d["v_account_id"]: int(d["v_cluster_id"]) for d in nodes.values()} == members
    with edges_csv.open(newline="", encoding="utf-8") as fh:
        assert {(r["account_a"], r["account_b"]): int(r["co_actions"]) for r in csv.DictReader(fh)} == table
    with (tmp_path / "edges_nodes.csv").open(newline="", encoding="utf-8") as fh:
        assert {r["account_id"]: int(r["cluster_id"]) for r in csv.DictReader(fh)} == members
