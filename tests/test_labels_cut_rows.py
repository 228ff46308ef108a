"""A labels file whose field holds an unquoted line break: its row is cut in two, neither part with
a label cell. `train-bot-model` said "5 rows (label not 1/0)" of the stclab set so cut, and
`evaluate-accounts` "neither a bot label nor a country": never that the rows were cut, nor where.
Both now say the same rows alike (`labels_encoding.row_cells`, `short_rows_said`), with their
lines as the csv reader numbers every other row; a label that is there but unreadable keeps its own reason,
with its lines and values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import LABEL_NOT_READ, read_labels_csv
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows
CUT = "the row ends here\nand goes on"


def _cut_file(tmp_path: Path) -> tuple[Path, list[int]]:
    """The fixture as a labels file with two descriptions broken by an unquoted line break and one
    label "maybe"; the file's lines of the four pieces (its quoted descriptions hold line breaks too,
    so these are not the row numbers)."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    raw = raw[[c for c in raw.columns if c != "bot"] + ["bot"]]  # the label last, as stclab has it
    raw.loc[[3, 7], "description"] = "CUT_HERE"
    raw.loc[10, "bot"] = "maybe"
    path = tmp_path / "labels.csv"
    raw.to_csv(path, index=False)
    text = path.read_text(encoding="utf-8").replace("CUT_HERE", CUT)
    path.write_text(text, encoding="utf-8")
    pieces = [n for n, line in enumerate(text.split("\n"), start=1) if line.endswith("the row ends here") or line.startswith("and goes on")]
    assert len(pieces) == 4, pieces
    return path, pieces


def test_rows_cut_by_a_line_break_are_counted_as_such_with_their_lines(tmp_path: Path) -> None:
    path, lines = _cut_file(tmp_path)
    got = read_labels_csv(path)
    assert got.left_out["fewer cells than the header"] == 4 and got.left_out[LABEL_NOT_READ] == 1, got.left_out
    said = got.where["fewer cells than the header"]
    assert said.startswith(f"4 rows, lines {lines[0]}, {lines[1]}, {lines[2]}, …") and "must be quoted" in said, said
    maybe = next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if line.endswith(",maybe"))
    assert got.where[LABEL_NOT_READ] == f"1 row ({LABEL_NOT_READ}: 'maybe' (line {maybe}))", got.where


def test_train_and_evaluate_say_the_cut_rows_alike(tmp_path: Path) -> None:
    path, _ = _cut_file(tmp_path)
    out = CliRunner().invoke(app, ["train-bot-model", str(path), "-o", str(tmp_path / "m.json.gz")], terminal_width=400)
    said = read_labels_csv(path).where["fewer cells than the header"]
    assert said in " ".join(out.output.split()), out.output
    assert "Traceback" not in out.output
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert said in str(err.value) and "neither a bot label" not in str(err.value), str(err.value)


def test_a_row_that_reaches_its_label_and_leaves_trailing_cells_out_is_read(tmp_path: Path) -> None:
    """Only a row that ends before its label is cut: "a,1" under "handle,bot,country" is read."""
    path = tmp_path / "labels.csv"
    path.write_text("handle,bot,country\nalice,1\nbob,0,US\n", encoding="utf-8")
    assert [(lab.handle, lab.bot) for lab in load_account_labels(path)] == [("alice", 1), ("bob", 0)]


def test_a_short_row_of_empty_cells_is_an_empty_row_as_before(tmp_path: Path) -> None:
    """"," under a header whose label is its third column is a spreadsheet's empty row, skipped."""
    path = tmp_path / "labels.csv"
    path.write_text("handle,country,bot\nalice,US,1\n,\n", encoding="utf-8")
    empty: list[int] = []
    assert [lab.handle for lab in load_account_labels(path, empty)] == ["alice"] and empty == [3]


def test_a_cut_row_below_a_quoted_line_break_is_said_at_its_own_line(tmp_path: Path) -> None:
    """A quoted cell holding a line break takes two lines of the file: the cut rows below it are
    said at the lines they are on, as the bad label beside them is (lines 4, 5 and 6, not 3, 4)."""
    path = tmp_path / "labels.csv"
    path.write_text('handle,bio,bot\na,"two\nlines",1\nb,broken\n here,0\nc,x,maybe\n', encoding="utf-8")
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert "2 rows, lines 4, 5 with fewer cells" in str(err.value) and "'maybe' (line 6)" in str(err.value), str(err.value)
