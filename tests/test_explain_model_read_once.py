"""`botwatch explain` reads which bot model scored the study once per command.

It asked three times (the cross-source caveat, the platform sentence, the training flag), each
reading the study's `runs` and hashing the candidate model files again. Outside a command's scope
the answer is read afresh: a notebook that re-analyses with another model must see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch import model_used
from botwatch.cli import app
from botwatch.study import Study


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = model_used.recorded_bot_model

    def recorded(study: Any) -> tuple[str | None, str | None]:
        calls.append(1)
        return real(study)

    monkeypatch.setattr(model_used, "recorded_bot_model", recorded)
    return calls


def _scored_handle(path: Path) -> str:
    with Study(path, read_only=True) as st:
        return str(st.sql("SELECT handle FROM accounts_scored WHERE bot_probability IS NOT NULL AND handle IS NOT NULL "
                          "ORDER BY account_id LIMIT 1")[0][0])


@pytest.mark.parametrize("as_json", [False, True])
def test_explain_reads_the_model_record_once(scored_us_sample_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    handle = _scored_handle(scored_us_sample_path)
    calls = _counting(monkeypatch)
    res = CliRunner().invoke(app, ["explain", str(scored_us_sample_path), f"@{handle}", *(["--json"] if as_json else [])])
    assert res.exit_code == 0, res.output
    # One for which model scored the study (`bot_model_used`), one for whether the model selected now differs (`bot_model_changed`).
    assert len(calls) == 2, len(calls)


def test_outside_a_command_the_record_is_read_afresh(scored_us_sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    with Study(scored_us_sample_path, read_only=True) as st:
        first, second = model_used.bot_model_used(st), model_used.bot_model_used(st)
        assert first == second and len(calls) == 2
        with model_used.bot_model_read_once():
            model_used.bot_model_used(st), model_used.bot_model_used(st)
        assert len(calls) == 3
