"""`ingest --engine spark` fails in one line, with no traceback, where it cannot run (no JVM needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_without_pyspark_the_command_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyspark` now fails as if it were not installed
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(tmp_path / "lake"), str(FIX / "ira_authors.csv")])
    assert res.exit_code == 2
    assert "needs PySpark" in res.output and "pip install" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "lake").exists()


def test_an_unknown_engine_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", "--engine", "postgres", str(tmp_path / "s.duckdb"), str(FIX / "ira_authors.csv")])
    assert res.exit_code == 2 and "--engine must be duckdb or spark" in res.output
    assert not (tmp_path / "s.duckdb").exists()


def test_url_inputs_reach_spark_not_a_local_file_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`ingest --engine spark LAKE s3a://...` hands the URLs to the Spark ingest (which lists them
    through Hadoop); without --engine spark a URL is still a missing file."""
    import botwatch.cli.ingest_spark as ingest_spark

    seen: list[list[str]] = []
    monkeypatch.setattr(ingest_spark, "ingest_on_spark", lambda location, files, *a, **k: seen.append(files))
    urls = ["s3a://bucket/captures/", "hdfs://nn:8020/x/*.jsonl.gz"]
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(tmp_path / "lake"), *urls])
    assert res.exit_code == 0, res.output
    assert seen == [urls]
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), urls[0]])
    assert res.exit_code == 2 and "no such file" in res.output
