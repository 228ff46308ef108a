"""docs/python-api.md is run as written: every ```python block, in order, in one namespace, in an
empty folder (the first block builds the study from the bundled sample). An API example that no
longer runs is a broken promise to the researchers who copy it."""

from __future__ import annotations

from pathlib import Path

import pytest

from testsupport.doc_blocks import python_blocks, run_python_blocks

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def blocks() -> list[str]:
    return python_blocks(DOC)


def test_python_api_doc_has_code() -> None:
    assert len(blocks()) >= 4


def test_python_api_doc_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    run_python_blocks(DOC, "python_api_doc")
    out = capsys.readouterr().out
    assert "botwatch-account/1" in out and "unknown option 'window'" in out and "coordination_window_s" in out
    assert "P(outside NZ) is not measured" in out and "open read-only" in out
    # your own CSV: the column left unread is named, and two spellings of one handle are one account
    assert "export.csv: 1 column not mapped, so not stored: sentiment" in out and "[('examplenews', " in out and "'ExampleNews'" not in out


def test_the_foreign_interval_is_not_sold_as_more_than_it_is() -> None:
    """The table called foreign_counts' lo/hi a "95% interval" bare, where the report says beside
    the same figures that it is the probabilities' spread taken as exact, not the model's error."""
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `api.foreign_counts("))
    assert "taken as exact, not the origin model's error" in row
