"""A new user's second walk through `--help`: options whose help promised what the command does not do."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def _help(*cmd: str) -> str:
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", res.output).split())


def test_estimate_help_does_not_offer_a_run_without_an_election() -> None:
    """`estimate --help` listed --no-election with analyze's words ("Run with no election ... stages
    that need an election are skipped"), and estimate then refused it: the option is only the refusal."""
    said = _help("estimate")
    assert "--no-election" not in said and "stages that need an election" not in said
    refused = runner.invoke(app, ["estimate", "nowhere.duckdb", "--no-election"])
    assert refused.exit_code == 2 and "estimate needs an election" in refused.output
    assert "--no-election" in _help("analyze")


def test_ingest_column_map_help_names_every_setting_the_file_takes() -> None:
    """The TOML map takes time_zone too (docs/ingest-csv.md's example has it); the help named
    time_format and platform only."""
    said = _help("ingest")
    assert "optional time_format, time_zone, platform and decode_entities" in said


def test_train_bot_model_on_a_missing_file_says_so_in_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """It said "[Errno 2] No such file or directory: 'labels.csv'", Python's own text."""
    import pytest

    pytest.importorskip("sklearn")
    for given, why in ((tmp_path / "labels.csv", "No such file or directory"), (tmp_path, "Is a directory")):
        res = runner.invoke(app, ["train-bot-model", str(given)])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and f"cannot read {given}: {why}" in said and "Errno" not in said, res.output


def test_coordination_refuses_graphml_and_csv_on_one_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`--csv e.csv --graphml e.csv` wrote the GraphML, then the edge list over it, and said
    "wrote" for both: refused before the stage runs (the study is not even opened)."""
    for graphml in ("e.csv", "e_nodes.csv"):
        res = runner.invoke(app, ["coordination", str(tmp_path / "none.duckdb"), "--csv", str(tmp_path / "e.csv"),
                                  "--graphml", str(tmp_path / "." / graphml)])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and "--graphml and --csv name the same file" in said, res.output
    assert list(tmp_path.iterdir()) == []


def test_ingest_workers_below_one_is_a_usage_error_as_in_analyze(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`ingest --workers 0` (or -3) ran as 1 without a word, while `analyze --workers 0` is refused."""
    for n in ("0", "-3"):
        res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(tmp_path / "none.jsonl"), "--workers", n])
        assert res.exit_code == 2 and "--workers" in res.output, res.output
    assert not (tmp_path / "s.duckdb").exists()


def test_status_of_a_one_account_study_says_account(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`status` said "posts 6 by 1 accounts"."""
    from pathlib import Path

    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    assert runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(fix)]).exit_code == 0
    res = runner.invoke(app, ["status", str(tmp_path / "s.duckdb")])
    assert res.exit_code == 0 and "posts 6 by 1 account; accounts known 3" in res.output, res.output
