"""A boosted tree ensemble at run time, numpy only (issue 14, twelfth stance round).

The content stage may not import LightGBM, so the gradient-boosted multiclass ensembles blended
with the linear models (`modelrun.TreeBlend`) ship as plain node arrays (JSON) and are evaluated
here. Two forms of the same trees:

- `TreeEnsemble`: flat node arrays (a leaf points to itself), validated when read, and evaluated
  level by level (`predict_proba`). Simple, and the reference the tests hold to LightGBM.
- `LeafTable`: what the stage runs. A tree of at most `MAX_SPLITS` splits has at most
  2 ** splits paths, so every split of every tree is compared for the whole batch at once, each
  tree's outcomes are packed into a small code, and the leaf value is read from the tree's table
  of 2 ** splits values (filled once, by descending the tree for every code). Its input is laid
  out [column, item] and holds only the columns some split reads, so the gather of the split
  columns copies whole rows, and a column no tree reads is never computed (`used`).

The arithmetic is LightGBM's: a split sends an item left when its value is `<=` the threshold
(numerical splits only, no missing-value routing: `from_lightgbm` refuses other splits and the
stage's inputs are finite), each class's raw score is its trees' leaf values summed in boosting
order, and the probabilities are the softmax of the raw scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class TreesError(ValueError):
    """A tree ensemble that cannot be the one its model needs (corrupt, or for another model)."""


MAX_DEPTH = 32  # deeper trees are refused when read: a bound on every walk, so no file can hang one
MAX_NODES = 1_000_000


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
    threshold: np.ndarray  # [node] float64 (+inf at a leaf)
    left: np.ndarray  # [node] int64 (itself at a leaf)
    right: np.ndarray  # [node] int64 (itself at a leaf)
    value: np.ndarray  # [node] float64 (the leaf value; 0 at a split)
    depth: int  # the deepest leaf's depth: levels every item descends

    @classmethod
    def from_lightgbm(cls, dump: dict, features: list[str]) -> "TreeEnsemble":
        """From `Booster.dump_model()` (a plain dict). Refuses what this evaluator does not do:
        another objective than multiclass softmax, averaged output, categorical splits, other
        decisions than `<=`, and missing-value routing (`missing_type` other than None)."""
        k = int(dump["num_tree_per_iteration"])
        if not str(dump.get("objective", "")).startswith("multiclass ") or int(dump.get("num_class", 0)) != k or dump.get("average_output"):
            raise TreesError(f"not a multiclass softmax ensemble: objective {dump.get('objective')!r}")
        if len(features) != int(dump["max_feature_idx"]) + 1:
            raise TreesError("feature names do not match the booster's inputs")
        feat: list[int] = []
        thr: list[float] = []
        lo: list[int] = []
        hi: list[int] = []
        val: list[float] = []
        roots: list[int] = []

        def node(n: dict) -> int:
            me = len(feat)
            feat.append(0); thr.append(np.inf); lo.append(me); hi.append(me); val.append(0.0)  # noqa: E702
            if "split_index" not in n:  # a leaf (or a tree that is one leaf)
                val[me] = float(n.get("leaf_value", 0.0))
                return me
            if n["decision_type"] != "<=" or n.get("missing_type", "None") != "None":
                raise TreesError(f"unsupported split: {n['decision_type']!r}, missing values {n.get('missing_type')!r}")
            feat[me] = int(n["split_feature"])
            thr[me] = float(n["threshold"])
            lo[me] = node(n["left_child"])
            hi[me] = node(n["right_child"])
            return me

        for t in dump["tree_info"]:
            roots.append(node(t["tree_structure"]))
        i64 = np.int64
        out = cls(list(features), k, np.asarray(roots, i64), np.asarray(feat, i64), np.asarray(thr, float),
                  np.asarray(lo, i64), np.asarray(hi, i64), np.asarray(val, float), 0)
        out.depth = out.check()
        return out

    def to_dict(self) -> dict:
        """JSON-ready (a leaf's infinite threshold is written as null)."""
        return {
            "features": self.features, "n_classes": self.n_classes, "objective": "multiclass", "missing_values": "none",
            "roots": self.roots.tolist(), "feature": self.feature.tolist(), "left": self.left.tolist(),
            "right": self.right.tolist(), "value": self.value.tolist(),
            "threshold": [None if np.isinf(v) else float(v) for v in self.threshold.tolist()],
        }

    @classmethod
    def from_dict(cls, d: object) -> "TreeEnsemble":
        """Read and validate `to_dict`'s form: every field present and of the right kind, node
        arrays of one length, children and roots inside it, feature indices inside `features`,
        finite thresholds and values, every tree a tree (no cycles, no shared nodes, depth at
        most MAX_DEPTH). Anything else is a TreesError naming what is wrong."""
        if not isinstance(d, dict):
            raise TreesError("trees must be a JSON object")
        need = ("features", "n_classes", "objective", "missing_values", "roots", "feature", "left", "right", "value", "threshold")
        missing = [k for k in need if k not in d]
        if missing:
            raise TreesError(f"trees lack {', '.join(missing)}")
        if d["objective"] != "multiclass" or d["missing_values"] != "none":
            raise TreesError(f"trees for another objective or missing-value setting ({d['objective']!r}, {d['missing_values']!r})")
        features = d["features"]
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features) or len(set(features)) != len(features):
            raise TreesError("trees' feature names must be distinct strings")
        n_classes = d["n_classes"]
        if type(n_classes) is not int or n_classes < 2:
            raise TreesError(f"trees' class count {n_classes!r} is not a count of classes")
        # Kinds checked before casting: numpy would truncate a float index (1.5 -> 1) and read
        # a bool as 0 or 1, so a damaged file would run as other trees instead of being refused.
        for k in ("roots", "feature", "left", "right"):
            if not isinstance(d[k], list) or not all(type(v) is int for v in d[k]):
                raise TreesError(f"trees' {k} must be a list of integers")
        for k in ("value", "threshold"):
            if not isinstance(d[k], list) or not all(type(v) in (int, float) or (v is None and k == "threshold") for v in d[k]):
                raise TreesError(f"trees' {k} must be a list of numbers" + (" (null at a leaf)" if k == "threshold" else ""))
        try:
            i64 = np.int64
            arrays = {k: np.asarray(d[k], i64) for k in ("roots", "feature", "left", "right")}
            value = np.asarray(d["value"], float)
            thr = np.asarray([np.inf if v is None else v for v in d["threshold"]], float)
        except (TypeError, ValueError, OverflowError) as exc:
            raise TreesError(f"trees' node arrays are not numbers: {exc}") from None
        n = len(value)
        if any(a.ndim != 1 for a in (*arrays.values(), value, thr)) or {len(arrays[k]) for k in ("feature", "left", "right")} | {len(thr)} != {n}:
            raise TreesError("trees' node arrays differ in length")
        if not 0 < n <= MAX_NODES or len(arrays["roots"]) == 0 or len(arrays["roots"]) % n_classes:
            raise TreesError(f"trees have {n} nodes and {len(arrays['roots'])} trees for {n_classes} classes")
        out = cls(list(features), n_classes, arrays["roots"], arrays["feature"], thr, arrays["left"], arrays["right"], value, 0)
        out.depth = out.check()
        return out

    def check(self) -> int:
        """Validate the node arrays (see `from_dict`); the depth of the deepest leaf."""
        n = len(self.value)
        nodes = np.arange(n)
        for name, a in (("root", self.roots), ("child", self.left), ("child", self.right)):
            if len(a) and (a.min() < 0 or a.max() >= n):
                raise TreesError(f"a {name} index outside the {n} nodes")
        leaf = (self.left == nodes) & (self.right == nodes)
        split = ~leaf
        if ((self.left == nodes) != (self.right == nodes)).any():
            raise TreesError("a node that is half a leaf (one child itself)")
        if split.any() and (self.feature[split].min() < 0 or self.feature[split].max() >= len(self.features)):
            raise TreesError(f"a split reads a feature outside the {len(self.features)} inputs")
        if not np.isfinite(self.value).all() or np.isnan(self.threshold[split]).any() or np.isinf(self.threshold[split]).any():
            raise TreesError("a threshold or leaf value that is not a finite number")
        # Every node reached at most once from all roots together, within MAX_DEPTH levels: no
        # cycle (a walk would never end) and no node shared by two trees or two parents.
        seen = np.zeros(n, bool)
        level = self.roots.copy()
        depth = 0
        while True:
            if seen[level].any() or len(np.unique(level)) != len(level):
                raise TreesError("the trees' nodes do not form separate trees (a cycle or a shared node)")
            seen[level] = True
            inner = level[split[level]]
            if not len(inner):
                break
            depth += 1
            if depth > MAX_DEPTH:
                raise TreesError(f"a tree deeper than {MAX_DEPTH} levels")
            level = np.concatenate((self.left[inner], self.right[inner]))
        if not seen.all():
            raise TreesError("nodes that no tree reaches")
        return depth

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """[item, tree] the leaf node each row of `x` ([item, feature]) reaches."""
        n = x.shape[0]
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return node

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """[item, class] probabilities of the rows of `x` ([item, feature])."""
        vals = self.value[self.leaves(np.asarray(x, float))]
        k = self.n_classes
        z = np.zeros((vals.shape[0], k))
        for t in range(0, vals.shape[1], k):  # one boosting round at a time, as LightGBM adds them
            z += vals[:, t : t + k]
        return softmax_rows(z)


