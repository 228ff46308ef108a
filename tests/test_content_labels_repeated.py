"""`botwatch content evaluate`: a labels file that labels one (post, party) pair twice, or gives one
post two different sentiments, is a bad row listed with its line, as the other bad rows are.

Before, the repeated pair counted twice in the stance figures (n, macro-F1, accuracy) and the
second sentiment was dropped without a word, both with exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.content.score import LabelsError, load_labels

HEADER = "post_id,party,stance,sentiment\n"


def _labels(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_pair_labelled_twice_is_a_bad_row(tmp_path: Path) -> None:
    path = _labels(tmp_path, "1,labour,support,positive\n2,labour,oppose,negative\n1,LABOUR,oppose,positive\n")
    with pytest.raises(LabelsError, match=r"line 4: post '1' and party 'labour' were labelled on line 2 already"):
        load_labels(path, parties=("labour", "conservative"))


def test_two_sentiments_for_one_post_are_a_bad_row(tmp_path: Path) -> None:
    path = _labels(tmp_path, "1,labour,support,positive\n1,conservative,oppose,negative\n")
    with pytest.raises(LabelsError, match=r"line 3: sentiment 'negative' of post '1' differs from 'positive' on line 2"):
        load_labels(path, parties=("labour", "conservative"))


def test_one_post_with_a_row_per_party_is_read(tmp_path: Path) -> None:
    """The layout the shipped label files use: one row per (post, party), the post's sentiment on each."""
    path = _labels(tmp_path, "1,labour,support,positive\n1,conservative,oppose,Positive\n2,,,neutral\n2,,,neutral\n")
    rows = load_labels(path, parties=("labour", "conservative"))
    assert [(r["post_id"], r["party"]) for r in rows] == [("1", "labour"), ("1", "conservative"), ("2", ""), ("2", "")]


def test_a_pair_labelled_twice_says_whether_the_two_rows_agree(tmp_path: Path) -> None:
    """A row copied twice and two different stances for one pair need different fixes; both were
    "labelled on line 2 already", and the reader had to compare the rows to know which."""
    path = _labels(tmp_path, "1,labour,support,positive\n1,labour,support,positive\n1,Labour,OPPOSE,positive\n")
    with pytest.raises(LabelsError) as exc:
        load_labels(path, parties=("labour", "conservative"))
    said = str(exc.value)
    assert "line 3: post '1' and party 'labour' were labelled on line 2 already (the same stance 'support': delete one of the two rows)" in said
    assert "line 4: post '1' and party 'labour' were labelled on line 2 already (stance 'support' there, 'oppose' here: keep the row you mean)" in said


def test_a_cell_too_long_to_read_is_named_by_its_line(tmp_path: Path) -> None:
    """A cell past the csv reader's limit (a note column holding a whole thread, a quote left
    open) was "cannot read labels.csv: field larger than field limit (131072)", naming no line."""
    import csv

    path = _labels(tmp_path, "1,labour,support,positive\n2,labour,\"" + "x" * 200_000 + "\",negative\n")
    was = csv.field_size_limit(131_072)  # the csv module's own limit: an ingest module imported before may raise it
    try:
        with pytest.raises(LabelsError, match=r"cannot read .*labels\.csv: line 3: field larger than field limit"):
            load_labels(path, parties=("labour", "conservative"))
    finally:
        csv.field_size_limit(was)
