"""A study's runs name the libraries that made their figures, not only botwatch's code.

The code label (`test_code_identity`) told two revisions of botwatch apart, but the same code over
another DuckDB, Ibis, PyArrow, NumPy or LightGBM may give other figures, and nothing recorded which
ones a study had. Each run now records them (`library_versions`), `botwatch version` prints them,
and the report's re-run section names them and says where a table's run had other ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.code_identity import version_label
from botwatch.library_versions import NOT_RECORDED, RESULT_LIBRARIES, library_versions
from botwatch.report.reproduce import LIBRARIES_DIFFER, reproduction, reproduction_script
from botwatch.runs_table import latest_of_stage
from botwatch.study import Study


def _study(tmp_path: Path) -> Study:
    """A study with one recorded `coverage` run (the cheapest stage record)."""
    st = Study(tmp_path / "s.duckdb")
    with st.run("coverage", {"election": "uk-ge2017"}):
        pass
    return st


def test_a_run_records_the_libraries_that_botwatch_version_prints(tmp_path: Path) -> None:
    st = _study(tmp_path)
    recorded = latest_of_stage(st, "coverage").libraries  # type: ignore[union-attr]
    st.close()
    assert recorded == library_versions("duckdb") and set(recorded) == set(RESULT_LIBRARIES)
    res = CliRunner().invoke(app, ["version"])
    first, libs = res.stdout.strip().splitlines()
    assert res.exit_code == 0 and first == version_label()
    assert all(f"{k} {v}" in libs for k, v in recorded.items())


def test_the_reproduction_names_them_and_says_not_recorded_for_older_runs(tmp_path: Path) -> None:
    st = _study(tmp_path)
    now = library_versions("duckdb")
    r = reproduction(st, "s.duckdb")
    assert r["libraries"] == [", ".join(f"{k} {v}" for k, v in sorted(now.items()))] and r["libraries_differ"] == []
    # A run made before libraries were recorded: its parameters hold none, and it is said so.
    st.sql("UPDATE runs SET params = ?", [json.dumps({"election": "uk-ge2017"})])
    r = reproduction(st, "s.duckdb")
    assert r["libraries"] == [NOT_RECORDED] and r["libraries_differ"] == []
    assert f"# libraries: {NOT_RECORDED}\n" in reproduction_script(st, "s.duckdb")
    st.close()


def test_the_report_says_when_a_tables_run_had_other_libraries(tmp_path: Path) -> None:
    st = _study(tmp_path)
    old = {**library_versions("duckdb"), "duckdb": "0.9.0"}
    st.sql("UPDATE runs SET params = ?", [json.dumps({"election": "uk-ge2017", "libraries": old})])
    r = reproduction(st, "s.duckdb")
    assert r["libraries_differ"] == [f"duckdb 0.9.0 (now {library_versions('duckdb')['duckdb']})"]
    script = reproduction_script(st, "s.duckdb")
    assert LIBRARIES_DIFFER in script and "duckdb 0.9.0 (now" in script
    st.close()
