"""`clusters._edge_sums` adds up each cluster's inside edges at the driver as the engine's
grouping did (`clusters` joined `coordination_edges` to the edge clusters and grouped them, a
broadcast and a shuffle on a lake): the same values and types, missing weights and behaviours
included."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from botwatch.coordination.clusters import _edge_sums


def _edges() -> pa.Table:
    t = datetime(2024, 3, 1, 12, 0)
    return pa.table(
        {
            "weight_idf": pa.array([0.1234, None, 2.5, 0.3, None], pa.float64()),
            "co_actions": pa.array([3, 4, None, 2, None], pa.int64()),
            "first_at": pa.array([t.replace(hour=9), t, t.replace(hour=8), t, t.replace(hour=7)], pa.timestamp("us")),
            "last_at": pa.array([t, t.replace(hour=23), t, t.replace(hour=13), t], pa.timestamp("us")),
            "behaviours": pa.array([["co-retweet", "co-link"], ["co-link"], None, ["co-hashtag"], None], pa.list_(pa.string())),
        }
    )


def test_edge_sums_are_what_the_engines_grouping_gave() -> None:
    edges, clusters = _edges(), [1, 1, 0, 1, 2]
    got = _edge_sums(edges, clusters)
    con = duckdb.connect()
    with_cluster = edges.append_column("cluster_id", pa.array(clusters, pa.int64()))  # noqa: F841 (read by DuckDB)
    want = con.sql(
        """
        SELECT cluster_id, count(*) AS edges, sum(weight_idf) AS weight_idf, CAST(sum(co_actions) AS BIGINT) AS co_actions,
               min(first_at) AS first_at, max(last_at) AS last_at, list_sort(list_distinct(flatten(list(behaviours)))) AS behaviours
        FROM with_cluster GROUP BY ALL ORDER BY cluster_id
        """
    ).fetch_arrow_table()
    assert got.column_names == want.column_names
    assert got.schema == pa.schema([f.with_nullable(True) for f in want.schema]), (got.schema, want.schema)
    assert got.to_pylist() == want.to_pylist()
    # A cluster whose edges carry no weight sums to NULL, as SQL's sum does; none of these lists a behaviour.
    assert got.to_pylist()[2] == {
        "cluster_id": 2, "edges": 1, "weight_idf": None, "co_actions": None,
        "first_at": datetime(2024, 3, 1, 7, 0), "last_at": datetime(2024, 3, 1, 12, 0), "behaviours": [],
    }


def test_no_inside_edge_gives_no_row() -> None:
    assert _edge_sums(_edges().slice(0, 0), []).num_rows == 0
