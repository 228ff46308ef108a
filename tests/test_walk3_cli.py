"""Small things a new user met on the third walk through the command line (docs/*.md)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()
MAP = "post_id=id,account_id=user,created_at=time,text=text"


def _study(tmp_path: Path, rows: str) -> Path:
    src = tmp_path / "in.csv"
    src.write_text("id,user,time,text\n" + rows, encoding="utf-8")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(src), "--columns", MAP])
    assert res.exit_code == 0, res.output
    return study


def test_the_csv_formula_note_does_not_claim_cells_were_prefixed(tmp_path: Path) -> None:
    """Every CSV export said "text cells starting with = + - @ ... were prefixed", on files where
    none was: the note now says what the export does, not what it found."""
    study = _study(tmp_path, "1,alice,2017-05-01 10:00:00,plain text\n")
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "p.csv")])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "were prefixed" not in said and "is prefixed with '" in said, res.output
