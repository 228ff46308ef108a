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
