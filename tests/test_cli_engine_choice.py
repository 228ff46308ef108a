"""`--engine` given the other kind of study, or a folder given to a DuckDB ingest: one line that
says what the path is and what to type, said before DuckDB or a JVM starts (no Spark needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import LAKE_MARKER

SAMPLE = Path(__file__).resolve().parents[1] / "src/botwatch/data/sample/twarc2_brexit.jsonl.gz"


@pytest.fixture()
def lake(tmp_path: Path) -> Path:
    """A folder a command takes for a lake (the marker is what says so)."""
    folder = tmp_path / "lake"
    folder.mkdir()
    (folder / LAKE_MARKER).write_text(json.dumps({"format": "botwatch-lake/1"}))
    return folder


def _run(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, res.output


@pytest.mark.parametrize("command", [["status"], ["analyze"], ["report"], ["export", "-", "posts", "-o", "p.csv"]])
def test_a_lake_given_engine_duckdb(lake: Path, command: list[str]) -> None:
    args = [command[0], "--engine", "duckdb", str(lake), *command[2:]] if command[0] == "export" else [command[0], "--engine", "duckdb", str(lake)]
    code, out = _run(args)
    assert code == 2 and "is a lake" in out and "--engine spark" in out


def test_ingest_into_a_lake_with_engine_duckdb(lake: Path) -> None:
    code, out = _run(["ingest", "--engine", "duckdb", str(lake), str(SAMPLE)])
    assert code == 2 and "is a lake" in out and "--engine spark" in out


@pytest.mark.parametrize("command", ["status", "analyze", "report"])
def test_a_duckdb_file_given_engine_spark(tmp_path: Path, command: str) -> None:
    study = tmp_path / "s.duckdb"
    study.write_bytes(b"not opened")
    code, out = _run([command, "--engine", "spark", str(study)])
    assert code == 2 and "is a file (a DuckDB study?)" in out and "without --engine spark" in out


@pytest.mark.parametrize("name", ["newlake/", "existing"])
def test_a_folder_given_to_a_duckdb_ingest(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    if not name.endswith("/"):
        target.mkdir()
    code, out = _run(["ingest", str(target) + ("/" if name.endswith("/") else ""), str(SAMPLE)])
    assert code == 2 and "is a folder" in out and "--engine spark" in out
    assert not (tmp_path / name.rstrip("/")).is_file(), "a DuckDB file was made from the folder's name"


# The commands that run a stage on a study took neither `--engine` nor `--spark-master` ("No such
# option"), though docs/spark.md says the same commands run on a lake with `--engine spark`: on a
# cluster they could only be pointed at its master through SPARK_MASTER.
STAGE_COMMANDS = {"estimate": [], "coordination": [], "impact": ["-p", "labour"]}


@pytest.mark.parametrize("command", sorted(STAGE_COMMANDS))
def test_stage_commands_take_engine_spark(tmp_path: Path, command: str) -> None:
    study = tmp_path / "s.duckdb"
    study.write_bytes(b"not opened")
    code, out = _run([command, str(study), *STAGE_COMMANDS[command], "--engine", "spark"])
    assert code == 2 and "is a file (a DuckDB study?)" in out and "without --engine spark" in out


@pytest.mark.parametrize("command", sorted(STAGE_COMMANDS))
def test_stage_commands_take_spark_master_for_a_lake(lake: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    # A session another test of this worker started is reused whatever the master (its master cannot
    # change), and the value would never be read: as in a fresh process, no session is running.
    spark_sql = pytest.importorskip("pyspark.sql")
    monkeypatch.setattr(spark_sql.SparkSession, "getActiveSession", classmethod(lambda cls: None))
    code, out = _run([command, str(lake), *STAGE_COMMANDS[command], "--spark-master", "nonsense["])
    assert code == 2 and "--spark-master=nonsense[ is not a Spark master URL" in out, out
