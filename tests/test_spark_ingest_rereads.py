"""A lake refuses a re-read under a column map that gives the file's posts other ids, as a DuckDB
study does (ingest/rereads.py): `--force` must not store every post a second time."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import table_path

pytestmark = pytest.mark.spark

GOP = Path(__file__).resolve().parent / "fixtures" / "ingest" / "gop_debate_2015_tweets.csv"
DERIVED = "account_id=author,handle=author,created_at=created_at,text=text"


def test_force_under_a_map_with_other_ids_is_skipped_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lake = tmp_path / "lake"
    first = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED])
    assert first.exit_code == 0, first.output
    posts = pq.read_table(table_path(str(lake), "posts")).num_rows
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",post_id=row_id", "--force"])
    said = " ".join(again.output.split())
    assert again.exit_code == 0 and "skipped" in said and "read before with the column map" in said, again.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts
    same = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",location=user_location", "--force"])
    assert same.exit_code == 0 and "stored 0" in " ".join(same.output.split()), same.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts
