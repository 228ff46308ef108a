"""Post labels made by older stance and sentiment rules in code (this release's `rival_cues_cancel`
extended to not-negative quotes) were said out of date only when the content model files' hashes
changed, so a report could quote the current rules' macro-F1 beside labels the older rules made.
The content stage records `content_rules_version`; `status`, the report, `export` and `estimate`
say when the latest content run recorded an older one, or none (an earlier release's run), with
the whole `botwatch analyze` that labels the posts again. The old shape is built by hand, as the
other staleness tests build theirs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

SAID = "The post labels (stance, sentiment) were made by older stance and sentiment rules than this botwatch's"


def _content_run_as(study: Path, started_at: datetime, version: int | None) -> None:
    """The content runs as if started at `started_at`, recording `version` (None: no version)."""
    from botwatch import open_study
    from botwatch.content.rules_version import CONTENT_RULES_VERSION_KEY

    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'content'"):
            p = {k: v for k, v in json.loads(params).items() if k != CONTENT_RULES_VERSION_KEY}
            p.update({} if version is None else {CONTENT_RULES_VERSION_KEY: version})
            st.sql("UPDATE runs SET params = ?, started_at = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), started_at, run_id])


def _labels_warnings(study: Path) -> list[dict[str, object]]:
    res = CliRunner().invoke(app, ["status", str(study), "--json"])
    assert res.exit_code == 0, res.output
    return [w for w in json.loads(res.stdout)["warnings"] if w["kind"] == "content_model_changed"]


@pytest.fixture()
def study(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from botwatch.cli import common
    from testsupport.study_copies import copy_study

    monkeypatch.setattr(common.console, "width", 2000)
    return copy_study(analysed_sample_path, tmp_path / "s.duckdb")


def test_labels_of_this_release_are_current(study: Path) -> None:
    """The content stage records the rules version, and labels it made are current."""
    from botwatch import open_study
    from botwatch.content.rules_version import CONTENT_RULES_VERSION, CONTENT_RULES_VERSION_KEY
    from botwatch.runs_table import latest_of_stage

    with open_study(study) as st:
        run = latest_of_stage(st, "content")
    assert run is not None and run.params is not None and run.params[CONTENT_RULES_VERSION_KEY] == CONTENT_RULES_VERSION
    assert not _labels_warnings(study)


def test_labels_of_older_rules_are_said_to_be(study: Path, tmp_path: Path) -> None:
    _content_run_as(study, datetime(2027, 1, 1), None)  # an earlier release's run, whenever it ran
    found = _labels_warnings(study)
    assert len(found) == 1 and found[0]["stages"] == ["content"]
    assert found[0]["changed"] == ["rules"]  # the kind says "model" for a rules-only change; `changed` says which
    cmd, sentence = str(found[0]["command"]), str(found[0]["sentence"])
    assert cmd.startswith(f"botwatch analyze {study}") and "--only" not in cmd  # the timeline, estimates and impact read the labels
    assert SAID in sentence and "recorded no rules version" in sentence and f"`{cmd}`" in sentence
    assert "content model files" not in sentence  # the files are the shipped ones
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert SAID in " ".join(res.stderr.split())
    assert "Labelled by older content rules." in out.read_text(encoding="utf-8")
    res = CliRunner().invoke(app, ["export", str(study), "post_party", "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert "post_party: " + SAID in " ".join(res.stderr.split())
    res = CliRunner().invoke(app, ["estimate", str(study), "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert SAID in " ".join(res.stderr.split())


def test_an_older_recorded_version_is_said_whenever_it_ran(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recorded version below the current one (a later release bumped it) is older rules,
    whenever its run started; the current one recorded is not."""
    from botwatch.content import rules_version

    now = rules_version.CONTENT_RULES_VERSION
    _content_run_as(study, datetime(2027, 1, 1), now)
    assert not _labels_warnings(study)
    monkeypatch.setattr(rules_version, "CONTENT_RULES_VERSION", now + 1)
    found = _labels_warnings(study)
    assert len(found) == 1 and f"(the content run recorded rules version {now}; version {now + 1} now)" in str(found[0]["sentence"])
