"""The line a label command names a row by is the file's line as `grep -n`, `sed -n` and an editor
count them (each "\\n" ends one), in all three commands alike. The csv reader's `line_num` counts a
bare "\\r" as a line too: stclab's CRLF files hold one inside many a quoted description, and
`train-bot-model` said "lines 1037, 1038, 4589" of rows `grep -n` puts on 249, 250 and 1,028."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import LABEL_NOT_READ, read_labels_csv
from botwatch.content.score import LabelsError, load_labels
from botwatch.labels_encoding import row_cells

# A CRLF file whose quoted notes hold bare "\r" (three on line 2, one on line 4), a "\r\n" inside
# a quoted cell (line 3 goes on to line 4), and a bad label on line 5 and on the last line, 6.
ACCOUNTS = ('handle,note,created_at,favourites_count,statuses_count,default_profile,default_profile_image,bot\r\n'
            'alice,"one\rtwo\rthree\rfour",Mon Jan 01 00:00:00 +0000 2012,1,2,TRUE,FALSE,1\r\n'
            'bob,"two\r\nlines\rhere",Mon Jan 01 00:00:00 +0000 2013,1,2,TRUE,FALSE,0\r\n'
            'carol,plain,Mon Jan 01 00:00:00 +0000 2014,1,2,TRUE,FALSE,maybe\r\n'
            'dave,plain,Mon Jan 01 00:00:00 +0000 2015,1,2,TRUE,FALSE,perhaps')


def _grep_n(text: str, needle: str) -> list[int]:
    """The lines holding `needle`, as `grep -n` numbers them."""
    return [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]


def test_rows_are_numbered_by_the_files_newlines(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(ACCOUNTS.encode())
    assert _grep_n(ACCOUNTS, "maybe") == [5] and _grep_n(ACCOUNTS, "perhaps") == [6]
    assert [line for line, _, _ in row_cells(path)[1]] == [2, 4, 5, 6]


def test_train_and_evaluate_accounts_name_the_grep_lines(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(ACCOUNTS.encode())
    got = read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01"))
    assert "'maybe' (line 5)" in got.where[LABEL_NOT_READ] and "'perhaps' (line 6)" in got.where[LABEL_NOT_READ], got.where
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert "'maybe' (line 5)" in str(err.value) and "'perhaps' (line 6)" in str(err.value), str(err.value)


def test_content_evaluate_names_the_grep_lines(tmp_path: Path) -> None:
    text = ('post_id,party,stance,sentiment,note\r\n'
            '1,labour,support,positive,"a\rb\rc"\r\n'
            '2,labour,pro,positive,x\r\n')
    path = tmp_path / "labels.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(LabelsError) as err:
        load_labels(path, parties=("labour",))
    assert "line 3" in str(err.value) and "line 5" not in str(err.value), str(err.value)


def test_stclab_rows_are_said_where_grep_finds_them(tmp_path: Path, shared_data: Path) -> None:
    """The walk's case: stclab's two files as one, three labels made unreadable on the lines
    `grep -n` gives; both account commands name those lines (the csv module's count was 1,037, 1,038, 4,589)."""
    folder = shared_data / "labelled" / "stclab"
    bots = gzip.decompress((folder / "bots_data.csv.gz").read_bytes())
    humans = gzip.decompress((folder / "nonbots_data.csv.gz").read_bytes()).split(b"\n", 1)[1]
    lines = (bots + humans).split(b"\n")
    for n in (249, 250, 1028):
        assert lines[n - 1].endswith((b",1\r", b",0\r")), lines[n - 1][-20:]
        lines[n - 1] = lines[n - 1][:-2] + b"maybe\r"
    path = tmp_path / "stclab.csv"
    path.write_bytes(b"\n".join(lines))
    got = read_labels_csv(path, observed_at=pd.Timestamp("2017-03-15"))
    assert "'maybe' (3 rows, lines 249, 250, 1028)" in got.where[LABEL_NOT_READ], got.where
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert "lines 249, 250, 1028" in str(err.value), str(err.value)


def test_a_file_of_bare_cr_line_ends_is_numbered_by_them(tmp_path: Path) -> None:
    """A file whose every line ends in a "\\r" alone (Excel for Mac's "CSV (Macintosh)") has no
    "\\n" to count: each of its rows was said to be on line 1. Numbered as an editor shows it."""
    text = ACCOUNTS.replace("\r\n", "\r")
    path = tmp_path / "mac.csv"
    path.write_bytes(text.encode())
    got = read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01"))
    # The quoted cells' own "\r"s are lines too: an editor shows them so, with no "\n" to go by.
    lines = [n for n, line in enumerate(text.split("\r"), start=1) if line.endswith(("maybe", "perhaps"))]
    assert "'maybe' (line {})".format(lines[0]) in got.where[LABEL_NOT_READ] and lines[1] == lines[0] + 1, got.where
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert f"'maybe' (line {lines[0]})" in str(err.value) and "(line 1)" not in str(err.value), str(err.value)
    content = tmp_path / "c.csv"
    content.write_bytes(b"post_id,party,stance,sentiment\r1,labour,support,positive\r2,labour,pro,positive\r")
    with pytest.raises(LabelsError) as err:
        load_labels(content, parties=("labour",))
    assert "line 3" in str(err.value), str(err.value)
