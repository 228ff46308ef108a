"""`group_map_arrow` on a lake: `fn` runs on the executors over tables of whole groups, only
its per-group rows reach the driver, and the accounts stage's origin-behaviour facts equal
DuckDB's. One small lake (the sample's posts) on the shared session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def lake(sample_study_path: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from botwatch import open_study
    from botwatch.engines.lake import LakeStudy

    with open_study(sample_study_path) as duck:
        posts = duck.arrow("posts")
    st = LakeStudy(tmp_path_factory.mktemp("groups") / "lake", spark=spark)
    st.write_table("posts", posts)
    yield st
    st.close()


def _no_collect(lake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any read of whole query results into the driver (what the old path did with the posts)."""
    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("collected to the driver")

    for name in ("query_arrow", "query_pandas", "arrow", "expr_arrow"):
        monkeypatch.setattr(lake, name, refuse)


def test_behaviours_on_the_executors_equal_duckdb(lake: Any, sample_study: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts.origin_behaviour_batch import behaviours
    from botwatch.accounts.origin_behaviour_groups import study_behaviours

    want = behaviours(sample_study)
    _no_collect(lake, monkeypatch)
    got = study_behaviours(lake)
    assert set(got) == set(want)
    differ = [k for k in want if got[k] != want[k]]
    assert not differ, f"{len(differ)} of {len(want)} accounts differ, e.g. {differ[0]}: {got[differ[0]]} != {want[differ[0]]}"


def test_each_group_is_whole_and_sorted(lake: Any) -> None:
    """`fn` gets tables of whole groups, each group's rows together and in `order_by` order, and
    several groups a call (as on DuckDB): one Python call per group cost 32 s for the 5,602
    accounts of a 20,000-post lake."""
    schema = pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("n", pa.int64()), ("ordered", pa.bool_()),
                        ("groups_in_call", pa.int64())])

    def groups(t: pa.Table) -> dict[str, list[Any]]:
        runs: dict[tuple[str, str], list[Any]] = {}
        last = None
        for key, at in zip(zip(t.column("platform").to_pylist(), t.column("account_id").to_pylist()), t.column("created_at").to_pylist()):
            assert key == last or key not in runs, f"{key}: its rows are not together"
            runs.setdefault(key, []).append(at)
            last = key
        return {"platform": [k[0] for k in runs], "account_id": [k[1] for k in runs], "n": [len(v) for v in runs.values()],
                "ordered": [v == sorted(v) for v in runs.values()], "groups_in_call": [len(runs)] * len(runs)}

    got = lake.group_map_arrow("SELECT platform, account_id, created_at FROM posts WHERE created_at IS NOT NULL",
                               ["platform", "account_id"], groups, schema, order_by=["created_at"])
    want = lake.sql("SELECT platform, account_id, count(*) FROM posts WHERE created_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2")
    # one row per group: a group split between two calls would be two rows
    assert [(r["platform"], r["account_id"], r["n"]) for r in got.to_pylist()] == [tuple(r) for r in want]
    assert all(got.column("ordered").to_pylist())
    assert max(got.column("groups_in_call").to_pylist()) > 1
