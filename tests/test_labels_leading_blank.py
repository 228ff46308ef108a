"""Blank lines above a labels file's header: the header is the first line that holds anything,
and the rows keep the file's own line numbers. A blank first line made the header empty, and
`content evaluate` refused every row as "4 fields where the header has 0", `evaluate-accounts`
the file as naming no account. A file blank throughout is said in one line by each reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import LABEL_NOT_READ, read_labels_csv
from botwatch.content.score import LabelsError, load_labels

BLANK_TOP = "\n \n"  # an empty line and one of a space, as an editor or a spreadsheet leaves them
TRAIN_HEADER = "created_at,favourites_count,statuses_count,default_profile,default_profile_image,observed_at,bot\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_content_labels_read_past_blank_lines_and_keep_the_files_lines(tmp_path: Path) -> None:
    good = _write(tmp_path, "c.csv", BLANK_TOP + "post_id,party,stance,sentiment\n1,lab,support,positive\n")
    assert load_labels(good) == [{"post_id": "1", "party": "lab", "stance": "support", "sentiment": "positive"}]
    bad = _write(tmp_path, "bad.csv", BLANK_TOP + "post_id,party,stance,sentiment\n1,lab,support,positive\n2,lab,bogus,positive\n")
    with pytest.raises(LabelsError) as exc:
        load_labels(bad)
    assert "'bogus' (line 5)" in str(exc.value) and "header has 0" not in str(exc.value), exc.value


def test_account_labels_read_past_blank_lines_and_keep_the_files_lines(tmp_path: Path) -> None:
    good = _write(tmp_path, "a.csv", BLANK_TOP + "handle,bot\nalice,1\nbob,0\n")
    assert [(r.line, r.handle, r.bot) for r in load_account_labels(good)] == [(4, "alice", 1), (5, "bob", 0)]
    bad = _write(tmp_path, "bad.csv", BLANK_TOP + "handle,bot\nalice,1\nbob,maybe\n")
    with pytest.raises(AccountLabelsError) as exc:
        load_account_labels(bad)
    assert "'maybe' (line 5)" in str(exc.value), exc.value


def test_training_labels_name_the_files_lines_below_blank_lines(tmp_path: Path) -> None:
    """pandas skipped the blank lines, but the lines said of its rows were counted from an empty
    header and dropped as disagreeing: the row left out was not located."""
    p = _write(tmp_path, "t.csv", BLANK_TOP + TRAIN_HEADER + "2015-01-01,1,2,0,0,2019-01-01,1\n2015-01-01,1,2,0,0,2019-01-01,maybe\n")
    assert read_labels_csv(p).where == {LABEL_NOT_READ: f"1 row ({LABEL_NOT_READ}: 'maybe' (line 5))"}


@pytest.mark.parametrize("text", ["", "\n\n", " \n\n  \n"])
def test_a_file_blank_throughout_is_said_in_one_line_by_each_reader(tmp_path: Path, text: str) -> None:
    p = _write(tmp_path, "l.csv", text)
    for read, error in ((load_labels, LabelsError), (load_account_labels, AccountLabelsError), (read_labels_csv, ValueError)):
        with pytest.raises(error) as exc:
            read(p)
        said = str(exc.value)
        assert said.startswith(f"{p} is blank throughout (no header row, no rows): a labels CSV needs a header row ("), (read, said)
        assert "\n" not in said, said


def test_a_semicolon_file_below_blank_lines_gets_the_separator_hint(tmp_path: Path) -> None:
    """`train-bot-model` reads the hint from the file's first line: a blank one gave none."""
    p = _write(tmp_path, "t.csv", BLANK_TOP + TRAIN_HEADER.replace(",", ";") + "2015-01-01;1;2;0;0;2019-01-01;1\n")
    with pytest.raises(ValueError) as exc:
        read_labels_csv(p)
    assert 'save it as "CSV (comma delimited)"' in str(exc.value), exc.value
