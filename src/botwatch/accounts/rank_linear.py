"""Logistic regression on rank-transformed features, carried inside the LightGBM booster.

Why: on the leave-one-source-out table (docs/model-card-bot.md, `scripts/compare_bot_models.py`)
a strongly regularised logistic regression on each feature's rank among the training accounts
transfers to a source it never saw better than trees do (its effect per feature is one slope in
rank, so no source's extreme range dominates), while the trees keep the within-source quality.
The shipped margin blends the two.

How it ships: the model is linear in step functions of single features, i.e. one small tree per
feature (a split per step, missing values to a leaf of their own at the middle rank). Those trees
are appended to the booster's own text, with the trees' leaves scaled by their share of the blend,
so the model file, `BotModel`, its SHAP evidence (`pred_contrib`) and `tree_keys` grouping stay as
they were: one LightGBM booster.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from botwatch.numeric import sum_left_to_right

MISSING_RANK = 0.5  # a value the account does not have sits at the middle rank: no evidence either way
_BELOW_ALL = -1.0e300  # the root split: NaN goes left (its own leaf), every real value right


def mid_ranks(ref_sorted: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mid-rank share in [0, 1] of each value among the sorted reference values."""
    lo = np.searchsorted(ref_sorted, values, side="left")
    hi = np.searchsorted(ref_sorted, values, side="right")
    return (lo + hi) / (2.0 * len(ref_sorted))


@dataclass
class Steps:
    """A step function of one feature: value k for cuts[k-1] < x <= cuts[k]; `counts` training rows
    per step (Tree SHAP weighs leaves by them), `n_missing` training rows without the feature."""

    cuts: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    n_missing: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = np.full(len(x), MISSING_RANK)
        ok = ~np.isnan(x)
        out[ok] = self.values[np.searchsorted(self.cuts, x[ok], side="left")]
        return out


def rank_steps(column: np.ndarray, bins: int) -> Steps:
    """"Rank among the training accounts" as at most `bins` steps cut at quantiles, each step's
    value the mean mid-rank of the training values in it."""
    ref = np.sort(column[~np.isnan(column)])
    n_missing = int(np.isnan(column).sum())
    if len(ref) == 0:
        return Steps(np.zeros(0), np.array([MISSING_RANK]), np.array([0]), n_missing)
    cuts = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1], method="lower"))
    cuts = cuts[cuts < ref[-1]]
    step = np.searchsorted(cuts, ref, side="left")
    mid = mid_ranks(ref, ref)
    counts = np.bincount(step, minlength=len(cuts) + 1)
    values = np.array([mid[step == k].mean() for k in range(len(cuts) + 1)])
    return Steps(cuts, values, counts, n_missing)


