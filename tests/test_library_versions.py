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


def test_a_lakes_pyspark_is_said_apart_so_its_report_is_the_duckdb_studys(tmp_path: Path) -> None:
    """A lake's runs record PySpark, a DuckDB study's none, and a lake made from a DuckDB study
    holds both kinds of run: PySpark among the sets read as "more than one set of library
    versions" over one install, and the lake's report was not the DuckDB study's
    (`test_engine_parity.test_report_is_the_same_report`). Here without Spark: the same runs, one
    study with PySpark recorded by its stage as a lake's run records it."""
    from botwatch.report.build import build_report
    from testsupport.report_compare import report_differences

    html = {}
    for name, lake in (("duck", False), ("lake", True)):
        st = Study(tmp_path / f"{name}.duckdb")
        with st.run("ingest", {"inputs": []}):  # as `lake_from_study` copies the DuckDB study's ingest
            pass
        with st.run("coverage", {"election": "uk-ge2017"}):
            pass
        if lake:
            p = json.loads(st.sql("SELECT params FROM runs WHERE stage = 'coverage'")[0][0])
            st.sql("UPDATE runs SET params = ? WHERE stage = 'coverage'", [json.dumps({**p, "libraries": {**p["libraries"], "pyspark": "<i>4.0</i>"}})])
            r = reproduction(st, "lake.duckdb")
            assert len(r["libraries"]) == 1 and r["libraries_spark"] == ["<i>4.0</i>"], r
            script = reproduction_script(st, "lake.duckdb")
            assert "more than one set" not in script and "# and the runs on a lake: pyspark <i>4.0</i>\n" in script
        html[name] = build_report(st, tmp_path / name / "r.html", title="parity", ctx={"nonce": "parity"}, exports=False).read_text(encoding="utf-8")
        st.close()
    assert "the runs on a lake: pyspark &lt;i&gt;4.0&lt;/i&gt;</span>" in html["lake"] and "more than one set" not in html["lake"]
    assert report_differences(html["duck"], html["lake"], "duck.duckdb", "lake.duckdb") == []


# A stage module and a library whose arithmetic or model makes its figures (`import` name).
_STAGE_LIBRARIES = [
    ("coordination/network.py", "scipy"),  # the null test's Poisson tail: which pairs are kept
    ("coordination/near.py", "datasketch"),  # near-duplicate text (MinHash)
    ("content/language.py", "py3langid"),  # each post's language, and so which get a sentiment
    ("content/vader_fast.py", "vaderSentiment"),  # the sentiment of posts the trained model does not read
    ("impact/leadlag.py", "statsmodels"),  # the impact stage's tests (optional: "not installed" then)
    ("accounts/features.py", "pandas"),  # the accounts' features
]


def test_every_library_a_stage_computes_with_is_recorded() -> None:
    """The list named DuckDB, Ibis, PyArrow, NumPy, LightGBM and igraph as "the libraries that
    decide results", but SciPy's Poisson tail keeps or drops coordination's pairs and py3langid
    says which posts are English: another version of either could move a figure while the report
    said every run had the libraries installed here."""
    from importlib.metadata import packages_distributions

    import botwatch

    dists = packages_distributions()
    src = Path(botwatch.__file__).parent
    for module, name in _STAGE_LIBRARIES:
        text = (src / module).read_text(encoding="utf-8")
        assert f"import {name}" in text or f"from {name}" in text, (module, name)  # the stage still uses it
        assert any(d in RESULT_LIBRARIES for d in dists.get(name, [name])), (module, name)


def test_the_installed_versions_are_looked_up_once() -> None:
    """Every run, export and `version` asks for them; a cache smaller than the list never hit."""
    from botwatch.library_versions import _installed

    _installed.cache_clear()
    library_versions("spark")
    library_versions("spark")
    assert _installed.cache_info().misses == len(RESULT_LIBRARIES) + 1
