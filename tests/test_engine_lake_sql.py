"""The DuckDB-to-lake statement translation, without Spark: parameters bound as literals (never
pasted), statements sorted into the writes a lake performs, DELETE as the rows kept."""

from __future__ import annotations

from datetime import datetime

import pytest

from botwatch.engines import lake_sql


def test_parameters_become_literals_in_order_and_stay_values() -> None:
    hostile = "x'); DROP TABLE posts; --"
    tree = lake_sql.parse("SELECT * FROM posts WHERE account_id = ? AND created_at >= ? AND n > ?", [hostile, datetime(2016, 11, 8, 5), 1.5])
    text = lake_sql.spark_sql(tree)
    assert "x\\'); DROP TABLE posts; --'" in text  # one string literal, quote escaped
    assert text.index("x\\'") < text.index("2016-11-08 05:00:00") < text.index("1.5")
    assert "CAST(1.5 AS DOUBLE)" in text  # a bare 1.5 would be a DECIMAL in Spark


def test_parameters_follow_the_text_order_not_the_tree_order() -> None:
    """LIMIT's `?` comes last in the text; a `?` inside a string is text, not a parameter."""
    tree = lake_sql.parse("SELECT '?' AS q FROM t WHERE coalesce(p, 0) >= ? ORDER BY p DESC LIMIT ?", [0.25, 5])
    text = lake_sql.spark_sql(tree)
    assert "'?' AS q" in text and ">= CAST(0.25 AS DOUBLE)" in text and text.endswith("LIMIT 5")
    listed = lake_sql.spark_sql(lake_sql.parse("SELECT x FROM t WHERE c IN (?,?,?,?,?) AND d = ?::INT", ["a", "b", "c", "d", "e", 6]))
    assert "IN ('a', 'b', 'c', 'd', 'e')" in listed and "CAST(6 AS INT)" in listed


def test_parameter_count_must_match() -> None:
    with pytest.raises(lake_sql.LakeSqlError, match="2 parameters, 1 given"):
        lake_sql.parse("SELECT ?, ?", [1])


def test_create_or_replace_table_as_select_is_a_replacing_write() -> None:
    stmt = lake_sql.classify(lake_sql.parse("CREATE OR REPLACE TABLE coverage_daily AS SELECT platform, count(*) AS n FROM posts GROUP BY ALL"))
    assert (stmt.kind, stmt.name, stmt.replace, stmt.temp) == ("create_as", "coverage_daily", True, False)
    assert lake_sql.spark_sql(stmt.source) == "SELECT platform, COUNT(*) AS n FROM posts GROUP BY ALL"
    temp = lake_sql.classify(lake_sql.parse("CREATE OR REPLACE TEMP TABLE _t AS SELECT 1 AS x"))
    assert (temp.kind, temp.name, temp.temp) == ("create_as", "_t", True)


def test_create_table_if_not_exists_gives_a_spark_schema() -> None:
    stmt = lake_sql.classify(lake_sql.parse('CREATE TABLE IF NOT EXISTS m (key VARCHAR PRIMARY KEY, "value" DOUBLE, ts TIMESTAMP, tags VARCHAR[])'))
    assert (stmt.kind, stmt.if_not_exists) == ("create_empty", True)
    assert lake_sql.column_defs(stmt) == "`key` STRING, `value` DOUBLE, `ts` TIMESTAMP, `tags` ARRAY<STRING>"


def test_delete_keeps_rows_whose_condition_is_false_or_null() -> None:
    stmt = lake_sql.classify(lake_sql.parse("DELETE FROM runs WHERE stage = ?", ["coverage"]))
    assert (stmt.kind, stmt.name) == ("delete", "runs")
    assert lake_sql.delete_keep_query(stmt) == "SELECT * FROM runs WHERE NOT COALESCE((stage = 'coverage'), FALSE)"


