"""The content model's tree blend (issue 14, twelfth stance round; `content.trees`,
`modelrun.TreeBlend`, the stage's `_blended_answers`).

The hand-built ensemble pins the arithmetic (a value equal to the threshold goes left, leaves
summed per class in boosting order, softmax). The LightGBM test holds both numpy evaluators to
LightGBM's own `predict_proba` on real labelled features. The stage tests check that the stage
builds exactly the inputs the trees were fitted on, that blend weight 0 changes no value of
either table, that the shipped trees change labels and say so in the evidence, and that a trees
file for another model, or a corrupt one, is refused with a message instead of a hang or a
wrong answer.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from botwatch.content.trees import MAX_DEPTH, LeafTable, TreeEnsemble, TreesError

FIXTURES = Path(__file__).parent / "fixtures" / "content"
DENSE = ("vp", "vt", "lex_", "vader_", "style=", "sig=", "rival=", "named=", "kind=", "party=")


def _leaf(v: float) -> dict:
    return {"leaf_value": v}


def _split(f: int, t: float, lo: dict, hi: dict) -> dict:
    return {"split_index": 0, "split_feature": f, "threshold": t, "decision_type": "<=", "missing_type": "None", "left_child": lo, "right_child": hi}


# Two classes, two rounds: tree 0 (class 0) two levels deep, tree 1 (class 1) a single leaf,
# tree 2 (class 0) one split, tree 3 (class 1) one split on another feature.
DUMP = {
    "objective": "multiclass num_class:2", "num_class": 2, "num_tree_per_iteration": 2, "max_feature_idx": 1,
    "tree_info": [
        {"tree_structure": _split(0, 0.5, _split(1, -1.0, _leaf(1.0), _leaf(2.0)), _leaf(3.0))},
        {"tree_structure": _leaf(0.25)},
        {"tree_structure": _split(1, 0.0, _leaf(-0.5), _leaf(0.5))},
        {"tree_structure": _split(0, 2.0, _leaf(0.0), _leaf(4.0))},
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
    z = want - want.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ens.predict_proba(x), p, rtol=0, atol=1e-15)
    table = LeafTable.of(ens)
    np.testing.assert_array_equal(table.raw_t(np.ascontiguousarray(x[:, table.used].T)), want)
    again = TreeEnsemble.from_dict(json.loads(json.dumps(ens.to_dict())))  # JSON round trip (a leaf's inf threshold as null)
    np.testing.assert_allclose(again.predict_proba(x), p, rtol=0, atol=1e-15)


def test_lightgbm_dumps_this_evaluator_cannot_follow_are_refused() -> None:
    for change in ({"decision_type": "=="}, {"missing_type": "NaN"}, {"missing_type": "Zero"}):
        bad = json.loads(json.dumps(DUMP))
        bad["tree_info"][2]["tree_structure"].update(change)
        with pytest.raises(TreesError):
            TreeEnsemble.from_lightgbm(bad, ["a", "b"])
    for top in ({"objective": "binary sigmoid:1"}, {"average_output": True}):
        with pytest.raises(TreesError):
            TreeEnsemble.from_lightgbm({**DUMP, **top}, ["a", "b"])
    with pytest.raises(TreesError):
        TreeEnsemble.from_lightgbm(DUMP, ["a"])


def _corrupt(change) -> dict:  # type: ignore[no-untyped-def]
    d = TreeEnsemble.from_lightgbm(DUMP, ["a", "b"]).to_dict()
    change(d)
    return d


@pytest.mark.parametrize("change", [
    lambda d: d["left"].__setitem__(1, 0),  # a cycle: node 1's left child is the root
    lambda d: d["right"].__setitem__(0, 2),  # node 2 reached from two parents
    lambda d: d["left"].__setitem__(0, 99),  # a child outside the nodes
    lambda d: d["roots"].__setitem__(1, -1),  # a root outside the nodes
    lambda d: d["feature"].__setitem__(0, 7),  # a split on a feature the model does not have
    lambda d: d["value"].__setitem__(2, float("nan")),
    lambda d: d["threshold"].__setitem__(0, None),  # a split without a threshold
    lambda d: d["left"].__setitem__(2, 3),  # half a leaf
    lambda d: d.update(objective="binary"),
    lambda d: d.update(missing_values="nan"),
    lambda d: d.pop("value"),
    lambda d: d.update(feature=d["feature"][:-1]),
    lambda d: d.update(roots=d["roots"][:-1]),  # 3 trees for 2 classes
    lambda d: d.update(left=["x"] * len(d["left"])),
    lambda d: d.update(features=["a", "a"]),
    lambda d: d["feature"].__setitem__(0, d["feature"][0] + 0.5),  # numpy would truncate it to the same split
    lambda d: d["left"].__setitem__(0, float(d["left"][0])),  # an index must be an integer, even a whole float
    lambda d: d["roots"].__setitem__(0, bool(d["roots"][0]) or False),  # a bool is not a node index
    lambda d: d["value"].__setitem__(2, True),
    lambda d: d["threshold"].__setitem__(0, "0.5"),
    lambda d: d.update(right=tuple(d["right"])),  # not a JSON list
])
def test_corrupt_trees_are_refused_with_a_message(change) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TreesError) as got:
        TreeEnsemble.from_dict(_corrupt(change))
    assert str(got.value)


def test_a_chain_deeper_than_the_bound_is_refused() -> None:
    chain = {"leaf_value": 1.0}
    for _ in range(MAX_DEPTH + 1):
        chain = _split(0, 0.0, chain, _leaf(0.0))
    dump = {**DUMP, "num_class": 1, "objective": "multiclass num_class:1", "num_tree_per_iteration": 1, "tree_info": [{"tree_structure": chain}]}
    with pytest.raises(TreesError, match="deeper"):
        TreeEnsemble.from_lightgbm(dump, ["a", "b"])


@pytest.fixture(scope="module")
def real_dense() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dense features (vector blocks, lexicon, VADER parts, style and cue features) of the
    labelled development pairs and posts of the IRA set, as the trees read them."""
    from sklearn.feature_extraction import DictVectorizer

    from testsupport.scripts import load_script

    T = load_script("train_content_model")
    pairs, posts = T.labelled_items("dev", T.LABELLED_SETS[:1])
    out = {}
    for name, items, classes in (("stance", pairs, T.STANCES), ("sentiment", posts, T.SENTIMENTS)):
        rows = [{k: v for k, v in f.items() if k.startswith(DENSE) and not k.startswith(("vp:", "vt:"))} for f, _y in items]
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
                                colsample_bytree=0.8, reg_lambda=1.0, n_jobs=1, verbose=-1, random_state=0).fit(x, y)
    ens = TreeEnsemble.from_dict(json.loads(json.dumps(TreeEnsemble.from_lightgbm(m.booster_.dump_model(), [f"f{i}" for i in range(x.shape[1])]).to_dict())))
    want = m.predict_proba(x)
    assert ens.depth >= 2  # the trees are not stumps
    np.testing.assert_allclose(ens.predict_proba(x), want, rtol=0, atol=1e-12)
    table = LeafTable.of(ens)
    xt = np.ascontiguousarray(x[:, table.used].T)
    np.testing.assert_allclose(table.predict_proba_t(xt), want, rtol=0, atol=1e-12)
    # raw scores too (LightGBM's `raw_score=True`), where an off-by-one leaf would show plainly
    np.testing.assert_allclose(table.raw_t(xt), m.predict_proba(x, raw_score=True), rtol=0, atol=1e-12)


