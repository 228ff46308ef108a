"""`evaluate-accounts`' labels: a row with more cells than the header. The check for it could
never fire (the extra cells were mapped to "" with the rest), so `alice,1,extra` under
`handle,bot` was read as `alice,1` without a word. A non-empty extra cell now makes the row a
bad row, listed with its line beside the others; trailing empty cells (a spreadsheet export's
trailing comma) are read as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from testsupport.csv_files import labels_csv


def test_a_non_empty_cell_beyond_the_header_is_a_bad_row_with_its_line(tmp_path: Path) -> None:
    p = labels_csv(tmp_path, "handle,bot\nalice,1,extra\nbob,0\ncarol,maybe\ndave,0,\x1b[2J,x,y,z\n")
    with pytest.raises(AccountLabelsError) as exc:
        load_account_labels(p)
    said = str(exc.value)
    assert "2 bad row(s): line 2: 3 fields where the header has 2 (extra: 'extra'); " in said, said
    assert "line 5: 6 fields where the header has 2 (extra: '\\x1b[2J', 'x', 'y' and 1 more)" in said, said
    assert "'maybe' (line 4)" in said, said  # said with the other bad rows, in one error
    assert "\x1b" not in said, said  # the file's text shown, its escape not sent to the terminal


def test_trailing_empty_cells_are_read_without_a_word(tmp_path: Path) -> None:
    p = labels_csv(tmp_path, "handle,bot\nalice,1,\nbob,0,,\ncarol,1, \n")
    assert [(r.line, r.handle, r.bot) for r in load_account_labels(p)] == [(2, "alice", 1), (3, "bob", 0), (4, "carol", 1)]


def test_evaluate_accounts_refuses_the_file_naming_the_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    p = labels_csv(tmp_path, "handle,bot\nalice,1,extra\n")
    res = CliRunner().invoke(app, ["evaluate-accounts", str(tmp_path / "none.duckdb"), str(p)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "line 2: 3 fields where the header has 2 (extra: 'extra')" in said, res.output
    assert "Traceback" not in res.output
