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


def test_sources_and_error_cells() -> None:
    m = load_script("stance_error_analysis")
    assert m.source_of("uk_brexit16_5") == "ordinary" and m.source_of("uk_twarc2") == "ordinary"
    assert m.source_of("uk_train3") == "ira" and m.source_of("us") == "ira"
    feats = [{"style=link": 1.0, "named=1": 1.0}, {"named=2": 1.0}, {"named=1": 1.0}, {}]
    cells = m.error_cells(["neutral", "neutral", "support", "oppose"], ["oppose", "oppose", "neutral", "oppose"], feats,
                          ["a", "b", "c", "d"], ["support", "oppose", "neutral"])
    assert cells[("neutral", "oppose")]["n"] == 2
    assert cells[("neutral", "oppose")]["headline"] == 1 and cells[("neutral", "oppose")]["several"] == 1
    assert sorted(cells[("neutral", "oppose")]["posts"]) == ["a", "b"]
    assert cells[("support", "neutral")]["n"] == 1 and cells[("oppose", "neutral")]["n"] == 0
    assert ("oppose", "oppose") not in cells