def _ira_table(n: int) -> pa.Table:
    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:n]
    return pa.table({
        "post_id": [r["tweet_id"] for r in rows], "text": [r["content"] for r in rows],
        "kind": ["retweet" if r["retweet"] == "1" else "original" for r in rows],
        "hashtags": pa.array([[]] * len(rows), pa.list_(pa.string())), "mentions": pa.array([[]] * len(rows), pa.list_(pa.string())),
        "ref_handle": pa.array([None] * len(rows), pa.string()), "handle": [r["author"] for r in rows],
    })


def test_stage_builds_exactly_the_dense_inputs_the_trees_were_fitted_on() -> None:
    """The stage's tree inputs (`TreeBlend.inputs`: columns read from the folded feature sets it
    builds for the linear model, and unfolded vector means from the vector ids kept while
    building them) equal the dense features training reads (plain `vp<i>` / `vt<i>`, lexicon,
    VADER, style, cues) bit for bit, pair by pair and post by post, on labelled IRA posts under
    both presets: the means are taken in float32 as training takes them."""
    from botwatch.content.modelrun import ContentModelInputs, shipped_models, shipped_trees
    from botwatch.elections import load_election

    table = _ira_table(200)
    n = table.num_rows
    models, blends = shipped_models(), shipped_trees()
    assert models is not None and blends is not None
    checked = 0
    for preset in ("us-2016", "uk-ge2017"):
        plain = ContentModelInputs.build(load_election(preset), table)
        folded = ContentModelInputs.build(load_election(preset), table)
        folded.names.use_folded(models[0].folded, models[1].folded)
        for task, items in (("stance", [(i, p) for i in range(n) for p in plain.named_parties(i)]), ("sentiment", [(i, None) for i in range(n)])):
            blend = blends[task]
            names = _input_names(blend)
            want = np.zeros((len(names), len(items)))
            for r, (i, p) in enumerate(items):
                f = plain.pair_features(i, p) if p else plain.post_features(i)
                f = {k: v for k, v in f.items() if k.startswith(DENSE)}
                f["uk"] = float(preset == "uk-ge2017")
                want[:, r] = [f.get(k, 0.0) for k in names]
            folded.names.kept_ids = {"stance": [], "sentiment": []}  # as the stage's step keeps them
            sets = [folded.pair_features(i, p) if p else folded.post_features(i) for i, p in items]
            kept = folded.names.kept_ids[task]
            folded.names.kept_ids = None
            assert not any(k[:2] in ("vp", "vt") and k[2:].isdigit() for s in sets for k in s)  # the stage's sets are folded
            got = blend.inputs(sets, kept, preset == "uk-ge2017")
            assert len(items) > 10 and np.abs(want).sum() > 0
            np.testing.assert_array_equal(got, want)
            checked += len(items)
    assert checked > 400


