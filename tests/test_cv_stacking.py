"""The tenth stance round's scripts (scripts/cv_stacking.py, stacking_inference_cost.py).

Code paths only, on a few generated items (no figure here is a measurement): the nested first
level never answers an item with a model that saw its post, its outer answers are the harness's
own (`cv_word_vectors.fold_answers`), the numpy convolution's backward pass is the gradient of its
loss, and the numpy tree walk gives LightGBM's own probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest

from testsupport.scripts import load_script

STANCES = ["support", "oppose", "neutral"]
SENTIMENTS = ["positive", "negative", "neutral"]


def _data(cs):  # type: ignore[no-untyped-def]
    """Two pairs and one post per generated post id, both elections."""
    pairs, posts, gp, gs, mp, ms = [], [], [], [], [], []
    for p in range(30):
        el = "uk-ge2017" if p % 2 else "us-2016"
        for j in range(2):
            lab = STANCES[(p + j) % 3]
            pairs.append(({f"w={lab}": 1.0, f"n={p % 4}": 1.0, "sig=topic_kw": 1.0}, lab))
            gp.append(f"p{p}")
            mp.append((el, None))
        lab = SENTIMENTS[p % 3]
        posts.append(({f"w={lab}": 1.0, f"n={p % 4}": 1.0, "lex_post": 0.1 * (p % 3)}, lab))
        gs.append(f"p{p}")
        ms.append((el, "text"))
    it = {"pairs": pairs, "posts": posts, "pairs_pool": [{} for _ in pairs], "posts_pool": [{} for _ in posts], "weak": [],
          "gp": gp, "gs": gs, "mp": mp, "ms": ms}
    settings = {t: {"C": 1.0, "weak_weight": 0.0, "balance": 0.0} for t in ("stance", "sentiment")}
    return cs.Data(it, settings)


def test_nested_first_level_never_answers_an_item_with_a_model_that_saw_its_post() -> None:
    cs = load_script("cv_stacking")
    d = _data(cs)
    seen: list[tuple[set, str]] = []
    fit, proba = d.fit_lr, d.proba

    def fit_lr(task, out):  # type: ignore[no-untyped-def]
        model = fit(task, out)
        seen.append((set(out), task))
        return (model, set(out))

    def check(model, task, idx):  # type: ignore[no-untyped-def]
        inner, out = model
        assert {d.groups[task][i] for i in idx} <= out  # every answered item's post was left out
        return proba(inner, task, idx)

    d.fit_lr, d.proba = fit_lr, check  # type: ignore[method-assign]
    for task in cs.TASKS:
        seen.clear()
        res = cs.nested_lr(d, task, seed=0)
        folds = [{g for g, f in res["fold"].items() if f == k} for k in range(5)]
        for k, held in enumerate(folds):
            for t in cs.TASKS:
                assert {d.groups[t][i] for i in res["outer"][k][t]} <= held
                assert not {d.groups[t][i] for i in res["inner"][k][t]} & held
        # Every model, the inner ones too, left a whole outer fold out: the second level's
        # training answers never come from a model that saw the posts it is scored on.
        assert all(any(held <= out for held in folds) for out, _t in seen)
        assert len(seen) == 2 * 5 * 6  # both models, 5 outer folds x (1 + 5 inner)


def test_outer_answers_are_the_harness_answers() -> None:
    cs = load_script("cv_stacking")
    cw = load_script("cv_word_vectors")
    d = _data(cs)
    for task, classes in (("stance", STANCES), ("sentiment", SENTIMENTS)):
        res = cs.nested_lr(d, task, seed=1)
        mine = [""] * len(d.items[task])
        for k in res["outer"]:
            for i, p in res["outer"][k][task].items():
                mine[i] = classes[int(np.argmax(p))]
        ref = cw.fold_answers(d.items[task], [], d.groups[task], classes, d.settings[task], seed=1)
        assert mine == ref
        assert cs.candidate_answers(d, task, 1, res, "baseline", []) == ref


def test_textcnn_backward_is_the_gradient_of_its_loss() -> None:
    cs = load_script("cv_stacking")
    rng = np.random.default_rng(1)
    m = cs.TextCNN(filters=4, seed=0)
    seqs = [[int(rng.integers(0, 1000)) for _ in range(int(rng.integers(2, 7)))] + [cs.TGT, cs.OTH] for _ in range(6)]
    xw, mask, near = m._inputs(seqs)
    xw = xw.astype(np.float64)
    d_in = xw.shape[2]
    m.W, m.b = rng.standard_normal((d_in, 4)) * 0.3, np.array([0.1, 0.1, 0.1, -5.0])  # filter 3 never fires: no gradient
    m.U, m.c = rng.standard_normal((8, 3)), np.zeros(3)
    y = rng.integers(0, 3, 6)

    def loss() -> float:
        return float(-np.mean(np.log(m._forward(xw, mask, near)[3][np.arange(6), y])))

    # The backward pass TextCNN.fit steps along (unit weights; L2 off).
    m.l2 = 0.0
    gw, _gb, gu, _gc = m._grads(xw, mask, near, np.eye(3)[y], np.ones(6))
    eps = 1e-6
    cells = (
        (m.W, gw, [(0, 0), (5, 1), (130, 3), (70, 3), (d_in - 1, 2), (d_in - 2, 0)]),
        (m.U, gu, [(0, 0), (7, 2)]),
    )
    for weights, grad, at in cells:  # central differences, each weight nudged in place and restored
        for (a, b) in at:
            weights[a, b] += eps
            up = loss()
            weights[a, b] -= 2 * eps
            down = loss()
            weights[a, b] += eps
            assert (up - down) / (2 * eps) == pytest.approx(grad[a, b], abs=1e-6)


def test_numpy_tree_walk_gives_lightgbm_probabilities() -> None:
    pytest.importorskip("lightgbm")
    from lightgbm import LGBMClassifier

    ic = load_script("stacking_inference_cost")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 5))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    m = LGBMClassifier(n_estimators=20, num_leaves=5, min_child_samples=5, n_jobs=1, verbose=-1).fit(x, y)
    mine = ic.trees_proba(ic.tree_arrays(m.booster_), x)
    assert np.abs(mine - m.predict_proba(x)).max() < 1e-9


def _gated(cs, d, task, res, kind, learner_class, monkeypatch):  # type: ignore[no-untyped-def]
    """`kind`'s answers with the second learner replaced by a fixed one-hot answer per item
    (`learner_class(i)`) and the blend weight forced to 1, so every blended item shows it."""
    monkeypatch.setattr(cs, "_BLEND_PARTS", {})
    monkeypatch.setattr(cs, "BLEND_GRID", (1.0,))

    def fake(d_, task_, learner, seed, tr, ytr, w, te):  # type: ignore[no-untyped-def]
        return np.eye(3)[[learner_class(i) for i in te]]

    monkeypatch.setattr(cs, "second_learner", fake)
    return cs.candidate_answers(d, task, 0, res, kind, [])


def test_gate_reads_only_the_linear_probabilities_and_its_ends_are_the_blend_and_the_baseline(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cs = load_script("cv_stacking")
    d = _data(cs)
    monkeypatch.setitem(cs.GATES, "gbm40-gate100", 1.0)
    monkeypatch.setitem(cs.GATES, "gbm40-gate0", 0.0)
    for task, classes in (("stance", STANCES), ("sentiment", SENTIMENTS)):
        res = cs.nested_lr(d, task, seed=0)
        p_lr = {i: p for k in res["outer"] for i, p in res["outer"][k][task].items()}
        assert max(p.max() for p in p_lr.values()) < 1.0
        base = cs.candidate_answers(d, task, 0, res, "baseline", [])
        for t, kind in ((0.5, "gbm40-gate50"), (0.6, "gbm40-gate60"), (0.7, "gbm40-gate70")):
            unsure = {i for i, p in p_lr.items() if p.max() < t}
            for shift in (1, 2):  # two different second learners: the gate must not move with them
                got = _gated(cs, d, task, res, kind, lambda i: (i + shift) % 3, monkeypatch)
                want = [classes[(i + shift) % 3] if i in unsure else base[i] for i in range(len(base))]
                assert got == want
        blend = _gated(cs, d, task, res, "gbm40-blend", lambda i: (i + 1) % 3, monkeypatch)
        assert _gated(cs, d, task, res, "gbm40-gate100", lambda i: (i + 1) % 3, monkeypatch) == blend
        assert _gated(cs, d, task, res, "gbm40-gate0", lambda i: (i + 1) % 3, monkeypatch) == base
        assert blend != base
