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


def test_force_under_a_map_with_other_ids_is_refused_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lake = tmp_path / "lake"
    first = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED])
    assert first.exit_code == 0, first.output
    posts = pq.read_table(table_path(str(lake), "posts")).num_rows
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",post_id=row_id", "--force"])
    said = " ".join(again.output.split())
    assert again.exit_code == 1 and "refused" in said and "read before with the column map" in said, again.output  # refused: exit 1, as on DuckDB
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts
    same = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",location=user_location", "--force"])
    assert same.exit_code == 0 and "stored 0" in " ".join(same.output.split()), same.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts


def test_a_header_only_csv_beside_a_stored_file_exits_1_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_exit_status.py): an input that put nothing in fails the command."""
    lake, empty = tmp_path / "lake", tmp_path / "h.csv"
    empty.write_text(GOP.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), str(empty), "--columns", DERIVED])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "1 of 2 inputs failed (1 empty: no records in it)" in said, res.output
    assert "Traceback" not in res.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows > 20
