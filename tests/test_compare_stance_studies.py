"""scripts/compare_stance_studies.py: the paired interval is that of the difference."""

from __future__ import annotations

from testsupport.scripts import load_script


CLASSES = ("support", "oppose", "neutral")


def test_same_answers_differ_by_nothing_on_every_draw() -> None:
    gold = ["support", "oppose", "neutral", "oppose"] * 10
    pred = ["support", "neutral", "neutral", "oppose"] * 10
    groups = [str(i // 2) for i in range(len(gold))]
    assert load_script("compare_stance_studies").paired(gold, pred, list(pred), groups, CLASSES, n_boot=50) == (0.0, 0.0, 0.0)


def test_a_better_copy_gives_a_positive_difference_with_its_interval_around_it() -> None:
    gold = ["support", "oppose", "neutral", "oppose", "neutral"] * 12
    before = ["neutral"] * len(gold)
    after = list(gold)
    after[0] = "oppose"
    groups = [str(i) for i in range(len(gold))]
    d, lo, hi = load_script("compare_stance_studies").paired(gold, before, after, groups, CLASSES, n_boot=200)
    assert d > 0.5 and 0 < lo <= d <= hi
