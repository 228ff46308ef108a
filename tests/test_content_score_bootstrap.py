"""The bootstrap intervals of `content evaluate` (`content.score._bootstrap_macro_f1`) must be the
very figures of resampling the rows and calling `macro_f1` on each resample, as they were first
computed. (Why they are computed from counts: resampling the rows took minutes per hundred
resamples of a labels file of hundreds of thousands of rows. How fast it is now is a figure, not
a test: 100 resamples of 200,000 pairs took under 10 s on a loaded two-core machine, against
102 s before; the brief keeps timings out of the tests.)

The labels here are drawn at random (no hand labels are read)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from botwatch.content.score import MISSING, NOT_SCORED, SENTIMENTS, STANCES, _bootstrap_macro_f1, macro_f1


def _by_rows(gold: list[str], pred: list[str], groups: list[str], classes: tuple[str, ...], n_boot: int, seed: int) -> list[float]:
    """The bootstrap as first written: draw posts, gather their rows, `macro_f1` on them."""
    keys = sorted(set(groups))
    by_key: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_key.setdefault(g, []).append(i)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_boot):
        idx = [i for k in rng.integers(0, len(keys), len(keys)) for i in by_key[keys[k]]]
        out.append(macro_f1([gold[i] for i in idx], [pred[i] for i in idx], classes))
    return out


@pytest.mark.parametrize("case", range(8))
def test_the_intervals_are_those_of_resampling_the_rows(case: int) -> None:
    rnd = random.Random(case)
    classes = STANCES if case % 2 else SENTIMENTS
    gold_classes = classes[: 1 + case % 3]  # one class only, two, all three
    wrong = (MISSING,) if case % 2 else (MISSING, NOT_SCORED)
    n = rnd.randint(1, 120)
    gold = [rnd.choice(gold_classes) for _ in range(n)]
    pred = [rnd.choice(classes + wrong) if rnd.random() < 0.4 else g for g in gold]
    groups = [f"p{rnd.randint(0, max(1, n // 2))}" for _ in range(n)]  # posts with one pair or several
    assert _bootstrap_macro_f1(gold, pred, groups, classes, 200, 14) == _by_rows(gold, pred, groups, classes, 200, 14)



def test_a_null_prediction_beside_a_missed_pair_is_wrong_not_a_crash() -> None:
    # A pair whose `post_party.stance` is NULL reads as None; beside "(not matched)" the answers
    # could not be sorted (TypeError), where scoring the rows took None as a wrong answer.
    gold = ["support", "oppose", "support", "neutral"]
    pred = [None, MISSING, "support", "neutral"]
    groups = ["a", "b", "c", "c"]
    assert _bootstrap_macro_f1(gold, pred, groups, STANCES, 50, 14) == _by_rows(gold, pred, groups, STANCES, 50, 14)  # type: ignore[arg-type]
