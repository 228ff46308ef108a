"""botwatch.content.trees: a boosted ensemble evaluated with numpy only (eleventh stance round).

The hand-built ensemble pins the arithmetic (a value equal to the threshold goes left, leaves
summed per class in boosting order, softmax); the LightGBM test holds both numpy evaluators
(descent level by level, and the leaf tables) to LightGBM's own `predict_proba` on real features:
the dense features of the labelled development posts and pairs, as the eleventh round's blend
reads them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from botwatch.content.trees import LeafTable, TreeEnsemble


def _leaf(v: float, i: int) -> dict:
    return {"leaf_index": i, "leaf_value": v}


def _split(f: int, t: float, lo: dict, hi: dict) -> dict:
    return {"split_index": 0, "split_feature": f, "threshold": t, "decision_type": "<=", "left_child": lo, "right_child": hi}


# Two classes, two rounds: tree 0 (class 0) two levels deep, tree 1 (class 1) a single leaf,
# tree 2 (class 0) one split, tree 3 (class 1) one split on another feature.
DUMP = {
    "num_tree_per_iteration": 2,
    "max_feature_idx": 1,
    "tree_info": [
        {"tree_structure": _split(0, 0.5, _split(1, -1.0, _leaf(1.0, 0), _leaf(2.0, 1)), _leaf(3.0, 2))},
        {"tree_structure": {"leaf_value": 0.25}},
        {"tree_structure": _split(1, 0.0, _leaf(-0.5, 0), _leaf(0.5, 1))},
        {"tree_structure": _split(0, 2.0, _leaf(0.0, 0), _leaf(4.0, 1))},
    ],
}


def _expected_raw(a: float, b: float) -> list[float]:
    t0 = (1.0 if b <= -1.0 else 2.0) if a <= 0.5 else 3.0
    t2 = -0.5 if b <= 0.0 else 0.5
    t3 = 0.0 if a <= 2.0 else 4.0
    return [t0 + t2, 0.25 + t3]


def test_hand_built_ensemble_gives_its_leaves_and_ties_go_left() -> None:
    ens = TreeEnsemble.from_lightgbm(DUMP, ["a", "b"])
    x = np.array([[0.5, -1.0], [0.6, -1.0], [0.0, 0.0], [3.0, 5.0], [-2.0, -3.0], [2.0, 0.1]])  # rows 0, 2: exactly on a threshold
    want = np.array([_expected_raw(a, b) for a, b in x])
    assert ens.depth == 2
    np.testing.assert_array_equal(ens.raw(x), want)
    np.testing.assert_array_equal(ens.compile().raw(x), want)
    z = want - want.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ens.predict_proba(x), p, rtol=0, atol=1e-15)
    again = TreeEnsemble.from_dict(json.loads(json.dumps(ens.to_dict())))  # JSON round trip (inf thresholds as null)
    np.testing.assert_array_equal(again.raw(x), want)
    assert isinstance(ens.compile(), LeafTable)


def test_categorical_split_and_wrong_feature_count_are_refused() -> None:
    bad = json.loads(json.dumps(DUMP))
    bad["tree_info"][2]["tree_structure"]["decision_type"] = "=="
    with pytest.raises(ValueError):
        TreeEnsemble.from_lightgbm(bad, ["a", "b"])
    with pytest.raises(ValueError):
        TreeEnsemble.from_lightgbm(DUMP, ["a"])


@pytest.fixture(scope="module")
def real_dense() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dense features (vector blocks, lexicon, VADER parts, style and cue features) of the
    labelled development pairs and posts of the IRA set, as the blend reads them."""
    from sklearn.feature_extraction import DictVectorizer

    from testsupport.scripts import load_script

    T = load_script("train_content_model")
    pairs, posts = T.labelled_items("dev", T.LABELLED_SETS[:1])
    prefixes = ("vp", "vt", "lex_", "vader_", "style=", "sig=", "rival=", "named=", "kind=", "party=")
    out = {}
    for name, items, classes in (("stance", pairs, T.STANCES), ("sentiment", posts, T.SENTIMENTS)):
        rows = [{k: v for k, v in f.items() if k.startswith(prefixes) and not k.startswith(("vp:", "vt:"))} for f, _y in items]
        x = DictVectorizer(sparse=False).fit_transform(rows)
        y = np.array([classes.index(lab) for _f, lab in items])
        out[name] = (x, y)
    return out


