"""Errors opening a study for writing are worded for who asked: a notebook or script that opened
it (`Study`, `api.analyze`) ran no command, and was told "this command records its results in the
study"; a `botwatch` command still says that (`StudyError.for_command`), as `StudyBusy` does."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import Study, StudyError


def _study(path: Path) -> Path:
    Study(path).close()
    return path


def _folder_unwritable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Root ignores folder permissions, so the folder's answer is stood in for."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == folder and mode & os.W_OK else real(p, mode, *a, **k))


def _permission_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str, *a: object, **k: object) -> None:
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", refuse)


@pytest.mark.parametrize("why", ["folder", "file"])
def test_from_python_no_command_is_named_and_a_command_still_says_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    study = _study(tmp_path / "s.duckdb")
    (_folder_unwritable(monkeypatch, tmp_path) if why == "folder" else _permission_denied(monkeypatch))
    with pytest.raises(StudyError) as exc:
        Study(study, read_only=False)
    api, cli = str(exc.value), exc.value.for_command()
    assert "this command" not in api and "run this" not in api and "it was opened for writing, to record results in it" in api, api
    assert "this command records its results in the study" in cli, cli
    assert pickle.loads(pickle.dumps(exc.value)).for_command() == cli
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "coverage"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "this command records its results in the study" in said and "opened for writing" not in said, said
