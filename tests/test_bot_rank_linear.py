"""The rank-linear half of the bot model, carried as trees inside the LightGBM booster, and the
LOSO comparison harness's intervals. Synthetic numbers here test code paths only; nothing is
fitted to them that ships."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from botwatch.accounts import loso_variants as lv
from botwatch.accounts.rank_linear import MISSING_RANK, blend_into_booster, fit_rank_linear, rank_steps
from botwatch.accounts.tree_keys import split_points


def _data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n).astype(float), rng.exponential(size=n)])
    y = (X[:, 0] + X[:, 1] - X[:, 2] + rng.normal(size=n) > 0).astype(int)
    X[rng.random(n) < 0.1, 2] = np.nan
    return X, y


def test_rank_steps_rise_with_the_value_and_stay_in_unit_range() -> None:
    s = rank_steps(np.array([5.0, 1.0, 3.0, np.nan, 2.0, 4.0, 4.0]), bins=4)
    assert np.all(np.diff(s.values) > 0) and s.values.min() > 0 and s.values.max() < 1
    assert s.n_missing == 1 and s.counts.sum() == 6
    out = s(np.array([-10.0, 10.0, np.nan]))
    assert out[0] == s.values[0] and out[1] == s.values[-1] and out[2] == MISSING_RANK


def test_blended_booster_gives_the_weighted_margins_and_shap_adds_up() -> None:
    X, y = _data()
    feats = ["a", "b", "c"]
    trees = lgb.train({"objective": "binary", "num_leaves": 5, "verbose": -1, "seed": 1},
                      lgb.Dataset(X, label=y, feature_name=feats), num_boost_round=10)
    linear = fit_rank_linear(X, y, np.ones(len(y)), feats, C=0.5, bins=8)
    merged = lgb.Booster(model_str=blend_into_booster(trees.model_to_string(), linear, 0.6))
    assert merged.num_trees() == 10 + 3
    Xt, _ = _data(200, seed=5)
    Xt[:7, 0] = np.nan  # a column the training rows always had: its own leaf, the middle rank
    want = 0.4 * trees.predict(Xt, raw_score=True) + 0.6 * linear.margin(Xt)
    got = merged.predict(Xt, raw_score=True)
    assert np.allclose(got, want, atol=1e-12)
    contrib = merged.predict(Xt, pred_contrib=True)
    assert np.allclose(contrib.sum(axis=1), got, atol=1e-9)
    assert split_points(merged.model_to_string(), 3) is not None  # tree_keys grouping still applies
    again = lgb.Booster(model_str=merged.model_to_string())  # survives a save/load round trip
    assert np.array_equal(again.predict(Xt, raw_score=True), got)


def test_weight_zero_in_training_is_trees_alone_and_the_default_carries_the_linear_trees() -> None:
    from botwatch.accounts.training import LINEAR_WEIGHT, ROUNDS, _train_booster

    X, y = _data()
    assert _train_booster(X, y, ["a", "b", "c"], linear_weight=0.0).num_trees() == ROUNDS
    assert LINEAR_WEIGHT > 0 and _train_booster(X, y, ["a", "b", "c"]).num_trees() == ROUNDS + 3


def test_shipped_model_file_holds_trees_and_one_linear_tree_per_feature() -> None:
    from botwatch.accounts.botmodel import load_model
    from botwatch.accounts.training import ROUNDS

    m = load_model()
    assert m.booster.num_trees() == ROUNDS + len(m.features)


def test_paired_interval_is_zero_for_the_same_predictions_and_positive_for_a_better_one() -> None:
    rng = np.random.default_rng(0)
    y = np.array([0] * 100 + [1] * 100)
    noisy = y + rng.normal(scale=1.5, size=200)
    held = [lv.Held("a", y, [noisy]), lv.Held("b", y, [noisy[::-1].copy()])]
    better = [lv.Held("a", y, [y + rng.normal(scale=0.5, size=200)]), lv.Held("b", y, [y + rng.normal(scale=0.5, size=200)])]
    idx = lv.bootstrap_indices(held, 50)
    base = lv.auc_matrix(held, idx)
    same = lv.summarise("same", held, lv.auc_matrix(held, idx), base)
    assert same["d_worst_ci"] == (0.0, 0.0) and same["d_mean_ci"] == (0.0, 0.0)
    up = lv.summarise("better", better, lv.auc_matrix(better, idx), base)
    assert up["d_worst_ci"][0] > 0 and up["d_mean_ci"][0] > 0
    assert "| better |" in lv.format_rows([same, up], ["a", "b"])



def test_a_feature_never_filled_or_constant_still_gives_a_valid_tree() -> None:
    X, y = _data()
    X[:, 1] = np.nan  # a user's labels without that field at all
    X[:, 2] = 3.0  # one value everywhere
    trees = lgb.train({"objective": "binary", "num_leaves": 4, "verbose": -1}, lgb.Dataset(X, label=y, feature_name=["a", "b", "c"]), 5)
    linear = fit_rank_linear(X, y, np.ones(len(y)), ["a", "b", "c"], C=0.5, bins=8)
    merged = lgb.Booster(model_str=blend_into_booster(trees.model_to_string(), linear, 0.5))
    assert np.allclose(merged.predict(X, raw_score=True), 0.5 * trees.predict(X, raw_score=True) + 0.5 * linear.margin(X), atol=1e-12)


def _linear_slopes(model_text: str, first_linear_tree: int, features: list[str]) -> dict[str, float]:
    """Per feature, the rise of its rank-linear tree from the lowest step to the highest (the
    NaN leaf is last): weight * slope * (top rank - bottom rank), so it has the slope's sign."""
    import re

    out = {}
    for index, body in re.findall(r"^Tree=(\d+)\n(.*?)(?=\n\n)", model_text, re.S | re.M):
        if int(index) < first_linear_tree:
            continue
        kv = dict(line.split("=", 1) for line in body.split("\n") if "=" in line)
        leaves = [float(v) for v in kv["leaf_value"].split()]
        out[features[int(kv["split_feature"].split()[0])]] = leaves[-2] - leaves[0]
    return out


