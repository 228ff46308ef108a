"""A folder named like a preset in the working directory (a project's `uk-ge2017/`) does not hide
the preset: `--election uk-ge2017` failed with "election file uk-ge2017 is a directory"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import ElectionError, load_election


def test_a_folder_named_like_a_preset_does_not_hide_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "uk-ge2017").mkdir()
    assert load_election("uk-ge2017").key == "uk-ge2017"
    res = CliRunner().invoke(app, ["elections", "check", "uk-ge2017"])
    assert res.exit_code == 0 and "ok: uk-ge2017" in res.output, res.output


def test_another_folder_is_still_no_election_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    with pytest.raises(ElectionError, match="is a directory"):
        load_election("mine")