def softmax_rows(z: np.ndarray) -> np.ndarray:
    """[item, class] softmax of raw scores, row by row, the row's largest score subtracted first
    so no exp overflows (the probabilities LightGBM gives for a multiclass softmax ensemble)."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class LeafTable:
    """The trees of a `TreeEnsemble` as split comparisons and leaf tables (see the module).

    `used` are the ensemble's columns some split reads (indices into `features`, ascending):
    the input of `predict_proba_t` is [len(used), item], row j holding column used[j]."""

    n_classes: int
    used: np.ndarray  # [input row] column of the ensemble
    col: np.ndarray  # [tree * splits] input row each split reads (0 for padding)
    threshold: np.ndarray  # [tree * splits, 1] (+inf for padding: always "passed")
    table: np.ndarray  # [tree * 2 ** splits] leaf values, tree by tree
    offsets: np.ndarray  # [tree, 1] where each tree's table starts
    bits: np.ndarray  # [splits] 1, 2, 4, ...
    splits: int

    MAX_SPLITS = 8  # a table of 256 values per tree at most, the code one byte

    @classmethod
    def of(cls, ens: TreeEnsemble) -> "LeafTable":
        """The leaf tables of `ens` (a validated ensemble): each tree's splits numbered in node
        order, its table filled by descending the tree once per code (bit b set: split b goes
        left), shorter trees padded with splits that always pass. TreesError for a tree with
        more than MAX_SPLITS splits, whose table would be too large to fill and index."""
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
            raise TreesError(f"a tree with {s} splits: too large for a leaf table")
        trees = len(per_tree)
        feat = np.zeros((trees, s), np.int64)
        thr = np.full((trees, s), np.inf)
        table = np.zeros((trees, 2**s))
        for t, (r, mine) in enumerate(zip(ens.roots.tolist(), per_tree)):
            bit = {q: b for b, q in enumerate(mine)}
            feat[t, : len(mine)] = ens.feature[mine]
            thr[t, : len(mine)] = ens.threshold[mine]
            for code in range(2**s):
                q = r
                while ens.left[q] != q:
                    q = int(ens.left[q] if (code >> bit[q]) & 1 else ens.right[q])
                table[t, code] = ens.value[q]
        real = np.isfinite(thr)
        used = np.unique(feat[real])
        row = np.zeros(len(ens.features), np.int64)
        row[used] = np.arange(len(used))
        col = np.where(real, row[feat], 0)
        return cls(ens.n_classes, used, col.ravel(), thr.reshape(-1, 1), table.ravel(), (np.arange(trees, dtype=np.int64) << s)[:, None],
                   (1 << np.arange(s)).astype(np.int32), s)

    def raw_t(self, xt: np.ndarray) -> np.ndarray:
        """[item, class] summed leaf values of the items of `xt` ([input row, item], float64),
        trees added in boosting order."""
        n, s = xt.shape[1], self.splits
        trees = len(self.offsets)
        passed = (xt[self.col] <= self.threshold).view(np.uint8).reshape(trees, s, n)
        code = np.einsum("tsn,s->tn", passed, self.bits)  # bit b set: split b passed (goes left)
        code += self.offsets
        vals = self.table[code].reshape(trees // self.n_classes, self.n_classes, n)
        return vals.sum(axis=0).T  # over rounds, first to last (a reduction over the outer axis)

    def predict_proba_t(self, xt: np.ndarray) -> np.ndarray:
        """[item, class] probabilities of the items of `xt` ([input row, item], float64, row j
        column `used[j]`): `TreeEnsemble.predict_proba` of the same items, laid out for the stage."""
        return softmax_rows(self.raw_t(xt))
