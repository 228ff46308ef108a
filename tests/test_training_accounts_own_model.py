"""With a user's own bot model (`BOTWATCH_BOT_MODEL`), "N of the study's accounts were among the bot
model's training accounts" counts *that* model's training accounts, which `botwatch train-bot-model`
records in the model file as digests (as the shipped list holds them), and says nothing when the file
records none. A reviewer's finding: a model trained on stclab alone, scoring the 2,661 botwiki +
verified profiles, read "2,661 of the study's accounts were among the bot model's training accounts"
(the shipped model's list), and a study of the user's own training accounts got no warning.
Accounts of Mastodon and Bluesky are matched by their platform-unique id (profile URL, DID), never
by handle or a local number, which name different accounts on different platforms."""

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
    assert mine["bot_training_accounts"] == 3  # 5 and 6 by id, 7 by handle; not the shipped one, nor bluesky's by handle
    assert "bot_training_accounts" not in unknown  # unknown, not the shipped model's count nor zero
    assert mine["origin_training_accounts"] == unknown["origin_training_accounts"] == shipped["origin_training_accounts"]
    assert "your bot model's training accounts" in ta.sentences(mine, own_bot=True)["bot"]


DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
URL = "https://mastodon.social/@Mine_M"


def test_a_mastodon_or_bluesky_account_is_matched_by_its_platform_unique_id(tmp_path: Path) -> None:
    """A model trained on Bluesky or Mastodon accounts was never matched to them: only Twitter
    accounts were keyed. A DID or a profile URL names one account whatever the platform, so those
    are matched; a handle or a local numeric id of those platforms still never is (handles collide
    across platforms: 'mine_a' on Bluesky is not the Twitter 'mine_a' the model learned from)."""
    own = {ta.TRAINING_KEY: ta.training_record(["5", DID, "77"], ["mine_a", "someone.bsky.social", None], [None, None, URL.lower()])}
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES "
               "(?, 'bluesky', 'someone.bsky.social'), (?, 'mastodon', 'Mine_M'), "
               "('did:plc:notthisone', 'bluesky', 'mine_a'), ('5', 'mastodon', 'mine_a'), ('77', 'bluesky', NULL)", [DID, URL])
        mine = ta.count_training_accounts(st, own)
    assert mine["bot_training_accounts"] == 2  # the DID and the URL; not a handle, not a local number
    assert ta.account_training("bluesky", DID, "x", own)["bot"] is True
    assert ta.account_training("mastodon", URL, "Mine_M", own)["bot"] is True
    assert ta.account_training("bluesky", "did:plc:notthisone", "mine_a", own)["bot"] is False
    assert ta.account_training("mastodon", "5", "mine_a", own)["bot"] is False


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


def test_evaluate_accounts_does_not_count_a_bluesky_training_account_as_held_out() -> None:
    """`evaluate-accounts` on a Bluesky study scored by a model trained on some of its labelled
    accounts gave every figure as out of sample."""
    from botwatch.accounts.evaluate import AccountLabel, Matched, evaluate

    dids = [f"did:plc:acct{i}" for i in range(8)]
    own = {ta.TRAINING_KEY: ta.training_record(dids[:3], None)}
    labels = [AccountLabel(i + 2, d, None, i % 2, None) for i, d in enumerate(dids)]
    rows = [{"platform": "bluesky", "account_id": d, "handle": f"h{i}.bsky.social", "bot_probability": 0.1 + 0.1 * i} for i, d in enumerate(dids)]
    ev = evaluate(Matched(labels, rows), boot=10, own_bot_model=own)
    assert ev.bot_training == 3 and ev.bot_held_out is not None and ev.bot_held_out.n == 5


def test_a_labels_file_records_the_profile_url_beside_mastodons_local_id(tmp_path: Path) -> None:
    """Mastodon's API names an account by `id`, a number local to its server, which the labels
    reader takes first; the study keys the account by its profile URL. The URL in another id
    column is recorded too, so the study can match it."""
    from botwatch.accounts.labelled import read_labels_csv

    f = tmp_path / "labels.csv"
    pd.DataFrame({"id": ["109", "110"], "account_id": [URL, "https://botsin.space/@b"], "bot": ["1", "0"],
                  "created_at": ["2020-01-01T00:00:00Z"] * 2, "statuses_count": ["5", "6"],
                  "observed_at": ["2024-01-01T00:00:00Z"] * 2}).to_csv(f, index=False)
    frame = read_labels_csv(f).frame
    rec = ta.training_record(frame["account_id"], frame["handle"] if "handle" in frame else None, frame["unique_id"])
    assert ta.account_training("mastodon", URL, None, {ta.TRAINING_KEY: rec})["bot"] is True


def test_explain_names_the_users_model_not_the_shipped_card(scored_us_sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For an account a user's model was trained on, `explain` pointed to docs/model-card-bot.md,
    which describes the shipped model and lists none of that model's training accounts."""
    with open_study(scored_us_sample_path) as st:
        aid = st.sql("SELECT account_id FROM accounts_scored WHERE platform = 'twitter' AND bot_probability IS NOT NULL ORDER BY 1 LIMIT 1")[0][0]
    own = {ta.TRAINING_KEY: ta.training_record([aid], None)}
    # The model that scored the study, as botwatch finds it: a user's file with this one training account
    # (the command imports both from `ta` when it runs).
    monkeypatch.setattr(ta, "study_bot_training", lambda study: ta.BotTraining(own, "mine.json.gz", None))
    monkeypatch.setattr(ta, "study_bot_training_meta", lambda study: own)
    res = CliRunner().invoke(app, ["explain", str(scored_us_sample_path), aid])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if "bot probability is not a held-out estimate" in x)
    assert "your bot model's (mine.json.gz) training accounts" in line and "model-card" not in line
