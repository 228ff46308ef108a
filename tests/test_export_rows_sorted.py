"""`botwatch export` gives the same file for the same rows, whatever order the engine stored them in.

A researcher re-ran a study from its report in a clean folder and exported every table: the
accounts, timeline and coordination evidence held the same rows as the first run's, in another
order (DuckDB's threads write in any order), so the files differed line by line. Rows are now
sorted on every column, but for the study's log (`runs`, `sources`, `rejected`: the order things
happened) and the per-post tables (as large as the archive: compared as sets of rows).
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import Study

runner = CliRunner()


def _study(path: Path, order: str) -> Path:
    """A study whose `timeline` and `runs` hold the same rows, stored in `order` (ASC or DESC)."""
    st = Study(path)
    st.sql("CREATE OR REPLACE TABLE timeline AS SELECT * FROM (VALUES ('party', 'labour', 3), ('party', 'labour', 1), "
           f"('origin', 'RU', 2), ('party', 'conservative', 1)) t(dimension, value, posts) ORDER BY posts {order}, value {order}")
    st.sql("DELETE FROM runs")
    st.sql(f"INSERT INTO runs (run_id, stage) SELECT * FROM (VALUES ('b1', 'ingest'), ('a2', 'analyze')) t(run_id, stage) ORDER BY run_id {order}")
    st.close()
    return path


def _export(path: Path, table: str, out: Path) -> list[str]:
    res = runner.invoke(app, ["export", str(path), table, "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8").splitlines()


def test_the_same_rows_stored_in_another_order_export_as_the_same_file(tmp_path: Path) -> None:
    one = _study(tmp_path / "one.duckdb", "ASC")
    two = _study(tmp_path / "two.duckdb", "DESC")
    a = _export(one, "timeline", tmp_path / "a.csv")
    b = _export(two, "timeline", tmp_path / "b.csv")
    assert a == b
    assert a[1:] == ["origin,RU,2", "party,conservative,1", "party,labour,1", "party,labour,3"]


def test_the_runs_log_keeps_the_order_it_was_written_in(tmp_path: Path) -> None:
    one = _study(tmp_path / "one.duckdb", "DESC")
    rows = _export(one, "runs", tmp_path / "runs.csv")
    assert [r.split(",")[:2] for r in rows[1:]] == [["b1", "ingest"], ["a2", "analyze"]]


def test_a_per_post_table_keeps_the_order_it_was_stored_in(tmp_path: Path) -> None:
    """A table with a row per post (a `post_id` column) is as large as the archive: it is exported
    as stored, not sorted (docs/exports.md), which this holds beside the log's rule."""
    path = tmp_path / "s.duckdb"
    st = Study(path)
    st.sql("CREATE OR REPLACE TABLE post_party AS SELECT * FROM (VALUES ('twitter', 'p2', 'labour'), ('twitter', 'p1', 'labour')) "
           "t(platform, post_id, party)")
    st.close()
    rows = _export(path, "post_party", tmp_path / "pp.csv")
    assert [r.split(",")[1] for r in rows[1:]] == ["p2", "p1"]