def test_insert_with_columns_and_drop() -> None:
    stmt = lake_sql.classify(lake_sql.parse("INSERT INTO runs (run_id, stage) VALUES (?, ?)", ["r1", "s"]))
    assert (stmt.kind, stmt.name, stmt.columns) == ("insert", "runs", ["run_id", "stage"])
    drop = lake_sql.classify(lake_sql.parse("DROP TABLE IF EXISTS _coord_pairs"))
    assert (drop.kind, drop.name, drop.if_exists) == ("drop", "_coord_pairs", True)
    with pytest.raises(lake_sql.LakeSqlError, match="ON CONFLICT"):
        lake_sql.classify(lake_sql.parse("INSERT INTO m VALUES (1) ON CONFLICT DO NOTHING"))


def test_information_schema_is_read_from_the_lake_listing() -> None:
    stmt = lake_sql.classify(lake_sql.parse("SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", ["posts"]))
    assert stmt.kind == "info_schema"
    text = lake_sql.rename_info_schema(stmt.tree, "_lake_tables", "_lake_columns").sql(dialect="duckdb")
    assert "FROM _lake_columns" in text and "information_schema" not in text


def test_cli_engine_errors_are_one_line_without_starting_spark(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missing lake and an unknown engine are said in one red line (no traceback, no JVM)."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["analyze", "--engine", "spark", str(tmp_path / "nolake")])
    assert res.exit_code == 2 and "no lake study at" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["status", "--engine", "sparky", str(tmp_path / "x")])
    assert res.exit_code == 2 and "unknown engine 'sparky'" in res.output


def test_a_url_argument_keeps_its_double_slash() -> None:
    from pathlib import Path

    from botwatch.cli.common import study_location
    from botwatch.engines.lake import is_lake_path

    where = study_location(Path("s3a://bucket/lake"))
    assert where == "s3a://bucket/lake" and is_lake_path(where)
    assert study_location(Path("study.duckdb")) == "study.duckdb"


def test_a_url_without_a_host_keeps_its_three_slashes() -> None:
    """`botwatch status file:///data/lake` opened `file://data/lake` (Path folds the slashes, and
    putting back two made "data" the host): Hadoop refused it, "Wrong FS ... expected: file:///"."""
    from pathlib import Path

    from botwatch.cli.common import study_location

    assert study_location(Path("file:///data/lake")) == "file:///data/lake"
    assert study_location(Path("file:/data/lake")) == "file:///data/lake"
    assert study_location(Path("s3a://bucket/lake")) == "s3a://bucket/lake"
    # A string (what the command line's study argument is) is taken as typed, whatever the scheme:
    # hdfs:/// is the default namenode's root, with no sys.argv to look it up in.
    assert study_location("hdfs:///studies/ge2017/") == "hdfs:///studies/ge2017/"


@pytest.mark.parametrize(("query", "what"), [
    ("INSERT INTO t BY NAME SELECT 1 AS b, 2 AS a", "BY NAME"),
    ("DELETE FROM t USING u WHERE t.a = u.a", "USING"),
    ("DELETE FROM t AS x WHERE x.a = 1", "alias"),
])
def test_statements_whose_meaning_the_lake_would_change_are_refused(query: str, what: str) -> None:
    """Positional INSERT for BY NAME, or a DELETE whose USING/alias is dropped, would write wrong rows."""
    with pytest.raises(lake_sql.LakeSqlError, match=what) as err:
        lake_sql.classify(lake_sql.parse(query))
    assert "DELETE" in str(err.value) or "INSERT" in str(err.value)


def test_len_of_a_list_is_spark_size_and_len_of_text_stays_length() -> None:
    """DuckDB's len() counts a list's items too; Spark's LENGTH takes text only (a plug-in stage's
    `sum(len(string_split(text, ' ')))` failed on a lake with a type mismatch)."""
    text = lake_sql.spark_sql(lake_sql.parse("SELECT sum(len(string_split(text, ' '))), len([1, 2]), len(text) FROM posts"))
    assert text.startswith("SELECT SUM(SIZE(SPLIT(text") and "SIZE(ARRAY(1, 2))" in text and "LENGTH(text)" in text
