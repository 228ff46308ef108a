"""Shared pieces of the tests of an X v1.1 stream's own records (limit notices, stall warnings):
a status to put them among, and the two checks every kind of them must pass alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner
from testsupport.terminal import flat, wide_consoles


def status(i: int) -> dict:
    """A v1.1 status of one of three accounts, long enough for every reading path."""
    return {"id_str": str(100 + i), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": f"post {i} padding the line out a little",
            "user": {"id_str": str(i % 3 + 1), "screen_name": f"u{i % 3}"}}


def _plain(tmp_path: Path) -> Path:
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    return plain


def assert_said_only_when_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: Path, line: str, name: str) -> None:
    """The ingest line holds `line` and the summary table a column `name` for `stream`; a file
    without such records says neither."""
    wide_consoles(monkeypatch)
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(stream)])
    assert res.exit_code == 0, res.output
    assert line in flat(res.output), res.output
    assert name in res.output.split("Ingest summary")[1]  # the summary table's column
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "p.duckdb"), str(_plain(tmp_path))])
    assert res.exit_code == 0 and name not in res.output


def assert_kept_once_and_only_where_read(tmp_path: Path, stream: Path, table: str, rows: int) -> None:
    """Reading `stream` again, or a copy of it, adds no row to `table` (`rows` after the first
    read, all under its first file); a study whose inputs held none has no such table (older
    studies stay as they were)."""
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(stream.read_bytes())
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(stream)], workers=1)
        runner.ingest(st, [str(stream), str(copy)], workers=1, force=True)
        assert st.sql(f"SELECT count(*), count(DISTINCT source) FROM {table}")[0] == (rows, 1)
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_plain(tmp_path))], workers=1)
        assert table not in st.tables()
