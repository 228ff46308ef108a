"""A study analysed by the previous release, opened after an upgrade that retrained the shipped bot
model and moved the estimates to version 5: `status`, `accounts`, `explain` and the report said
its bot probabilities were the earlier model's, but `export accounts_scored` wrote them into a
file with no word, and `estimate` wrote a current-version estimates table from them just as
silently (a walk on a real IRA + @UKLabour study: re-analysing changed 23 of its 281 bot
probabilities, by up to 0.08). Both now say so, in the words `status` uses, with its command; an
export of a table no model touched (`posts`) says nothing of it. The old study is built by hand,
as the other staleness tests build theirs: the accounts runs record another bot model's hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app


def _scored_by_earlier_model(study: Path) -> None:
    """The accounts runs as if an earlier release's shipped bot model (another SHA-256) had scored."""
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "bot_model_sha256": "cd" * 32}), run_id])


def _said(study: Path) -> str:
    """The sentence `status` gives for the changed bot model, spaces normalised."""
    from botwatch import open_study
    from botwatch.model_used import bot_model_changed

    with open_study(study) as st:
        changed = bot_model_changed(st)
    assert changed is not None
    return " ".join(changed.said(str(study)).split())


@pytest.fixture()
def earlier_study(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from botwatch.cli import common
    from testsupport.study_copies import copy_study

    monkeypatch.setattr(common.console, "width", 2000)
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    _scored_by_earlier_model(study)
    return study


def test_export_of_old_model_scores_says_so(earlier_study: Path, tmp_path: Path) -> None:
    said = _said(earlier_study)
    res = CliRunner().invoke(app, ["export", str(earlier_study), "accounts_scored", "-o", str(tmp_path / "a.csv")])
    assert res.exit_code == 0, res.output
    assert "accounts_scored: " + said in " ".join(res.stderr.split())
    res = CliRunner().invoke(app, ["export", str(earlier_study), "posts", "clusters", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    stderr = " ".join(res.stderr.split())
    assert "clusters: " + said in stderr and "posts" not in stderr.split(said)[0]  # the posts are no model's
    res = CliRunner().invoke(app, ["export", str(earlier_study), "posts", "-o", "-"])
    assert res.exit_code == 0 and said not in " ".join(res.stderr.split())


def test_export_of_an_outdated_estimates_table_says_so(earlier_study: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.staleness import outdated_estimates

    with open_study(earlier_study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            p = json.loads(params)
            p.pop("estimates_version", None)  # as botwatch recorded it before it recorded a version
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])
        outdated = outdated_estimates(st)
    assert outdated is not None
    res = CliRunner().invoke(app, ["export", str(earlier_study), "estimates", "-o", str(tmp_path / "e.parquet")])
    assert res.exit_code == 0, res.output
    assert "estimates: " + " ".join(outdated.sentence(str(earlier_study)).split()) in " ".join(res.stderr.split())


def test_estimate_from_old_model_scores_says_so(earlier_study: Path) -> None:
    said = _said(earlier_study)
    res = CliRunner().invoke(app, ["estimate", str(earlier_study), "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert said in " ".join(res.stderr.split())


def test_explain_names_an_earlier_releases_shipped_model_as_one(earlier_study: Path) -> None:
    """The header's words said "a bot model other than the shipped one" right above the line that
    says it was the shipped model of an earlier release."""
    from botwatch import open_study

    with open_study(earlier_study) as st:
        handle = st.sql("SELECT handle FROM accounts_scored WHERE bot_probability IS NOT NULL AND handle IS NOT NULL ORDER BY account_id LIMIT 1")[0][0]
    res = CliRunner().invoke(app, ["explain", str(earlier_study), f"@{handle}"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "made with an earlier botwatch release's shipped bot model" in said
    assert "other than the shipped one" not in said


def test_outdated_estimates_over_old_scores_name_the_whole_analyze(earlier_study: Path) -> None:
    """With the bot scores also the earlier model's, `status` named `analyze --only estimates` for
    the estimates, which makes the table again from those same scores, beside `analyze` for the
    scores: the estimates' command is now the whole `analyze`, which renews both."""
    from botwatch import open_study

    with open_study(earlier_study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            p = json.loads(params)
            p.pop("estimates_version", None)
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])
    res = CliRunner().invoke(app, ["status", str(earlier_study), "--json"])
    assert res.exit_code == 0, res.output
    found = [w for w in json.loads(res.stdout)["warnings"] if w["kind"] in ("outdated_estimates", "estimates_may_be_outdated")]
    assert len(found) == 1 and found[0]["command"] == f"botwatch analyze {earlier_study}"
    assert f"`botwatch analyze {earlier_study}`" in str(found[0]["sentence"])


def test_the_coordination_network_gets_no_bot_model_warning(earlier_study: Path, tmp_path: Path) -> None:
    """`coordination_edges` holds no score, but the coordination stage reads the scores (for
    `clusters`), so its export got the bot-model warning too; the clusters keep theirs."""
    said = _said(earlier_study)
    res = CliRunner().invoke(app, ["export", str(earlier_study), "coordination_edges", "cluster_members", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    stderr = " ".join(res.stderr.split())
    assert "cluster_members: " + said in stderr and "coordination_edges" not in stderr, stderr
