"""The report's "Out-of-fold on N labelled accounts" line gives a user's model's F1 and Brier score
with the intervals its file holds (`retrain.threshold_intervals`), or says an F1 has none.

Walk: a model trained on 30 accounts read "F1 1.00 at 0.5, Brier 0.004" beside an AUC with its
interval. The shipped model's file holds no such intervals and reads as before."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest


def _text(s: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def _section(study_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oof: dict, name: str = "s") -> str:  # type: ignore[type-arg]
    import botwatch.model_used as model_used
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    path = tmp_path / f"{name}.duckdb"
    shutil.copy(study_path, path)
    with open_study(path) as st:
        monkeypatch.undo()
        shipped = model_used.bot_model_used(st)
        meta = {**shipped.meta, "pooled_oof": oof, "loso": [], "trained_on": {"mine.csv": oof["n"]}}
        monkeypatch.setattr(model_used, "bot_model_used", lambda study: model_used.BotModelUsed("own", meta, "mine.json.gz", "0" * 64))
        sec = accounts_section(st, {})
    assert sec is not None
    return _text(sec.html)


def test_an_own_models_f1_and_brier_carry_their_intervals(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    oof = {"n": 30, "auc": 1.0, "auc_low": 0.8648, "auc_high": 1.0, "f1": 1.0, "f1_low": None, "f1_high": None,
           "brier": 0.0042, "brier_low": 0.0011, "brier_high": 0.0093, "threshold": 0.5}
    text = _section(analysed_sample_path, tmp_path, monkeypatch, oof)
    assert ("Out-of-fold on 30 labelled accounts: AUC 1.000 (95% interval 0.865–1.000), F1 1.00 (no interval: every bootstrap "
            "resample of these accounts gave this value) at 0.5, Brier 0.004 [0.001–0.009].") in text, text
    both = {**oof, "f1": 0.9, "f1_low": 0.81, "f1_high": 0.96}
    assert "F1 0.90 [0.81–0.96] at 0.5, Brier 0.004 [0.001–0.009]." in _section(analysed_sample_path, tmp_path, monkeypatch, both, "b")


def test_a_file_without_them_reads_as_before(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    oof = {"n": 7453, "auc": 0.89, "auc_low": 0.883, "auc_high": 0.897, "f1": 0.81, "brier": 0.12, "threshold": 0.5}
    text = _section(analysed_sample_path, tmp_path, monkeypatch, oof)
    assert "AUC 0.890 (95% interval 0.883–0.897), F1 0.81 at 0.5, Brier 0.120." in text, text
