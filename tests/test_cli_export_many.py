"""`botwatch export STUDY T1 T2 -o FOLDER` and `--all`: one file per table in the folder, the same
bytes as one `export` per table; refusals before anything is written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app


def test_several_tables_are_the_files_single_exports_write(analysed_sample_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "clusters", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "2 tables in" in res.output
    for name in ("accounts", "clusters"):
        one = tmp_path / f"{name}.csv"
        assert runner.invoke(app, ["export", str(analysed_sample_path), name, "-o", str(one)]).exit_code == 0
        assert (tmp_path / "out" / f"{name}.csv").read_bytes() == one.read_bytes()
    again = runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "clusters", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert again.exit_code == 2 and "--force" in again.output
    # The words of every command's refusal (`cli/common.refuse_to_overwrite`), not a folder export's own.
    assert "accounts.csv and " in again.output and "clusters.csv already exist: pass --force to replace them" in " ".join(again.output.split())


def test_all_writes_every_table(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study

    res = CliRunner().invoke(app, ["export", str(analysed_sample_path), "--all", "-o", str(tmp_path / "all")])
    assert res.exit_code == 0, res.output
    with open_study(analysed_sample_path) as st:
        names = st.tables()
    assert sorted(p.name for p in (tmp_path / "all").glob("*.parquet")) == sorted(f"{n}.parquet" for n in names)


def test_refusals_are_one_line_and_write_nothing(analysed_sample_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        (["export", str(analysed_sample_path), "-o", str(tmp_path / "x.csv")], "pass --all"),
        (["export", str(analysed_sample_path), "accounts", "--all", "-o", str(tmp_path / "d")], "--all exports every table"),
        (["export", str(analysed_sample_path), "accounts", "nope", "-o", str(tmp_path / "d")], "no table 'nope'"),
        (["export", str(analysed_sample_path), "accounts", "clusters", "-o", "-"], "-o - takes one table"),
        (["export", str(analysed_sample_path), "accounts", "clusters", "-o", str(tmp_path / "d"), "--format", "graphml"], "--format graphml"),
        (["export", str(analysed_sample_path), "accounts", "clusters", "-o", str(tmp_path / "d.csv")], "looks like a file"),
        # the same table twice wrote it, then failed on its own file (walk F3)
        (["export", str(analysed_sample_path), "posts", "posts", "-o", str(tmp_path / "d")], "posts named more than once"),
    ]
    for args, said in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert said in res.output, (args, res.output)
    assert not (tmp_path / "d").exists()


def test_one_table_with_a_format_goes_into_an_existing_folder(analysed_sample_path: Path, tmp_path: Path) -> None:
    """`export STUDY posts -o out/ --format csv`, as `--format`'s help reads ("With a folder: parquet,
    csv, jsonl or json"), was refused with "--format csv is for -o - or a folder; a file's format is
    its extension (out)" of a folder. It writes out/posts.csv, the bytes `-o posts.csv` writes."""
    runner = CliRunner()
    folder = tmp_path / "out"
    folder.mkdir()
    res = runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "-o", str(folder), "--format", "csv"])
    assert res.exit_code == 0, res.output
    one = tmp_path / "accounts.csv"
    assert runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "-o", str(one)]).exit_code == 0
    assert (folder / "accounts.csv").read_bytes() == one.read_bytes()


def test_one_table_with_a_format_goes_into_a_folder_yet_to_be_made(analysed_sample_path: Path, tmp_path: Path) -> None:
    """`export STUDY accounts -o exports/ --format csv` with no `exports/` yet was refused with
    "--format csv is for -o - or a folder; a file's format is its extension (exports)", of a
    folder, where several tables (or an existing folder) made it. A name without an extension is
    no file export's: it is the folder, made as for several tables."""
    folder = tmp_path / "exports" / "new"
    res = CliRunner().invoke(app, ["export", str(analysed_sample_path), "clusters", "-o", f"{folder}/", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert (folder / "clusters.csv").is_file() and (folder / "clusters.csv.schema.json").is_file()


def test_a_folder_the_export_makes_is_named(analysed_sample_path: Path, tmp_path: Path) -> None:
    """`export -o exprots/x/accounts.csv` made the mistyped folders without a word (`report` names
    them): the topmost folder made is said, in `report`'s words; an existing folder is not."""
    runner = CliRunner()
    one = runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "-o", str(tmp_path / "exprots" / "x" / "accounts.csv")])
    assert one.exit_code == 0 and "made the folder" in one.output, one.output
    assert f"made the folder {tmp_path / 'exprots'} for it, which did not exist" in " ".join(one.output.split()).replace(f"{tmp_path}/ ", f"{tmp_path}/"), one.output
    again = runner.invoke(app, ["export", str(analysed_sample_path), "clusters", "-o", str(tmp_path / "exprots" / "x" / "clusters.csv")])
    assert again.exit_code == 0 and "made the folder" not in again.output, again.output
    many = runner.invoke(app, ["export", str(analysed_sample_path), "accounts", "clusters", "-o", str(tmp_path / "new"), "--format", "csv"])
    assert many.exit_code == 0 and "made the folder" in many.output and "for them, which did not exist" in " ".join(many.output.split()), many.output
