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
