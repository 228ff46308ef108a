"""The null test's BH and strongest-test steps run as engine SQL (issue 19): same kept set as
`benjamini_hochberg` bit for bit, and no per-pair rows reach the driver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.coordination import network
from botwatch.coordination.network import NetworkOptions
from botwatch.coordination.nulltest import benjamini_hochberg
from botwatch.coordination.stage import run_coordination
from botwatch.study import Study


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_bh_keeps_exactly_what_benjamini_hochberg_keeps(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    tests = {"co-retweet": 400, "co-post": 50, "combined": 1}
    rows: dict[str, list] = {k: [] for k in ("platform", "test", "account_a", "account_b", "co_actions", "p", "expected")}
    for t, n in tests.items():
        # Ties on purpose (a few distinct values repeated) next to spread-out values near the cut.
        p = np.concatenate([rng.choice([1e-6, 1e-4, 0.003, 0.0125], size=n // 2), rng.uniform(0, 0.2, size=n - n // 2)])
        rng.shuffle(p)
        for i, v in enumerate(p):
            rows["platform"].append("x"); rows["test"].append(t); rows["account_a"].append(f"a{i}"); rows["account_b"].append(f"b{i}")
            rows["co_actions"].append(2); rows["p"].append(float(v)); rows["expected"].append(0.0)
    families = {"co-retweet": 5000, "co-post": 50, "combined": 1}
    tbl = pa.table(rows)
    with open_study(tmp_path / "s.duckdb", read_only=False) as s:
        with s.temp_view("_pv_arrow", tbl):
            s.sql("CREATE OR REPLACE TEMP TABLE _coord_pv AS SELECT * FROM _pv_arrow")
        for q in (0.05, 0.01, 0.2):
            network._bh_on_engine(s, families, q)
            got = {(t, a): bool(k) for t, a, k in s.sql("SELECT test, account_a, kept FROM _coord_bh")}
            for t in tests:
                idx = [i for i, x in enumerate(rows["test"]) if x == t]
                want = benjamini_hochberg(np.array([rows["p"][i] for i in idx]), q, m_total=families[t])
                assert [got[(t, rows["account_a"][i])] for i in idx] == want.tolist()


def test_null_test_collects_no_per_pair_rows(sample_study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside `test_pairs` no account id reaches Python: what comes back are per-test counts and
    histograms of co-action counts (the old code fetched every tested pair with its ids)."""
    inside = {"on": False}
    collected: list[object] = []
    orig_sql, orig_arrow, orig_test = Study.sql, Study.query_arrow, network.test_pairs

    def sql(self, *a, **k):  # type: ignore[no-untyped-def]
        out = orig_sql(self, *a, **k)
        if inside["on"] and out is not None:
            collected.extend(v for row in out for v in row)
        return out

    def query_arrow(self, *a, **k):  # type: ignore[no-untyped-def]
        out = orig_arrow(self, *a, **k)
        if inside["on"]:
            collected.extend(v for col in out.to_pydict().values() for v in col)
        return out

    def wrapped(*a, **k):  # type: ignore[no-untyped-def]
        inside["on"] = True
        try:
            return orig_test(*a, **k)
        finally:
            inside["on"] = False

    monkeypatch.setattr(Study, "sql", sql)
    monkeypatch.setattr(Study, "query_arrow", query_arrow)
    monkeypatch.setattr(network, "test_pairs", wrapped)
    res = run_coordination(sample_study, NetworkOptions(), log=lambda m: None)
    accounts = {str(a) for (a,) in sample_study.sql("SELECT DISTINCT account_id FROM posts")}
    assert res.null.tested > 0 and res.null.kept > 0  # there were pairs to leak
    assert collected and not accounts & {v for v in collected if isinstance(v, str)}
