"""With a user's own bot model (`BOTWATCH_BOT_MODEL`), "N of the study's accounts were among the bot
model's training accounts" counts *that* model's training accounts, which `botwatch train-bot-model`
records in the model file as digests (as the shipped list holds them), and says nothing when the file
records none. A reviewer's finding: a model trained on stclab alone, scoring the 2,661 botwiki +
verified profiles, read "2,661 of the study's accounts were among the bot model's training accounts"
(the shipped model's list), and a study of the user's own training accounts got no warning."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.accounts import training_accounts as ta
from botwatch.accounts.labelled import profiles_to_v1_statuses
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019: shipped training accounts
SHIPPED_BOT_ID = "735185696030359557"  # botwiki's @arslongvitabrev, in the shipped bot model's training set


def test_the_bot_count_is_of_the_model_that_scored(tmp_path: Path) -> None:
    own = {ta.TRAINING_KEY: ta.training_record(["5", "6", None], ["mine_a", None, "MINE_C"])}
    assert own[ta.TRAINING_KEY]["accounts"] == 3 and len(own[ta.TRAINING_KEY]["digests"]) == 4
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES (?, 'twitter', 'arslongvitabrev'), "
               "('5', 'twitter', 'x5'), ('6', 'twitter', NULL), ('7', 'twitter', 'mine_c'), ('8', 'bluesky', 'mine_a')", [SHIPPED_BOT_ID])
        shipped = ta.count_training_accounts(st)
        mine = ta.count_training_accounts(st, own)
        unknown = ta.count_training_accounts(st, {"trained_on": {"labels.csv": 300}})
    assert shipped["bot_training_accounts"] == 1
    assert mine["bot_training_accounts"] == 3  # 5 and 6 by id, 7 by handle; not the shipped one, not bluesky
    assert "bot_training_accounts" not in unknown  # unknown, not the shipped model's count nor zero
    assert mine["origin_training_accounts"] == unknown["origin_training_accounts"] == shipped["origin_training_accounts"]
    assert "your bot model's training accounts" in ta.sentences(mine, own_bot=True)["bot"]


def test_train_bot_model_records_its_accounts_and_the_stage_counts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""])
    train = pd.concat([raw[raw["label"] == "1"].head(15), raw[raw["label"] == "0"].head(15)])
    labels = tmp_path / "labels.csv"
    train.rename(columns={"label": "bot"}).to_csv(labels, index=False)
    model = tmp_path / "mine.json.gz"
    runner = CliRunner()
    res = runner.invoke(app, ["train-bot-model", str(labels), "-o", str(model)])
    assert res.exit_code == 0, res.output
    from botwatch.accounts.botmodel import model_meta

    rec = model_meta(model)[ta.TRAINING_KEY]
    assert rec["accounts"] == rec["of"] == 30 and SHIPPED_BOT_ID not in json.dumps(rec)  # digests, never the ids
    posts = tmp_path / "profiles.jsonl"
    posts.write_text("".join(json.dumps(s) + "\n" for s in profiles_to_v1_statuses(raw)), encoding="utf-8")
    counts = {}
    for name, env in (("shipped", None), ("own", str(model))):
        study = tmp_path / f"{name}.duckdb"
        assert runner.invoke(app, ["ingest", str(study), str(posts)]).exit_code == 0
        if env:
            monkeypatch.setenv("BOTWATCH_BOT_MODEL", env)
        res = runner.invoke(app, ["analyze", str(study), "--only", "accounts", "--no-election"])
        assert res.exit_code == 0, res.output
        with open_study(study) as st:
            counts[name] = ta.recorded_counts(st)
    assert counts["shipped"]["bot_training_accounts"] == 40
    assert counts["own"]["bot_training_accounts"] == 30


@pytest.mark.spark
def test_a_lake_counts_an_own_models_accounts_the_same(spark: object, tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch.engines.lake import lake_from_study
    from botwatch.study import Study

    with Study(sample_study_path, read_only=True) as st:
        some = [a for (a,) in st.sql("SELECT account_id FROM accounts WHERE platform = 'twitter' ORDER BY 1 LIMIT 7")]
        own = {ta.TRAINING_KEY: ta.training_record(some, [None] * len(some))}
        want = ta.count_training_accounts(st, own)
        lake = lake_from_study(st, tmp_path / "lake", spark=spark)
    try:
        assert want["bot_training_accounts"] == 7 and ta.count_training_accounts(lake, own) == want
    finally:
        lake.close()
