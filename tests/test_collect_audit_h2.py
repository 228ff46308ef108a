"""The live-collection path used as a new user would (the audit of 2026-12-05): a collection into a
study, stopped and resumed, against misbehaving local servers; each test holds one thing it got wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from testsupport.collect_fakes import closed_capture_file, jetstream_event


def test_a_study_held_by_another_process_is_said_in_whole_sentences(tmp_path: Path) -> None:
    """Follow mode quoted the child's error cut at 200 characters: "… so this command cannot write
    to it. A study can be open for writing in one process, or); they stay in capture/ …"."""
    import duckdb

    from botwatch.collect.follow import Follower

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    (cap_dir / ".botwatch").mkdir(parents=True)
    closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(5)])
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of), study, 60.0, logs.append)
    held = duckdb.connect(str(study))  # this process holds it for writing, as a notebook would
    try:
        asyncio.run(follower.batch(attempts=1))
    finally:
        held.close()
    said = [m for m in logs if "failed" in m]
    assert len(said) == 1, logs
    why = said[0].split(" failed (", 1)[1].rsplit("); they stay in", 1)[0]
    assert "holds it for writing" in why and why.endswith("."), said[0]
    assert follower.pending()  # offered again at the next batch


def test_a_study_no_batch_can_write_is_a_usage_error_before_anything_is_written(tmp_path: Path) -> None:
    """`--study adir/` (a folder) or `--study missing/s.duckdb` collected for the whole run, every
    batch failing, and ended 0 with nothing ingested; it is now said at once (exit 2)."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    (tmp_path / "adir.duckdb").mkdir()
    for study, said in ((tmp_path / "adir.duckdb", "is a folder, not a study"), (tmp_path / "missing" / "s.duckdb", "does not exist")):
        cap_dir = tmp_path / "capture"
        res = CliRunner().invoke(app, ["collect", "bluesky", str(cap_dir), "--endpoint", "ws://127.0.0.1:9/subscribe",
                                       "--study", str(study), "--duration", "1s"])
        assert res.exit_code == 2, res.output
        assert said in res.output and "Traceback" not in res.output
        assert not cap_dir.exists()
