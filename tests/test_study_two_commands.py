"""One study used by two commands at once, or kept where it cannot be written (the audit of
2026-12-05): each test holds one thing a user met that was said wrong or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from botwatch import Study
from botwatch.cli import app

runner = CliRunner()


def _empty_study(path: Path) -> Path:
    Study(path).close()
    return path


def test_a_study_in_a_folder_this_user_may_not_write_is_refused_before_any_stage(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A study file the user may write, in a folder they may not (a shared folder, a read-only
    mount with the file bound writable): DuckDB opened it for writing and failed at the first
    commit, creating its journal `s.duckdb.wal`, so `analyze` said "This is a bug in botwatch" and
    `ingest` "free space and run the same command again". Root ignores folder permissions, so the
    folder's answer is stood in for."""
    study = _empty_study(tmp_path / "s.duckdb")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == tmp_path and mode & os.W_OK else real_access(p, mode, *a, **k))
    res = runner.invoke(app, ["analyze", str(study), "--only", "coverage"])
    assert res.exit_code == 2, res.output
    said = " ".join(res.output.split())
    assert "s.duckdb.wal" in said and "may not create files in the folder" in said and "copy it" in said, said
    assert "bug in botwatch" not in said and "Traceback" not in said
    status = runner.invoke(app, ["status", str(study)])  # reading needs no journal
    assert status.exit_code == 0, status.output
