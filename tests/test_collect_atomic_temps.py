"""The temporary files of the capture folder's atomic writes (`.<name>.<pid>.tmp` in `.botwatch/`).

A write the disk refused partway (ENOSPC while writing the cursor, about once a second) left its
half-written temporary file behind, and nothing ever removed it; nor one a killed collector left."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from botwatch.collect import state as st
from botwatch.collect.core import Capture


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in st.meta_dir(folder).glob(".*.tmp"))


def test_a_write_the_disk_refuses_partway_leaves_no_temporary_file_and_the_old_file_whole(tmp_path: Path, monkeypatch: Any) -> None:
    st.meta_dir(tmp_path).mkdir()
    path = st.meta_dir(tmp_path) / "bluesky.state.json"
    st.write_json_atomic(path, {"cursor": {"time_us": 1}})
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the text is written, as far as the page cache took it; the disk then refuses
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError, match="No space left on device"):
        st.write_json_atomic(path, {"cursor": {"time_us": 2}})
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert _temps(tmp_path) == []
    assert json.loads(path.read_text()) == {"cursor": {"time_us": 1}}


def test_a_temporary_file_a_killed_process_left_is_removed_at_the_next_start_and_a_live_ones_kept(tmp_path: Path) -> None:
    meta = st.meta_dir(tmp_path)
    meta.mkdir()
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True).stdout)
    dead = meta / f".capture.json.{gone}.tmp"
    live = meta / f".capture.json.{os.getppid()}.tmp"  # another collector's, mid-write: its rename must still find it
    fresh = meta / f".bluesky.state.json.{gone}.tmp"  # a process this machine cannot see (another container) may be writing it
    old = time.time() - 2 * st.TEMP_STALE_S
    for p in (dead, live, fresh):
        p.write_text('{"half')
        if p is not fresh:
            os.utime(p, (old, old))
    Capture(tmp_path, "bluesky", "bluesky").open().close()
    assert _temps(tmp_path) == sorted([live.name, fresh.name])
