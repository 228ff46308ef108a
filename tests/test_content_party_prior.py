"""No party base rate in the stance and sentiment models (issue 14, party prior).

The models once had a `party=<key>` feature: a per-party intercept learned from IRA posts (where
most Republican mentions were pro-Trump trolls), which on an ordinary archive read "mentions the
Republicans" as "supports them" (docs/methods.md, "Party base rate"). These tests hold that the
shipped files and features carry no party identity, so two posts that differ only in which party
they name get the same answer; and they run the external GOP-debate check script on a small
synthetic slice (and on the real set when ../shared/data is there).
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content import features as F
from botwatch.content.modelrun import ContentModelInputs
from botwatch.content.stage import Labeller
from botwatch.elections import load_election
from testsupport.scripts import load_script
from tests.test_content import posts

US = load_election("us-2016")
# Mirrored posts: the same words, one naming the Republicans and one the Democrats, each only
# inside an event hashtag (a topic mention, no stance cue).
MIRRORED = [
    ("Watching the #RepublicanDebate tonight with friends, lots of news", ["RepublicanDebate"], "republican"),
    ("Watching the #DemocratDebate tonight with friends, lots of news", ["DemocratDebate"], "democrat"),
]


def test_shipped_files_match_the_party_switches() -> None:
    """The model file and the tree blend have `party=` inputs exactly when features.py makes them,
    and the model records the signals that keep it out, so a model trained one way is never run
    with features built the other way."""
    model = json.loads((resources.files("botwatch.content") / "content_model.json").read_text(encoding="utf-8"))
    trees = json.loads((resources.files("botwatch.content") / "content_trees.json").read_text(encoding="utf-8"))
    for task, on in (("stance", F.PARTY_FEATURE_STANCE), ("sentiment", F.PARTY_FEATURE_SENTIMENT)):
        assert any(k.startswith("party=") for k in model[task]["weights"]) == on, task
        assert any(k.startswith("party=") for k in trees[task]["trees"]["features"]) == on, task
        assert model[task].get("party_features", True) == on, task
    assert model["stance"]["party_silent_signals"] == sorted(F.PARTY_SILENT_SIGNALS)


def test_the_party_term_stays_out_of_topic_hashtag_pairs_and_sentiment() -> None:
    assert not F.PARTY_FEATURE_SENTIMENT and "topic_tag" in F.PARTY_SILENT_SIGNALS
    assert not F.party_prior_applies(["topic_tag"])
    assert not F.party_prior_applies([])
    assert F.party_prior_applies(["topic_tag", "topic_kw"]) == F.PARTY_FEATURE_STANCE
    assert F.party_prior_applies(["mention_account"]) == F.PARTY_FEATURE_STANCE


def test_the_party_term_counts_where_the_words_name_the_party() -> None:
    """The gate is on how the party was found, nothing else: the same post with the party in its
    words keeps the party term (while the stance model has one)."""
    table = posts([{"text": "Watching the Republicans debate tonight with friends", "hashtags": []}])
    inputs = ContentModelInputs.build(US, table)
    assert inputs.signals(0, "republican") == ["topic_kw"]
    assert ("party=republican" in inputs.pair_features(0, "republican")) == F.PARTY_FEATURE_STANCE
    assert not any(k.startswith("party=") for k in inputs.post_features(0))


def test_mirrored_posts_have_the_same_features_and_answer() -> None:
    table = posts([{"text": t, "hashtags": h} for t, h, _p in MIRRORED])
    inputs = ContentModelInputs.build(US, table)
    assert [inputs.named_parties(i) for i in range(2)] == [["republican"], ["democrat"]]
    assert inputs.signals(0, "republican") == inputs.signals(1, "democrat") == ["topic_tag"]
    assert inputs.pair_features(0, "republican") == inputs.pair_features(1, "democrat")
    assert inputs.post_features(0) == inputs.post_features(1)
    labels, pp = Labeller.for_election(US).label(table)
    got = {r["party"]: (r["stance"], r["stance_rule"], r["stance_evidence"]) for r in pp.to_pylist()}
    assert got["republican"] == got["democrat"]
    assert not got["republican"][2].startswith("which party it is")
    sent = labels.column("sentiment").to_pylist()
    assert sent[0] == sent[1]


def _write_gop_slice(path: Path) -> None:
    """Six tweets in the GOP-debate CSV's layout (our own texts, not the crowd set's), two sharing
    a handle and second (left out of the join)."""
    rows = [
        ("fan1", "2015-08-07T01:00:01Z", "Great night for Republicans, proud of our party! #GOPDebate", "0", "Positive"),
        ("critic1", "2015-08-07T01:00:02Z", "The Republicans were awful and dishonest tonight #GOPDebate", "0", "Negative"),
        ("viewer1", "2015-08-07T01:00:03Z", "Watching the #GOPDebate with friends", "0", "Neutral"),
        ("critic2", "2015-08-07T01:00:04Z", "RT @critic1: The Republicans were awful and dishonest tonight #GOPDebate", "1", "Negative"),
        ("twice", "2015-08-07T01:00:05Z", "First of two at once #GOPDebate", "0", "Neutral"),
        ("twice", "2015-08-07T01:00:05Z", "Second of two at once #GOPDebate", "0", "Negative"),
    ]
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["author", "created_at", "text", "is_retweet", "user_location", "user_time_zone", "sentiment"])
        for a, t, x, rt, s in rows:
            w.writerow([a, t, x, rt, "", "", s])


COLUMNS = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"


def _analysed(tweets: Path, study: Path) -> None:
    r = CliRunner().invoke(app, ["ingest", str(study), str(tweets), "--columns", COLUMNS])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["analyze", str(study), "--election", "us-2016", "--stage", "content"])
    assert r.exit_code == 0, r.output


def test_gop_crowd_check_on_a_small_slice(tmp_path: Path) -> None:
    tweets, study = tmp_path / "tweets.csv.gz", tmp_path / "s.duckdb"
    _write_gop_slice(tweets)
    _analysed(tweets, study)
    r = load_script("gop_crowd_check").check(study, tweets, boot=50)
    assert r["joined_posts"] == 4 and r["crowd_rows_shared_key"] == 2 and r["study_posts_shared_key"] == 2
    rep = r["parties"]["republican"]
    assert rep["pairs"] == 4
    assert sum(rep["by_crowd"][c]["n"] for c in ("Negative", "Neutral", "Positive")) == 4
    assert rep["by_crowd"]["Negative"]["n"] == 2
    assert rep["topic_tag_only_party_feature"] == 0
    by_tag, by_named = rep["topic_tag_only_by_crowd"], rep["named_by_crowd"]
    assert sum(sum(by_tag[c].values()) + sum(by_named[c].values()) for c in by_tag) == 4
    assert sum(sum(v.values()) for v in by_tag.values()) == sum(rep["topic_tag_only"].values())
    assert 0 <= rep["tone_gated"] <= sum(rep["topic_tag_only"].values())
    assert r["sentiment"]["n"] == 4 and 0.0 <= r["sentiment"]["macro_f1"] <= 1.0


@pytest.mark.shared_data
def test_gop_debate_republican_mentions_are_not_read_as_support(shared_data: Path, tmp_path: Path) -> None:
    """On the real debate tweets (9,089 posts, about half a minute): no "support" is decided by
    which party it is, and support is clearly rarer among crowd-Negative posts than crowd-Positive
    ones (the old model: 57.7% against 76.2%, 4,518 support pairs led by the party feature)."""
    src = shared_data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz"
    if not src.exists():
        pytest.skip(f"{src} absent")
    tweets = tmp_path / "tweets.csv.gz"
    shutil.copy(src, tweets)
    study = tmp_path / "gop.duckdb"
    _analysed(tweets, study)
    r = load_script("gop_crowd_check").check(study, tweets, boot=20)
    rep = r["parties"]["republican"]
    assert rep["topic_tag_only_party_feature"] == 0
    neg, pos = rep["by_crowd"]["Negative"], rep["by_crowd"]["Positive"]
    assert neg["support_ci"][1] < pos["support_ci"][0]
    # The external sentiment figures the report quotes (content.stance.SENTIMENT_EXTERNAL).
    from botwatch.content.stance import SENTIMENT_EXTERNAL as X

    sent, sh = r["sentiment"], r["sentiment_shares"]
    assert (sent["n"], round(sent["macro_f1"], 3), round(sent["accuracy"], 3), round(sent["majority"], 3)) == (X["posts"], X["macro_f1"], X["accuracy"], X["majority"])
    assert sh["n"] == X["scored"] and all(tuple(round(v, 3) for v in sh[c]) == X[c] for c in ("positive", "negative"))


def test_tone_gate_on_topic_hashtag_pairs() -> None:
    """A pair found only inside a topic hashtag keeps the model's support or oppose only where
    the post's lexicon tone leans that way; pairs that name the party keep every answer."""
    from botwatch.content.stage import _tone_gated

    tag_only = {"sig=topic_tag": 1.0}
    named = {"sig=topic_tag": 1.0, "sig=topic_kw": 1.0}
    assert F.TOPIC_TONE_GATE
    cases = [
        ({**tag_only, "lex_post": 0.0}, "oppose", True),
        ({**tag_only, "lex_post": -0.04}, "oppose", True),
        ({**tag_only, "lex_post": -0.05}, "oppose", False),
        ({**tag_only, "lex_post": 0.3}, "oppose", True),
        ({**tag_only, "lex_post": 0.05}, "support", False),
        ({**tag_only, "lex_post": -0.6}, "support", True),
        ({**tag_only, "lex_post": -0.6}, "neutral", False),
        ({**named, "lex_post": 0.0}, "oppose", False),
        ({"sig=topic_kw": 1.0, "lex_post": 0.0}, "support", False),
    ]
    for feats, stance, gated in cases:
        assert F.topic_tone_gate(feats, stance) == gated, (feats, stance)
    got = _tone_gated([c[0] for c in cases], [(c[1], "ev") for c in cases])
    for (feats, stance, gated), (s, ev) in zip(cases, got):
        assert (s, ev) == (("neutral", F.TONE_GATE_EVIDENCE.format(stance=stance)) if gated else (stance, "ev"))
    assert "only inside a topic hashtag" in got[0][1] and "oppose" in got[0][1]


