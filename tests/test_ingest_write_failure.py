"""A study that cannot be written while a new study is ingested (a full disk, `ulimit -f`).

Found on a walk: `bash -c 'ulimit -f 20000; botwatch ingest new.duckdb ira.csv.gz'` printed
"not posts 200,000" in the summary and "nothing could be read from the inputs", although every
record was a post and the input read well: it was the study's file that could not grow.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import duckdb
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import Study

runner = CliRunner()


def _status(pid: int) -> str:
    return json.dumps({"id_str": str(pid), "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "x", "user": {"id_str": "u1"}})


def test_a_study_too_large_to_write_says_so_and_counts_no_record_as_not_a_post(tmp_path: Path) -> None:
    study, posts = tmp_path / "s.duckdb", tmp_path / "a.jsonl"
    posts.write_text("".join(_status(i) + "\n" for i in range(1, 4)))
    real = Study.sql

    def too_large(self, query, params=None):  # type: ignore[no-untyped-def]
        if query == "COMMIT":  # what DuckDB raises when the file may not grow (ulimit -f)
            real(self, "ROLLBACK")
            raise duckdb.IOException(f'IO Error: Could not write file "{study}": File too large')
        return real(self, query, params)

    with mock.patch.object(Study, "sql", too_large):
        res = runner.invoke(app, ["ingest", str(study), str(posts)])
    out = " ".join(res.output.split())
    assert isinstance(res.exception, SystemExit) and res.exit_code == 1, res.output
    assert "not posts" not in out, out  # the three records were posts: they are the failed file's
    assert "nothing could be read" not in out, out
    assert "could not be written" in out and "File too large" in out and "run the same command again" in out, out
    assert "no study was created" in out and not study.exists(), out
    res = runner.invoke(app, ["ingest", str(study), str(posts)])  # with room again, the same command stores them
    assert res.exit_code == 0, res.output
    assert "stored" in res.output


def test_a_study_that_fills_after_a_file_was_stored_says_to_free_space_not_to_fix_the_input(tmp_path: Path) -> None:
    """Found reviewing the walk: `ulimit -f 6000; botwatch ingest s.duckdb small.jsonl big.jsonl`
    stored the first file, then said "1 broke off: nothing from it was stored ... Fix or remove
    those inputs": the input was good, the study's file could not grow."""
    study, first, second = tmp_path / "s.duckdb", tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_status(1) + "\n")
    second.write_text(_status(2) + "\n")
    real, commits = Study.sql, {"n": 0}

    def full_at_the_second(self, query, params=None):  # type: ignore[no-untyped-def]
        if query == "COMMIT":
            commits["n"] += 1
            if commits["n"] == 2:  # DuckDB rolls the file back and goes on (the connection stays usable)
                real(self, "ROLLBACK")
                raise duckdb.IOException(f'IO Error: Could not write file "{study}.wal": File too large')
        return real(self, query, params)

    with mock.patch.object(Study, "sql", full_at_the_second):
        res = runner.invoke(app, ["ingest", str(study), str(first), str(second), "--workers", "1"])
    out = " ".join(res.output.split())
    assert isinstance(res.exception, SystemExit) and res.exit_code == 1, res.output
    assert "Fix or remove" not in out and "broke off" not in out, out
    assert "1 not written: the study could not grow" in out and "Free space on the study's disk" in out, out
    assert "run the same command again" in out, out
    from botwatch import open_study

    with open_study(study) as st:
        assert st.sql("SELECT post_id FROM posts") == [("1",)]