def _input_names(blend) -> list[str]:  # type: ignore[no-untyped-def]
    """The column names of a blend's input rows, row by row."""
    names = [""] * len(blend.table.used)
    for name, row in zip(blend.named, blend.named_rows.tolist()):
        names[row] = name
    if blend.uk_row is not None:
        names[blend.uk_row] = "uk"
    for pre, (rows, cols, _sub) in zip(("vp", "vt"), blend.vectors):
        for row, col in zip(rows.tolist(), cols):
            names[row] = f"{pre}{col}"
    assert all(names)
    return names


def _stage(blend, lab=None) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """post_labels and post_party rows of 300 labelled IRA posts under uk-ge2017, labelled with
    the tree blends `blend` (None: the linear models alone), or by the Labeller `lab` as it is."""
    from botwatch.content.stage import Labeller
    from botwatch.elections import load_election

    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:300]
    schema = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                        ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
                        ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())])
    table = pa.Table.from_pylist([{"platform": "twitter", "post_id": r["tweet_id"], "account_id": r["author"], "created_at": datetime(2017, 5, 20, 12),
                                   "text": r["content"], "lang": "en", "kind": "original", "ref_handle": None, "hashtags": [], "mentions": [],
                                   "handle": r["author"]} for r in rows], schema=schema)
    if lab is None:
        lab = Labeller.for_election(load_election("uk-ge2017"))
        lab.blend = blend
    labels, party = lab.label(table)
    return labels.to_pylist(), party.to_pylist()