def test_tone_gate_in_the_stage() -> None:
    """The stage applies the gate: a calm post naming the Republicans only in #GOPDebate is never
    read as opposing or supporting them, whatever the model leans."""
    table = posts([{"text": "Watching the #GOPDebate tonight with friends", "hashtags": ["GOPDebate"]},
                   {"text": "Settling in for the #GOPDebate, snacks ready", "hashtags": ["GOPDebate"]}])
    inputs = ContentModelInputs.build(US, table)
    assert inputs.signals(0, "republican") == ["topic_tag"]
    row_of = {pid: i for i, pid in enumerate(table.column("post_id").to_pylist())}
    _labels, pp = Labeller.for_election(US).label(table)
    got = [r for r in pp.to_pylist() if r["party"] == "republican"]
    assert len(got) == 2 and {r["stance_rule"] for r in got} == {"model"}
    for r in got:
        feats = inputs.pair_features(row_of[r["post_id"]], "republican")
        assert feats["lex_post"] > -F.TONE_CUT or r["stance"] != "oppose"
        assert feats["lex_post"] < F.TONE_CUT or r["stance"] != "support"
        assert r["stance"] == "neutral" or not F.topic_tone_gate(feats, r["stance"])


def test_crowd_check_says_no_pairs_where_a_crowd_label_has_none() -> None:
    """The debate run printed "libertarian … crowd Positive: 0 pairs, support 0 (nan% [nan%–nan%])":
    a share of nothing has no value, and the line says so in words."""
    script = load_script("gop_crowd_check")
    assert script.support_share_text({"n": 0, "support_share": float("nan"), "support_ci": script.wilson(0, 0)}) == "no pairs"
    assert script.support_share_text({"n": 330, "support": 12, "support_share": 12 / 330,
                                      "support_ci": script.wilson(12, 330)}) == "3.6% [2.1%–6.2%]"
