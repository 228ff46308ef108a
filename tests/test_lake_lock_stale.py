"""A lake's write lock left by a killed command is taken over by the next one, with one line on
stderr, also where the pid alone would say the holder still runs: a zombie (killed, not reaped),
a pid reused by another process, this very process's pid, a reboot. A live holder is still
refused. The holder in a subprocess takes the lock with `flock` (a local folder); the planted
locks carry none, so their pid is what is judged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from botwatch.engines import lake_lock
from botwatch.engines.lake_lock import LOCK_FILE, LakeLocked, acquire, release
from test_lake_lock import LocalFiles, _plant

HOLD = """
import sys, time
from pathlib import Path
from botwatch.engines.lake_lock import acquire
from botwatch.engines.lake_files import create_new_local

class Files:
    def create_new(self, p, text): return create_new_local(p, text)
    def read_text(self, p): return Path(p).read_text()
    def exists(self, p): return Path(p).exists()
    def delete(self, p): Path(p).unlink(missing_ok=True)

acquire(Files(), sys.argv[1], command="botwatch analyze lake/")
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake_lock, "_HELD", {})


def _holder(root: Path) -> subprocess.Popen[str]:
    """Another command holding the lake's lock (it stays running until killed)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _taken_over(root: Path, capsys: pytest.CaptureFixture[str], why: str) -> None:
    acquire(LocalFiles(), str(root))
    info = json.loads((root / LOCK_FILE).read_text())
    assert info["pid"] == os.getpid() and info["token"] != "theirs"
    err = capsys.readouterr().err
    assert "removed a stale lock" in err and why in err and err.count("\n") == 1
    release(LocalFiles(), str(root))


def test_a_killed_command_s_lock_is_refused_while_it_runs_and_taken_over_after(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proc = _holder(tmp_path)
    try:
        with pytest.raises(LakeLocked, match="botwatch analyze lake/"):
            acquire(LocalFiles(), str(tmp_path))
        proc.send_signal(signal.SIGKILL)
        time.sleep(0.2)  # killed and not reaped yet: a zombie, which `kill -0` still finds
        _taken_over(tmp_path, capsys, "zombie")  # its flock is free; the pid says why
    finally:
        proc.kill()
        proc.wait()
    capsys.readouterr()
    proc = _holder(tmp_path)  # reaped this time: the pid is simply gone
    proc.kill()
    proc.wait()
    _taken_over(tmp_path, capsys, "no longer runs")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_reused_pid_does_not_keep_a_stale_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = int(Path(f"/proc/{os.getppid()}/stat").read_text().rsplit(")", 1)[1].split()[19])
    _plant(tmp_path, pid=os.getppid(), started=started + 1)  # same pid, another process
    _taken_over(tmp_path, capsys, "belongs to another process")
    _plant(tmp_path, pid=os.getppid(), started=started)  # the very process: it runs
    with pytest.raises(LakeLocked):
        acquire(LocalFiles(), str(tmp_path))


def test_a_lock_with_this_process_s_pid_is_an_earlier_process_s(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _plant(tmp_path, pid=os.getpid())  # a pid handed out again: this command got the killed one's pid
    _taken_over(tmp_path, capsys, "earlier process")


@pytest.mark.skipif(lake_lock._boot_id() is None or lake_lock._machine_id() is None, reason="no boot id or machine id on this system")
def test_a_lock_from_before_a_reboot_is_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _plant(tmp_path, pid=os.getppid(), boot="another-boot")
    _taken_over(tmp_path, capsys, "last started")


def test_another_boot_is_not_a_reboot_without_the_same_machine_id(tmp_path: Path) -> None:
    # Another machine that happens to have the same host name (a cloned container, "localhost"):
    # a boot id alone cannot tell it from this machine before a reboot.
    _plant(tmp_path, pid=os.getppid(), boot="another-boot", machine="another-machine")
    with pytest.raises(LakeLocked):
        acquire(LocalFiles(), str(tmp_path))


def test_the_lock_records_what_tells_this_process_from_a_later_one(tmp_path: Path) -> None:
    acquire(LocalFiles(), str(tmp_path))
    info = json.loads((tmp_path / LOCK_FILE).read_text())
    if Path("/proc/self/stat").exists():
        assert info["started"] == lake_lock._proc_stat(os.getpid())[1]  # type: ignore[index]
    assert lake_lock.gone_because(info) is None  # its own holder runs
    release(LocalFiles(), str(tmp_path))