@pytest.mark.parametrize("task", ["stance", "sentiment"])
def test_numpy_trees_equal_lightgbm_on_real_features(real_dense, task: str) -> None:  # type: ignore[no-untyped-def]
    lightgbm = pytest.importorskip("lightgbm")
    x, y = real_dense[task]
    assert x.shape[1] > 64 and len(np.unique(y)) == 3
    m = lightgbm.LGBMClassifier(n_estimators=40, learning_rate=0.1, num_leaves=7, min_child_samples=20, subsample=0.8, subsample_freq=1,
                                colsample_bytree=0.8, n_jobs=1, verbose=-1, random_state=0).fit(x, y)
    ens = TreeEnsemble.from_dict(json.loads(json.dumps(TreeEnsemble.from_lightgbm(m.booster_.dump_model(), [f"f{i}" for i in range(x.shape[1])]).to_dict())))
    want = m.predict_proba(x)
    assert ens.depth >= 2  # the trees are not stumps: the descent is exercised
    np.testing.assert_allclose(ens.predict_proba(x), want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ens.compile().predict_proba(x), want, rtol=0, atol=1e-12)
    # raw scores too (LightGBM's `raw_score=True`), where an off-by-one leaf would show plainly
    np.testing.assert_allclose(ens.compile().raw(x), m.predict_proba(x, raw_score=True), rtol=0, atol=1e-12)


def test_stage_builds_the_dense_inputs_the_trees_were_trained_on() -> None:
    """The stage's tree inputs (`TreeBlend.matrix`: the folded feature sets it builds for the
    linear model, plus unfolded vector means from the vector ids kept while building them) equal the
    dense features training reads (plain `vp<i>` / `vt<i>`, lexicon, VADER, style, cues), pair
    by pair and post by post, on the labelled IRA posts under both presets. Tolerance 1e-5: training
    takes the means in float32, the stage sums in float64 (see docs/methods.md, eleventh round)."""
    import csv
    from pathlib import Path

    import pyarrow as pa

    from botwatch.content.modelrun import ContentModelInputs, TreeBlend, shipped_models
    from botwatch.elections import load_election

    fixtures = Path(__file__).parent / "fixtures" / "content"
    with open(fixtures / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:150]
    n = len(rows)
    table = pa.table({
        "post_id": [r["tweet_id"] for r in rows], "text": [r["content"] for r in rows],
        "kind": ["retweet" if r["retweet"] == "1" else "original" for r in rows],
        "hashtags": pa.array([[]] * n, pa.list_(pa.string())), "mentions": pa.array([[]] * n, pa.list_(pa.string())),
        "ref_handle": pa.array([None] * n, pa.string()), "handle": [r["author"] for r in rows],
    })
    prefixes = ("vp", "vt", "lex_", "vader_", "style=", "sig=", "rival=", "named=", "kind=", "party=")
    models = shipped_models()
    assert models is not None
    checked = 0
    for preset in ("us-2016", "uk-ge2017"):
        plain = ContentModelInputs.build(load_election(preset), table)
        items = [(i, p) for i in range(n) for p in plain.named_parties(i)] + [(i, None) for i in range(n)]
        want_rows = [{k: v for k, v in (plain.pair_features(i, p) if p else plain.post_features(i)).items()
                      if k.startswith(prefixes) and not k.startswith(("vp:", "vt:"))} for i, p in items]
        folded = ContentModelInputs.build(load_election(preset), table)
        folded.names.use_folded(models[0].folded, models[1].folded)
        folded.names.kept_ids = {"stance": [], "sentiment": []}  # as the stage's step keeps them
        got_sets = [folded.pair_features(i, p) if p else folded.post_features(i) for i, p in items]
        kept = folded.names.kept_ids
        assert len(kept["stance"]) + len(kept["sentiment"]) == len(items)
        ids_of = dict(zip([it for it in items if it[1] is not None], kept["stance"]))
        ids_of.update(zip([it for it in items if it[1] is None], kept["sentiment"]))
        assert not any(k[:2] in ("vp", "vt") and k[2:].isdigit() for s in got_sets for k in s)  # the stage's sets are folded
        for pairs in (True, False):
            pick = [j for j, (_i, p) in enumerate(items) if (p is not None) == pairs]
            cols = [f"{b}{j}" for b in (("vp", "vt") if pairs else ("vp",)) for j in range(64)]
            cols += sorted(set().union(*(want_rows[j] for j in pick)) - set(cols)) + ["uk"]
            tb = TreeBlend(None, {k: j for j, k in enumerate(cols)}, 0.5, [], uk=preset == "uk-ge2017")  # type: ignore[arg-type]
            want = np.zeros((len(pick), len(cols)))
            for r, j in enumerate(pick):
                for k, v in want_rows[j].items():
                    want[r, tb.columns[k]] = v
            want[:, tb.columns["uk"]] = float(preset == "uk-ge2017")
            got = tb.matrix([got_sets[j] for j in pick], [folded.known_and_window(ids_of[items[j]], pairs) for j in pick])
            assert len(pick) > 10 and np.abs(want[:, :64]).sum() > 0
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
            checked += len(pick)
    assert checked > 300


