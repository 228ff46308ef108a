"""A cluster whose members shared but hold no kept edge between them still gets its row in
`clusters`, with its top amplified accounts and zero edges, on DuckDB and on a lake
(`clusters._write_cluster_summaries`: such a cluster has no edge sums to carry its
`top_amplified`). Leiden keeps its communities connected, so the clustering is replaced here by
one that puts two accounts of different groups together."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from botwatch.coordination import clusters
from botwatch.pipeline import Context, analyze
from botwatch.study import open_study

from test_timeline import write_posts

# Two groups that each retweet their own posts within seconds; the fake clustering pairs b0 with
# b1 and c1 with c2 (an edge inside each) and b2 with c0 (no edge between them).
_GROUPS = {"b": ("leader", range(0, 30, 2)), "c": ("other", range(1, 30, 2))}
_CLUSTERS = {"b0": 0, "b1": 0, "b2": 1, "c0": 1, "c1": 2, "c2": 2}


def _study(path: Path):  # type: ignore[no-untyped-def]
    """Three accounts per group retweeting their group's source within seconds, for 15 posts each,
    and twenty accounts retweeting every post at random times."""
    import numpy as np

    rng = np.random.default_rng(5)
    posts = []
    for group, (source, ks) in _GROUPS.items():
        for k in ks:
            t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
            ref = dict(ref_account_id=source, ref_handle=source, ref_post_id=f"o{k}", kind="retweet", text=f"t{k}", platform="twitter")
            for a in range(3):
                posts.append(dict(post_id=f"r{k}-{a}", account_id=f"{group}{a}", created_at=t0 + timedelta(seconds=3 * a), **ref))
            for h in range(20):
                posts.append(dict(post_id=f"h{k}-{h}", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))), **ref))
    st = open_study(path, read_only=False)
    write_posts(st, posts)
    return st


def _fake_leiden(edges: list[tuple[str, str, float]], **_: Any) -> dict[str, int]:
    """The clusters of `_CLUSTERS` for the accounts of `edges` (names are "platform\\x1faccount")."""
    names = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    return {n: _CLUSTERS[n.split("\x1f", 1)[1]] for n in names}


_COLUMNS = "cluster_id, size, edges, density, weight_idf, co_actions, behaviours, top_amplified, label, peak_day_co_actions"


def _clusters(study: Any) -> list[tuple[Any, ...]]:
    """The stage's `clusters` rows, `behaviours` as a list and `top_amplified` parsed."""
    rows = study.sql(f"SELECT {_COLUMNS} FROM clusters ORDER BY cluster_id")
    return [(*r[:6], list(r[6]), json.loads(r[7]), *r[8:]) for r in rows]


def _check(rows: list[tuple[Any, ...]]) -> None:
    """Three clusters of two; the middle one has no edge, and its top amplified accounts are both
    groups' sources, each shared by one member 15 times."""
    assert [r[:2] for r in rows] == [(0, 2), (1, 2), (2, 2)], rows
    assert [r[2] for r in rows] == [1, 0, 1], rows
    edgeless = rows[1]
    assert edgeless[3:7] == (0.0, 0.0, 0, []), edgeless
    assert [(a["account"], a["shares"]) for a in edgeless[7]] == [("leader", 15), ("other", 15)], edgeless
    assert edgeless[9] is None, edgeless  # no co-action inside: no peak day
    assert [a["account"] for a in rows[0][7]] == ["leader"] and [a["account"] for a in rows[2][7]] == ["other"], rows


def _on(study: Any, engine: str) -> list[tuple[Any, ...]]:
    analyze(study, Context(election=None, engine=engine, log=lambda m: None), only=["coordination"])
    return _clusters(study)


def test_a_cluster_without_an_edge_inside_keeps_its_top_amplified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clusters, "leiden", _fake_leiden)
    with _study(tmp_path / "s.duckdb") as st:
        _check(_on(st, "duckdb"))


@pytest.mark.spark
def test_a_cluster_without_an_edge_inside_is_the_same_on_a_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spark: Any) -> None:
    from botwatch.engines.lake import lake_from_study

    monkeypatch.setattr(clusters, "leiden", _fake_leiden)
    duck = _study(tmp_path / "s.duckdb")
    lake = lake_from_study(duck, tmp_path / "lake", spark=spark)
    try:
        on_duck, on_lake = _on(duck, "duckdb"), _on(lake, "spark")
    finally:
        lake.close()
        duck.close()
    _check(on_lake)
    assert on_lake == on_duck
