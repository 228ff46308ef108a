"""The retweet graph of the account prior is one Ibis expression: PySpark links the same accounts
as DuckDB (node names differ where texts are hashed: Spark's hash is 32-bit, DuckDB's 64-bit)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def _groups(rows: list[dict]) -> set[tuple[str, frozenset[str]]]:
    """(kind of node, accounts in it) for every node: the structure, whatever the node is called."""
    nodes: dict[str, set[str]] = {}
    for r in rows:
        nodes.setdefault(r["node"], set()).add(r["account_id"])
    return {(n[:2], frozenset(a)) for n, a in nodes.items()}


def test_graph_edges_match_on_spark(spark, sample_study_path: Path) -> None:  # type: ignore[no-untyped-def]
    import ibis

    from botwatch import open_study
    from botwatch.content.propagate import graph_edges
    from tests.test_content_spark import _to_spark

    with open_study(sample_study_path, read_only=True) as st:
        duck = graph_edges(st.table("posts"), st.table("accounts")).to_pyarrow().to_pylist()
        arrow = {n: st.con.sql(f"SELECT * FROM {n}").to_arrow_table() for n in ("posts", "accounts")}
    for n, t in arrow.items():
        _to_spark(spark, t).createOrReplaceTempView(f"bw_prior_{n}")
    con = ibis.pyspark.connect(spark)
    sparked = con.to_pyarrow(graph_edges(con.table("bw_prior_posts"), con.table("bw_prior_accounts"))).to_pylist()
    assert len(duck) > 0
    assert _groups(duck) == _groups(sparked)
