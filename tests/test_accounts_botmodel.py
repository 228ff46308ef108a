"""Profile features, the shipped model (loads, calibrated range, evidence), and training on the
real labelled sets (skipped when ../shared/data is absent)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.botmodel import PROB_CEIL, PROB_FLOOR, describe_value, load_model, sentence, shipped_model
from botwatch.accounts.profile import ALL_FEATURES, char_entropy, is_generated_handle, name_handle_similarities, profile_features
from botwatch.accounts.training import SHIPPED_FEATURES


@pytest.mark.parametrize(("handle", "expected"), [("paulafr68963440", True), ("Noname064019124", True), ("Noname06401912", False), ("UKLabour", False),
                                                   ("abcdefghijklmno", False), ("a_b1234567890cd", False), (None, False)])
def test_generated_handle_shape(handle: str | None, expected: bool) -> None:
    assert is_generated_handle(handle) is expected


def test_handle_and_name_measures() -> None:
    assert char_entropy("aaaa") == 0.0
    assert char_entropy("abcd") == pytest.approx(2.0)
    assert math.isnan(char_entropy(""))
    same, unlike = name_handle_similarities(["UK Labour", "Jenny Smith"], ["UKLabour", "xk29aa881"])
    assert same == pytest.approx(1.0)
    assert unlike < 0.3


def test_profile_features_keep_unknown_as_nan() -> None:
    df = pd.DataFrame(
        {
            "handle": ["someone", "paulafr68963440"],
            "display_name": ["Some One", None],
            "followers": [100, None],
            "following": [50, 3000],
            "posts_count": [1000, 20000],
            "created_at": [pd.Timestamp("2015-01-01"), pd.Timestamp("2017-01-01")],
            "default_image": [False, None],
        }
    )
    f = profile_features(df, pd.Series([pd.Timestamp("2017-01-01"), pd.Timestamp("2017-01-11")]))
    assert list(f.columns) == ALL_FEATURES
    assert f.loc[0, "age_days"] == pytest.approx(731)
    assert f.loc[1, "posts_per_day_life"] == pytest.approx(2000)
    assert math.isnan(f.loc[1, "log_followers"]) and math.isnan(f.loc[1, "name_len"]) and math.isnan(f.loc[1, "default_image"])
    assert f.loc[1, "handle_generated15"] == 1.0
    assert math.isnan(f.loc[0, "verified"])  # column absent: unknown, not False


def test_a_negative_count_is_unknown_and_warns_nothing() -> None:
    # A corrupted or hand-made profile with "followers_count": -1 and "statuses_count": -5: its logs
    # were -inf and NaN (numpy's RuntimeWarning reached the terminal of `botwatch analyze`) and a
    # negative posts-per-day rate was scored as a real one.
    import warnings

    df = pd.DataFrame({"handle": ["neg", "ok"], "followers": [-1, 10], "following": [5, 5], "posts_count": [-5, 50],
                       "likes_count": [-2, 3], "listed_count": [-1, 0], "created_at": [pd.Timestamp("2015-01-01")] * 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        f = profile_features(df, pd.Series([pd.Timestamp("2017-01-01")] * 2))
    for c in ("log_followers", "log_posts_count", "ff_ratio_log10", "posts_per_day_life", "followers_per_day", "log_likes"):
        assert math.isnan(f.loc[0, c]) and not math.isnan(f.loc[1, c]), c
    assert f.loc[0, "log_following"] == pytest.approx(math.log1p(5))


def test_shipped_model_is_calibrated_range_and_explains() -> None:
    m = shipped_model()
    assert m.features == SHIPPED_FEATURES and "verified" not in m.features  # no shortcut column
    assert np.all(np.diff(m.calib_x) >= 0) and np.all(np.diff(m.calib_y) >= 0)  # isotonic map is monotone
    X = pd.DataFrame([{f: np.nan for f in SHIPPED_FEATURES}, {**{f: np.nan for f in SHIPPED_FEATURES}, "log_likes": 0.0, "log_age_days": 3.0}])
    p = m.predict(X)
    assert np.all((p >= PROB_FLOOR) & (p <= PROB_CEIL))
    contrib = m.contributions(X)
    # Tree SHAP: contributions plus bias equal the raw margin.
    assert np.allclose(contrib.sum(axis=1), m.raw(X))
    ev = m.evidence(X)[1]
    assert ev and all(e["sentence"] and e["feature"] in SHIPPED_FEATURES for e in ev)
    assert m.meta.get("pooled_oof", {}).get("n", 0) > 1000  # trained on the real labelled sets


def test_sentences_read_naturally() -> None:
    assert describe_value("log_followers", math.log1p(1234)) == "1,234"
    assert describe_value("ff_ratio_log10", -2.0) == "0.01"
    assert "raised" in sentence("age_days", 12.0, 0.5) and "lowered" in sentence("age_days", 2000.0, -0.5)
    assert "unknown" in sentence("verified", float("nan"), 0.1)


def test_model_round_trip(tmp_path: Path) -> None:
    m = shipped_model()
    path = m.save(tmp_path / "m.json.gz")
    again = load_model(path)
    X = pd.DataFrame([{f: v for f, v in zip(SHIPPED_FEATURES, np.linspace(0, 3, len(SHIPPED_FEATURES)))}])
    assert np.allclose(again.predict(X), m.predict(X))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError):
        load_model(bad)


@pytest.mark.shared_data
def test_labelled_sets_load_and_a_model_learns_within_stclab(shared_data: Path) -> None:
    from botwatch.accounts.labelled import load_gilani, load_stclab
    from botwatch.accounts.training import fit_model, metrics

    s = load_stclab(shared_data / "labelled" / "stclab")
    g = load_gilani(shared_data / "labelled" / "gilani2017")
    assert 1400 < len(s) <= 1472 and set(s["label"]) == {0, 1}
    assert len(g) > 3000 and g["log_followers"].isna().all() and g["age_days"].notna().all()
    assert s["age_days"].notna().mean() > 0.9  # all three created_at spellings parse
    sub = s.sample(600, random_state=1)
    _, oof = fit_model(sub, SHIPPED_FEATURES)
    m = metrics(sub["label"].to_numpy(), oof)
    assert m["auc"] > 0.8  # out-of-fold, never seen by its trees
    assert 0 <= m["brier"] < 0.2


@pytest.mark.shared_data
def test_train_bot_model_command_on_real_labels(shared_data: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    raw = pd.concat([pd.read_csv(shared_data / "labelled" / "stclab" / n, dtype=str).head(150) for n in ("bots_data.csv.gz", "nonbots_data.csv.gz")])
    labels = tmp_path / "labels.csv"
    raw.drop(columns=["status"]).to_csv(labels, index=False)
    out = tmp_path / "mine.json.gz"
    # No observation time in the file: stclab's collection date for every row, as its loader does.
    res = CliRunner().invoke(app, ["train-bot-model", str(labels), "-o", str(out), "--observed-at", "2017-03-15"])
    assert res.exit_code == 0, res.output
    assert "AUC" in res.output
    model = load_model(out)
    assert model.meta["trained_on"] == {"labels.csv": 300}
    assert (tmp_path / "mine.reliability.svg").read_text().startswith("<svg")


def test_train_bot_model_refuses_too_few_labels(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    labels = tmp_path / "few.csv"
    labels.write_text("screen_name,followers_count,friends_count,bot\nabc,1,2,1\ndef,3,4,0\n")
    res = CliRunner().invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / "x.json.gz")])
    assert res.exit_code != 0
    nolabel = tmp_path / "nolabel.csv"
    nolabel.write_text("screen_name\nabc\n")
    assert CliRunner().invoke(app, ["train-bot-model", str(nolabel)]).exit_code != 0


@pytest.mark.parametrize(("text", "expected"), [("mcgucket_bot", True), ("poetry bot", True), ("BotOfBabel", True), ("I am a bot.", True),
                                                ("Abbott", False), ("robotics fan", False), ("bottle", False), ("Talbot", False), ("sabotage", False)])
def test_self_declared_bot_reads_bot_as_a_word_not_inside_one(text: str, expected: bool) -> None:
    from botwatch.accounts.profile import self_declared_bot

    assert self_declared_bot(text) is expected


@pytest.mark.parametrize("text", ["I'm a bot. Not affiliated with NASA.", "Unofficial bot; not affiliated with the BBC",
                                  "A bot that tweets every hour", "Beep boop, I am a bot", "NewsBot", "MyBots",
                                  "flight tracking bot", "Earthquake reporting bot", "a bot that reports the news",
                                  # a review's cases: a cause or topic before or after the word is not a refusal
                                  "Anti-Brexit bot retweeting #StopBrexit", "Anti-Tory bot", "Anti Trump bot",
                                  "Non-partisan bot posting poll results", "Non-stop news bot", "No-nonsense bot posting UK petitions",
                                  "A bot posting Sentinel-2 images every day", "I am a bot built for research at MIT",
                                  "Bot account for a research project on news", "Earthquake bot: detection alerts from USGS",
                                  "I am not a human, I am a bot"])
def test_self_declared_bot_still_reads_accounts_that_call_themselves_bots(text: str) -> None:
    from botwatch.accounts.profile import self_declared_bot

    assert self_declared_bot(text) is True


@pytest.mark.parametrize("text", ["Retired scientist. Bots blocked.", "Not a bot", "Real person, not a bot!", "I block bots",
                                  "#NoBots", "No DMs, no bots", "anti-bot", "Researcher studying bots and disinformation",
                                  "Bot hunter", "bots & trolls will be blocked", "NoBotsHere", "definitely not a bot lol",
                                  "tracking bots and trolls", "Bots get reported and blocked", "I block all bots",
                                  "fighting russian bots", "Bot spotter. Dad.", "never a bot"])
def test_self_declared_bot_is_not_read_where_bots_are_refused_or_studied(text: str) -> None:
    """A reviewer's finding: "Bots blocked." made a retired scientist a 0.98 bot."""
    from botwatch.accounts.profile import _self_declared_column, self_declared_bot
    from botwatch.accounts.profile_text import TextColumn

    assert self_declared_bot(text) is False
    col = TextColumn([text])  # the stage's column path says the same
    assert _self_declared_column(col, col, col)[0] == 0.0


