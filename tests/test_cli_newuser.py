"""What a new user meets walking through README.md and docs/ on the DuckDB path: the mistakes they
make (the study argument forgotten, a file botwatch cannot read, a missing input) and the hostile
text they feed it get one clear line, never a silent loss, a traceback or a repainted terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def test_ingest_with_the_study_argument_forgotten_refuses_and_loses_nothing(tmp_path: Path) -> None:
    """`botwatch ingest tweets.jsonl more.jsonl`: DuckDB opened the first input as an in-memory
    database, so the command reported every post stored while nothing reached the disk."""
    first = tmp_path / "tweets.jsonl"
    shutil.copy(FIX / "v1_uklabour.jsonl", first)
    before = first.read_bytes()
    res = runner.invoke(app, ["ingest", str(first), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code == 2, res.output
    assert "is not a study (not a DuckDB file)" in res.output and "botwatch ingest study.duckdb" in res.output
    assert "stored" not in res.output and "Traceback" not in res.output
    assert first.read_bytes() == before
    status = runner.invoke(app, ["status", str(first)])  # was "Cannot launch in-memory database in read-only mode!"
    assert status.exit_code == 2 and "is not a study" in status.output and "in-memory" not in status.output


def test_open_study_refuses_a_file_that_is_not_a_study(tmp_path: Path) -> None:
    """The library path too: `open_study("archive.csv", read_only=False)` wrote to memory only."""
    import pytest

    from botwatch.study import StudyError

    csv = tmp_path / "archive.csv"
    shutil.copy(FIX / "ira_tweets.csv", csv)
    with pytest.raises(StudyError, match="not a study"):
        open_study(csv, read_only=False)
