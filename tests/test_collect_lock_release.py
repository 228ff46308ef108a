"""`StreamLock.release` when the unlock itself raises.

The descriptor was closed only after a successful unlock: an unlock that raised left it open, and
the flock with it, so every later start of the stream in the same process (a notebook, follow mode)
was refused as "another collector is writing" it."""

from __future__ import annotations

import errno
import fcntl
from pathlib import Path
from typing import Any

import pytest

from botwatch.collect import state as st


def test_an_unlock_that_raises_still_closes_the_descriptor_and_frees_the_stream(tmp_path: Path, monkeypatch: Any) -> None:
    st.meta_dir(tmp_path).mkdir()
    lock = st.StreamLock(tmp_path, "bluesky")
    lock.acquire()
    real_flock = fcntl.flock

    def flock(fd: int, op: int) -> None:
        if op == fcntl.LOCK_UN:
            raise OSError(errno.EIO, "Input/output error")
        real_flock(fd, op)

    monkeypatch.setattr(st.fcntl, "flock", flock)
    with pytest.raises(OSError):
        lock.release()
    monkeypatch.setattr(st.fcntl, "flock", real_flock)
    again = st.StreamLock(tmp_path, "bluesky")
    try:
        again.acquire()  # refused as "another collector is writing" while the first descriptor stayed open
    finally:
        lock.release()  # does nothing once the descriptor is closed; frees it in the old code
    again.release()
    assert lock._fd is None
