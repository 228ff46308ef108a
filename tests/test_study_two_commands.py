"""One study used by two commands at once, or kept where it cannot be written (the audit of
2026-12-05): each test holds one thing a user met that was said wrong or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from typer.testing import CliRunner

from botwatch import Study
from botwatch.cli import app

runner = CliRunner()
FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _empty_study(path: Path) -> Path:
    Study(path).close()
    return path


def test_a_study_in_a_folder_this_user_may_not_write_is_refused_before_any_stage(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A study file the user may write, in a folder they may not (a shared folder, a read-only
    mount with the file bound writable): DuckDB opened it for writing and failed at the first
    commit, creating its journal `s.duckdb.wal`, so `analyze` said "This is a bug in botwatch" and
    `ingest` "free space and run the same command again". Root ignores folder permissions, so the
    folder's answer is stood in for."""
    study = _empty_study(tmp_path / "s.duckdb")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == tmp_path and mode & os.W_OK else real_access(p, mode, *a, **k))
    res = runner.invoke(app, ["analyze", str(study), "--only", "coverage"])
    assert res.exit_code == 2, res.output
    said = " ".join(res.output.split())
    assert "s.duckdb.wal" in said and "may not create files in the folder" in said and "copy it" in said, said
    assert "bug in botwatch" not in said and "Traceback" not in said
    status = runner.invoke(app, ["status", str(study)])  # reading needs no journal
    assert status.exit_code == 0, status.output


HOLDER = ("import sys, duckdb; con = duckdb.connect(sys.argv[-1], read_only=sys.argv[-2] == '1'); "
          "print('held', flush=True); sys.stdin.read()")


