"""A CSV holding only its header line: its line said "ok … read 0, stored 0" above "error: nothing
could be read from the inputs". The file's line and the error now say what was wrong with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app


@pytest.mark.parametrize("header, args", [
    ("row_id,author,created_at,text\n", ["--columns", "account_id=author,created_at=created_at,text=text"]),
    ("id,author_id,text,created_at\n", []),  # a known layout (twarc-csv), sniffed
])
def test_a_header_only_csv_is_said_to_hold_no_records(tmp_path: Path, header: str, args: list[str]) -> None:
    f = tmp_path / "h.csv"
    f.write_text(header, encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f), *args])
    said = " ".join(res.output.split())
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback
    assert not any(ln.startswith("ok ") for ln in res.output.splitlines())
    assert said.startswith(f"empty {f}") and "no records after its header line, nothing to store" in said
    assert "error: nothing could be read from the inputs (h.csv: no records after its header line)" in said
    assert not (tmp_path / "s.duckdb").exists()
