"""`export` of a table whose stage `analyze --no-election` skipped names the command that renews
it as `status` and the report do: with the election those stages were made with, else with the
`ELECTION` placeholder and what to put for it. It said `--election ...`, which ran as an election
file named "..." and named neither."""

from __future__ import annotations

import shlex
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _said(output: str) -> str:
    return " ".join(output.split())


def _skipped_content(tmp_path: Path, election: str) -> Path:
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "content", "--election", election]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coverage", "--no-election"]).exit_code == 0
    return study


def test_the_renew_command_names_the_election_the_stage_was_made_with_and_runs(tmp_path: Path) -> None:
    study = _skipped_content(tmp_path, "uk-ge2017")
    said = _said(runner.invoke(app, ["export", str(study), "post_labels", "-o", str(tmp_path / "pl.csv")]).output)
    command = f"botwatch analyze {study} --election uk-ge2017"
    assert f"run `{command}` to renew it" in said and "--election ...`" not in said, said
    assert runner.invoke(app, shlex.split(command)[1:]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "post_labels", "-o", str(tmp_path / "again.csv")])
    assert res.exit_code == 0 and "warning" not in res.output, res.output


def test_where_no_election_can_be_named_the_command_holds_the_placeholder(tmp_path: Path) -> None:
    from importlib.resources import files

    mine = tmp_path / "mine.toml"
    mine.write_text((files("botwatch.elections") / "presets" / "uk-ge2017.toml").read_text(encoding="utf-8"), encoding="utf-8")
    study = _skipped_content(tmp_path, str(mine))
    mine.unlink()  # the file the stage recorded is gone: no election to name
    said = _said(runner.invoke(app, ["export", str(study), "post_labels", "-o", str(tmp_path / "pl.csv")]).output)
    assert f"run `botwatch analyze {study} --election ELECTION` to renew it" in said, said
    assert "put in place of ELECTION the election to analyse for" in said, said
