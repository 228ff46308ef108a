"""Scratch folders a crashed command left in a lake (engines/lake_scratch.py), without Spark: the
next command removes one whose owner no longer runs, or one from another host (or with no owner
record) older than the age limit, and never one whose command still runs (this process's own
other lakes included) or its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from botwatch.engines import lake_lock, lake_scratch
from botwatch.engines.lake_scratch import MAX_AGE_S, OWNER_FILE, claim, clean
from testsupport.lake_files import LocalFiles


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant(scratch: Path, name: str, **changes: object) -> Path:
    """A scratch folder with something in it, its owner record this process's with `changes`."""
    folder = scratch / name
    (folder / "t-1").mkdir(parents=True)
    (folder / "t-1" / "part-0.parquet").write_text("x")
    (folder / OWNER_FILE).write_text(json.dumps({**lake_scratch.owner(), **changes}))
    return folder


def test_a_dead_commands_scratch_goes_a_live_ones_stays(tmp_path: Path) -> None:
    scratch = tmp_path / "_scratch"
    dead = _plant(scratch, "dead", pid=_dead_pid(), started=None)
    parent = os.getppid()
    stat = lake_lock._proc_stat(parent)
    live = _plant(scratch, "live", pid=parent, started=stat[1] if stat else None)
    mine = _plant(scratch, "mine")  # another lake this very process has open
    own = _plant(scratch, "own", pid=_dead_pid())  # would go, but it is the caller's own
    assert clean(LocalFiles(), str(scratch), keep=str(own)) == ["dead"]
    assert not dead.exists() and live.exists() and mine.exists() and own.exists()


def test_a_pid_reused_by_a_later_process_counts_as_ended(tmp_path: Path) -> None:
    scratch = tmp_path / "_scratch"
    stat = lake_lock._proc_stat(os.getppid())
    if stat is None:
        import pytest

        pytest.skip("no /proc: start times cannot be read")
    _plant(scratch, "reused", pid=os.getppid(), started=stat[1] + 1)
    assert clean(LocalFiles(), str(scratch)) == ["reused"]


def test_another_hosts_scratch_goes_only_by_age(tmp_path: Path) -> None:
    scratch = tmp_path / "_scratch"
    _plant(scratch, "recent", host="other-node", pid=7)
    _plant(scratch, "old", host="other-node", pid=7, since_epoch=time.time() - MAX_AGE_S - 60)
    assert clean(LocalFiles(), str(scratch)) == ["old"]
    assert (scratch / "recent").exists()


def test_a_folder_without_an_owner_goes_only_by_its_age(tmp_path: Path) -> None:
    scratch = tmp_path / "_scratch"
    for name in ("fresh", "stale"):
        (scratch / name / "t").mkdir(parents=True)
    old = time.time() - MAX_AGE_S - 60
    os.utime(scratch / "stale", (old, old))
    assert clean(LocalFiles(), str(scratch)) == ["stale"]
    assert (scratch / "fresh").exists()


def test_claim_writes_this_processs_record_and_clean_keeps_it(tmp_path: Path) -> None:
    files = LocalFiles()
    folder = str(tmp_path / "_scratch" / "abc")
    claim(files, folder)
    info = json.loads(Path(folder, OWNER_FILE).read_text())
    assert info["pid"] == os.getpid() and info["host"] == lake_lock._host()
    assert clean(files, str(tmp_path / "_scratch")) == []
    assert os.path.isdir(folder)


def test_nothing_stale_leaves_the_scratch_folder_and_a_missing_one_is_fine(tmp_path: Path) -> None:
    assert clean(LocalFiles(), str(tmp_path / "_scratch")) == []
