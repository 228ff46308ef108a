"""`study.group_map_arrow` on DuckDB: `fn` sees whole groups in order, never a split one, and the
accounts stage's origin-behaviour facts computed through it equal the all-posts-at-once path."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from botwatch.group_map import whole_groups


def _batches(keys: list[Any], size: int) -> list[pa.RecordBatch]:
    t = pa.table({"k": pa.array(keys, pa.string()), "i": pa.array(range(len(keys)), pa.int64())})
    return t.to_batches(max_chunksize=size)


@pytest.mark.parametrize("size,min_rows", [(1, 1), (2, 3), (3, 2), (100, 5)])
def test_whole_groups_never_splits_a_group(size: int, min_rows: int) -> None:
    keys = ["a", "a", "a", "b", "c", "c", None, None, "d", "d", "d", "d", "d"]
    chunks = list(whole_groups(_batches(keys, size), ["k"], min_rows))
    assert [i for c in chunks for i in c.column("i").to_pylist()] == list(range(len(keys)))  # nothing lost or reordered
    seen: list[Any] = []
    for c in chunks:
        groups = list(dict.fromkeys(c.column("k").to_pylist()))
        assert not set(groups) & set(seen), f"a group was split across chunks: {groups} after {seen}"
        seen += groups
    assert all(c.num_rows >= min_rows for c in chunks[:-1])


def test_group_map_arrow_on_duckdb_sorts_and_returns_per_group_rows(sample_study: Any) -> None:
    schema = pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("n", pa.int64()), ("ordered", pa.bool_())])

    def per_account(t: pa.Table) -> pa.Table:
        rows = {}
        for p, a, ts in zip(*(t.column(c).to_pylist() for c in ("platform", "account_id", "created_at"))):
            r = rows.setdefault((p, a), [0, True, None])
            r[0] += 1
            r[1] = r[1] and (r[2] is None or ts >= r[2])
            r[2] = ts
        return pa.table({"platform": [k[0] for k in rows], "account_id": [k[1] for k in rows],
                         "n": [v[0] for v in rows.values()], "ordered": [v[1] for v in rows.values()]})

    got = sample_study.group_map_arrow("SELECT platform, account_id, created_at FROM posts WHERE created_at IS NOT NULL",
                                       ["platform", "account_id"], per_account, schema, order_by=["created_at"], batch_rows=1000)
    want = sample_study.sql("SELECT platform, account_id, count(*) FROM posts WHERE created_at IS NOT NULL GROUP BY ALL ORDER BY 1, 2")
    assert [(r["platform"], r["account_id"], r["n"]) for r in got.to_pylist()] == [tuple(r) for r in want]
    assert all(got.column("ordered").to_pylist())


def test_study_behaviours_equal_the_all_at_once_path(sample_study: Any) -> None:
    from botwatch.accounts.origin_behaviour_batch import behaviours
    from botwatch.accounts.origin_behaviour_groups import study_behaviours

    want = behaviours(sample_study)
    got = study_behaviours(sample_study)
    assert len(want) > 100 and got == want
