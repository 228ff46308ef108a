"""Files a command reads besides its inputs (an election TOML, a column map, labelled CSVs) are
named in its error lines by the rule of input file names (`shown_text.name_shown`): a control
character escaped, a typed backslash written as two, so `el\\x07.toml` typed and one holding a BEL
no longer read alike, and nothing in the name reaches the terminal raw."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.terminal import said as _said, wide_consoles

runner = CliRunner()
NAME = "f\\x07\x1b[2J\x07\n"  # a typed `\x07`, then ESC [2J, a BEL and a newline
SHOWN = "f\\\\x07\\x1b[2J\\x07\\x0a"
@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)


def test_an_election_file_is_named_by_the_rule_of_file_names(tmp_path: Path) -> None:
    toml = tmp_path / f"{NAME}.toml"
    assert f"no election file at {tmp_path}/{SHOWN}.toml" in _said(runner.invoke(app, ["elections", "check", str(toml)]))
    toml.write_text("x = [")
    assert f"{tmp_path}/{SHOWN}.toml: invalid TOML" in _said(runner.invoke(app, ["elections", "check", str(toml)]))
    toml.write_text('key = "x"\n')
    assert f"{tmp_path}/{SHOWN}.toml:" in _said(runner.invoke(app, ["elections", "check", str(toml)]))
    toml.write_bytes(b"a\x00b")
    assert f"election file {tmp_path}/{SHOWN}.toml is a binary file" in _said(runner.invoke(app, ["elections", "check", str(toml)]))


def test_a_column_map_file_is_named_by_the_rule_of_file_names(tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("author,created_at,text\nx,2015-08-07T02:00:00Z,hello\n", encoding="utf-8")
    toml = tmp_path / f"{NAME}.toml"
    toml.write_text("x = 1\n")
    said = _said(runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(csv), "--column-map", str(toml)]))
    assert f"column map {tmp_path}/{SHOWN}.toml has no [columns] table" in said


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("labels") / "s.duckdb"
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    assert runner.invoke(app, ["ingest", str(path), str(fix)]).exit_code == 0
    import duckdb

    with duckdb.connect(str(path)) as con:  # what `content evaluate` asks of a study, without running the content stage
        con.execute("create table post_labels as select 'uk-ge2017' as election, post_id, 'neutral' as sentiment from posts")
        con.execute("create table post_party as select 'uk-ge2017' as election, post_id, 'labour' as party, 'neutral' as stance from posts")
    return path


def test_labelled_csvs_are_named_by_the_rule_of_file_names(tmp_path: Path, study: Path) -> None:
    csv = tmp_path / f"{NAME}.csv"
    for args in (["content", "evaluate", str(study), str(csv)], ["evaluate-accounts", str(study), str(csv)], ["train-bot-model", str(csv), "-o", str(tmp_path / "m.json.gz")]):
        assert f"cannot read {tmp_path}/{SHOWN}.csv: " in _said(runner.invoke(app, args)), args
    csv.write_text("a,b\n1,2\n")
    assert f"{tmp_path}/{SHOWN}.csv names no account" in _said(runner.invoke(app, ["evaluate-accounts", str(study), str(csv)]))
    assert f"{tmp_path}/{SHOWN}.csv: no `bot` column" in _said(runner.invoke(app, ["train-bot-model", str(csv), "-o", str(tmp_path / "m.json.gz")]))
    csv.write_text("post_id,party,stance\n1,x,support\n")
    assert f"{tmp_path}/{SHOWN}.csv lacks the column(s) sentiment" in _said(runner.invoke(app, ["content", "evaluate", str(study), str(csv)]))
    csv.write_text("post_id,party,stance,sentiment\n1,labour,support,positive\n")
    assert f"labelled posts of {SHOWN}.csv is in this study" in _said(runner.invoke(app, ["content", "evaluate", str(study), str(csv)]))
    model = tmp_path / NAME
    model.mkdir()
    assert f"{tmp_path}/{SHOWN} is a folder: name the model file" in _said(runner.invoke(app, ["train-bot-model", str(csv), "-o", str(model)]))


def test_elections_show_names_a_file_given_with_engine_by_the_rule_of_file_names(tmp_path: Path) -> None:
    toml = tmp_path / f"{NAME}.toml"
    said = _said(runner.invoke(app, ["elections", "show", str(toml), "--engine", "duckdb"]))
    assert f"and {tmp_path}/{SHOWN}.toml is read as a preset or TOML file" in said, said
