"""A reader can reproduce a study from its record: the accounts stage records its models' SHA-256 and
`elections show STUDY --toml` gives a custom election's recorded text back."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

ELECTION = """\
key = "toy-2017"
name = "Toy election"
country = "GB"
timezone = "Europe/London"
trigger_date = 2016-01-01
polling_day = 2016-11-08

[[parties]]
key = "red"
name = "Red"
hashtags_pro = ["VoteRed"]
"""
HOSTILE = "<img src=x onerror=window.__pwned=9>;rm -rf ~.jsonl"
ACCOUNTS = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "accounts"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _analysed(tmp_path: Path, sample_study_path: Path, *extra: str) -> Path:
    """The sample, accounts stage run with a custom election (the CLI, as a user runs it)."""
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    toml = tmp_path / "toy.toml"
    toml.write_text(ELECTION, encoding="utf-8")
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", str(toml), "--only", "accounts", *extra])
    assert res.exit_code == 0, res.output
    return study


def _accounts_params(study: Path) -> dict[str, Any]:
    from botwatch import open_study

    with open_study(study) as st:
        return json.loads(st.sql("SELECT params FROM runs WHERE stage = 'accounts' ORDER BY finished_at DESC LIMIT 1")[0][0])


def test_accounts_stage_records_its_model_hashes(tmp_path: Path, sample_study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _analysed(tmp_path, sample_study_path)
    p = _accounts_params(study)
    assert p["bot_model_sha256"] == _sha(ACCOUNTS / "models" / "bot_model.json.gz") and p["bot_model_file"] is None
    assert p["bot_behaviour_sha256"] == _sha(ACCOUNTS / "data" / "bot_behaviour.json")
    listing = "".join(f"{_sha(ACCOUNTS / 'data' / n)}  {n}\n" for n in sorted(
        ["countries.tsv", "origin_behaviour_lr.json", "origin_shifts.json", "places.tsv", "regional_languages.tsv", "time_zones.tsv"]))
    assert p["origin_model_sha256"] == hashlib.sha256(listing.encode()).hexdigest()  # `sha256sum FILES | sha256sum`
    # A model of one's own (here a copy of the shipped one under another name) is named and hashed.
    own = tmp_path / "mine.json.gz"
    own.write_bytes((ACCOUNTS / "models" / "bot_model.json.gz").read_bytes() + b"")
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(own))
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    p = _accounts_params(study)
    assert p["bot_model_file"] == str(own) and p["bot_model_sha256"] == _sha(own)


def test_elections_show_study_gives_the_recorded_toml_back(tmp_path: Path, sample_study_path: Path) -> None:
    study = _analysed(tmp_path, sample_study_path)
    (tmp_path / "toy.toml").unlink()  # the file has moved on: the study's copy is what counts
    runner = CliRunner()
    toml = runner.invoke(app, ["elections", "show", str(study), "--toml"])
    assert toml.exit_code == 0 and toml.stdout == ELECTION
    shown = runner.invoke(app, ["elections", "show", str(study)])
    assert shown.exit_code == 0 and "Toy election" in shown.output and "toy-2017" in shown.output
    staged = runner.invoke(app, ["elections", "show", str(study), "--stage", "accounts", "--toml"])
    assert staged.exit_code == 0 and staged.stdout == ELECTION
    bare = tmp_path / "bare.duckdb"
    shutil.copy(sample_study_path, bare)
    none = runner.invoke(app, ["elections", "show", str(bare)])
    assert none.exit_code == 1 and "was not analysed with an election" in none.output
