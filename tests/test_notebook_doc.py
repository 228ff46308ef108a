"""docs/notebook.md is run as written: every ```python block, in order, in one namespace, in a
folder holding the analysed sample as study.duckdb. A notebook example that no longer runs is a
broken promise to the analysts who copy it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testsupport.doc_blocks import python_blocks, run_python_blocks

DOC = Path(__file__).resolve().parents[1] / "docs" / "notebook.md"


def blocks() -> list[str]:
    return python_blocks(DOC)


def test_notebook_doc_has_code() -> None:
    assert len(blocks()) >= 5


def test_notebook_doc_runs(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(analysed_sample_path, tmp_path / "study.duckdb")
    monkeypatch.chdir(tmp_path)
    run_python_blocks(DOC, "notebook")
    out = capsys.readouterr().out
    assert "False" not in out.split()  # every check the doc prints holds
    assert (tmp_path / "report.html").exists() and (tmp_path / "scores.parquet.schema.json").exists()


def test_the_foreign_interval_is_not_sold_as_more_than_it_is() -> None:
    """The page printed foreign_counts' [lo-hi] beside "expected" with no word on what it leaves out,
    where the report says of the same figures that the origin model's own error is not in them."""
    section = " ".join(DOC.read_text(encoding="utf-8").split("## The numbers the report quotes")[1].split("```")[0].split())
    assert "taken as exact: the origin model's own error is not in it" in section