def _shipped_with(weight: "float | None" = None, favour: "int | None" = None, gate: "float | None" = None) -> dict:
    """The shipped blends, at another weight or gate, or with every leaf replaced so the trees
    always say class `favour` (the same columns and splits, leaf values 5 for that class, 0 else)."""
    from botwatch.content.modelrun import TREES_FILE, shipped_models, trees_from_dict

    d = json.loads((Path(__file__).parents[1] / "src" / "botwatch" / "content" / TREES_FILE).read_text(encoding="utf-8"))
    for task in ("stance", "sentiment"):
        if weight is not None:
            d[task]["weight"] = weight
        if gate is not None:
            d[task]["gate"] = gate
        if favour is not None:
            t = d[task]["trees"]
            leaf = [i for i, (lo, hi) in enumerate(zip(t["left"], t["right"])) if lo == i and hi == i]
            tree_of = {}
            for k, r in enumerate(t["roots"]):
                stack = [r]
                while stack:
                    q = stack.pop()
                    tree_of[q] = k
                    if t["left"][q] != q:
                        stack += [t["left"][q], t["right"][q]]
            for i in leaf:
                t["value"][i] = 5.0 if tree_of[i] % 3 == favour else 0.0
    return trees_from_dict(d, shipped_models())


def test_blend_weight_zero_changes_no_value_of_either_table() -> None:
    off = _stage(None)
    zero = _stage(_shipped_with(weight=0.0))
    assert len(off[1]) > 50
    assert off == zero


def test_blend_changes_labels_and_the_evidence_names_it() -> None:
    """Trees that always say class 1 ("oppose" / "negative") at full weight: every pair the model
    decides is "oppose", with evidence "tree blend" where the linear model said otherwise (and
    its words where it agreed), and every post the model scores is negative."""
    from botwatch.content.stage import TREE_BLEND

    _off_labels, off = _stage(None)
    _labels, on = _stage(_shipped_with(weight=1.0, favour=1, gate=1.0))
    model_rows = [(a, b) for a, b in zip(off, on) if a["stance_rule"] == "model"]
    assert len(model_rows) > 20
    assert all(b["stance"] == "oppose" for _a, b in model_rows)
    assert all(b["stance_evidence"].startswith(TREE_BLEND) == (a["stance"] != "oppose") for a, b in model_rows)
    overruled = [(a, b) for a, b in model_rows if a["stance"] != "oppose"]
    assert overruled
    # The evidence says what the linear model said (the blend-off answer) and, where any, its cues toward "oppose".
    assert all(f"(the linear model said {a['stance']}" in b["stance_evidence"] for a, b in overruled)
    assert any("; cues toward oppose: " in b["stance_evidence"] for _a, b in overruled)
    scored = [(a, b) for a, b in zip(off, on) if b["sentiment"] is not None]
    assert len(scored) > 20 and all(b["sentiment"] <= -0.05 for _a, b in scored)
    assert any(a["sentiment"] > -0.05 for a, _b in scored)


def test_the_gate_blends_only_the_unsure_items_and_runs_the_trees_for_them_alone() -> None:
    """`TreeBlend.blend` with the shipped gate: rows whose linear top probability is at or above
    it come back as the linear model's values exactly, and only the other rows' inputs are built
    and sent through the trees (their count is what the trees see)."""
    blends = _shipped_with()
    for task, b in blends.items():
        assert b.gate == 0.7
        p = np.array([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25], [0.69, 0.3, 0.01], [0.2, 0.7, 0.1], [0.34, 0.33, 0.33]])
        seen: list = []

        def inputs(feats, kept, uk, b=b):  # type: ignore[no-untyped-def]
            seen.append((list(feats), list(kept)))
            return np.zeros((len(b.table.used), len(feats)))

        b.inputs = inputs  # type: ignore[method-assign]
        feats = [{"i": float(i)} for i in range(len(p))]
        got = b.blend(p, feats, list(range(len(p))), False)
        assert seen == [([feats[1], feats[2], feats[4]], [1, 2, 4])]
        assert (got[[0, 3]] == p[[0, 3]]).all()
        trees = b.table.predict_proba_t(np.zeros((len(b.table.used), 1)))[0]
        assert np.allclose(got[[1, 2, 4]], (1 - b.weight) * p[[1, 2, 4]] + b.weight * trees)
        seen.clear()
        assert b.blend(p[[0, 3]], feats[:2], [0, 1], False) is not None and seen == []  # nobody unsure: no trees


