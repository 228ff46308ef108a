"""A new user's second walk through what `botwatch ingest` meets among its inputs: a symbolic link
whose target is gone, and other DuckDB studies in a folder it walks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _said(res) -> str:  # type: ignore[no-untyped-def]
    return " ".join(res.output.split())


def test_a_link_whose_target_is_gone_is_named_as_one(tmp_path: Path) -> None:
    """A dangling symlink in the data folder was "no such file", though the user could see it
    listed there: it is a link whose target is missing, named, and one failed input."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIX / "v1_uklabour.jsonl", folder / "tweets.jsonl")
    os.symlink(tmp_path / "moved.jsonl", folder / "link.jsonl")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(folder)])
    said = _said(res)
    assert res.exit_code == 1, res.output
    assert f"failed {folder / 'link.jsonl'}: a link whose target is missing: {tmp_path / 'moved.jsonl'}" in said
    assert "1 of 2 inputs failed (1 broken link: a link whose target is missing)" in said
    assert "no such file" not in said
    assert f"ok {folder / 'tweets.jsonl'}" in said  # the rest goes on
    alone = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(folder / "link.jsonl"), str(tmp_path / "nope.jsonl")])
    said = _said(alone)
    assert alone.exit_code == 2, alone.output
    assert f"no such file: {tmp_path / 'nope.jsonl'}; {folder / 'link.jsonl'} is a link whose target is missing: {tmp_path / 'moved.jsonl'}" in said
    assert not (tmp_path / "t.duckdb").exists()


def test_a_missing_input_is_worded_alike_on_both_engines(tmp_path: Path) -> None:
    """The Spark stage writes the same words as the DuckDB runner (`source.not_there`)."""
    from botwatch.ingest.source import NO_SUCH_FILE, not_there

    os.symlink(tmp_path / "moved.jsonl", tmp_path / "link.jsonl")
    assert not_there(str(tmp_path / "link.jsonl")) == f"a link whose target is missing: {tmp_path / 'moved.jsonl'}"
    assert not_there(str(tmp_path / "nope.jsonl")) == NO_SUCH_FILE
    assert not_there(str(tmp_path)) is None
    from botwatch.engines.spark_stage import stage_one

    (last,) = list(stage_one(0, str(tmp_path / "link.jsonl"), {}, False, 1 << 20))  # a link that reads nothing: its meta row alone
    meta = last.column("meta").to_pylist()[-1]
    assert meta["error"] == f"a link whose target is missing: {tmp_path / 'moved.jsonl'}"


