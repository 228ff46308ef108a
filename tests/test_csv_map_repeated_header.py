"""`ingest --columns` on a CSV whose header names a mapped column twice (`...,text,text`).

The row's last such column was stored as the text, without a word, and the first was neither read
nor listed among the columns "not mapped, so not stored". Which of the two the map means cannot be
told from the file, so it is a usage error naming the columns, before anything is written, as a
map naming a column the file lacks is."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

MAP = "post_id=id,account_id=user,created_at=time,text=text"


def test_a_mapped_column_named_twice_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "twice.csv"
    src.write_text("id,user,time,Text,text\n1,alice,2017-05-01 10:00:00,hello,other\n", encoding="utf-8")
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(src), "--columns", MAP])
    said = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert "header holds more than once ('text' is columns 4, 5)" in said, res.output
    assert not study.exists()  # refused before a study was made


def test_an_unmapped_column_named_twice_is_still_read(tmp_path: Path) -> None:
    src = tmp_path / "extra.csv"
    src.write_text("id,user,time,text,note,note\n1,alice,2017-05-01 10:00:00,hello,a,b\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(src), "--columns", MAP])
    assert res.exit_code == 0 and "stored 1" in res.output, res.output
