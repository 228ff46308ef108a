"""The counting helpers of scripts/stance_error_analysis.py (the dev error analysis of issue 14)."""

from __future__ import annotations

from collections import Counter

from testsupport.scripts import load_script


def test_confusion_rows_are_the_readers_labels() -> None:
    m = load_script("stance_error_analysis")
    got = m.confusion(["oppose", "oppose", "neutral", "support"], ["neutral", "oppose", "neutral", "oppose"], ["support", "oppose", "neutral"])
    assert got == [[0, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_matching_counts_a_post_without_a_party_and_a_missed_party() -> None:
    m = load_script("stance_error_analysis")
    gold = {"a": {"labour"}, "b": set(), "c": {"conservative", "labour"}}
    named = {"a": {"labour"}, "b": {"labour"}, "c": {"labour"}}
    p, r, false, missed = m.match_precision_recall(gold, named)
    assert (p, r) == (2 / 3, 2 / 3)
    assert false == Counter({"labour": 1}) and missed == Counter({"conservative": 1})