def test_full_profile_reads_missing_text_as_empty_and_a_partial_one_as_unknown() -> None:
    df = pd.DataFrame({"handle": ["a", "b"], "followers": [10, None], "created_at": [pd.Timestamp("2015-01-01"), None],
                       "description": [None, None], "likes_count": [0, None], "url": [None, None]})
    f = profile_features(df, pd.Series([pd.Timestamp("2017-01-01")] * 2))
    # A v1.1 profile with no description has an empty one; an archive without profiles knows nothing.
    assert f.loc[0, "description_len"] == 0 and math.isnan(f.loc[1, "description_len"])
    assert f.loc[0, "has_url"] == 0 and math.isnan(f.loc[1, "has_url"])
    assert f.loc[0, "log_likes"] == 0 and math.isnan(f.loc[1, "log_likes"])


@pytest.mark.parametrize(("body", "said"), [
    # A row longer than the first no longer stops pandas (`labelled._read_raw`): what the file lacks is said.
    ("a,b,c,d\n1,2,3,4\n1,2,3,4,5,6\n", "no `bot` column (columns: a, b, c, d)"),
    ("id,bot\n1,1\n", "none of the profile columns the bot model learns from"),
    ("id,created_at\n1,2016-01-01\n", "no `bot` column (columns: id, created_at)"),
])
def test_train_bot_model_says_what_a_wrong_csv_lacks(tmp_path: Path, body: str, said: str) -> None:
    """A CSV of another shape leaked pandas' "Error tokenizing data. C error: Expected 4 fields in
    line 10, saw 6", which does not say what the file needs."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    labels = tmp_path / "l5.csv"
    labels.write_text(body)
    res = CliRunner().invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / "x.json.gz")])
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "Traceback" not in out and "tokenizing" not in out
    assert said in out and "needs a header row, a `bot` column of 1/0 (or true/false, yes/no, bot/human) and profile columns: created_at, favourites_count" in out


def test_the_generated_handle_shape_is_twitters_and_unknown_on_other_platforms() -> None:
    """Twitter proposed "name + digits" handles cut at 15 characters; Mastodon and Bluesky propose
    none, so a local Mastodon name of that shape is no sign, and no Mastodon or Bluesky handle is
    "known" not to be one (the report's signal table counted them as checked)."""
    df = pd.DataFrame({"platform": ["twitter", "mastodon", "mastodon", "bluesky", "x", None],
                       "handle": ["paulafr68963440", "paulafr68963440", "alice@example.social", "abcd1234efgh.bsky.social", "paulafr68963440", "someone"]})
    g = profile_features(df)["handle_generated15"].tolist()
    assert g[0] == 1.0 and g[4] == 1.0 and g[5] == 0.0
    assert all(math.isnan(v) for v in g[1:4])
    assert profile_features(df[["handle"]])["handle_generated15"].tolist()[:2] == [1.0, 1.0]  # no platform column (labelled sets): Twitter's
