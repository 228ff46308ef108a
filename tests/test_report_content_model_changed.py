"""A study labelled with content model files that a later botwatch ships refitted (a newsroom's
study of a week before, opened with today's botwatch): its stance and sentiment shares were printed
beside the accuracies measured for the files shipped now, and nothing said the labels were another
model's. The content stage records its files' SHA-256; `status`, `report` and the report's banner
now say when they differ from the shipped files', with the command that labels the posts again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

SAID = "The post labels (stance, sentiment) were made with other content model files than this botwatch ships"


def _labelled_by_earlier_files(study: Path) -> None:
    """The content runs as if an earlier content model file (another SHA-256) had made the labels."""
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'content'"):
            p = json.loads(params)
            p["content_model_sha256"] = "51c01620" + "0" * 56
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])


def _warnings(study: Path) -> list[dict[str, object]]:
    res = CliRunner().invoke(app, ["status", str(study), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["warnings"]


def test_labels_made_with_other_content_files_are_said_to_be(analysed_sample_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import common
    from testsupport.study_copies import copy_study

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")  # its runs record the content files' hashes
    monkeypatch.setattr(common.console, "width", 2000)
    assert not [w for w in _warnings(study) if w["kind"] == "content_model_changed"]  # labelled now: nothing to say
    _labelled_by_earlier_files(study)
    found = [w for w in _warnings(study) if w["kind"] == "content_model_changed"]
    assert len(found) == 1 and found[0]["stages"] == ["content"] and found[0]["changed"] == ["model_files"]
    cmd = found[0]["command"]
    assert isinstance(cmd, str) and cmd.startswith(f"botwatch analyze {study}") and "--only" not in cmd
    sentence = str(found[0]["sentence"])
    assert SAID in sentence and "content model 51c01620" in sentence and f"`{cmd}`" in sentence
    assert "content trees" not in sentence  # only the file whose hash differs is named
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert SAID in " ".join(res.stderr.split())
    page = out.read_text(encoding="utf-8")
    assert 'id="content-model-changed"' in page and "Labelled with other content model files." in page


SCORED = "were made by an earlier version of botwatch, which recorded no model hashes"


def test_scores_of_earlier_account_models_are_said_to_be(analysed_sample_path: Path, tmp_path: Path) -> None:
    """An accounts run that recorded no model hashes (a botwatch before 2026-12-02, whose bot and
    origin files were refitted since) and one that recorded other origin files are each said, with
    the whole `botwatch analyze` that scores the accounts again; the current files say nothing."""
    from botwatch import open_study
    from testsupport.study_copies import copy_study

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    assert not [w for w in _warnings(study) if w["kind"] == "account_models_changed"]

    def rewrite(edit: object) -> list[dict[str, object]]:
        with open_study(study, read_only=False) as st:
            for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'"):
                st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(edit(json.loads(params)), sort_keys=True), run_id])  # type: ignore[operator]
        return [w for w in _warnings(study) if w["kind"] == "account_models_changed"]

    found = rewrite(lambda p: {**p, "origin_model_sha256": "ab" * 32})
    assert len(found) == 1 and found[0]["stages"] == ["accounts"] and "origin model files" in str(found[0]["sentence"])
    assert "abababababab… then" in str(found[0]["sentence"]) and f"`{found[0]['command']}`" in str(found[0]["sentence"])
    # The bot model made the automated counts, and it is today's: only the foreign-origin ones are the earlier files'.
    assert "automated" not in str(found[0]["sentence"]) and "(foreign-origin counts, groups" in str(found[0]["sentence"])
    found = rewrite(lambda p: {k: v for k, v in p.items() if not k.endswith(("_sha256", "_file"))})
    assert len(found) == 1 and SCORED in str(found[0]["sentence"]) and "(foreign-origin and automated counts" in str(found[0]["sentence"])
    assert str(found[0]["command"]).startswith(f"botwatch analyze {study}") and "--only" not in str(found[0]["command"])
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert SCORED in " ".join(res.stderr.split()) and 'id="account-models-changed"' in out.read_text(encoding="utf-8")


def test_analyze_only_another_stage_says_both_as_status_does(analysed_sample_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyze --only coverage` said whether the stages after it read old results, but not that the
    labels and scores it left were made with other model files: `status` and `report` said so, the
    command just run did not. It says both now, in the same sentences."""
    from botwatch import open_study
    from botwatch.cli import common
    from botwatch.model_used import bot_model_changed
    from botwatch.report.staleness import account_models_changed, content_model_changed
    from testsupport.study_copies import copy_study

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    monkeypatch.setattr(common.console, "width", 2000)
    _labelled_by_earlier_files(study)
    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "origin_model_sha256": "ab" * 32,
                                                                                "bot_model_sha256": "cd" * 32}), run_id])
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "coverage"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    with open_study(study) as st:
        labels, scores, bot = content_model_changed(st), account_models_changed(st), bot_model_changed(st)
    assert labels is not None and scores is not None and bot is not None
    assert " ".join(bot.said(str(study)).split()) in said, said  # as `status` and `report` say it
    for found in (labels, scores):
        assert " ".join(found.sentence(str(study)).split()) in said, said
