"""A lake registers a table as a Spark view the first time something names it, not at open:
opening an analysed lake used to register all of its ~30 tables (4-18 s) before `status` read
five. What is named still resolves, a view brings the tables it reads, and a rewrite is seen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake import LakeStudy

pytestmark = pytest.mark.spark


def _views(spark: Any) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.isTemporary}


def test_tables_become_views_when_first_named(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    before = _views(spark)  # another test's views on the shared session
    with LakeStudy(path, spark=spark) as lake:
        lake.write_table("t1", pa.table({"v": [1, 2]}))
        lake.write_table("t2", pa.table({"w": ["x"]}))
        lake.sql("CREATE VIEW big AS SELECT v FROM t1 WHERE v > 1")
    ours = {"t1", "t2", "big", "posts", "runs", "accounts"}
    assert not ours & (_views(spark) - before)
    with LakeStudy(path, spark=spark) as lake:
        assert _views(spark) == before  # opening registers nothing
        assert set(lake.tables()) >= {"t1", "t2", "big", "posts"}
        assert lake.sql("SELECT count(*) FROM big") == [(1,)]
        assert {"big", "t1"} <= _views(spark) and not {"t2", "posts", "runs"} & (_views(spark) - before)
        assert lake.columns("t2") == ["w"] and "t2" in _views(spark)
        # A rewrite drops the stale view; the next statement, and the view over it, see the new rows.
        lake.write_table("t1", pa.table({"v": [5, 6, 7]}))
        assert lake.sql("SELECT count(*) FROM big") == [(3,)]
        assert lake.expr_arrow(lake.table("t1").filter(lambda t: t.v > 5)).num_rows == 2
        assert lake.ibis.table("posts").count().execute() == 0  # `study.ibis.table` registers too
    assert not ours & (_views(spark) - before)  # close drops what it registered
