"""A boosted tree ensemble at run time, numpy only (issue 14, eleventh stance round).

The content stage may not import LightGBM or scikit-learn, so a gradient-boosted multiclass
ensemble fitted by `scripts/train_content_model.py` is shipped as plain arrays (JSON) and
evaluated here. Every tree is stored as a flat block of nodes in which a leaf points to itself
(feature 0, threshold +inf, both children itself): a whole batch then descends every tree at once
for exactly `depth` levels, each level one gather of the feature values, one comparison with the
thresholds and one `np.where` for the child, with no per-item or per-tree Python loop and no
"still active" bookkeeping. That is what makes a few dozen trees cheap for thousands of items:
per level the work is one small array operation over (items × trees).

The arithmetic is LightGBM's: a split sends an item left when its value is `<=` the threshold
(numerical splits only; the features are finite, so missing-value routing never applies), each
class's raw score is its trees' leaf values summed in boosting order, and the probabilities are
the softmax of the raw scores. `tests/test_content_trees.py` holds it to LightGBM's own
`predict_proba` on real features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TreeEnsemble:
    """A multiclass boosted ensemble as flat node arrays (all trees concatenated).

    `feature`, `threshold`, `left`, `right`, `value` are per node (global node ids); `roots` is
    each tree's root node id, in boosting order (tree t belongs to class t % n_classes);
    `features` names the input columns in the order the feature index refers to."""

    features: list[str]
    n_classes: int
    roots: np.ndarray  # [tree] int64
    feature: np.ndarray  # [node] int64 (0 at a leaf)
    threshold: np.ndarray  # [node] float64 (+inf at a leaf: every item goes "left", to itself)
    left: np.ndarray  # [node] int64 (itself at a leaf)
    right: np.ndarray  # [node] int64 (itself at a leaf)
    value: np.ndarray  # [node] float64 (the leaf value; 0 at a split)
    depth: int  # the deepest leaf's depth: levels every item descends

    @classmethod
    def from_lightgbm(cls, dump: dict, features: list[str]) -> "TreeEnsemble":
        """From `Booster.dump_model()` (a plain dict, so this needs no LightGBM at run time).
        Refuses categorical splits, which the shipped dense features never need."""
        k = int(dump["num_tree_per_iteration"])
        feat: list[int] = []
        thr: list[float] = []
        lo: list[int] = []
        hi: list[int] = []
        val: list[float] = []
        roots: list[int] = []
        deepest = 0

        def node(n: dict, level: int) -> int:
            nonlocal deepest
            me = len(feat)
            feat.append(0); thr.append(np.inf); lo.append(me); hi.append(me); val.append(0.0)  # noqa: E702
            if "split_index" not in n:  # a leaf (or a tree that is one leaf)
                val[me] = float(n.get("leaf_value", 0.0))
                deepest = max(deepest, level)
                return me
            if n["decision_type"] != "<=":
                raise ValueError(f"unsupported split {n['decision_type']!r}")
            feat[me] = int(n["split_feature"])
            thr[me] = float(n["threshold"])
            lo[me] = node(n["left_child"], level + 1)
            hi[me] = node(n["right_child"], level + 1)
            return me

        for t in dump["tree_info"]:
            roots.append(node(t["tree_structure"], 0))
        if len(features) != int(dump["max_feature_idx"]) + 1:
            raise ValueError("feature names do not match the booster's inputs")
        i64 = np.int64
        return cls(list(features), k, np.asarray(roots, i64), np.asarray(feat, i64), np.asarray(thr, float),
                   np.asarray(lo, i64), np.asarray(hi, i64), np.asarray(val, float), deepest)

    def to_dict(self) -> dict:
        """JSON-ready (an infinite threshold is written as null)."""
        return {
            "features": self.features, "n_classes": self.n_classes, "depth": self.depth,
            "roots": self.roots.tolist(), "feature": self.feature.tolist(), "left": self.left.tolist(),
            "right": self.right.tolist(), "value": self.value.tolist(),
            "threshold": [None if np.isinf(v) else float(v) for v in self.threshold.tolist()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "TreeEnsemble":
        i64 = np.int64
        thr = np.asarray([np.inf if v is None else v for v in d["threshold"]], float)
        return cls(list(d["features"]), int(d["n_classes"]), np.asarray(d["roots"], i64), np.asarray(d["feature"], i64), thr,
                   np.asarray(d["left"], i64), np.asarray(d["right"], i64), np.asarray(d["value"], float), int(d["depth"]))

    def compile(self) -> "LeafTable":
        """The same trees as comparison codes and leaf tables (`LeafTable`), for speed."""
        return LeafTable.of(self)

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """[item, tree] the leaf node each row of `x` ([item, feature], float) reaches."""
        n = x.shape[0]
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return node

    def raw(self, x: np.ndarray) -> np.ndarray:
        """[item, class] summed leaf values (LightGBM's raw score), trees added in boosting order."""
        vals = self.value[self.leaves(x)]
        n, k = x.shape[0], self.n_classes
        out = np.zeros((n, k))
        for t in range(0, vals.shape[1], k):  # one boosting round at a time, as LightGBM adds them
            out += vals[:, t : t + k]
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = self.raw(np.asarray(x, float))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class LeafTable:
    """The ensemble as (per tree) its split nodes' features and thresholds, and a table from the
    split outcomes to the leaf value: an item's leaf depends only on which of the tree's splits it
    passes, so all splits of all trees are compared in one step ([item, split]), each tree's
    outcomes packed into a small integer (bit s = split s sends the item left) and the leaf value
    read from the tree's table at that integer. Equal, item for item, to descending the tree (the
    table is filled by descending it for every pattern of outcomes); with 7 leaves a tree has at
    most 6 splits, so a table of 64 values. Splits of a smaller tree are padded with a split that
    every item passes."""

    n_classes: int
    feature: np.ndarray  # [tree * splits] int64
    threshold: np.ndarray  # [tree * splits] float64
    table: np.ndarray  # [tree, 2 ** splits] float64
    splits: int

    MAX_SPLITS = 12  # a table of 4,096 values per tree at most

    @classmethod
    def of(cls, ens: TreeEnsemble) -> "LeafTable":
        per_tree: list[list[int]] = []
        for r in ens.roots.tolist():
            stack, mine = [r], []
            while stack:
                q = stack.pop()
                if ens.left[q] != q:  # a split
                    mine.append(q)
                    stack += [int(ens.right[q]), int(ens.left[q])]
            per_tree.append(sorted(mine))
        s = max(1, max(map(len, per_tree)))
        if s > cls.MAX_SPLITS:
            raise ValueError(f"a tree with {s} splits: too large for a leaf table")
        feat = np.zeros((len(per_tree), s), np.int64)
        thr = np.full((len(per_tree), s), np.inf)
        table = np.zeros((len(per_tree), 2**s))
        for t, (r, mine) in enumerate(zip(ens.roots.tolist(), per_tree)):
            bit = {q: b for b, q in enumerate(mine)}
            feat[t, : len(mine)] = ens.feature[mine]
            thr[t, : len(mine)] = ens.threshold[mine]
            for code in range(2**s):
                q = r
                while ens.left[q] != q:
                    q = int(ens.left[q] if (code >> bit[q]) & 1 else ens.right[q])
                table[t, code] = ens.value[q]
        return cls(ens.n_classes, feat.ravel(), thr.ravel(), table, s)

    def raw(self, x: np.ndarray) -> np.ndarray:
        """[item, class] summed leaf values, trees added in boosting order (as `TreeEnsemble.raw`)."""
        n, trees = x.shape[0], self.table.shape[0]
        passed = (x[:, self.feature] <= self.threshold).reshape(n, trees, self.splits)
        if self.splits <= 8:  # bit b of the code = split b passed: one packbits call
            code = np.packbits(passed, axis=2, bitorder="little")[:, :, 0].astype(np.intp)
        else:
            code = np.zeros((n, trees), np.intp)
            for b in range(self.splits):
                code |= passed[:, :, b].astype(np.intp) << b
        vals = self.table.ravel()[code + (np.arange(trees) << self.splits)[None, :]]
        k = self.n_classes
        out = np.zeros((n, k))
        for t in range(0, trees, k):
            out += vals[:, t : t + k]
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = self.raw(np.asarray(x, float))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