def test_every_shipped_rank_linear_slope_follows_its_monotone_direction() -> None:
    """The model card promises each feature moves the score one way only: the trees are
    constrained by LightGBM, and the shipped rank-linear trees must lean the same way."""
    from botwatch.accounts.botmodel import load_model
    from botwatch.accounts.training import MONOTONE, ROUNDS

    m = load_model()
    slopes = _linear_slopes(m.booster.model_to_string(), ROUNDS, m.features)
    assert sorted(slopes) == sorted(m.features)
    wrong = {f: s for f, s in slopes.items() if MONOTONE.get(f, 0) * s < 0}
    assert not wrong, wrong
    assert all(abs(slopes[f]) > 0 for f in m.features if MONOTONE.get(f, 0))  # the test can see a sign


def test_a_slope_against_its_features_direction_is_held_at_zero_and_the_rest_refitted() -> None:
    """User labels can pull a noisy feature the wrong way: training must keep the model card's
    promise (each feature moves the score one way only) without refusing to train."""
    import pytest

    from botwatch.accounts.rank_linear import DirectionError, check_directions
    from botwatch.accounts.training import _train_booster

    X, y = _data()  # y rises with column "a"
    free = fit_rank_linear(X, y, np.ones(len(y)), ["log_likes", "b", "c"], C=0.5, bins=8)
    assert free.coef[0] > 0 and free.held_at_zero == []
    held = fit_rank_linear(X, y, np.ones(len(y)), ["log_likes", "b", "c"], C=0.5, bins=8, directions=[-1, 0, 0])
    assert held.coef[0] == 0.0 and held.held_at_zero == ["log_likes"]
    alone = fit_rank_linear(X[:, 1:], y, np.ones(len(y)), ["b", "c"], C=0.5, bins=8)
    assert np.allclose(held.coef[1:], alone.coef) and held.intercept == pytest.approx(alone.intercept)
    _train_booster(X, y, ["log_likes", "b", "c"])  # training promises MONOTONE's directions, and trains
    # unconstrained (0) may lean either way; agreeing directions leave every slope free
    assert fit_rank_linear(X, y, np.ones(len(y)), ["log_likes", "b", "c"], C=0.5, bins=8, directions=[0, 1, -1]).held_at_zero == []
    check_directions(["a"], [0.0], [1])  # a zero slope agrees with any direction
    with pytest.raises(DirectionError, match=r"log_likes \(slope \+"):
        check_directions(["log_likes"], [0.3], [-1])


def test_within_source_folds_are_one_loop_with_the_fitter_given() -> None:
    """`retrain.within_source_oof` takes the fitter (the comparison harness's candidates), and the
    harness's `within_source` is the same folds: the same fitter gives the same AUC, and every
    fold's training holds the other sources and none of its own test rows."""
    import pandas as pd

    from botwatch.accounts.retrain import within_source_oof

    rng = np.random.default_rng(3)
    frames = []
    for src, n in (("s1", 200), ("s2", 120)):
        y = np.array([0, 1] * (n // 2))
        frames.append(pd.DataFrame({"x": y + rng.normal(size=n), "label": y, "source": src, "row": [f"{src}-{i}" for i in range(n)]}))
    seen: list[tuple[set[str], set[str]]] = []

    def fit(train: pd.DataFrame, features: list[str]) -> object:
        def predict(test: pd.DataFrame) -> np.ndarray:
            seen.append((set(train["row"]), set(test["row"])))
            return 1 / (1 + np.exp(-test["x"].to_numpy()))
        return predict

    got = within_source_oof(frames, "s1", ["x"], fit=fit)
    assert len(seen) == 5 and all(not (tr & te) and any(r.startswith("s2") for r in tr) for tr, te in seen)
    assert abs(lv.within_source(frames, "s1", fit, ["x"]) - got["auc"]) < 5e-5


def test_calibration_fitter_within_is_the_shipped_recipe_and_cross_source_maps_other_margins() -> None:
    """`--calibration`'s "within" row must be the shipped model's probabilities (else its table
    compares against something that does not ship); "cross-source" fits its map on margins of
    boosters that never saw the source, so on two sources it differs; a wrong mode is refused."""
    import pandas as pd
    import pytest

    from botwatch.accounts.training import fit_model

    feats = ["a", "b", "c"]
    frames = []
    for i, src in enumerate(("s1", "s2")):
        X, y = _data(300, seed=10 + i)
        frames.append(pd.DataFrame(X, columns=feats).assign(label=y, source=src))
    train = pd.concat(frames, ignore_index=True)
    Xt, _ = _data(100, seed=9)
    test = pd.DataFrame(Xt, columns=feats)
    shipped, _ = fit_model(train, feats)
    assert np.array_equal(lv.calibration_fitter("within")(train, feats)(test), shipped.predict(test))
    cross = lv.calibration_fitter("cross-source")(train, feats)(test)
    assert cross.shape == (100,) and np.all((cross >= 0.01) & (cross <= 0.99))
    assert not np.array_equal(cross, shipped.predict(test))
    with pytest.raises(ValueError, match="calibration mode"):
        lv.calibration_fitter("platt")
