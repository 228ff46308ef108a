"""The training labels and the shipped content model, checked against what docs/methods.md says.

- The training draw (train_stance_*.csv) is training data only and holds no frozen test post, nor
  a near-copy of one: otherwise the documented test figures would be measured on trained-on text.
- The shipped weights (content_model.json) are the ones the documented figures were measured
  with: the file's hash and its training inputs (pairs, posts, settings, CV figures) must equal
  content.stance.MEASURED_MODEL, so retraining without measuring again fails here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from importlib import resources
from pathlib import Path

from botwatch.content.stance import MEASURED_MODEL

from testsupport.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "content"


def _rows(name: str) -> list[dict[str, str]]:
    with (FIX / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_training_draw_is_dev_only_and_well_formed() -> None:
    posts = {r["tweet_id"]: r for r in _rows("train_stance_posts.csv")}
    labels = _rows("train_stance_labels.csv")
    old_ids = {r["tweet_id"] for r in _rows("ira_stance_posts.csv")}
    assert not posts.keys() & old_ids
    assert {r["part"] for r in labels} == {"dev"}
    assert {r["post_id"] for r in labels} == set(posts)
    assert {r["stance"] for r in labels if r["party"]} <= {"support", "oppose", "neutral"}
    assert all(r["stance"] == "" for r in labels if not r["party"])
    assert {r["sentiment"] for r in labels} <= {"positive", "negative", "neutral"}
    pairs = [(r["post_id"], r["party"]) for r in labels if r["party"]]
    assert len(pairs) == len(set(pairs))
    # The pairs the shipped weights were trained on: all but the pools labelled after them.
    untrained = set(MEASURED_MODEL.get("untrained_pools", ()))  # type: ignore[call-overload]
    assert sum(1 for r in labels if r["party"] and r["pool"] not in untrained) == MEASURED_MODEL["new_pairs"]


def test_no_test_post_or_near_copy_in_training() -> None:
    mod = load_script("near_copies")
    parts = {r["post_id"]: r["part"] for r in _rows("ira_stance_labels.csv")}
    index = mod.NearIndex()
    for r in _rows("ira_stance_posts.csv"):
        if parts.get(r["tweet_id"]) == "test":
            index.add(r["content"])
    leaked = [r["content"] for r in _rows("train_stance_posts.csv") if index.near(r["content"])]
    assert leaked == []
    # The check itself can fail: a test text with another link and an RT prefix is caught.
    test_text = next(r["content"] for r in _rows("ira_stance_posts.csv") if parts.get(r["tweet_id"]) == "test" and len(r["content"]) > 40)
    assert index.near("RT @someone: " + test_text + " https://t.co/xyz")


def test_shipped_model_is_the_measured_one() -> None:
    raw = (resources.files("botwatch.content") / "content_model.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == MEASURED_MODEL["sha256"], "content_model.json changed: measure the test part again and update MEASURED_MODEL and docs/methods.md"
    trees = (resources.files("botwatch.content") / "content_trees.json").read_bytes()
    assert hashlib.sha256(trees).hexdigest() == MEASURED_MODEL["trees_sha256"], "content_trees.json changed: measure the test part again and update MEASURED_MODEL and docs/methods.md"
    model = json.loads(raw)
    for name in ("stance", "sentiment"):
        got = {k: model[name][k] for k in ("C", "weak_weight", "balance", "n", "n_weak")}
        assert got == MEASURED_MODEL[name]["settings"]
        assert model[name]["cv_macro_f1_acc_majority"] == MEASURED_MODEL[name]["cv"]
    # The sentiment model reads VADER's shares, so the stage must hand them over.
    assert {"vader_pos", "vader_neg", "vader_neu"} <= set(model["sentiment"]["weights"])


def test_sentiment_parts_are_vaders_and_reach_the_features() -> None:
    from botwatch.content.features import PartyNames, post_features
    from botwatch.content.sentiment import SentimentScorer
    from botwatch.elections import load_election

    sc = SentimentScorer(workers=1)
    text = "Great news, but the corrupt Tories lied again https://t.co/x"
    compound, pos, neg, neu = sc.parts(text)
    assert sc.score(text) == compound and pos > 0 and neg > 0 and abs(pos + neg + neu - 1) < 0.01
    names = PartyNames.of(load_election("uk-ge2017"))
    f = post_features(text, names, ["conservative"], "original", sc.score, parts=sc.parts(text))
    assert (f["vader_pos"], f["vader_neg"], f["vader_neu"]) == (pos, neg, neu)


def test_character_ngrams_match_the_shipped_model() -> None:
    """A model trained with character n-grams needs the stage to emit them (and one trained without
    them must not be fed them): the flags in features.py must be the ones the model file records."""
    from botwatch.content import features

    model = json.loads((resources.files("botwatch.content") / "content_model.json").read_bytes())
    flags = {"stance": features.CHAR_NGRAMS_STANCE, "sentiment": features.CHAR_NGRAMS_SENTIMENT}
    for name, on in flags.items():
        assert model[name].get("char_ngrams", False) == on, name
        assert any(k.startswith("c=") for k in model[name]["weights"]) == on, name


def test_character_ngrams_are_char_wb_grams_of_the_masked_words() -> None:
    from botwatch.content.features import char_ngram_features

    f = char_ngram_features("tgt liar")
    assert set(f) == {"c= tg", "c=tgt", "c=gt ", "c= tgt", "c=tgt ", "c= tgt ",
                      "c= li", "c=lia", "c=iar", "c=ar ", "c= lia", "c=liar", "c=iar ", "c= liar", "c=liar "}
    assert set(f.values()) == {0.3}
