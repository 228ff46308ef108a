"""A study scored with a user's own bot model and checked with `evaluate-accounts`: the note on the
model no longer calls its performance on the study's accounts unmeasured.

The report's "How far to trust the bot probability" read "It was not tested on a labelled source it
was not trained on, so how well it does on accounts unlike its training set (this study's) is
unmeasured. Checked against your own labelled accounts (...): on 2,616 accounts ..., AUC 0.997":
the second sentence measured what the first called unmeasured (stclab-trained model, botwiki +
verified pair through ingest)."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _own_model(path: Path) -> Path:
    """The shipped trees with a user's figures: trained on one source, no cross-source test."""
    data = json.loads(gzip.decompress((resources.files("botwatch.accounts") / "models" / "bot_model.json.gz").read_bytes()))
    data["meta"] = {**data["meta"], "trained_on": {"stclab": 1472},
                    "pooled_oof": {"n": 1472, "auc": 0.947, "f1": 0.9, "brier": 0.05, "threshold": 0.5}, "loso": []}
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def test_the_own_model_note_defers_to_the_studys_own_labels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch import open_study
    from botwatch.model_used import bot_model_used

    runner = CliRunner()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(_own_model(tmp_path / "mine.json.gz")))
    res = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        before = bot_model_used(st).note or ""
        ids = [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL ORDER BY account_id")]
    assert "(this study's) is unmeasured" in before  # nothing measured it yet
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,bot\n" + "".join(f"{a},{i % 2}\n" for i, a in enumerate(ids)), encoding="utf-8")
    res = runner.invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "20"])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        after = bot_model_used(st).note or ""
    assert "unmeasured" not in after, after
    assert "your own labelled accounts of it measured (botwatch evaluate-accounts)" in after, after
    assert "your own bot model" in after and "out-of-fold AUC 0.947" in after
