"""Output paths a command names on the terminal (`report -o`, `export -o`, `coordination --csv`)
follow the rule of input file names (`shown_text.name_shown`): each control character escaped and
each typed backslash written as two, so an output named with the four characters `\\x07` and one
holding a BEL no longer print alike, and nothing in the name reaches the terminal raw."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.terminal import flat as _flat, wide_consoles

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
runner = CliRunner()
NAME = "o\\x07\x1b[2J\x07\n"  # a typed `\x07`, then ESC [2J, a BEL and a newline
SHOWN = "o\\\\x07\\x1b[2J\\x07\\x0a"
@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(path), str(FIX)]).exit_code == 0
    return path


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)


def test_report_names_its_output_by_the_rule_of_file_names(study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import botwatch.report

    def build(st: object, out: Path, **kw: object) -> Path:  # the page itself is not what this test reads
        Path(out).write_text("<html></html>")
        return Path(out)

    monkeypatch.setattr(botwatch.report, "build_report", build)
    html = tmp_path / f"{NAME}.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(html), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert f"wrote {tmp_path}/{SHOWN}.html (" in _flat(res.output)
    html.write_text("not a report")
    res = runner.invoke(app, ["report", str(study), "-o", str(html)])
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN}.html exists and is not a botwatch report" in _flat(res.output), res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(tmp_path / f"{NAME}.txt")])
    assert res.exit_code == 2 and f"-o {tmp_path}/{SHOWN}.txt: the report is one HTML file" in _flat(res.output), res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(html / "r.html")])
    assert res.exit_code == 2 and f"could not write {tmp_path}/{SHOWN}.html/r.html: {tmp_path}/{SHOWN}.html is a file" in _flat(res.output), res.output


def test_export_names_its_output_by_the_rule_of_file_names(study: Path, tmp_path: Path) -> None:
    csv = tmp_path / f"{NAME}.csv"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(csv)])
    assert res.exit_code == 0 and f"to {tmp_path}/{SHOWN}.csv (CSV; " in _flat(res.output) and f"in {SHOWN}.csv.schema.json" in _flat(res.output), res.output
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(csv)])
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN}.csv already exists" in _flat(res.output), res.output
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / f"{NAME}.txt")])
    assert res.exit_code == 2 and f"cannot export to {SHOWN}.txt" in _flat(res.output), res.output
    folder = tmp_path / NAME
    res = runner.invoke(app, ["export", str(study), "posts", "accounts", "-o", str(folder), "--format", "csv"])
    said = _flat(res.output)
    assert res.exit_code == 0 and f"of posts to {tmp_path}/{SHOWN}/posts.csv" in said and f"2 tables in {tmp_path}/{SHOWN} (CSV" in said, res.output
    res = runner.invoke(app, ["export", str(study), "posts", "accounts", "-o", str(folder), "--format", "csv"])
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN}/posts.csv and {tmp_path}/{SHOWN}/accounts.csv already exist" in _flat(res.output), res.output
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(folder)])
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN} is a folder: name the file, e.g. {tmp_path}/{SHOWN}/posts.parquet" in _flat(res.output), res.output


def test_coordination_names_its_files_by_the_rule_of_file_names(study: Path, tmp_path: Path) -> None:
    edges, graph = tmp_path / f"{NAME}.csv", tmp_path / f"{NAME}.graphml"
    args = ["coordination", str(study), "--csv", str(edges), "--graphml", str(graph)]
    res = runner.invoke(app, args)
    said = _flat(res.output)
    assert res.exit_code == 0 and f"wrote {tmp_path}/{SHOWN}.graphml" in said, res.output
    assert f"wrote {tmp_path}/{SHOWN}.csv and {tmp_path}/{SHOWN}_nodes.csv" in said, res.output
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN}.graphml, {tmp_path}/{SHOWN}.csv and {tmp_path}/{SHOWN}_nodes.csv already exist" in _flat(res.output), res.output


def test_demo_names_its_folder_by_the_rule_of_file_names(tmp_path: Path) -> None:
    folder = tmp_path / NAME
    folder.write_text("a file where the demo's folder would be")
    res = runner.invoke(app, ["demo", "-o", str(folder)])
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN} is a file: -o names the folder" in _flat(res.output), res.output
    folder.unlink()
    folder.mkdir()
    (folder / "report.html").write_text("someone's notes")
    res = runner.invoke(app, ["demo", "-o", str(folder)])
    said = _flat(res.output)
    assert res.exit_code == 2 and f"{tmp_path}/{SHOWN} holds a {tmp_path}/{SHOWN}/report.html that is not the demo's report" in said, res.output


def test_coordination_names_a_clashing_output_by_the_rule_of_file_names(tmp_path: Path) -> None:
    same = tmp_path / f"{NAME}.graphml"
    res = runner.invoke(app, ["coordination", str(tmp_path / "s.duckdb"), "--graphml", str(same), "--csv", str(same)])
    assert res.exit_code == 2 and f"--graphml and --csv name the same file ({tmp_path}/{SHOWN}.graphml)" in _flat(res.output), res.output


def test_demo_names_its_study_and_report_by_the_rule_of_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import analyze as cli_analyze

    for step in ("ingest", "analyze", "report"):  # the three steps themselves are not what this test reads
        monkeypatch.setattr(cli_analyze, step, lambda *a, **k: None)
    folder = tmp_path / "o\udcff\x07"  # a byte that is not UTF-8 (as Python holds it) and a BEL: a study may not hold a backslash
    res = runner.invoke(app, ["demo", "-o", str(folder)])
    said = _flat(res.output)
    assert res.exit_code == 0, res.output
    assert f"bundled files → {tmp_path}/o\\xff\\x07/sample.duckdb" in said, said
    assert f"Open {tmp_path}/o\\xff\\x07/report.html in a browser. Study: {tmp_path}/o\\xff\\x07/sample.duckdb" in said, said
