"""`LakeReader.arrow` on a held table: the report view hands its in-process DuckDB's copy back as
Arrow. DuckDB 2.0 removed `fetch_arrow_table` from the connection (the relation's `to_arrow_table`
is the call every DuckDB version here has), so the old call raised AttributeError for any held
table (a table-to-frame read of a small lake table through the view); no Spark needed to show it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.engines.lake_report import LakeReader


class _Lake:
    """The few `LakeStudy` members `LakeReader` reads, over Arrow tables (a lake behind a URL:
    not local, so held tables come from `arrow`)."""

    engine = "spark"
    schema_version = None
    _local = False

    def __init__(self, root: Path, tables: dict[str, pa.Table]) -> None:
        self.path = self.root = root
        self._tables = tables

    def tables(self) -> list[str]:
        return sorted(self._tables)

    def columns(self, name: str) -> list[str]:
        return list(self._tables[name].column_names)

    def count(self, name: str) -> int:
        return self._tables[name].num_rows

    def arrow(self, name: str) -> pa.Table:
        return self._tables[name]


def test_a_held_table_comes_back_as_the_same_arrow_table(tmp_path: Path) -> None:
    runs = pa.table({"stage": ["ingest", "content"], "n": pa.array([3, 4], pa.int64())})
    with LakeReader(_Lake(tmp_path, {"runs": runs})) as view:
        got = view.arrow("runs")
        assert isinstance(got, pa.Table)
        assert got.equals(runs)
        assert view.count("runs") == 2


def test_a_table_too_large_to_hold_is_read_from_the_lake(tmp_path: Path) -> None:
    posts = pa.table({"post_id": ["a", "b", "c"]})
    with LakeReader(_Lake(tmp_path, {"posts": posts}), hold_rows=2) as view:
        assert view.arrow("posts") is posts
