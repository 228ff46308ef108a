"""`driver_arrow` on a DuckDB study and on the report's lake view (`LakeReader`, its held copy in
DuckDB): the rows `LakeStudy.driver_arrow` filters for (`tests/test_lake_driver_reads.py`), each
column of `equal` equal to its value and each of `among` holding one of its values, a NULL matching
neither; an empty `among` set matches nothing; awkward names are quoted. No Spark needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake_report import LakeReader
from botwatch.study import Study, StudyError

ROWS = pa.table({"source": ["a", None, "c", "a"], "line": pa.array([0, 0, 7, None], pa.int64()), 'odd "name"': ["x", "y", None, "z"]})
READS: list[tuple[list[str], dict[str, Any], dict[str, Any] | None]] = [
    (["source", "line"], {}, None),
    (['odd "name"'], {"line": 0}, None),
    (["line"], {"source": "a"}, None),
    (["source"], {"line": None}, None),  # equal to NULL: no row
    (["source", 'odd "name"'], {}, {"source": {"a", "z"}}),
    (["line"], {"line": 0}, {"source": {"a", "c"}}),
    (["source"], {}, {"source": set()}),
]


def _python(columns: list[str], equal: dict[str, Any], among: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rows as the filter reads in Python (None equals nothing)."""
    keep = [r for r in ROWS.to_pylist()
            if all(r[c] is not None and r[c] == v for c, v in equal.items()) and all(r[c] in vs for c, vs in (among or {}).items())]
    return [{c: r[c] for c in columns} for r in keep]


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=repr)


def test_a_duckdb_study_reads_the_rows_a_lake_filters_for(tmp_path: Path) -> None:
    with Study(tmp_path / "s.duckdb") as st:
        st.write_table("mixed", ROWS)
        for columns, equal, among in READS:
            got = st.driver_arrow("mixed", columns, equal, among)
            assert got.column_names == columns
            assert _sorted(got.to_pylist()) == _sorted(_python(columns, equal, among)), (columns, equal, among)
        with pytest.raises(StudyError, match="nothing_here"):
            st.driver_arrow("nothing_here", ["x"])


def test_the_reports_lake_view_reads_its_held_copy_alike(tmp_path: Path) -> None:
    from test_engine_lake_reader_arrow import _Lake

    with LakeReader(_Lake(tmp_path, {"timeline": ROWS})) as view:  # a table the view always holds
        for columns, equal, among in READS:
            got = view.driver_arrow("timeline", columns, equal, among)
            assert got.column_names == columns
            assert _sorted(got.to_pylist()) == _sorted(_python(columns, equal, among)), (columns, equal, among)
