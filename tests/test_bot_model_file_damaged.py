"""A bot model file damaged inside its JSON is refused in one line before any stage runs.

`BOTWATCH_BOT_MODEL` naming a file whose trees were cut short made LightGBM abort the whole
process inside the accounts stage ("terminate called without an active exception", exit 134, no
line of botwatch's); one listing more features than its trees read, or a calibration without its
points, ended in "LightGBMError" / "KeyError: 'y' ... This is a bug in botwatch". Each is the
file's fault, said by `analyze`'s upfront check (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from botwatch.accounts.botmodel import model_meta
from testsupport.bot_model_files import refused_by_analyze, shipped_with


@pytest.mark.parametrize("change,words", [
    (lambda d: d.update(booster=d["booster"][:2000]), "its trees are cut short or missing"),
    (lambda d: d.update(features=[*d["features"], "verified"]), "features and its trees read"),
    (lambda d: d.update(calibration={"x": d["calibration"]["x"]}), "its calibration is not two lists of numbers"),
    (lambda d: d.update(meta="x"), "its meta is not an object"),
])
def test_a_damaged_model_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          change: Callable[[dict[str, Any]], None], words: str) -> None:
    path = shipped_with(tmp_path, change, "damaged.json.gz")
    with pytest.raises(ValueError, match="not a botwatch bot model"):
        model_meta(path)
    err = refused_by_analyze(path, monkeypatch, capsys)
    assert words in err and "bug" not in err, err


def test_the_shipped_model_passes_the_checks() -> None:
    from botwatch.accounts.botmodel import shipped_model

    assert model_meta(None) is not None and shipped_model().features
