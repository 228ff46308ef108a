"""`ingest --results-json` (what collect's follow mode reads) into a new study that ends up holding
nothing (every record of the input rejected): the study is removed, so no input is in it, yet the
file's line said `ok`. Follow mode then logged "ingested 1 closed file(s)" into a study that did
not exist, ledgered the file and never offered it again: its rejected records were kept nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner


def test_no_input_is_reported_stored_in_a_study_that_was_not_created(tmp_path: Path) -> None:
    from botwatch.cli import app

    page = tmp_path / "x-search-abc-20261201T100000Z-1.jsonl"
    page.write_text(json.dumps({"data": [{"id": "2128641362881413120", "text": "no time", "author_id": "1"}]}) + "\n")
    study, results = tmp_path / "s.duckdb", tmp_path / "r.jsonl"
    res = CliRunner().invoke(app, ["ingest", str(study), str(page), "--results-json", str(results)], env={"COLUMNS": "300"})
    assert res.exit_code == 1 and "no study was created" in " ".join(res.output.split()), res.output
    assert not study.exists()
    rows = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    assert not [r for r in rows if r["status"] in ("ok", "skipped", "partial")], rows  # follow mode ledgers these as ingested


def test_a_results_file_in_a_missing_folder_is_a_plain_error_before_anything_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The results file was written after the ingest, and a missing folder ended in "FileNotFoundError
    ... This is a bug in botwatch" (exit 1) with the inputs stored. Now exit 2 before the study
    is made, naming the folder; a folder where the file should be is said plainly after the ingest."""
    from botwatch.cli import app
    from testsupport.terminal import said, wide_consoles

    wide_consoles(monkeypatch)
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    study = tmp_path / "s.duckdb"
    text = said(CliRunner().invoke(app, ["ingest", str(study), str(fix), "--results-json", str(tmp_path / "nope" / "r.jsonl")]))
    assert f"the folder {tmp_path}/nope does not exist" in text and "bug" not in text, text
    assert not study.exists()
    (tmp_path / "dir.jsonl").mkdir()
    text = said(CliRunner().invoke(app, ["ingest", str(study), str(fix), "--results-json", str(tmp_path / "dir.jsonl")]))
    assert f"could not write --results-json {tmp_path}/dir.jsonl" in text and "bug" not in text, text
