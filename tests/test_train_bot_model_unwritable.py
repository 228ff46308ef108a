"""`train-bot-model -o PATH` where the model cannot be written is one line, not "a bug".

`-o /proc/m.json.gz` (or a folder the user may not write) trained, then ended in
"FileNotFoundError: [Errno 2] ... This is a bug in botwatch" (exit 1): the path is the user's
choice, said as "could not write PATH: REASON" with exit 2, as `report -o` says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

LABELS = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def test_a_model_file_that_cannot_be_written_is_said_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts.botmodel import BotModel

    def refuse(self: BotModel, path: str | Path) -> Path:  # what a folder without write permission gives a user who is not root
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(BotModel, "save", refuse)
    out = tmp_path / "m.json.gz"
    res = CliRunner().invoke(app, ["train-bot-model", str(LABELS), "-o", str(out)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert f"could not write {out}: Permission denied" in said and "bug" not in said and "Traceback" not in said


def test_a_folder_where_the_figures_go_is_said_before_training_and_nothing_is_written(tmp_path: Path) -> None:
    """A folder named as the figures file ended, after training, in "could not write m.figures.json:
    Is a directory" with the model already written beside it: said now before anything is."""
    out = tmp_path / "m.json.gz"
    (tmp_path / "m.figures.json").mkdir()
    res = CliRunner().invoke(app, ["train-bot-model", str(LABELS), "-o", str(out)], terminal_width=400)
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert f"{tmp_path / 'm.figures.json'} is a folder" in said and "nothing was written" in said, said
    assert not out.exists() and not (tmp_path / "m.reliability.svg").exists()


def test_figures_that_cannot_be_written_after_the_model_say_the_model_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills after the model is saved: the line says the model was written and is
    usable, and which files are missing; the exit is a failure, as a partial `export` is."""
    real = Path.write_text

    def full(self: Path, *args: object, **kwargs: object) -> int:
        if self.name.endswith(".figures.json"):
            raise OSError(28, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "m.json.gz"
    res = CliRunner().invoke(app, ["train-bot-model", str(LABELS), "-o", str(out)], terminal_width=400)
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert out.exists() and not (tmp_path / "m.reliability.svg").exists()
    assert f"could not write {tmp_path / 'm.figures.json'}: No space left on device" in said, said
    assert f"Written before it: {out}; the model is usable" in said and "m.reliability.svg are missing" in said, said
    assert "Traceback" not in said


def test_a_disk_that_fills_while_the_figures_are_written_names_them_not_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk's error from write or close names no file (`Path("/dev/full").write_text` gives
    OSError 28 with no filename): the line named the model, written whole before, as the file not
    written, and did not say it was usable."""
    real = Path.write_text

    def full(self: Path, *args: object, **kwargs: object) -> int:
        if self.name.endswith(".figures.json"):
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "m.json.gz"
    res = CliRunner().invoke(app, ["train-bot-model", str(LABELS), "-o", str(out)], terminal_width=400)
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and out.exists(), said
    assert f"could not write {tmp_path / 'm.figures.json'}: No space left on device" in said, said
    assert f"Written before it: {out}; the model is usable" in said, said
