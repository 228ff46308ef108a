"""What the tenth round's blends would cost at run time, with numpy only (issue 14).

The content stage must answer with numpy alone (no LightGBM or scikit-learn at run time). This
fits the LightGBM and the MLP of `scripts/cv_stacking.py` (`gbm-blend`, `mlp-blend`; fixed
settings) once on every dev and training item, evaluates them with numpy only (the trees exported
by LightGBM's `dump_model` and walked level by level for a whole batch; the MLP as two matrix
products), checks the numpy answers against the libraries' own, and times, per item and in
batches of 2,048 as the stage runs its models: the dense input the learner needs beyond what the
stage already builds (the unfolded 64-d post and target-window means; for the MLP also the
max-pooled vectors), and the learner itself. Process CPU time (`time.process_time`), best of
`--repeats`. The frozen test part is not read.

Usage: python scripts/stacking_inference_cost.py [--cache /tmp/cv_stacking] [--repeats 5]
(the items cache of scripts/cv_stacking.py; built there if absent)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stacking as C  # noqa: E402

from botwatch.content import embed  # noqa: E402


def tree_arrays(booster) -> tuple[np.ndarray, ...]:  # type: ignore[no-untyped-def]
    """Every tree of a LightGBM booster as padded arrays (tree, node): split feature, threshold,
    left and right child (a leaf as -1 - its index), leaf values; and the class of each tree."""
    dump = booster.dump_model()
    trees = dump["tree_info"]
    k = dump["num_tree_per_iteration"]
    feat, thr, left, right, leaves = [], [], [], [], []
    for t in trees:
        f, h, lo, hi, lv = [], [], [], [], {}

        def walk(n: dict) -> int:
            if "leaf_index" in n:
                lv[n["leaf_index"]] = n["leaf_value"]
                return -1 - n["leaf_index"]
            if "split_index" not in n:  # a tree of one leaf
                lv[0] = n.get("leaf_value", 0.0)
                return -1
            if n["decision_type"] != "<=":  # numerical splits only (no categorical features; no missing values here)
                raise ValueError(n["decision_type"])
            me = len(f)
            f.append(n["split_feature"]); h.append(n["threshold"]); lo.append(0); hi.append(0)  # noqa: E702
            lo[me] = walk(n["left_child"])
            hi[me] = walk(n["right_child"])
            return me

        root = walk(t["tree_structure"])
        if root < 0:  # one leaf: a split that always goes left to it
            f, h, lo, hi = [0], [np.inf], [root], [root]
        feat.append(f); thr.append(h); left.append(lo); right.append(hi)  # noqa: E702
        leaves.append([lv[i] for i in range(len(lv))])
    n_nodes = max(map(len, feat))
    n_leaves = max(map(len, leaves))
    pad = lambda rows, fill, dt: np.array([r + [fill] * (w - len(r)) for r, w in zip(rows, [n_nodes] * len(rows))], dt)  # noqa: E731
    lv = np.array([r + [0.0] * (n_leaves - len(r)) for r in leaves])
    return pad(feat, 0, np.int32), pad(thr, np.inf, float), pad(left, -1, np.int32), pad(right, -1, np.int32), lv, np.arange(len(trees)) % k, k


def trees_proba(arrays: tuple, x: np.ndarray) -> np.ndarray:
    """Class probabilities of the rows `x` from `tree_arrays` (numpy only): all trees at once,
    one level per step, then the softmax of each class's summed leaf values."""
    feat, thr, left, right, leaves, cls, k = arrays
    n, t = len(x), len(feat)
    node = np.zeros((n, t), np.int32)
    cols = np.arange(t)[None, :]
    rows = np.arange(n)[:, None]
    active = node >= 0
    while active.any():
        safe = np.where(active, node, 0)
        go_left = x[rows, feat[cols, safe]] <= thr[cols, safe]
        nxt = np.where(go_left, left[cols, safe], right[cols, safe])
        node = np.where(active, nxt, node)
        active = node >= 0
    vals = leaves[cols, -1 - node]
    raw = np.stack([vals[:, cls == c].sum(axis=1) for c in range(k)], axis=1)
    raw -= raw.max(axis=1, keepdims=True)
    e = np.exp(raw)
    return e / e.sum(axis=1, keepdims=True)


