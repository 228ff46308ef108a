"""`botwatch content evaluate` on a lake records its result as it does in a DuckDB study (the same
`runs` row), so the report's Parties section quotes it on both engines. It used to print the
figures and say "recording is not supported for a lake study yet".

The labels are written from the study's own predictions (no hand labels are read)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import load_election

pytestmark = pytest.mark.spark

US = load_election("us-2016")
runner = CliRunner()


def _labels(study: Path, dst: Path) -> Path:
    from botwatch import open_study
    from botwatch.content.score import sentiment_class

    with open_study(study) as st:
        pairs = st.sql("SELECT post_id, party, stance FROM post_party WHERE stance IS NOT NULL ORDER BY post_id, party LIMIT 60")
        senti = dict(st.sql("SELECT post_id, sentiment FROM post_labels"))
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "party", "stance", "sentiment"])
        for pid, party, stance in pairs:
            s = senti.get(pid)
            w.writerow([pid, party, stance, sentiment_class(s) if s is not None else ""])
    return dst


def _evaluate(study: Path, labels: Path) -> str:
    res = runner.invoke(app, ["content", "evaluate", str(study), str(labels), "--boot", "20"])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


def test_an_evaluation_is_recorded_in_a_lake_as_in_a_duckdb_study(
        spark: Any, labelled_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.content.score import EVALUATE_STAGE, recorded_evaluation
    from botwatch.engines.lake import lake_from_study
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section
    from testsupport.study_copies import copy_study

    # The sample with the content stage run for us-2016 (`run_content` with its defaults, which
    # this test used to run on its own copy): the session's study, copied before writing.
    db = copy_study(labelled_sample_path, tmp_path / "s.duckdb")
    with open_study(db, read_only=False) as st:
        write_estimates(st, compute_estimates(st, US, EstimateOptions(sample_rate=0.01, reps=50), log=lambda m: None))  # the section needs them
        lake_from_study(st, tmp_path / "lake", spark=spark).close()
    lake = tmp_path / "lake"
    labels = _labels(db, tmp_path / "mine.csv")

    out = _evaluate(lake, labels)
    assert "macro-F1" in out
    assert "recorded in lake (stage content_evaluate)" in out and "not recorded" not in out
    _evaluate(db, labels)

    with open_study(lake, spark=spark) as lk, open_study(db) as duck:
        rows = lk.sql("SELECT status FROM runs WHERE stage = ?", [EVALUATE_STAGE])
        assert rows == [("ok",)]
        on_lake = recorded_evaluation(lk, "us-2016")
        assert on_lake is not None and on_lake == recorded_evaluation(duck, "us-2016")
        sec = parties_section(lk, {"election": US})
    assert sec is not None
    assert f"Stance was checked against {on_lake['pairs']} of your hand-labelled pairs (" in str(sec.html)
    from botwatch.engines.lake import SCRATCH_DIR

    assert not (lake / SCRATCH_DIR).exists() and not (lake / "_botwatch.lock").exists()
