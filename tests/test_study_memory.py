"""BOTWATCH_MEMORY: DuckDB's memory budget for a study's work (analysis on a shared machine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import Study, StudyError

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _limit(path: Path) -> str:
    with Study(path) as st:
        return str(st.sql("SELECT current_setting('memory_limit')")[0][0])


def test_the_budget_is_duckdbs_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOTWATCH_MEMORY", raising=False)
    default = _limit(tmp_path / "s.duckdb")
    monkeypatch.setenv("BOTWATCH_MEMORY", "1.5gb")
    budget = _limit(tmp_path / "s.duckdb")
    assert budget != default and budget.startswith("1.3 GiB"), budget  # DuckDB shows 1.5 GB as GiB
    monkeypatch.setenv("BOTWATCH_MEMORY", "")
    assert _limit(tmp_path / "s.duckdb") == default  # empty: DuckDB's own default


@pytest.mark.parametrize("raw", ["lots", "0GB", "4", "1GB; DROP TABLE posts"])
def test_a_bad_budget_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("BOTWATCH_MEMORY", raw)
    with pytest.raises(StudyError, match="BOTWATCH_MEMORY"):
        Study(tmp_path / "s.duckdb")
    monkeypatch.delenv("BOTWATCH_MEMORY")
    assert runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    monkeypatch.setenv("BOTWATCH_MEMORY", raw)
    res = runner.invoke(app, ["analyze", str(tmp_path / "s.duckdb"), "--only", "coverage"])
    assert res.exit_code != 0 and "BOTWATCH_MEMORY" in res.output and "4GB" in res.output, res.output
    assert "Traceback" not in res.output