def best(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/cv_stacking"))
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from sklearn.feature_extraction import DictVectorizer

    d = C.Data(C.build_items(args.cache), json.loads(C.T.OUT.read_text(encoding="utf-8")))
    wv = embed.shipped()
    ycls = {t: {c: n for n, c in enumerate(C.CLASSES[t])} for t in C.TASKS}
    for task in C.TASKS:
        idx = list(range(len(d.items[task])))
        y = np.array([ycls[task][d.items[task][i][1]] for i in idx])
        w = C.class_weights(y, d.settings[task]["balance"])
        seqs = [C.sequence_of(d, task, i) for i in idx]
        n = min(2048, len(idx))
        # The dense input beyond the stage's own: unfolded means (and max pools) from token ids.
        ids = [[i for i in s if i >= 0] or [0] for s in seqs[:n]]
        spots = [[k for k, i in enumerate(s) if i == C.TGT] for s in seqs[:n]]

        def means(pool: bool) -> None:
            for s, sp, known in zip(seqs[:n], spots, ids):
                v = wv.vectors[known]
                v.mean(axis=0)
                if task == "stance":
                    win = embed._window([i if i >= 0 else None for i in s], sp) or known
                    wv.vectors[win].mean(axis=0)
                if pool:
                    v.max(axis=0)
                    if task == "stance":
                        wv.vectors[win].max(axis=0)

        def batched(pool: bool) -> None:
            """The same inputs for the whole batch at once: the means as one sparse product, the
            max pools as one `np.maximum.reduceat` over the batch's concatenated token rows."""
            from scipy.sparse import csr_matrix

            lens = np.array([len(k) for k in ids])
            flat = np.concatenate(ids)
            ptr = np.concatenate([[0], np.cumsum(lens)])
            avg = csr_matrix((np.repeat(1.0 / lens, lens), flat, ptr), shape=(len(ids), len(wv.vectors)))
            avg @ wv.vectors
            if task == "stance":
                wins = [embed._window([i if i >= 0 else None for i in s], sp) or known for s, sp, known in zip(seqs[:n], spots, ids)]
                wl = np.array([len(k) for k in wins])
                wflat = np.concatenate(wins)
                csr_matrix((np.repeat(1.0 / wl, wl), wflat, np.concatenate([[0], np.cumsum(wl)])), shape=(len(ids), len(wv.vectors))) @ wv.vectors
            if pool:
                np.maximum.reduceat(wv.vectors[flat], ptr[:-1], axis=0)
                if task == "stance":
                    np.maximum.reduceat(wv.vectors[wflat], np.concatenate([[0], np.cumsum(wl)])[:-1], axis=0)

        for learner in ("gbm", "mlp"):
            pooled = learner == "mlp"
            rows = [C.dense_row(d, task, i, pooled) for i in idx]
            vec = DictVectorizer(sparse=False)
            x = vec.fit_transform(rows)
            m = C.make_learner(learner, 0)
            if learner == "gbm":
                m.fit(x, y, sample_weight=w)
                arrays = tree_arrays(m.booster_)
                p_np = trees_proba(arrays, x[:n])
                run = lambda: trees_proba(arrays, x[:n])  # noqa: E731
                detail = f"{len(arrays[0])} trees"
            else:
                m.fit(x, y)
                sc, mlp = m[0], m[1]
                mu, sd = sc.mean_, sc.scale_
                (w1, w2), (b1, b2) = mlp.coefs_, mlp.intercepts_

                def mlp_np(a: np.ndarray) -> np.ndarray:
                    h = np.maximum(((a - mu) / sd) @ w1 + b1, 0.0) @ w2 + b2
                    h -= h.max(axis=1, keepdims=True)
                    e = np.exp(h)
                    return e / e.sum(axis=1, keepdims=True)

                p_np = mlp_np(x[:n])
                run = lambda: mlp_np(x[:n])  # noqa: E731
                detail = f"{w1.shape[0]} inputs, {w1.shape[1]} hidden"
            p_lib = np.zeros_like(p_np)
            p_lib[:, m.classes_] = m.predict_proba(x[:n])
            diff = float(np.abs(p_np - p_lib).max())
            t_model = best(run, args.repeats) / n * 1e6
            t_in = best(lambda: means(pooled), args.repeats) / n * 1e6
            t_batch = best(lambda: batched(pooled), args.repeats) / n * 1e6
            print(f"{task} {learner} ({detail}; {x.shape[1]} dense features): numpy vs library max |dp| {diff:.1e}; "
                  f"learner {t_model:.1f} µs per item, extra dense input {t_in:.1f} µs per item one by one, {t_batch:.1f} batched "
                  f"(batch {n}, best of {args.repeats})", flush=True)


if __name__ == "__main__":
    main()
