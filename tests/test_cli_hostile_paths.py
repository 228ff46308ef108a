"""File names the commands say they wrote (or read) are shown through `plain`: a name holding an
ESC or a right-to-left override reached the terminal raw, and one holding `[red]` lost it to Rich
markup, so `wrote r[red].html` said a file that does not exist (`wrote r.html`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()
ODD = "x\x1b[2J\u202e[red]"
SHOWN = "x\\x1b[2J\\u202e[red]"


def test_paths_written_and_the_study_name_are_shown_escaped(tmp_path: Path) -> None:
    study = tmp_path / f"s{ODD}.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    for args, shown in (
        (["status", str(study)], f"s{SHOWN}.duckdb"),
        (["export", str(study), "posts", "-o", str(tmp_path / f"p{ODD}.csv")], f"p{SHOWN}.csv"),
        (["coordination", str(study), "--csv", str(tmp_path / f"c{ODD}.csv"), "--graphml", str(tmp_path / f"g{ODD}.graphml")],
         f"c{SHOWN}_nodes.csv"),
        (["export", str(study), "coordination", "-o", str(tmp_path / f"n{ODD}.graphml")], f"n{SHOWN}.graphml"),
        (["report", str(study), "-o", str(tmp_path / f"r{ODD}.html")], f"r{SHOWN}.html"),
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, (args, res.output)
        assert "\x1b" not in res.output and "\u202e" not in res.output, (args, repr(res.output))
        assert shown in res.output, (args, res.output)


def test_the_recorded_line_shows_the_study_name_and_the_reason_escaped() -> None:
    import io

    from rich.console import Console

    from botwatch.cli.record import say_recorded

    buf = io.StringIO()
    say = Console(file=buf, width=400)
    say_recorded(say, Path(f"s{ODD}.duckdb"), "content_evaluate", None, "the report quotes it")
    say_recorded(say, Path("s.duckdb"), "content_evaluate", f"cannot write {ODD}", "the report quotes it")
    said = buf.getvalue()
    assert "\x1b" not in said and "\u202e" not in said, repr(said)
    assert f"recorded in s{SHOWN}.duckdb" in said and f"not recorded in the study (cannot write {SHOWN})" in said


def test_evaluate_accounts_names_the_labels_file_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its first line began with the labels file's name as Rich markup: `l[red].csv` was said as
    `l.csv`, and an ESC in the name reached the terminal."""
    import io
    from types import SimpleNamespace

    from rich.console import Console

    from botwatch.cli import accounts_evaluate

    buf = io.StringIO()
    monkeypatch.setattr(accounts_evaluate, "out", Console(file=buf, width=400))
    ev = SimpleNamespace(labelled=2, found=2, ambiguous=0, repeated=0, bot=None, bot_labelled=0, origin=None, country_labelled=0)
    accounts_evaluate._show(ev, Path(f"l{ODD}.csv"))
    said = buf.getvalue()
    assert said.startswith(f"l{SHOWN}.csv: 2 labelled accounts"), repr(said)


def test_demo_names_its_folder_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`demo -o 'out[red]'` said "Open out/report.html" (Rich took `[red]` as a style), a folder
    that does not exist; an ESC in the name reached the terminal. The three steps are stubbed: only
    the lines around them are checked."""
    from botwatch.cli import analyze as analyze_cli

    for step in ("ingest", "analyze", "report"):
        monkeypatch.setattr(analyze_cli, step, lambda *a, **k: None)
    res = runner.invoke(app, ["demo", "-o", str(tmp_path / f"d{ODD}")])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output, repr(res.output)
    assert f"Open {tmp_path / f'd{SHOWN}'}/report.html in a browser" in res.output, res.output


def test_train_bot_model_names_its_files_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "left out of LABELS" and "wrote MODEL, ..." lines printed the names raw (an ESC reached
    the terminal) and the second as markup (`m[red].json.gz` was said as `m.json.gz`). Training is
    stubbed: only the lines are checked."""
    import botwatch.accounts.retrain as retrain

    rows = (Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv").read_text(encoding="utf-8").splitlines()
    labels = tmp_path / f"l{ODD}.csv"
    labels.write_text("\n".join([*rows, rows[1]]) + "\n", encoding="utf-8")  # a repeated row: one "left out"
    fig = {"n": 48, "auc": 0.9, "auc_low": 0.8, "auc_high": 0.95, "f1": 0.8, "threshold": 0.5, "brier": 0.1}
    monkeypatch.setattr(retrain, "train_and_report", lambda *a, **k: {"pooled_oof": fig})
    res = runner.invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / f"m{ODD}.json.gz"), "--observed-at", "2019-06-05"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output, repr(res.output)
    said = " ".join(res.output.split())
    assert f"left out of {tmp_path}/l{SHOWN}.csv" in said and f"wrote {tmp_path}/m{SHOWN}.json.gz" in said, said


def test_the_stale_analysis_line_of_status_names_the_study_escaped(tmp_path: Path) -> None:
    """Its `botwatch analyze 'NAME'` command quoted the name for the shell, controls raw."""
    study = tmp_path / f"s{ODD}.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coverage"]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_flat.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    # The command names the study as the shell reads it ($'...': the U+202E as its UTF-8 bytes), to paste.
    assert "stale analysis:" in said and f"$'{tmp_path}/sx\\x1b[2J\\xe2\\x80\\xae[red].duckdb'` to refresh them" in said, said
    assert "\x1b" not in res.output and "\u202e" not in res.output, repr(res.output)



def test_train_bot_model_says_plainly_when_it_cannot_write_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o` in a folder that cannot be made, or a file that cannot be written, ended
    in "FileNotFoundError ... This is a bug in botwatch"; now exit 2 naming the folder or file.
    Training is stubbed where the folder is refused before it; the write failure is the model's."""
    import botwatch.accounts.retrain as retrain
    from testsupport.terminal import said

    labels = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"
    fig = {"n": 48, "auc": 0.9, "auc_low": 0.8, "auc_high": 0.95, "f1": 0.8, "threshold": 0.5, "brier": 0.1}
    monkeypatch.setattr(retrain, "train_and_report", lambda *a, **k: {"pooled_oof": fig})
    if Path("/proc/self").is_dir():  # Linux: no folder can be made in /proc
        text = said(runner.invoke(app, ["train-bot-model", str(labels), "-o", "/proc/nope/m.json.gz", "--observed-at", "2019-06-05"]))
        assert "the folder /proc/nope cannot be created" in text and "bug" not in text, text

    def no_write(*a: object, **k: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "m.json.gz"))

    monkeypatch.setattr(retrain, "train_and_report", no_write)
    text = said(runner.invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / "m.json.gz"), "--observed-at", "2019-06-05"]))
    assert f"could not write {tmp_path}/m.json.gz: Permission denied" in text and "bug" not in text, text