@dataclass
class RankLinear:
    """intercept + sum_j coef[j] * steps[j](x_j): the logistic regression's margin."""

    features: list[str]
    steps: list[Steps]
    coef: np.ndarray
    intercept: float
    held_at_zero: list[str] = field(default_factory=list)  # slopes that leaned against their direction

    def design(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([s(X[:, j]) for j, s in enumerate(self.steps)])

    def margin(self, X: np.ndarray) -> np.ndarray:
        return self.intercept + self.design(X) @ self.coef


class DirectionError(ValueError):
    """A fitted slope leans against the direction its feature is promised to move the score."""


def fit_rank_linear(X: np.ndarray, y: np.ndarray, w: np.ndarray, features: Sequence[str], C: float, bins: int,
                    directions: Sequence[int] | None = None) -> RankLinear:
    """L2-regularised logistic regression (inverse strength `C`) on the step ranks, weighted by `w`.

    `directions` (+1 up, -1 down, 0 free; one per feature, as `training.MONOTONE`): the model
    card promises that every feature moves the score only its way, which the trees enforce
    (LightGBM monotone constraints) but a logistic regression does not. So a feature whose fitted
    slope leans the wrong way is held at slope 0 and the rest refitted, until every slope agrees
    (the user's labels can pull a noisy feature the wrong way; refusing to train would leave them
    with nothing). `check_directions` then asserts the promise on what is returned."""
    from sklearn.linear_model import LogisticRegression

    steps = [rank_steps(X[:, j], bins) for j in range(X.shape[1])]
    model = RankLinear(list(features), steps, np.zeros(X.shape[1]), 0.0)
    design = model.design(X)
    free = np.ones(X.shape[1], dtype=bool)
    want = np.asarray(directions if directions is not None else [0] * X.shape[1], dtype=float)
    while True:
        coef = np.zeros(X.shape[1])
        intercept = float(np.log(max(np.average(y, weights=w), 1e-9) / max(1 - np.average(y, weights=w), 1e-9)))
        if free.any():
            clf = LogisticRegression(C=C, max_iter=2000).fit(design[:, free], y, sample_weight=w)
            coef[free], intercept = clf.coef_[0].astype(float), float(clf.intercept_[0])
        against = free & (coef * want < 0)
        if not against.any():
            break
        free &= ~against  # held at 0: no evidence either way from this feature's rank
    model.coef, model.intercept = coef, intercept
    model.held_at_zero = [f for f, ok in zip(model.features, free) if not ok]
    if directions is not None:
        check_directions(model.features, model.coef, directions)
    return model


def check_directions(features: Sequence[str], slopes: Sequence[float] | np.ndarray, directions: Sequence[int]) -> None:
    """Raise `DirectionError` naming every feature whose slope has the sign opposite to its
    direction (+1 or -1); a direction of 0 leaves the slope free, and a slope of 0 agrees with any."""
    if not len(features) == len(slopes) == len(directions):
        raise ValueError(f"{len(features)} features, {len(slopes)} slopes, {len(directions)} directions")
    wrong = [f"{f} (slope {float(s):+.4g}, promised {'up' if d > 0 else 'down'})"
             for f, s, d in zip(features, slopes, directions) if d and float(s) * d < 0]
    if wrong:
        raise DirectionError("rank-logistic slope against the feature's monotone direction: " + ", ".join(wrong)
                             + "; the model card promises each feature moves the score one way only")


def _tree_text(index: int, feature: int, steps: Steps, scale: float, coef: float, shift: float) -> str:
    """One LightGBM tree (text form) giving scale * (coef * steps(x) + shift); a balanced binary
    tree over the cuts under a root that sends NaN to a leaf at the middle rank."""
    leaf_values = [scale * (coef * v + shift) for v in steps.values.tolist()] + [scale * (coef * MISSING_RANK + shift)]
    leaf_counts = [max(int(c), 1) for c in steps.counts.tolist()] + [max(steps.n_missing, 1)]
    nan_leaf = len(leaf_values) - 1
    thresholds: list[float] = []
    decision: list[int] = []
    left: list[int] = []
    right: list[int] = []
    icount: list[int] = []
    ivalue: list[float] = []

    def expected(leaves: range) -> tuple[int, float]:
        c = sum(leaf_counts[k] for k in leaves)
        return c, sum_left_to_right(leaf_counts[k] * leaf_values[k] for k in leaves) / c  # 3.11's addition (botwatch.numeric)

    def build(lo: int, hi: int) -> int:
        """Node over steps lo..hi (inclusive); returns its child code (node index, or ~leaf)."""
        if lo == hi:
            return ~lo
        mid = (lo + hi) // 2
        node = len(thresholds)
        thresholds.append(float(steps.cuts[mid]))
        decision.append(8)  # missing type NaN, default right (NaN never reaches here)
        left.append(0)
        right.append(0)
        c, v = expected(range(lo, hi + 1))
        icount.append(c)
        ivalue.append(v)
        left[node] = build(lo, mid)
        right[node] = build(mid + 1, hi)
        return node

    # Root: x <= -1e300 never holds for a real value; NaN takes the default (left) branch.
    thresholds.append(_BELOW_ALL)
    decision.append(10)  # missing type NaN (8) + default left (2)
    left.append(~nan_leaf)
    right.append(0)
    c, v = expected(range(len(leaf_values)))
    icount.append(c)
    ivalue.append(v)
    right[0] = build(0, len(steps.values) - 1)
    n_leaves = len(leaf_values)
    fmt = lambda xs: " ".join(repr(float(x)) for x in xs)  # noqa: E731
    ints = lambda xs: " ".join(str(int(x)) for x in xs)  # noqa: E731
    return "\n".join([
        f"Tree={index}",
        f"num_leaves={n_leaves}",
        "num_cat=0",
        f"split_feature={ints([feature] * len(thresholds))}",
        f"split_gain={fmt([1.0] * len(thresholds))}",
        f"threshold={fmt(thresholds)}",
        f"decision_type={ints(decision)}",
        f"left_child={ints(left)}",
        f"right_child={ints(right)}",
        f"leaf_value={fmt(leaf_values)}",
        f"leaf_weight={fmt(leaf_counts)}",
        f"leaf_count={ints(leaf_counts)}",
        f"internal_value={fmt(ivalue)}",
        f"internal_weight={fmt(icount)}",
        f"internal_count={ints(icount)}",
        "is_linear=0",
        "shrinkage=1",
        "",
        "",
    ])


_LEAF = re.compile(r"^(leaf_value|internal_value)=(.*)$", re.M)


def _scale_values(tree: str, scale: float) -> str:
    return _LEAF.sub(lambda m: f"{m.group(1)}=" + " ".join(repr(float(v) * scale) for v in m.group(2).split()), tree)


def blend_into_booster(model_text: str, linear: RankLinear, weight: float) -> str:
    """The booster's text with its trees scaled by (1 - weight) and the rank-linear model, scaled
    by `weight`, appended as one tree per feature (intercept folded into the first): the merged
    booster's raw margin is (1 - weight) * trees + weight * linear."""
    head, rest = model_text.split("\nTree=0\n", 1) if "\nTree=0\n" in model_text else (model_text, "")
    trees_part, tail = rest.split("end of trees", 1)
    blocks = [b for b in ("Tree=0\n" + trees_part).split("\n\n\n") if b.strip()]
    blocks = [b if b.startswith("Tree=") else b.lstrip("\n") for b in blocks]
    scaled = [_scale_values(b.strip("\n"), 1.0 - weight) + "\n\n" for b in blocks]
    n = len(scaled)
    feat_index = {f: i for i, f in enumerate(_feature_names(head))}
    extra = []
    for j, (f, steps) in enumerate(zip(linear.features, linear.steps)):
        shift = linear.intercept if j == 0 else 0.0
        extra.append(_tree_text(n + j, feat_index[f], steps, weight, float(linear.coef[j]), shift))
    head = re.sub(r"^tree_sizes=.*\n", "", head, flags=re.M)  # sizes change; LightGBM reads trees without them
    return head + "\n" + "\n".join(scaled + extra) + "\nend of trees" + tail


def _feature_names(head: str) -> list[str]:
    m = re.search(r"^feature_names=(.*)$", head, re.M)
    if not m:
        raise ValueError("booster text without feature_names")
    return m.group(1).split()
