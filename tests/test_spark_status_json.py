"""`botwatch status LAKE --json` reads a lake as `status` does (its small tables at the driver):
the same object as a DuckDB study's, with `engine` "spark". One small ingest on the shared local
SparkSession keeps the Spark cost to seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from test_status_json import _agrees_with_the_words, status_json

pytestmark = pytest.mark.spark

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_a_lake_as_json(spark: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output
    doc = status_json(lake)
    assert doc["engine"] == "spark" and doc["study"] == str(lake) and doc["counts"]["posts"] == 6 and doc["counts"]["sources"] == 1
    assert [(r["stage"], r["status"]) for r in doc["stages"]] == [("ingest", "ok")] and doc["stages"][0]["finished"].endswith("Z")
    assert doc["election"] is None and doc["warnings"] == []
    said = " ".join(CliRunner().invoke(app, ["status", str(lake)], env={"COLUMNS": "300"}).output.split())
    _agrees_with_the_words(doc, said)
