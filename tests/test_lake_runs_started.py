"""A lake records a run when it starts, as a DuckDB study does (`Study._record_start`): a command
killed mid-stage left no `runs` row on a lake, so `status` showed the earlier complete run as the
latest, where DuckDB says the run never finished. A run that ends leaves one row; a reader that
finds the row while the lake's writer still runs (readers take no lock) says it is running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import LakeStudy, table_path
from botwatch.study import RUNNING, utcnow

pytestmark = pytest.mark.spark


def _status(path: Path) -> str:
    res = CliRunner().invoke(app, ["status", str(path)])
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split())


def _row(run_id: str) -> list[Any]:
    return [run_id, "content", "{}", "0", utcnow(), None, RUNNING, None, None]


def test_a_killed_run_on_a_lake_reads_never_finished_and_an_ended_one_keeps_one_row(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    with LakeStudy(path, spark=spark) as lake:
        with lake.run("content", {"a": 1}):
            pass
        lake._record_start(_row("killed1"))  # what `run` writes first; a SIGKILL runs no `finally`
    rows = pq.read_table(table_path(str(path), "runs")).to_pylist()
    assert sorted((r["stage"], r["status"]) for r in rows) == [("content", "ok"), ("content", RUNNING)]  # the ended run: one row
    said = _status(path)
    assert "content │ never finished" in said or "never finished" in said.split("Latest run of each stage")[1], said
    assert "cut off: the latest run of content started" in said and "the complete run before it finished" in said, said


def test_a_run_going_on_is_running_to_a_reader_of_the_lake(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    writer = LakeStudy(path, spark=spark)
    try:
        writer._record_start(_row("live1"))
        said = _status(path)  # a reader: no lock, while the writer holds it
        assert "running now" in said and "never finished" not in said and "cut off" not in said, said
    finally:
        writer.close()
