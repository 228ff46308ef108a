"""A bot model file that reads a feature this botwatch does not compute is refused in one line.

`BOTWATCH_BOT_MODEL` naming a model file whose feature list holds a name the accounts stage does
not compute (a file from another botwatch version, or one edited) passed `analyze`'s upfront check
and failed inside the stage: "error: KeyError: "['new_feature_x'] not in index". This is a bug in
botwatch" (exit 1). It is the file's fault, said before any stage runs (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from botwatch.accounts.botmodel import model_meta
from testsupport.bot_model_files import refused_by_analyze, shipped_with


def _model_with(tmp_path: Path, features: object) -> Path:
    def change(data: dict[str, Any]) -> None:
        data["features"] = features(data["features"]) if callable(features) else features

    return shipped_with(tmp_path, change, "other.json.gz")


def test_an_unknown_feature_is_the_files_fault_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = _model_with(tmp_path, lambda f: [*f, "new_feature_x"])
    with pytest.raises(ValueError, match="reads features it does not compute \\(new_feature_x\\)"):
        model_meta(path)
    err = refused_by_analyze(path, monkeypatch, capsys)
    assert "BOTWATCH_BOT_MODEL=" in err and "new_feature_x" in err and "bug" not in err, err


def test_features_that_are_not_a_list_of_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a botwatch bot model"):
        model_meta(_model_with(tmp_path, "log_age_days"))


def test_the_shipped_features_pass() -> None:
    assert model_meta(None) is not None
