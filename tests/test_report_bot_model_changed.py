"""A study scored with one bot model, then the model retrained (or another selected): the report
and `explain` quoted nothing of it, and the probabilities read as the selected model's. Both now
say plainly that the scores are the earlier model's (from the SHA-256 the accounts run recorded)
and give the command that scores the study again."""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _cli():  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from botwatch.cli import app

    return CliRunner(), app


def _model(path: Path, trained: int) -> Path:
    """The shipped trees with a user's figures (`trained` tells two versions of the file apart)."""
    data = json.loads(gzip.decompress((resources.files("botwatch.accounts") / "models" / "bot_model.json.gz").read_bytes()))
    data["meta"] = {**data["meta"], "trained_on": {"mine": trained}, "loso": []}
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def _text(html: str) -> str:
    import html as html_mod

    s = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def _report_and_explain(study: Path, out: Path) -> tuple[str, str, str, str]:
    """(the report's banner text or "", its whole text, `report`'s stderr, `explain`'s stdout)."""
    runner, app = _cli()
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports", "--force"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    banner = re.search(r'<div class="warning" role="note" id="bot-model-changed">(.*?)</div>', html, re.S)
    from botwatch.study import open_study

    with open_study(study) as st:
        handle = st.sql("SELECT handle FROM accounts_scored WHERE bot_probability IS NOT NULL ORDER BY handle LIMIT 1")[0][0]
    ex = runner.invoke(app, ["explain", str(study), handle])
    assert ex.exit_code == 0, ex.output
    return _text(banner.group(1)) if banner else "", _text(html), " ".join(res.stderr.split()), " ".join(ex.stdout.split())


def _scored_with_own_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A user's model (`mine.json.gz`, trained on 100) and a study of the fixture whose accounts it
    scored, `BOTWATCH_BOT_MODEL` left pointing at it: (model, study)."""
    runner, app = _cli()
    model = _model(tmp_path / "mine.json.gz", 100)
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    return model, study


def test_a_retrained_model_file_is_said_with_the_command_that_rescores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner, app = _cli()
    model, study = _scored_with_own_model(tmp_path, monkeypatch)
    banner, _, err, explained = _report_and_explain(study, tmp_path / "r.html")
    assert banner == "" and "another bot model" not in err and "earlier" not in explained  # the same model: nothing to say

    _model(model, 200)  # retrained into the same file after the analysis
    banner, _, err, explained = _report_and_explain(study, tmp_path / "r.html")
    cmd = f"BOTWATCH_BOT_MODEL={model} botwatch analyze {study}"
    assert "earlier version of" in banner and str(model) in banner and "has changed since the accounts were scored" in banner
    assert f"BOTWATCH_BOT_MODEL={model} botwatch analyze s.duckdb" in banner and "build the report again" in banner  # the page names the study by its file name
    assert f"`{cmd}`" in err and "earlier version of" in err
    assert f"`{cmd}`" in explained and "earlier version of" in explained
    assert "Run with BOTWATCH_BOT_MODEL pointing at that file" not in explained  # it does point at it: the file changed

    monkeypatch.delenv("BOTWATCH_BOT_MODEL")  # the shipped model selected now
    banner, _, err, explained = _report_and_explain(study, tmp_path / "r.html")
    assert f"made with {model}" in banner and "not with the bot model selected now, the shipped model" in banner
    assert "run botwatch analyze s.duckdb" in banner and "BOTWATCH_BOT_MODEL=" not in banner.split("run", 1)[1]
    assert "not with the bot model selected now" in explained

    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0  # rescored: said no more
    banner, text, err, explained = _report_and_explain(study, tmp_path / "r.html")
    assert banner == "" and "selected now" not in text and "selected now" not in err and "selected now" not in explained


def test_a_study_scored_by_the_shipped_model_then_a_users_model_selected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    monkeypatch.delenv("BOTWATCH_BOT_MODEL", raising=False)
    assert runner.invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    model = _model(tmp_path / "new\u202emodel.json.gz", 300)
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    banner, _, err, explained = _report_and_explain(study, tmp_path / "r.html")
    assert "made with the shipped bot model" in banner and "BOTWATCH_BOT_MODEL=" in banner
    assert "\u202e" not in banner and "\u202e" not in err and "\u202e" not in explained  # a file name's hidden characters shown
    assert "made with the shipped bot model" in explained


def test_a_users_model_then_a_report_without_it_says_how_to_keep_its_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's path: train a model, `BOTWATCH_BOT_MODEL=mine.json.gz botwatch analyze`, then a
    plain `botwatch report`. The banner said only "run botwatch analyze STUDY", which replaces the
    user's scores with the shipped model's; it now names the command that keeps them too."""
    model, study = _scored_with_own_model(tmp_path, monkeypatch)
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    banner, _, err, explained = _report_and_explain(study, tmp_path / "r.html")
    keep = f"BOTWATCH_BOT_MODEL={model} botwatch report"
    for said in (banner, err, explained):
        assert keep in said and "instead, replacing them, run" in said and "earlier model" not in said
    assert f"`{keep} {study}`" in err and f"{keep} s.duckdb" in banner

    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))  # following it: nothing more to say
    banner, text, err, _ = _report_and_explain(study, tmp_path / "r.html")
    assert banner == "" and "selected now" not in err
