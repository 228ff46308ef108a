"""A study a newer botwatch wrote (its `botwatch_meta.schema_version` above this release's) was
opened for writing without a word: `ingest` and `analyze` rewrote its tables in the older layout
while the study still claimed the newer one. Writing is now refused with a line that says to
upgrade; reading is left alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import botwatch
from botwatch import api
from botwatch.cli import app
from botwatch.exports_typed import SCHEMA_VERSION
from botwatch.study import Study, StudyError


def _newer_study(path: Path) -> Path:
    """An empty study, then marked as a later release would leave it."""
    Study(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE botwatch_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    return path


def _stored(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT value FROM botwatch_meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        con.close()


def test_writing_a_newer_study_is_refused_and_reading_it_is_not(tmp_path: Path) -> None:
    study = _newer_study(tmp_path / "s.duckdb")
    newer = f"layout {SCHEMA_VERSION + 1}"
    with pytest.raises(StudyError, match=rf"written by a newer botwatch \(study {newer};.*upgrade botwatch.*open_study\(path\), read-only, still works"):
        botwatch.open_study(study, read_only=False)
    with pytest.raises(StudyError, match="newer botwatch"):
        api.analyze(study, only=["coverage"], log=None)
    with botwatch.open_study(study) as st:  # read-only: nothing is written, so nothing is refused
        assert st.schema_version == SCHEMA_VERSION + 1
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "coverage"])
    assert res.exit_code == 2 and "Traceback" not in res.output  # README: the usage errors, as a study that is not one
    assert "newer botwatch" in res.output and "`botwatch status`, `report` and `export` still read it" in res.output
    assert _stored(study) == str(SCHEMA_VERSION + 1)
