"""One study used by two commands at once, or kept where it cannot be written (the audit of
2026-12-05): each test holds one thing a user met that was said wrong or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


@contextmanager
def held_by_another_process(path: Path, read_only: bool = False) -> Iterator[subprocess.Popen]:
    """`path` open in a second Python process (for writing unless `read_only`) while the block runs."""
    code = ("import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1'); "
            "print('held', flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), "1" if read_only else "0"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the holder ends when its stdin does
        proc.wait(timeout=30)


def test_demo_leaves_alone_a_demo_study_another_process_is_writing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A second `botwatch demo` while the first was still analysing called the busy study "not the
    bundled sample's" and suggested --force, which then deleted the file under the first demo."""
    from botwatch.cli import analyze as analyze_cli

    folder = tmp_path / "demo"
    folder.mkdir()
    study = _empty_study(folder / "sample.duckdb")
    monkeypatch.setattr(analyze_cli, "ingest", lambda *a, **k: pytest.fail("ingested into a study another process holds"))
    with held_by_another_process(study) as holder:
        inode = study.stat().st_ino
        for extra in ([], ["--force"]):
            res = runner.invoke(app, ["demo", "-o", str(folder), *extra])
            said = " ".join(res.output.split())
            assert res.exit_code == 2 and f"process {holder.pid}" in said and "not the bundled sample's" not in said, res.output
            assert study.stat().st_ino == inode  # the holder's file, not deleted
