"""`collect --study`'s log names files by `shown_text.name_shown` (a typed backslash as two, as
ingest's own lines) and its `botwatch ingest …` hints with shell-quoted paths: a capture folder
named with a space or a backslash gave a hint that, pasted, named other files (`my cap` split in
two, `\\x07` read by the shell as `x07`), and its name read as one holding a control character."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path

from botwatch.collect.core import Capture
from botwatch.collect.follow import Follower
from testsupport.collect_fakes import closed_capture_file, jetstream_event


def test_a_set_aside_file_is_named_by_the_rule_and_its_retry_command_pastes(tmp_path: Path) -> None:
    cap_dir, study = tmp_path / "my cap\\x07", tmp_path / "my study.duckdb"
    (cap_dir / ".botwatch").mkdir(parents=True)
    closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(2)])
    dangling = cap_dir / "bluesky-20200101T000000Z-1.jsonl.gz"
    dangling.symlink_to(tmp_path / "gone.jsonl.gz")
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, logs.append)
    asyncio.run(follower.batch(attempts=1))
    named = [line for line in logs if dangling.name in line]
    assert len(named) == 1, logs
    assert f"follow: {tmp_path}/my cap\\\\x07/{dangling.name} cannot be ingested" in named[0], named
    assert f"retry it with `botwatch ingest {shlex.quote(str(study))} {shlex.quote(str(dangling))}`" in named[0], named
    assert any(f"into {tmp_path}/my study.duckdb" in line for line in logs), logs
