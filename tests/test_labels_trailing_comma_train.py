"""`train-bot-model`'s labels file as a spreadsheet exports it, every row ending in a trailing
comma: pandas took the first column for the index and shifted every other one left, so
`created_at` held the likes value and `bot` was empty on every row, while `evaluate-accounts`
read the same file as meant. Trailing empty cells are now read as nothing; a row whose cells
beyond the header hold something is left out and said with its line, in the words
`evaluate-accounts` uses for it (`labels_encoding.extra_cells_said`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import read_labels_csv
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def _with_trailing(tmp_path: Path, tails: dict[int, str] | None = None) -> Path:
    """The fixture (label column named `bot`) with every row ending in ",", or in ",TAIL" for the
    rows (0-based) given in `tails`."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).rename(columns={"label": "bot"})
    raw["_tail"] = ""
    for i, tail in (tails or {}).items():
        raw.loc[i, "_tail"] = tail
    path = tmp_path / "labels.csv"
    header, _, body = raw.to_csv(index=False).partition("\n")
    path.write_text(header.rsplit(",", 1)[0] + "\n" + body, encoding="utf-8")
    return path


def _line_of(path: Path, row_id: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if line.startswith(row_id + ","))


def test_every_row_ending_in_a_comma_reads_as_the_file_without_them(tmp_path: Path) -> None:
    want = read_labels_csv(FIXTURE)
    got = read_labels_csv(_with_trailing(tmp_path))
    assert got.left_out == want.left_out, got.left_out
    assert len(got.frame) == 40 and sorted(got.frame["label"]) == sorted(want.frame["label"])
    pd.testing.assert_frame_equal(got.frame.drop(columns="source"), want.frame.drop(columns="source"))


def test_a_row_with_a_cell_beyond_the_header_is_left_out_and_said_as_evaluate_accounts_says_it(tmp_path: Path) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    path = _with_trailing(tmp_path, {3: "extra", 8: "\x1b[2J"})
    got = read_labels_csv(path)
    assert got.left_out["more cells than the header"] == 2 and len(got.frame) == 38, got.left_out
    first, second = _line_of(path, raw.loc[3, "id"]), _line_of(path, raw.loc[8, "id"])
    said = got.where["more cells than the header"]
    assert said == (f"2 rows (more cells than the header: line {first}: 26 fields where the header has 25 (extra: 'extra'); "
                    f"line {second}: 26 fields where the header has 25 (extra: '\\x1b[2J'))"), said
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert f"line {first}: 26 fields where the header has 25 (extra: 'extra')" in str(err.value), str(err.value)


def test_train_bot_model_says_the_rows_left_out_with_no_traceback(tmp_path: Path) -> None:
    path = _with_trailing(tmp_path, {3: "extra"})
    out = CliRunner().invoke(app, ["train-bot-model", str(path), "-o", str(tmp_path / "m.json.gz")], terminal_width=400)
    said = " ".join(out.output.split())
    assert "1 row (more cells than the header: line " in said and "(extra: 'extra')" in said, out.output
    assert "Traceback" not in out.output and "ParserWarning" not in out.output


def test_a_trailing_comma_on_later_rows_only_reads_as_on_every_row(tmp_path: Path) -> None:
    """A comma ending only some rows, none of them the first (a spreadsheet that had formatted a
    column on those rows alone): pandas sized the rows by the first and refused the whole file as
    "line 3 has 26 fields, the first line 25", a line of no such row, while `evaluate-accounts`
    read all 40. A later row with a cell beyond the header is left out and said, not the file."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).rename(columns={"label": "bot"})
    header, _, body = raw.to_csv(index=False).partition("\n")
    rows = body.rstrip("\n").split("\n")
    ids = raw["id"].tolist()
    assert not raw.loc[[5, 9, 12]].apply(lambda col: col.str.contains("\n")).any().any()  # each row one line, its tail at its end
    at = {n for n, line in enumerate(rows) if line.split(",", 1)[0] in (ids[5], ids[9], ids[12])}
    tails = {n: ("," if line.split(",", 1)[0] != ids[12] else ",x,y") for n, line in enumerate(rows) if n in at}
    path = tmp_path / "labels.csv"
    path.write_text(header + "\n" + "\n".join(line + tails.get(n, "") for n, line in enumerate(rows)) + "\n", encoding="utf-8")
    got = read_labels_csv(path)
    assert len(got.frame) == 39 and got.left_out["more cells than the header"] == 1, got.left_out
    line = _line_of(path, ids[12])
    assert got.where["more cells than the header"] == (
        f"1 row (more cells than the header: line {line}: 27 fields where the header has 25 (extra: 'x', 'y'))"), got.where
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert str(err.value).endswith(f"1 bad row(s): line {line}: 27 fields where the header has 25 (extra: 'x', 'y')"), str(err.value)
