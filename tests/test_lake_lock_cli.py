"""A lake another command is writing, met on the command line: `analyze` and `ingest` stop with
one error line naming the holder (exit 2, no traceback), leave its lock alone, and `status`
still reads the lake. Runs on the shared local SparkSession (the commands use it)."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import LakeStudy
from botwatch.engines.lake_lock import LOCK_FILE
from test_lake_lock_stale import _holder

pytestmark = pytest.mark.spark

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in output, output
    return lines[0]


def test_a_busy_lake_is_one_line_for_every_writing_command(spark: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    LakeStudy(lake, spark=spark).close()
    holder = _holder(lake)  # another `botwatch analyze lake/`, still running
    try:
        before = (lake / LOCK_FILE).read_text()
        for args in (["analyze", str(lake), "--engine", "spark"], ["ingest", "--engine", "spark", str(lake), str(FIX / "ira_authors.csv")]):
            res = CliRunner().invoke(app, args)
            assert res.exit_code == 2, res.output
            line = _one_error_line(res.output)
            assert "is being written by" in line and "botwatch analyze lake/" in line and LOCK_FILE in line
        assert (lake / LOCK_FILE).read_text() == before  # the holder's lock is untouched
        res = CliRunner().invoke(app, ["status", str(lake)])  # readers take no lock
        assert res.exit_code == 0, res.output
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # Killed: the next writer takes the lake over, saying so in one line, and gives it back.
    res = CliRunner().invoke(app, ["analyze", str(lake), "--engine", "spark"])
    assert res.exit_code == 1 and "holds no posts" in res.output, res.output  # opened for writing: an empty lake
    assert "removed a stale lock" in res.output and "Traceback" not in res.output, res.output
    assert not (lake / LOCK_FILE).exists()
    assert json.loads((lake / "_botwatch_lake.json").read_text())["format"]
