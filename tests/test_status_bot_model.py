"""`botwatch status` says which bot model scored the study, how well it was measured, and when the
model selected now is another one (`model_used.bot_model_status`).

Walk (a platform team scoring a study with its own model trained on 30 accounts): `status` listed
the stages and the election and never the model; `explain` and the report alone said it was the
team's own, and that the shell now selected the shipped one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_report_bot_model_used import own_study, own_study_shared  # noqa: F401  (fixtures used below)


def _status(study: Path, *more: str) -> str:
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["status", str(study), *more], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    return res.stdout if "--json" in more else " ".join(res.stdout.split())


def test_status_names_the_users_model_and_warns_when_another_is_selected(own_study: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    study, model = own_study
    said = _status(study)
    assert f"bot model: The bot probabilities were made with your own bot model ({model})" in said, said
    assert "trained on 1,472 stclab labelled accounts; out-of-fold AUC 0.947" in said
    assert "bot model not selected" not in said  # the shell still names that model
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    said = _status(study)
    assert f"bot model not selected: The bot probabilities in this study were made with {model}" in said, said
    doc = json.loads(_status(study, "--json"))
    assert doc["bot_model"]["kind"] == "own" and doc["bot_model"]["file"] == str(model)
    assert doc["bot_model"]["line"] in said
    (warned,) = [w for w in doc["warnings"] if w["kind"] == "bot_model_not_selected"]
    assert warned["command"] == f"botwatch analyze {study}" and warned["stages"] == ["accounts"]


def test_status_names_the_shipped_model(analysed_sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOTWATCH_BOT_MODEL", raising=False)
    said = _status(analysed_sample_path)
    assert "bot model: the shipped one (SHA-256 " in said and "bot model not selected" not in said, said
    doc = json.loads(_status(analysed_sample_path, "--json"))
    assert doc["bot_model"]["kind"] == "shipped"
    # What a count of mostly people rests on, not only where the figures are (stclab's humans held out).
    most = "held out, it counted 26% of stclab's humans likely automated, the most of any labelled source"
    assert most in doc["bot_model"]["line"] and most in " ".join(said.split()), said