@contextmanager
def held_by_another_process(path: Path, read_only: bool = False, as_command: list[str] | None = None) -> Iterator[subprocess.Popen]:
    """`path` open in a second Python process (for writing unless `read_only`) while the block runs;
    `as_command`: the process runs a script named `botwatch` with these arguments, as the
    `botwatch` entry point would (its first argument: the script's folder)."""
    if as_command:
        script = Path(as_command[0]) / "botwatch"
        script.write_text(HOLDER + "\n", encoding="utf-8")
        argv = [sys.executable, str(script), *as_command[1:]]
    else:
        argv = [sys.executable, "-c", HOLDER]
    proc = subprocess.Popen([*argv, "1" if read_only else "0", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the holder ends when its stdin does
        proc.wait(timeout=30)


def test_demo_leaves_alone_a_demo_study_another_process_is_writing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A second `botwatch demo` while the first was still analysing called the busy study "not the
    bundled sample's" and suggested --force, which then deleted the file under the first demo."""
    from botwatch.cli import analyze as analyze_cli

    folder = tmp_path / "demo"
    folder.mkdir()
    study = _empty_study(folder / "sample.duckdb")
    monkeypatch.setattr(analyze_cli, "ingest", lambda *a, **k: pytest.fail("ingested into a study another process holds"))
    with held_by_another_process(study) as holder:
        inode = study.stat().st_ino
        for extra in ([], ["--force"]):
            res = runner.invoke(app, ["demo", "-o", str(folder), *extra])
            said = " ".join(res.output.split())
            assert res.exit_code == 2 and f"process {holder.pid}" in said and "not the bundled sample's" not in said, res.output
            assert study.stat().st_ino == inode  # the holder's file, not deleted


def test_a_study_another_botwatch_command_holds_names_that_command(tmp_path: Path) -> None:
    """`report` while `analyze` ran named the holder by its interpreter ("process 4242
    (/usr/bin/python3.11)") and told the user to `st.close()` it "in a notebook"."""
    from botwatch.collect.follow import study_busy

    study = _empty_study(tmp_path / "s.duckdb")
    with held_by_another_process(study, as_command=[str(tmp_path), "analyze"]) as holder:
        res = runner.invoke(app, ["status", str(study)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"is open in `botwatch analyze` (process {holder.pid}), which holds it for writing" in said, res.output
    assert "notebook" not in said and "Wait for that command to finish" in said
    with held_by_another_process(study, read_only=True, as_command=[str(tmp_path), "report"]) as holder:
        res = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"`botwatch report` (process {holder.pid}), which holds it for reading, so this command cannot write" in said, res.output
    assert study_busy(res.output)  # a `collect --study` batch tries again later
    with held_by_another_process(study) as holder:  # not botwatch: a notebook, say
        res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 2 and f"process {holder.pid} (" in res.output and "botwatch analyze" not in res.output


def test_a_collect_whose_last_batch_found_the_study_busy_says_what_was_not_ingested(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`collect --study` ending while another process held the study through its last batch
    closed with its usual summary, exit 0, as if every file were in the study; only a line before
    it said the batch failed, "for the next batch" (there is none after the last)."""
    import asyncio

    from botwatch.collect import jetstream as js
    from botwatch.collect.core import Capture
    from botwatch.collect.follow import Follower
    from botwatch.collect.run import run_capture
    from testsupport.collect_fakes import FakeJetstream, jetstream_event
    from testsupport.waiting import stream_until

    study = _empty_study(tmp_path / "s.duckdb")
    batch = Follower.batch
    monkeypatch.setattr(Follower, "batch", lambda self, attempts=3: batch(self, attempts=1))  # the last batch tries once, not 10 times
    logs: list[str] = []
    with held_by_another_process(study, as_command=[str(tmp_path), "analyze"]), FakeJetstream([jetstream_event(i) for i in range(20)], [{"rate": 500}]) as srv:
        cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of)
        stream = stream_until(js.JetstreamCollector(srv.url), lambda: cap.stats.kept >= 20)
        asyncio.run(run_capture(cap, stream, duration=20.0, study=study, ingest_every=300.0, log=logs.append, install_signals=False))
    assert any("failed (error:" in m and "`botwatch analyze`" in m for m in logs), logs
    assert logs[-1].startswith("not ingested: 1 closed file(s)") and f"botwatch ingest {study}" in logs[-1], logs


def test_collect_refuses_at_once_a_study_it_could_not_write(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`collect --study` into a study in a read-only folder collected for the whole run, every
    batch failing to write it, and ended 0 with nothing ingested (as `--study adir/` did before it
    was refused). Root ignores folder permissions, so the folder's answer is stood in for."""
    study = _empty_study(tmp_path / "s.duckdb")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == tmp_path and mode & os.W_OK else real_access(p, mode, *a, **k))
    cap_dir = tmp_path / "capture"
    res = runner.invoke(app, ["collect", "bluesky", str(cap_dir), "--endpoint", "ws://127.0.0.1:9/subscribe", "--study", str(study), "--duration", "1s"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "may not write the study or its folder" in said and "Traceback" not in said, res.output
    assert not cap_dir.exists()


def test_a_new_study_on_a_read_only_file_system_says_so(tmp_path: Path) -> None:
    """`ingest new.duckdb FILES` on a read-only mount said DuckDB's "cannot open new.duckdb as a
    study: IO Error: Cannot open file …: Read-only file system", as if an existing study were bad."""
    from botwatch.study import lock_message

    study = tmp_path / "s.duckdb"  # a folder that exists, a study that does not yet
    said = lock_message(study, f'IO Error: Cannot open file "{study}": Read-only file system', read_only=False)
    assert said.startswith(f"cannot create the study {study}: the folder {tmp_path} is on") and "read-only file system; name a study in a folder you can write to" in said, said


def test_a_study_held_by_a_collect_batch_is_said_to_be_collects(tmp_path: Path) -> None:
    """`status` while a `collect --study` batch was storing said the study was open in `botwatch
    ingest`, a command the user never ran: the batch's child is named as collect's."""
    study = _empty_study(tmp_path / "s.duckdb")
    with held_by_another_process(study, as_command=[str(tmp_path), "ingest", str(study), "--results-json", str(tmp_path / "r")]) as holder:
        res = runner.invoke(app, ["status", str(study)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"is open in the ingest of a `botwatch collect --study` batch (process {holder.pid})" in said, res.output


def test_a_killed_runs_staging_table_is_not_shown_or_exported_by_readers(tmp_path: Path) -> None:
    """After an `analyze` killed mid-stage (SIGKILL, a power cut), `status` listed its half-written
    `_botwatch_map_…` table among the study's tables and `export --all` wrote it out as one;
    only the next command that writes drops it."""
    import duckdb

    from botwatch.study import STAGING_PREFIX

    study = _empty_study(tmp_path / "s.duckdb")
    con = duckdb.connect(str(study))  # what the killed run left
    con.execute(f'CREATE TABLE "{STAGING_PREFIX}dead0001" AS SELECT 1 AS x')
    con.close()
    status = runner.invoke(app, ["status", str(study)])
    assert status.exit_code == 0 and "posts" in status.output and STAGING_PREFIX not in status.output, status.output
    res = runner.invoke(app, ["export", str(study), "--all", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "posts.csv").is_file() and not list((tmp_path / "out").glob(f"{STAGING_PREFIX}*")), res.output


def test_a_busy_study_opened_from_python_names_no_command(tmp_path: Path) -> None:
    """`botwatch.open_study(path)` while `botwatch analyze` wrote the study said "so this command
    cannot read it ... then run this again" in a notebook, where no command ran; the CLI keeps
    its wording."""
    import botwatch
    from botwatch.study import StudyBusy

    study = _empty_study(tmp_path / "s.duckdb")
    with held_by_another_process(study, as_command=[str(tmp_path), "analyze"]) as holder:
        with pytest.raises(StudyBusy) as err:
            botwatch.open_study(study)
        res = runner.invoke(app, ["status", str(study)])
    said = str(err.value)
    assert "s.duckdb" in said and f"`botwatch analyze` (process {holder.pid})" in said, said
    assert "so this process cannot read it" in said and "open the study again" in said, said
    assert "command" not in said, said
    assert "so this command cannot read it" in " ".join(res.output.split()), res.output
    with held_by_another_process(study, read_only=True) as holder:  # a notebook's reader, not botwatch
        with pytest.raises(StudyBusy) as err:
            botwatch.open_study(study, read_only=False)
    said = str(err.value)
    assert f"open for reading in process {holder.pid}" in said and "command" not in said, said
    import pickle  # (a worker's exception reaches its parent pickled: remade from its parts, not the message)

    assert str(pickle.loads(pickle.dumps(err.value))) == said