def _constant_trees(favour: int, features: list[str]) -> dict:
    """One boosting round whose three trees split on `lex_post` and give class `favour` 5 either
    way: an ensemble that always says that class."""
    j = features.index("lex_post")
    info = []
    for c in range(3):
        v = 5.0 if c == favour else 0.0
        info.append({"tree_structure": _split(j, 0.0, _leaf(v, 0), _leaf(v, 1))})
    return {"num_tree_per_iteration": 3, "max_feature_idx": len(features) - 1, "tree_info": info}


def _trees_file(tmp_path, weight: float) -> str:  # type: ignore[no-untyped-def]
    out = {}
    for task, favour, blocks, classes in (("stance", 1, ("vp", "vt"), ["support", "oppose", "neutral"]),
                                          ("sentiment", 1, ("vp",), ["positive", "negative", "neutral"])):
        feats = [f"{b}{i}" for b in blocks for i in range(64)] + ["lex_post", "uk"]
        ens = TreeEnsemble.from_lightgbm(_constant_trees(favour, feats), feats)
        out[task] = {"trees": ens.to_dict(), "weight": weight, "classes": classes}
    path = tmp_path / f"trees-{weight}.json"
    path.write_text(json.dumps(out))
    return str(path)


def _stage_answers(monkeypatch, path: "str | None"):  # type: ignore[no-untyped-def]
    import csv
    from datetime import datetime
    from pathlib import Path

    import pyarrow as pa

    from botwatch.content.modelrun import TREES_ENV
    from botwatch.content.stage import Labeller
    from botwatch.elections import load_election

    if path is None:
        monkeypatch.delenv(TREES_ENV, raising=False)
    else:
        monkeypatch.setenv(TREES_ENV, path)
    with open(Path(__file__).parent / "fixtures" / "content" / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:300]
    schema = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                        ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
                        ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())])
    table = pa.Table.from_pylist([{"platform": "twitter", "post_id": r["tweet_id"], "account_id": r["author"], "created_at": datetime(2017, 5, 20, 12),
                                   "text": r["content"], "lang": "en", "kind": "original", "ref_handle": None, "hashtags": [], "mentions": [],
                                   "handle": r["author"]} for r in rows], schema=schema)
    lab = Labeller.for_election(load_election("uk-ge2017"))
    assert (lab._trees is not None) == (path is not None)
    labels, party = lab.label(table)
    return labels.to_pylist(), party.to_pylist()


def test_stage_tree_blend_is_off_by_default_and_weight_zero_changes_nothing(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    off = _stage_answers(monkeypatch, None)
    zero = _stage_answers(monkeypatch, _trees_file(tmp_path, 0.0))
    assert len(off[1]) > 50
    assert off == zero


def test_stage_tree_blend_reads_the_trees(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Trees that always say "oppose" / "negative" at full weight: every pair the model decides is
    "oppose" (evidence "tree blend" where the linear model said otherwise) and every post the model
    scores is negative."""
    off_labels, off_party = _stage_answers(monkeypatch, None)
    labels, party = _stage_answers(monkeypatch, _trees_file(tmp_path, 1.0))
    model_rows = [(a, b) for a, b in zip(off_party, party) if a["stance_rule"] == "model"]
    assert len(model_rows) > 20
    assert all(b["stance"] == "oppose" for _a, b in model_rows)
    assert any(a["stance"] != "oppose" and b["stance_evidence"] == "tree blend" for a, b in model_rows)
    scored = [(a, b) for a, b in zip(off_party, party) if b["sentiment"] is not None]  # the model's sentiment of the post, per party named
    assert len(scored) > 20 and all(b["sentiment"] <= -0.05 for _a, b in scored)
    assert any(a["sentiment"] > -0.05 for a, _b in scored)
    assert off_labels != labels