def test_stage_gate_keeps_the_confident_rows_as_the_linear_model_labels_them() -> None:
    """In the stage, trees that always say class 1 at full weight change only rows the ungated
    blend changes too, fewer of them, and every other row is the linear model's, evidence and all."""
    _l0, off = _stage(None)
    _l1, ungated = _stage(_shipped_with(weight=1.0, favour=1, gate=1.0))
    _l2, gated = _stage(_shipped_with(weight=1.0, favour=1, gate=0.7))
    for keys in (("stance", "stance_evidence"), ("sentiment",)):
        def part(row: dict) -> tuple:  # the row's stance part or its post's sentiment
            return tuple(row[k] for k in keys)

        changed = {n for n, (a, b) in enumerate(zip(off, gated)) if part(a) != part(b)}
        changed_all = {n for n, (a, b) in enumerate(zip(off, ungated)) if part(a) != part(b)}
        assert changed and changed < changed_all
        assert all(part(gated[n]) == part(ungated[n]) for n in changed)


def test_content_run_records_the_model_and_trees_hashes(analysed_sample_path) -> None:  # type: ignore[no-untyped-def]
    """A study labelled with the blend says which linear model and which trees made its labels."""
    import hashlib

    from botwatch import open_study

    pkg = Path(__file__).parents[1] / "src" / "botwatch" / "content"
    with open_study(analysed_sample_path, read_only=True) as st:
        (params,) = [json.loads(r[0]) for r in st.sql("SELECT params FROM runs WHERE stage = 'content'")]
    assert params["content_model_sha256"] == hashlib.sha256((pkg / "content_model.json").read_bytes()).hexdigest()
    assert params["content_trees_sha256"] == hashlib.sha256((pkg / "content_trees.json").read_bytes()).hexdigest()


@pytest.mark.parametrize("change", [
    lambda d: d["stance"]["trees"]["features"].__setitem__(d["stance"]["trees"]["feature"][0], "no such feature"),
    lambda d: d["sentiment"]["trees"]["features"].__setitem__(d["sentiment"]["trees"]["feature"][0], "vt3"),  # window means: stance only
    lambda d: d["stance"]["trees"]["features"].__setitem__(d["stance"]["trees"]["feature"][0], "vp64"),  # beyond the lookup's 64 columns
    lambda d: d["stance"].update(classes=["oppose", "support", "neutral"]),  # another class order than the linear model's
    lambda d: d["sentiment"].update(weight=1.5),
    lambda d: d["stance"].update(gate=1.5),
    lambda d: d["stance"].update(gate="0.7"),
    lambda d: d["sentiment"].pop("gate"),
    lambda d: d["sentiment"].update(weight="0.6"),
    lambda d: d.pop("sentiment"),
    lambda d: d["stance"].update(classes=3),
    lambda d: d["sentiment"].update(classes=None),
    lambda d: d["stance"].update(classes="support oppose neutral"),
    lambda d: d["sentiment"].update(classes=[0, 1, 2]),
])
def test_trees_for_another_model_are_refused(change) -> None:  # type: ignore[no-untyped-def]
    from botwatch.content.modelrun import TREES_FILE, shipped_models, trees_from_dict

    d = json.loads((Path(__file__).parents[1] / "src" / "botwatch" / "content" / TREES_FILE).read_text(encoding="utf-8"))
    change(d)
    with pytest.raises(TreesError):
        trees_from_dict(d, shipped_models())


