"""`botwatch coordination STUDY` without `--election` on an analysed study keeps the clusters'
foreign-origin shares: the account scores it reads were made for the recorded election's country."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def _shares(path: Path) -> list[tuple]:
    with open_study(path) as st:
        return st.sql('SELECT cluster_id, share_foreign FROM clusters ORDER BY cluster_id')


def test_rerun_without_election_keeps_foreign_shares(analysed_sample_path: Path, tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    before = _shares(study)
    assert before and all(share is not None for _, share in before)  # us-2016 analysis: the shares are measured
    res = CliRunner().invoke(app, ["coordination", str(study)])
    assert res.exit_code == 0, res.output
    assert _shares(study) == before
    # the study's election, taken as `analyze` takes it (it was the accounts stage's country alone)
    assert "using the election this study was analysed with: us-2016" in res.output
    with open_study(study) as st:
        summary = st.sql("SELECT json_extract_string(summary, '$.country') FROM coordination_summary")
    assert summary == [("US",)]
