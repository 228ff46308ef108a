"""A lake opened read-only refuses every write, as a read-only DuckDB file does (no JVM: the
check comes before Spark is asked anything, so the study here has no session at all)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from botwatch.engines import lake_sql
from botwatch.engines.lake import LakeStudy
from botwatch.study import StudyError


def _lake(read_only: bool) -> LakeStudy:
    st = LakeStudy.__new__(LakeStudy)  # no session: any call that reached Spark would fail differently
    st.path, st.root, st.read_only = Path("/nowhere/lake"), "/nowhere/lake", read_only
    st._temp, st._views, st._local, st.spark = set(), set(), True, None
    return st


@pytest.mark.parametrize("query", [
    "DELETE FROM posts",
    "DELETE FROM posts WHERE account_id = 'a'",
    "INSERT INTO runs SELECT * FROM runs",
    "CREATE OR REPLACE TABLE posts AS SELECT * FROM posts",
    "CREATE TABLE IF NOT EXISTS x (a INTEGER)",
    "CREATE VIEW v AS SELECT 1",
    "DROP TABLE posts",
])
def test_sql_writes_are_refused_on_a_read_only_lake(query: str) -> None:
    with pytest.raises(StudyError, match="opened read-only: cannot run"):
        _lake(True).sql(query)


def test_method_writes_are_refused_on_a_read_only_lake() -> None:
    st = _lake(True)
    t = pa.table({"a": [1]})
    for call in (lambda: st.write_table("t", t), lambda: st.append_arrow("runs", t), lambda: st.write_df("t", None),
                 lambda: st.write_expr("t", None), lambda: st.map_arrow("posts", lambda b: b, t.schema, "t")):
        with pytest.raises(StudyError, match="opened read-only: cannot"):
            call()


def test_reads_and_temp_tables_are_not_refused() -> None:
    st = _lake(True)
    for query in ("SELECT 1", "CREATE TEMP TABLE tmp AS SELECT 1 AS a", "SET memory_limit = '1GB'"):
        stmt = lake_sql.classify(lake_sql.parse(query))
        assert st._reads_only(stmt), query
    _lake(False)._writable("write table 't'")  # writable: nothing refused
