"""The learning-curve and label-gain scripts (scripts/stance_learning_curve.py, stance_label_gain.py).

Code paths only, on a few generated items (no figure here is a measurement): folds are grouped and
balanced, the training subsets are nested, new posts are never scored, and a paired difference of
identical answers is exactly zero.
"""

from __future__ import annotations

from testsupport.scripts import load_script


def _items(n_posts: int = 40) -> tuple[list[tuple[dict, str]], list[str]]:
    labels = ["support", "oppose", "neutral"]
    items, groups = [], []
    for p in range(n_posts):
        for j in range(2):  # two pairs per post: a post's pairs must stay in one fold
            lab = labels[(p + j) % 3]
            items.append(({f"w={lab}": 1.0, f"n={p % 5}": 1.0}, lab))
            groups.append(f"post{p}")
    return items, groups


def test_folds_are_balanced_grouped_and_reproducible() -> None:
    lc = load_script("stance_learning_curve")
    _items_, groups = _items()
    fold = lc.fold_of(groups, seed=3)
    assert set(fold) == set(groups) and sorted(set(fold.values())) == [0, 1, 2, 3, 4]
    sizes = [sum(1 for f in fold.values() if f == k) for k in range(5)]
    assert max(sizes) - min(sizes) <= 1
    assert fold == lc.fold_of(groups, seed=3) and fold != lc.fold_of(groups, seed=4)


def test_curve_answers_every_item_at_every_fraction() -> None:
    lc = load_script("stance_learning_curve")
    items, groups = _items()
    settings = {"C": 1.0, "weak_weight": 0.0, "balance": 0.0}
    out = lc.curve_predictions(items, groups, ["support", "oppose", "neutral"], settings, [], seed=0)
    assert set(out) == set(lc.FRACTIONS)
    for preds in out.values():
        assert len(preds) == len(items) and all(p in ("support", "oppose", "neutral") for p in preds)
    # The word feature gives the label away: with all training posts every answer is right.
    assert out[1.0] == [lab for _f, lab in items]


def test_identical_answers_give_zero_gain() -> None:
    lc = load_script("stance_learning_curve")
    items, groups = _items()
    gold = [lab for _f, lab in items]
    same = {f: list(gold) for f in lc.FRACTIONS}
    r = lc.bootstrap(gold, [same], groups, ["support", "oppose", "neutral"], n_boot=50)
    assert r["gain"][0.75][0] == 0.0 and r["gain"][0.75][1] == (0.0, 0.0)
    assert r["point"][1.0] == 1.0


def test_label_gain_never_scores_new_posts_and_pairs_the_difference() -> None:
    lg = load_script("stance_label_gain")
    items, groups = _items()
    new = {f"post{p}" for p in range(30, 40)}
    settings = {"C": 1.0, "weak_weight": 0.0, "balance": 0.0}
    a, b = lg.paired_predictions(items, groups, new, ["support", "oppose", "neutral"], settings, [], seed=1)
    for i, g in enumerate(groups):
        assert (a[i] == "" and b[i] == "") if g in new else (a[i] != "" and b[i] != "")
    old = [i for i, g in enumerate(groups) if g not in new]
    gold = [items[i][1] for i in old]
    r = lg.compare(gold, [([a[i] for i in old], [a[i] for i in old])], [groups[i] for i in old], ["support", "oppose", "neutral"], n_boot=50)
    assert r["gain"] == 0.0 and r["gain_ci"] == (0.0, 0.0)
