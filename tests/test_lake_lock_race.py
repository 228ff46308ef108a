"""The lake write lock under contention (engines/lake_lock.py), without Spark: of many commands
taking over one stale lock at the same moment exactly one holds the lake; a live holder whose pid
this process cannot see (another container: another pid namespace) is never taken over; a
forked child never gives its parent's lock back.

The contenders are forked processes that start together; `SlowFiles` makes every look at the lock
file take a few milliseconds (as on a network file system), which widens the windows a
check-then-replace lock loses in."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from botwatch.engines import lake_lock
from botwatch.engines.lake_lock import LOCK_FILE, LakeLocked, acquire, release
from test_lake_lock import LocalFiles, _dead_pid, _plant, way  # noqa: F401 - `way` is a fixture

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="forks contenders")

CONTENDERS = 8


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake_lock, "_HELD", {})


class SlowFiles(LocalFiles):
    """A local folder where each look takes 0-4 ms, as on NFS or HDFS."""

    def _wait(self) -> None:
        time.sleep(random.uniform(0, 0.004))

    def create_new(self, p: str, text: str) -> bool:
        self._wait()
        return super().create_new(p, text)

    def read_text(self, p: str) -> str:
        self._wait()
        return super().read_text(p)

    def delete(self, p: str) -> None:
        self._wait()
        super().delete(p)


def _contend(root: str, start: Any, done: Any, results: Any) -> None:
    """One contender: try to take the lake when all start, say how it went, hold until all tried,
    and end without giving the lock back (as a command killed while writing)."""
    random.seed(os.getpid())
    code = 0
    try:
        start.wait(20)
        try:
            acquire(SlowFiles(), root, command=f"contender {os.getpid()}")
            results.put(("won", os.getpid()))
        except LakeLocked as exc:
            results.put(("lost", str(exc)))
        done.wait(20)
    except BaseException as exc:  # noqa: BLE001 - reported to the test, never a hung child
        results.put(("error", repr(exc)))
        code = 1
    finally:
        results.close()
        results.join_thread()  # what was put reaches the parent before the hard exit
        os._exit(code)


def _race(root: Path) -> list[tuple[str, Any]]:
    ctx = multiprocessing.get_context("fork")
    start, done, results = ctx.Barrier(CONTENDERS), ctx.Barrier(CONTENDERS), ctx.Queue()
    procs = [ctx.Process(target=_contend, args=(str(root), start, done, results)) for _ in range(CONTENDERS)]
    for p in procs:
        p.start()
    try:
        return [results.get(timeout=30) for _ in procs]
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join()


@pytest.mark.parametrize("round_", range(3))
def test_many_commands_taking_over_one_stale_lock_leave_exactly_one_holder(tmp_path: Path, way: str, round_: int) -> None:
    _plant(tmp_path, pid=_dead_pid())  # its command was killed: every contender finds it stale
    got = _race(tmp_path)
    assert not [r for r in got if r[0] == "error"], got
    winners = [pid for what, pid in got if what == "won"]
    assert len(winners) == 1, got
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == winners[0]  # the lock names the one holder
    losers = [msg for what, msg in got if what == "lost"]
    assert all("\n" not in m and "run again" in m for m in losers), losers  # one line, saying what to do
    assert not list(tmp_path.glob(f"{LOCK_FILE}.takeover-*"))  # nothing left beside the lock


def _hold_as_another_container(root: Path, pid: int) -> subprocess.Popen[str]:
    """A live command holding the lake's lock with `flock` whose lock names `pid`: as seen from
    another pid namespace, where the holder's own pid is a number that means nothing (here: one
    that does not run)."""
    script = """
import fcntl, json, os, sys, time
path, info = sys.argv[1], json.loads(sys.argv[2])
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, json.dumps(info).encode())
print("held", flush=True)
time.sleep(600)
"""
    info = {"user": "carol", "host": lake_lock._host(), "pid": pid, "token": "theirs", "since": "2026-11-30 09:00:00",
            "command": "botwatch analyze lake/", "boot": lake_lock._boot_id(), "pidns": lake_lock._pid_ns(),
            "machine": lake_lock._machine_id(), "flock": True}
    root.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", script, str(root / LOCK_FILE), json.dumps(info)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.skipif(lake_lock.fcntl is None, reason="no flock on this system")
def test_a_live_holder_whose_pid_is_not_visible_here_is_never_taken_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proc = _hold_as_another_container(tmp_path, _dead_pid())
    try:
        with pytest.raises(LakeLocked) as err:
            acquire(LocalFiles(), str(tmp_path))
        assert "carol on" in str(err.value) and "\n" not in str(err.value)
        assert json.loads((tmp_path / LOCK_FILE).read_text())["token"] == "theirs"  # left alone
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # Killed: the kernel has given its flock back, so the next command takes the lake.
    acquire(LocalFiles(), str(tmp_path))
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
    assert "removed a stale lock" in capsys.readouterr().err
    release(LocalFiles(), str(tmp_path))
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_lock_from_another_pid_namespace_is_not_judged_by_its_pid(tmp_path: Path, way: str) -> None:
    # Another container on this machine and host name, holding the lock without flock (an older
    # botwatch, or a file system without it): its pid cannot be looked up from here.
    _plant(tmp_path, pid=_dead_pid(), pidns="pid:[4026530000]")
    with pytest.raises(LakeLocked, match="is being written by someone"):
        acquire(LocalFiles(), str(tmp_path))
    assert json.loads((tmp_path / LOCK_FILE).read_text())["token"] == "theirs"


def test_a_forked_child_never_gives_its_parent_s_lock_back(tmp_path: Path, way: str) -> None:
    files, root = LocalFiles(), str(tmp_path)
    acquire(files, root)
    pid = os.fork()
    if pid == 0:  # the child: "closes the lake" as a library call in a worker might
        try:
            release(files, root)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
    got = _race(tmp_path)  # still held: every other command is refused
    assert [what for what, _ in got] == ["lost"] * CONTENDERS, got
    release(files, root)
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_folder_that_cannot_hold_the_lock_is_one_line(tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A read-only file system (simulated: tests may run as root, who may write anywhere).
    real_open = os.open

    def read_only(path: Any, flags: int, *a: Any, **k: Any) -> int:
        if str(path).endswith(LOCK_FILE) and flags & (os.O_CREAT | os.O_RDWR | os.O_WRONLY):
            raise OSError(30, "Read-only file system", str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(lake_lock.LockError) as err:
        acquire(LocalFiles(), str(tmp_path))
    msg = str(err.value)
    assert "Read-only file system" in msg and LOCK_FILE in msg and "\n" not in msg
    assert not isinstance(err.value, LakeLocked)