def _a_study(path: Path) -> None:
    res = runner.invoke(app, ["ingest", str(path), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output


def test_another_study_in_a_walked_folder_is_left_aside_not_a_failure(tmp_path: Path) -> None:
    """A folder holding last week's study (and its .wal) beside the data: each was an "unreadable:
    binary file" input and the ingest exited 1 on every run. A DuckDB database is not an input."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIX / "v1_uklabour.jsonl", folder / "tweets.jsonl")
    _a_study(folder / "old.duckdb")
    shutil.copy(folder / "old.duckdb", folder / "copy.db")  # known by its header, not its name
    (folder / "old.duckdb.wal").write_bytes(b"")
    study = tmp_path / "s.duckdb"
    for _ in range(2):
        res = runner.invoke(app, ["ingest", str(study), str(folder)])
        said = _said(res)
        assert res.exit_code == 0, res.output
        assert (f"left aside {folder / 'copy.db'}, {folder / 'old.duckdb'}, {folder / 'old.duckdb.wal'}: "
                "DuckDB databases (other studies) found in a folder, not inputs") in said
        assert "unreadable" not in said
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(folder / "old.duckdb", only / "a.duckdb")
    res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(only)])
    said = _said(res)
    assert res.exit_code == 2, res.output
    assert f"left aside {only / 'a.duckdb'}: a DuckDB database (another study) found in a folder, not an input" in said
    assert f"no input files in {only} (only DuckDB databases in the folders given" in said


def test_a_duckdb_database_that_is_not_a_study_is_one_line_and_left_unchanged(tmp_path: Path) -> None:
    """Another program's DuckDB given as the study: `status` and `report` said "Table with name
    posts does not exist! This is a bug in botwatch", and `analyze` wrote a study's tables into it."""
    import duckdb

    theirs = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(theirs))
    con.execute("CREATE TABLE sales AS SELECT 1 AS n")
    con.close()
    for cmd in (["status"], ["report", "-o", str(tmp_path / "r.html")], ["analyze"], ["explain", "@x"], ["accounts"]):
        res = runner.invoke(app, [cmd[0], str(theirs), *cmd[1:]])
        said = _said(res)
        assert res.exit_code == 2, (cmd, res.output)
        assert f"{theirs} is a DuckDB database but not a botwatch study (it has no posts table)" in said, (cmd, res.output)
        assert "bug in botwatch" not in said
    con = duckdb.connect(str(theirs), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["sales"]  # nothing written into it
    con.close()
    _a_study(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["status", str(tmp_path / "s.duckdb")]).exit_code == 0


def test_a_study_named_as_an_input_is_said_to_be_one(tmp_path: Path) -> None:
    """`ingest new.duckdb old.duckdb` (to copy or merge a study) said "binary file (NUL bytes or
    mostly invalid UTF-8)": it says it is a DuckDB database, which ingest does not merge."""
    _a_study(tmp_path / "old.duckdb")
    res = runner.invoke(app, ["ingest", str(tmp_path / "new.duckdb"), str(tmp_path / "old.duckdb")])
    said = _said(res)
    assert res.exit_code == 1, res.output
    assert f"unreadable {tmp_path / 'old.duckdb'}: not a format botwatch reads: a DuckDB database (a study?), not an archive" in said
    assert "does not merge studies" in said and "NUL bytes" not in said
    assert not (tmp_path / "new.duckdb").exists()


def test_a_named_pipe_in_a_walked_folder_is_a_failed_input_never_opened(tmp_path: Path) -> None:
    """A FIFO beside the data (a collector's pipe, a socket's name) was opened to sniff for DuckDB's
    header, which blocks until something writes to it: the ingest hung for ever. It is now one
    failed input that says what it is, the rest stored, exit 1 as for an unreadable file."""
    import subprocess
    import sys

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIX / "v1_uklabour.jsonl", folder / "tweets.jsonl")
    os.mkfifo(folder / "pipe")
    study = tmp_path / "s.duckdb"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    res = subprocess.run([sys.executable, "-m", "botwatch", "ingest", str(study), str(folder)], capture_output=True, text=True,
                         timeout=60, env=env)
    said = " ".join((res.stdout + res.stderr).split())
    assert res.returncode == 1, said
    assert f"failed {folder / 'pipe'}: not a file: a named pipe (FIFO) found in a folder, not opened" in said
    assert f"ok {folder / 'tweets.jsonl'}" in said
    assert "1 not a file" in said and "Traceback" not in said


def test_the_walk_lists_a_named_pipe_apart_and_the_database_test_never_opens_it(tmp_path: Path) -> None:
    from botwatch.ingest.runner import expand_inputs
    from botwatch.ingest.source import databases_found
    from botwatch.study import is_duckdb_file

    import threading
    import time

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.jsonl").write_text("{}\n")

    def release() -> None:  # were the pipe opened, this lets the test end (and fail) instead of hanging
        time.sleep(5)
        with open(tmp_path / "pipe", "wb"):
            pass

    threading.Thread(target=release, daemon=True).start()
    began = time.monotonic()
    odd: list[str] = []
    assert expand_inputs([str(tmp_path)], not_files=odd) == [str(tmp_path / "a.jsonl")]
    assert odd == [str(tmp_path / "pipe")]
    # Named, the pipe is an input to read (`<(zcat x.gz)`), so it is not sniffed either way.
    assert expand_inputs([str(tmp_path / "pipe")]) == [str(tmp_path / "pipe")]
    assert not is_duckdb_file(tmp_path / "pipe") and databases_found([str(tmp_path / "pipe")], []) == []
    assert time.monotonic() - began < 4


def test_a_link_to_a_folder_in_a_walked_folder_is_read_and_a_loop_walked_once(tmp_path: Path) -> None:
    """A link to another folder of archives inside the folder given was passed over in silence (its
    files never read, exit 0), though a link to a file is read. It is followed now; a link back up
    the tree does not walk a folder twice."""
    from botwatch.ingest.runner import expand_inputs

    (tmp_path / "d").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "d" / "a.jsonl").write_text("{}\n")
    (tmp_path / "other" / "b.jsonl").write_text("{}\n")
    os.symlink(tmp_path / "other", tmp_path / "d" / "linked")
    os.symlink(tmp_path / "d", tmp_path / "other" / "back")  # a loop: d/linked/back is d
    assert expand_inputs([str(tmp_path / "d")]) == [str(tmp_path / "d" / "a.jsonl"), str(tmp_path / "d" / "linked" / "b.jsonl")]


def test_a_lake_inside_a_walked_folder_is_left_aside_not_read_as_inputs(tmp_path: Path) -> None:
    """`ingest --engine spark data/lake data/` (or any lake under a folder given) read the lake's
    own Parquet tables as inputs: each "unreadable: binary file", exit 1 on every run after the first."""
    from botwatch.ingest.runner import expand_inputs

    folder = tmp_path / "data"
    (folder / "lake" / "posts").mkdir(parents=True)
    (folder / "lake" / "_botwatch_lake.json").write_text("{}")
    (folder / "lake" / "posts" / "part-0.parquet").write_bytes(b"PAR1\x00")
    shutil.copy(FIX / "v1_uklabour.jsonl", folder / "tweets.jsonl")
    lakes: list[str] = []
    assert expand_inputs([str(folder)], lakes=lakes) == [str(folder / "tweets.jsonl")] and lakes == [str(folder / "lake")]
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(folder)])
    assert res.exit_code == 0, res.output
    assert f"left aside {folder / 'lake'}: a lake (another study) found in a folder, not an input" in _said(res)
