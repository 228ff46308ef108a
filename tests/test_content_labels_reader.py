"""`load_labels` reads rows with `csv.reader` and the header's names (not `csv.DictReader`, 11 s for
500,000 rows): what it says of a file's rows is unchanged, pinned here where the two readers could
part: blank lines before a row (its line), a column named twice (the last cell kept), a short row
(the columns it lacks named) and a long one, a quoted cell holding a line break."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.content.score import LabelsError, load_labels
from testsupport.csv_files import labels_csv


def test_rows_read_by_name_with_the_last_of_a_column_named_twice(tmp_path: Path) -> None:
    path = labels_csv(tmp_path, " Post_ID ,party,stance,sentiment,note,NOTE\n 1 , dem , Support ,Positive,a,b\n")
    assert load_labels(path) == [{"post_id": "1", "party": "dem", "stance": "support", "sentiment": "positive", "note": "b"}]


def test_bad_rows_keep_their_lines_and_words(tmp_path: Path) -> None:
    text = ('post_id,party,stance,sentiment,note,note\n\n\n1,dem,bogus,positive,,\n"2\nx",dem,support,positive,,\n'
            "3,dem\n4,dem,support,positive,,,extra\n5,dem,support,positive,a\n")
    with pytest.raises(LabelsError) as err:
        load_labels(labels_csv(tmp_path, text))
    said = str(err.value)
    assert "'bogus' (line 4)" in said, said
    assert "line 7: 2 field(s) where the header has 6 (no stance, sentiment, note, note)" in said, said
    assert "line 8: 7 fields where the header has 6 (extra: 'extra')" in said, said
    assert "line 9: 4 field(s) where the header has 6 (no note, note)" in said, said


def test_trailing_empty_fields_are_read_as_absent_as_evaluate_accounts_reads_them(tmp_path: Path) -> None:
    """A spreadsheet export's trailing comma: every row was refused as "5 fields where the header
    has 4" while `evaluate-accounts` read the same shape of file; nothing is lost with empty cells."""
    path = labels_csv(tmp_path, "post_id,party,stance,sentiment\n1,dem,support,positive,\n2,dem,oppose,negative,, \n")
    assert load_labels(path) == [{"post_id": "1", "party": "dem", "stance": "support", "sentiment": "positive"},
                                 {"post_id": "2", "party": "dem", "stance": "oppose", "sentiment": "negative"}]
