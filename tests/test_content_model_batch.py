"""`LinearModel.predict_many` (the batched model call of the content stage) must answer exactly
as `predict` does, set by set: same class, same probabilities to the last bit, same evidence."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa

from botwatch.content.modelrun import ContentModelInputs, shipped_models
from botwatch.elections import load_election

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def _inputs(preset: str) -> ContentModelInputs:
    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    n = len(rows)
    table = pa.table({
        "post_id": [r["tweet_id"] for r in rows],
        "text": [r["content"] for r in rows],
        "kind": ["retweet" if r["retweet"] == "1" else "original" for r in rows],
        "hashtags": pa.array([[]] * n, pa.list_(pa.string())),
        "mentions": pa.array([[]] * n, pa.list_(pa.string())),
        "ref_handle": pa.array([None] * n, pa.string()),
        "handle": [r["author"] for r in rows],
    })
    return ContentModelInputs.build(load_election(preset), table)


def test_predict_many_equals_predict_on_every_feature_set() -> None:
    models = shipped_models()
    assert models is not None
    stance, sentiment = models
    checked = 0
    for preset in ("us-2016", "uk-ge2017"):
        inp = _inputs(preset)
        posts = [inp.post_features(i) for i in range(len(inp.texts))] + [{}]
        pairs = [inp.pair_features(i, p) for i in range(len(inp.texts)) for p in inp.named_parties(i)] + [{"no-such-feature": 1.0}]
        assert len(pairs) > 100
        for model, sets, k in ((sentiment, posts, 0), (stance, pairs, 3), (sentiment, posts[:50], 3)):
            for one, (c, p, top) in zip(sets, model.predict_many(sets, k)):
                c0, p0, top0 = model.predict(one, k)
                assert (c, top) == (c0, top0)
                assert np.array_equal(p, p0)  # bit for bit, not approximately
                checked += 1
    assert checked > 1500
    assert sentiment.predict_many([]) == []
