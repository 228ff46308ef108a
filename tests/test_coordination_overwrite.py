"""`botwatch coordination --csv FILE` / `--graphml FILE` refuse to replace an existing file unless
--force is given, as `export` and `report` do: the walk found `--csv precious.csv` replaced the
user's file (and wrote precious_nodes.csv beside it) without a word. Every file is checked before
anything is written or run."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

from test_coordination_csv_guard import _hostile_network


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["coordination", *args])
    assert "Traceback" not in res.output
    return res.exit_code, " ".join(res.output.split())


def test_an_existing_csv_or_its_nodes_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    precious = tmp_path / "precious.csv"
    precious.write_text("precious\n", encoding="utf-8")
    code, out = _run(str(study), "--window", "60s", "--csv", str(precious))
    assert code == 2, out
    assert "already exists: pass --force" in out, out
    assert precious.read_text(encoding="utf-8") == "precious\n"
    assert not (tmp_path / "precious_nodes.csv").exists()  # nothing written beside it either
    # Only the nodes file there: refused too, and the edge list is not written.
    edges, nodes = tmp_path / "e.csv", tmp_path / "e_nodes.csv"
    nodes.write_text("mine\n", encoding="utf-8")
    code, out = _run(str(study), "--window", "60s", "--csv", str(edges))
    assert code == 2 and "e_nodes.csv already exists" in out, out
    assert not edges.exists() and nodes.read_text(encoding="utf-8") == "mine\n"


def test_an_existing_graphml_is_refused_and_force_replaces_both(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    keep, precious = tmp_path / "keep.graphml", tmp_path / "precious.csv"
    keep.write_text("mine\n", encoding="utf-8")
    precious.write_text("precious\n", encoding="utf-8")
    code, out = _run(str(study), "--window", "60s", "--graphml", str(keep), "--csv", str(precious))
    assert code == 2 and "keep.graphml and" in out and "precious.csv already exist: pass --force" in out, out
    assert keep.read_text(encoding="utf-8") == "mine\n"
    code, out = _run(str(study), "--window", "60s", "--graphml", str(keep), "--csv", str(precious), "--force")
    assert code == 0, out
    assert keep.read_text(encoding="utf-8").startswith("<?xml")
    assert precious.read_text(encoding="utf-8") != "precious\n" and (tmp_path / "precious_nodes.csv").exists()


def test_a_csv_that_cannot_be_written_is_one_line_naming_it(tmp_path: Path, monkeypatch) -> None:
    """`--csv` into a read-only folder ended in "IOException: ... Cannot open file
    ".e.csv.123.part": Permission denied. This is a bug in botwatch" (exit 1); a file where the
    folder should be, in "File exists" the same way."""
    import duckdb

    import botwatch.coordination.export as export

    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    (tmp_path / "blocker").write_text("x\n", encoding="utf-8")
    code, out = _run(str(study), "--window", "60s", "--csv", str(tmp_path / "blocker" / "e.csv"))
    assert code == 2 and "blocker is a file, not a folder" in out and "bug in botwatch" not in out, out

    def read_only_folder(st, out):
        raise duckdb.IOException(f'IO Error: Cannot open file "{tmp_path}/ro/.e.csv.9.part": Permission denied')

    monkeypatch.setattr(export, "export_csv", read_only_folder)
    code, out = _run(str(study), "--window", "60s", "--csv", str(tmp_path / "ro" / "e.csv"))
    assert code == 2 and "could not write" in out and "e.csv: Permission denied" in out, out
    assert ".part" not in out and "bug in botwatch" not in out and "coordination_edges" in out, out


def test_the_study_itself_is_never_an_output(tmp_path: Path) -> None:
    """`coordination s.duckdb --csv s.duckdb --force` wrote the edge list over the study it was
    reading: the study was lost ("not a study (not a DuckDB file)")."""
    from botwatch import open_study

    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    before = study.stat().st_size
    for opt in ("--csv", "--graphml"):
        code, out = _run(str(study), "--window", "60s", opt, str(study), "--force")
        assert code == 2 and "is the study itself" in out, out
    assert study.stat().st_size == before
    with open_study(study) as st:
        assert st.count("posts") > 0


def test_a_graphml_under_a_file_names_the_file_in_the_way(tmp_path: Path) -> None:
    """`--graphml blocker/g.graphml` with `blocker` a file said only "could not write
    blocker/g.graphml: File exists", naming neither; --csv and export name the file in the way."""
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    (tmp_path / "blocker").write_text("x\n", encoding="utf-8")
    code, out = _run(str(study), "--window", "60s", "--graphml", str(tmp_path / "blocker" / "g.graphml"))
    assert code == 2 and f"could not write {tmp_path}/blocker/g.graphml: {tmp_path}/blocker is a file, not a folder" in out, out


def test_csv_takes_a_csv_name_only(tmp_path: Path) -> None:
    """`--csv edges.tsv` wrote comma-separated text into the .tsv (and the nodes into
    edges_nodes.csv); `--csv edges` wrote a file with no extension. Refused before the stage runs,
    naming the .csv to use, as docs/exports.md says."""
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    for name in ("edges.tsv", "edges"):
        code, out = _run(str(study), "--window", "60s", "--csv", str(tmp_path / name))
        assert code == 2 and "name a .csv file, e.g. edges.csv" in out, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]
    code, out = _run(str(study), "--window", "60s", "--csv", str(tmp_path / "E.CSV"))
    assert code == 0 and (tmp_path / "E.CSV").exists() and (tmp_path / "E_nodes.csv").exists(), out
