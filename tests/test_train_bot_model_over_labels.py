"""`train-bot-model labels.csv -o labels.csv` trained, then wrote the model over the labels it had
read, without a word: the user's labelling was gone. It is refused before anything is read or
written (the model file and the figures file written beside it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

# 20 botwiki bots, 20 verified humans (real): enough to train, so without the check the file is overwritten
PROFILES = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"


@pytest.mark.parametrize("name, out", [("labels.csv", "labels.csv"), ("labels.csv", "sub/../labels.csv"),
                                       ("labels.figures.json", "labels.json.gz")])
def test_an_output_that_is_the_labels_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, out: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    labels = tmp_path / name
    shutil.copyfile(PROFILES, labels)
    before = labels.read_bytes()
    res = CliRunner().invoke(app, ["train-bot-model", name, "-o", out, "--observed-at", "2019-06-01"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "is the labels file being read" in said, said
    assert labels.read_bytes() == before
