"""A line of spaces alone below a labels file's header (a spreadsheet's or editor's stray line):
pandas skips it as a blank line, so `train-bot-model` read past it, but `content evaluate`
refused it as "1 field(s) where the header has 4", `evaluate-accounts` counted it as a row of empty
fields, and the row count the two csv readers share with pandas (`labels_encoding.row_cells`)
came out one too many, so `train-bot-model` could name no line of any row it left out. All now
skip it as a blank line (`labels_encoding.blank_row`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from botwatch.accounts.evaluate import load_account_labels
from botwatch.accounts.labelled import LABEL_NOT_READ, read_labels_csv
from botwatch.content.score import load_labels
from testsupport.csv_files import labels_csv

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def test_content_evaluate_skips_a_line_of_spaces(tmp_path: Path) -> None:
    path = labels_csv(tmp_path, "post_id,party,stance,sentiment\n1,dem,support,positive\n   \n2,dem,oppose,negative\n")
    assert [r["post_id"] for r in load_labels(path)] == ["1", "2"]


def test_evaluate_accounts_skips_a_line_of_spaces_as_a_blank_line(tmp_path: Path) -> None:
    path = labels_csv(tmp_path, "handle,bot\nalice,1\n \t \nbob,0\n")
    empty: list[int] = []
    got = load_account_labels(path, empty)
    assert [(r.line, r.handle) for r in got] == [(2, "alice"), (4, "bob")] and empty == [], empty


def test_train_bot_model_names_the_lines_of_rows_left_out_below_a_line_of_spaces(tmp_path: Path) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    raw.loc[10, "label"] = "maybe"
    header, _, body = raw.to_csv(index=False).partition("\n")
    path = labels_csv(tmp_path, header + "\n   \n" + body)
    maybe = next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if line.startswith(raw.loc[10, "id"] + ","))
    got = read_labels_csv(path)
    assert got.where.get(LABEL_NOT_READ) == f"1 row ({LABEL_NOT_READ}: 'maybe' (line {maybe}))", got.where
