"""`botwatch stages` and `analyze --only/--with-deps` on the built-in pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def test_stages_lists_the_graph_in_run_order_with_schemas() -> None:
    res = CliRunner().invoke(app, ["stages"])
    assert res.exit_code == 0
    assert "accounts_clusters: Coordination cluster membership" in res.output
    assert "updates:  account_features, account_scores, account_evidence" in res.output
    listed = json.loads(CliRunner().invoke(app, ["stages", "--json"]).output)
    names = [s["stage"] for s in listed]
    assert names.index("coordination") < names.index("accounts_clusters") < names.index("timeline")
    accounts = next(s for s in listed if s["stage"] == "accounts")
    # Schemas come from the registry (botwatch.schema), not from the stage.
    assert accounts["schemas"]["account_scores"][:2] == ["platform string", "account_id string"]
    assert next(s for s in listed if s["stage"] == "content")["needs_election"] is True


def test_only_runs_one_stage_or_names_what_to_run_first(sample_study_path: Path, tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts_clusters"])
    assert res.exit_code == 2  # a usage error, like an unknown stage
    assert "stage 'accounts_clusters' needs table 'cluster_members', which the study lacks: run accounts, coordination first, or add --with-deps" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["analyze", str(study), "--only", "coordination"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        assert [r[0] for r in st.sql("SELECT stage FROM runs WHERE stage <> 'ingest'")] == ["coordination"]
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts_clusters", "--with-deps"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        assert [r[0] for r in st.sql("SELECT stage FROM runs WHERE stage <> 'ingest' ORDER BY started_at")] == ["coordination", "accounts", "coordination", "accounts_clusters"]
        assert st.sql("SELECT count(*) FROM account_features WHERE in_unison")[0][0] > 0


def test_only_and_skip_naming_the_same_stages_is_a_usage_error(tmp_path: Path) -> None:
    """`--only coverage --skip coverage` ran nothing, printed an empty stage table, exit 0."""
    res = CliRunner().invoke(app, ["analyze", str(tmp_path / "none.duckdb"), "--only", "coverage", "--skip", "coverage"])
    assert res.exit_code == 2 and "--only and --skip both name coverage: nothing is left to run" in " ".join(res.output.split()), res.output