def test_a_damaged_trees_file_is_one_clear_error(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The package file unreadable as JSON, or cyclic: a ContentModelError (a PipelineError, which
    the commands print as one line) naming the file, not a traceback or a hang."""
    from botwatch.content import modelrun

    assert modelrun.shipped_models() is not None  # loaded (and cached) before the package folder is swapped below
    cyclic = {"trees": _corrupt(lambda d: d["left"].__setitem__(1, 0)), "weight": 0.4, "gate": 0.7, "classes": ["support", "oppose", "neutral"]}
    # (the stance part complete, gate included, so the cyclic tree itself is what gets refused)
    for text, why in (("{not json", "Expecting property name"), (json.dumps({"stance": cyclic, "sentiment": {}}), "cycle")):
        folder = tmp_path / "pkg"
        folder.mkdir(exist_ok=True)
        (folder / modelrun.TREES_FILE).write_text(text, encoding="utf-8")
        monkeypatch.setattr(modelrun.resources, "files", lambda _pkg: folder)
        modelrun.shipped_trees.cache_clear()
        try:
            with pytest.raises(modelrun.ContentModelError, match=modelrun.TREES_FILE) as got:
                modelrun.shipped_trees()
            assert why in str(got.value)
        finally:
            monkeypatch.undo()
            modelrun.shipped_trees.cache_clear()


def test_a_pickled_labeller_is_small_and_blends_with_the_trees_of_its_install() -> None:
    """Spark pickles the Labeller into every job: the shipped blends travel as a look-up of their
    task (`TreeBlend.__reduce_ex__`), not as the trees and their word-vector columns (about 20 MB
    before), and the unpickled labeller, whose process reads the trees file anew as an executor
    does, labels as the original."""
    import pickle

    from botwatch.content import modelrun
    from botwatch.content.stage import Labeller
    from botwatch.elections import load_election

    lab = Labeller.for_election(load_election("uk-ge2017"))
    assert lab.blend is not None and lab.blend == modelrun.shipped_trees()
    data = pickle.dumps(lab)
    assert len(data) < 1_000_000
    want = _stage(None, lab)
    modelrun.shipped_trees.cache_clear()  # another process: the blends are read from its own install
    try:
        again = pickle.loads(data)
        assert again.blend is not None and again.blend["stance"] is not lab.blend["stance"]
        assert again.blend["stance"].weight == lab.blend["stance"].weight and again.blend["sentiment"].gate == lab.blend["sentiment"].gate
        assert _stage(None, again) == want
        assert want != _stage(None)  # the blend changes some rows here, so the comparison shows it ran
    finally:
        modelrun.shipped_trees.cache_clear()


def test_a_blend_that_is_not_the_shipped_one_pickles_whole() -> None:
    """Only the shipped blends pickle as a look-up: another (a test's, a script's) keeps its trees."""
    import pickle

    blends = _shipped_with(weight=0.5)
    again = pickle.loads(pickle.dumps(blends["stance"]))
    assert again.weight == 0.5 and np.array_equal(again.table.table, blends["stance"].table.table)


def test_only_an_absent_trees_file_means_no_trees(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No trees file: no blend, and the run records the linear model's hash with the trees' as
    None. A trees file that is there but cannot be read (here a directory in its place): a
    ContentModelError naming it, from the loader and from the hashes, not a run without trees."""
    import hashlib
    import shutil

    from botwatch.content import modelrun

    pkg = Path(__file__).parents[1] / "src" / "botwatch" / "content"
    folder = tmp_path / "pkg"
    folder.mkdir()
    shutil.copy(pkg / "content_model.json", folder / "content_model.json")
    monkeypatch.setattr(modelrun.resources, "files", lambda _pkg: folder)
    modelrun.shipped_trees.cache_clear()
    try:
        assert modelrun.shipped_trees() is None
        assert modelrun.shipped_files_sha256() == {
            "content_model_sha256": hashlib.sha256((pkg / "content_model.json").read_bytes()).hexdigest(), "content_trees_sha256": None}
        (folder / modelrun.TREES_FILE).mkdir()
        modelrun.shipped_trees.cache_clear()
        with pytest.raises(modelrun.ContentModelError, match=modelrun.TREES_FILE):
            modelrun.shipped_trees()
        with pytest.raises(modelrun.ContentModelError, match=modelrun.TREES_FILE):
            modelrun.shipped_files_sha256()
    finally:
        monkeypatch.undo()
        modelrun.shipped_trees.cache_clear()


def test_the_shipped_blend_weights_and_gates_per_task() -> None:
    """The shipped file's choices (thirteenth round): weight 0.4 for stance, 0.6 for sentiment
    (the medians of the per-fold CV choices), gate 0.7 for both; a file with the weights swapped
    between the tasks, or another gate, fails here and not only in the pinned quality figures."""
    from botwatch.content.modelrun import TREES_FILE, shipped_trees

    d = json.loads((Path(__file__).parents[1] / "src" / "botwatch" / "content" / TREES_FILE).read_text(encoding="utf-8"))
    blends = shipped_trees()
    assert blends is not None
    for task, weight in (("stance", 0.4), ("sentiment", 0.6)):
        assert (d[task]["weight"], d[task]["gate"]) == (weight, 0.7)
        assert (blends[task].task, blends[task].weight, blends[task].gate) == (task, weight, 0.7)


def test_the_stage_hands_each_blend_its_own_items_vector_ids_and_the_uk_flag(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Spying on `TreeBlend.blend` in the stage: each task's blend gets its own task's feature
    sets (a stance set keeps its target window, a sentiment set none), the vector ids kept for
    set j are set j's own (its folded vector features are the means of the folded tables over
    those ids, as `embed._means` takes them), and `uk` is True under uk-ge2017 and a UK election
    file of one's own (another key), False under us-2016."""
    import dataclasses

    from botwatch.content.modelrun import TreeBlend, shipped_models
    from botwatch.content.stage import Labeller
    from botwatch.elections import load_election

    models = shipped_models()
    assert models is not None
    tables = {"stance": models[0].folded, "sentiment": models[1].folded}
    calls: list = []
    real = TreeBlend.blend

    def spy(self, p_linear, feats, kept, uk):  # type: ignore[no-untyped-def]
        calls.append((self.task, self.weight, list(feats), list(kept), uk))
        return real(self, p_linear, feats, kept, uk)

    monkeypatch.setattr(TreeBlend, "blend", spy)
    uk_file = dataclasses.replace(load_election("uk-ge2017"), key="my-uk-election", name="A UK election file of one's own")
    for election, want_uk in ((load_election("uk-ge2017"), True), (load_election("us-2016"), False), (uk_file, True)):
        calls.clear()
        _stage(None, Labeller.for_election(election))
        assert sorted(c[0] for c in calls) == ["sentiment", "stance"]
        for task, weight, feats, kept, uk in calls:
            assert uk is want_uk  # the election's country, not the preset's name (`modelrun.is_uk`)
            assert weight == {"stance": 0.4, "sentiment": 0.6}[task]
            assert len(feats) == len(kept) > 20
            with_ids = 0
            for f, k in zip(feats, kept):
                if k is None:
                    assert not any(key[:3] in ("vp:", "vt:") for key in f)
                    continue
                known, win = k
                assert (win is None) == (task == "sentiment")
                for pre, ids in (("vp", known), ("vt", win)):
                    if pre in tables[task]:
                        for c, col in enumerate(tables[task][pre]):
                            assert f[f"{pre}:{c}"] == math.fsum(col[i] for i in ids) / len(ids)
                with_ids += 1
            assert with_ids > 20


def test_trees_without_folded_vector_features_are_refused_when_read(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The blend reads the vector ids the folded features keep: linear models without folded
    tables, or the vector features switched off, refuse the trees file as it is read (a
    ContentModelError naming it), not in the middle of a run."""
    import dataclasses

    from botwatch.content import embed, modelrun

    models = modelrun.shipped_models()
    assert models is not None
    d = json.loads((Path(__file__).parents[1] / "src" / "botwatch" / "content" / modelrun.TREES_FILE).read_text(encoding="utf-8"))
    for pick in (0, 1):
        bare = tuple(dataclasses.replace(m, folded=None) if k == pick else m for k, m in enumerate(models))
        with pytest.raises(TreesError, match="folded"):
            modelrun.trees_from_dict(d, bare)  # type: ignore[arg-type]
    for flag in ("STANCE", "SENTIMENT"):
        monkeypatch.setattr(embed, flag, False)
        modelrun.shipped_trees.cache_clear()
        try:
            with pytest.raises(modelrun.ContentModelError, match=modelrun.TREES_FILE):
                modelrun.shipped_trees()
        finally:
            monkeypatch.undo()
            modelrun.shipped_trees.cache_clear()


def test_a_failing_step_leaves_no_kept_vector_ids_behind(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A feature set that fails to build in a model step: the error comes through, and the
    labeller's PartyNames keeps no vector-id lists (`kept_ids` is None again), which later steps
    would otherwise grow without bound and misalign with their own sets."""
    from botwatch.content.modelrun import ContentModelInputs
    from botwatch.content.stage import Labeller
    from botwatch.elections import load_election

    lab = Labeller.for_election(load_election("uk-ge2017"))
    assert lab.blend is not None and lab.names is not None

    def boom(self, i, p):  # type: ignore[no-untyped-def]
        assert self.names.kept_ids is not None  # inside the step the lists are there
        raise ValueError("a feature set that cannot be built")

    monkeypatch.setattr(ContentModelInputs, "pair_features", boom)
    with pytest.raises(ValueError, match="cannot be built"):
        _stage(None, lab)
    assert lab.names.kept_ids is None


def test_only_an_absent_model_file_means_no_model(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No content_model.json: None (the rules alone label). One that is there but unreadable (a
    directory in its place) or damaged (not JSON, a part missing): a ContentModelError naming it,
    not a run without the model the install ships, nor a bare traceback from the parser."""
    from botwatch.content import modelrun

    folder = tmp_path / "pkg"
    folder.mkdir()
    monkeypatch.setattr(modelrun.resources, "files", lambda _pkg: folder)
    modelrun.shipped_models.cache_clear()
    try:
        assert modelrun.shipped_models() is None
        target = folder / "content_model.json"
        target.mkdir()
        modelrun.shipped_models.cache_clear()
        with pytest.raises(modelrun.ContentModelError, match="content_model.json"):
            modelrun.shipped_models()
        target.rmdir()
        for damaged in ("{not json", '{"stance": {}}', "[1, 2]"):
            target.write_text(damaged, encoding="utf-8")
            modelrun.shipped_models.cache_clear()
            with pytest.raises(modelrun.ContentModelError, match="content_model.json"):
                modelrun.shipped_models()
    finally:
        monkeypatch.undo()
        modelrun.shipped_models.cache_clear()
        modelrun.shipped_trees.cache_clear()


def test_toward_the_models_own_class_is_predicts_evidence() -> None:
    """`LinearModel.toward` (the words of an overruled pair's evidence) measures what `predict`
    measures: for the model's own class it gives `predict`'s top features, and for another class
    only features that push toward that class."""
    import numpy as np

    from botwatch.content.modelrun import LinearModel

    model = LinearModel(["support", "oppose", "neutral"], np.zeros(3), {"a": 0, "b": 1, "c": 2, "d": 3},
                        np.array([[2.0, 0, 0], [0, 1.5, 0], [0, 0, 1.0], [0.5, 0.4, 0]]))
    feats = {"a": 1.0, "b": 1.0, "c": 0.5, "d": 1.0, "unknown": 3.0}
    c, _p, top = model.predict(feats)
    assert model.toward(feats, c) == top == ["a", "d"]
    assert model.toward(feats, 1) == ["b", "d"]
    assert model.toward(feats, 2) == ["c"]
    assert model.toward({}, 0) == []


def test_overruled_evidence_names_the_cues_toward_the_blends_class() -> None:
    """`stage._overruled`: the cues listed are those toward the class the blend chose, not toward
    the linear model's own class (a model where the two lists differ)."""
    import numpy as np

    from botwatch.content.modelrun import LinearModel
    from botwatch.content.stage import TREE_BLEND, _overruled

    model = LinearModel(["support", "oppose", "neutral"], np.zeros(3), {"w=great": 0, "w=crooked": 1, "style=exclaim": 2},
                        np.array([[2.0, 0, 0], [0, 1.0, 0], [0, 0.6, 0]]))
    feats = {"w=great": 1.0, "w=crooked": 1.0, "style=exclaim": 1.0}
    assert model.predict(feats)[0] == 0
    got = _overruled(model, feats, 0, 1)
    assert got == f"{TREE_BLEND} (the linear model said support; cues toward oppose: “crooked”; an exclamation mark)"
    assert _overruled(model, {"w=great": 1.0}, 0, 2) == f"{TREE_BLEND} (the linear model said support)"
