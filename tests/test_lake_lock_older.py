"""A lake lock left by a killed command of an older botwatch (no `flock`, no pid namespace, the
oldest without a boot id) had to be deleted by hand: its pid could not be judged, so every later
command was refused as if it were held. It is now taken over where its holder is provably dead
(this host and kernel, and no process of the kernel has its pid), and otherwise the refusal says
it is an older botwatch's lock and how to check before deleting it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from botwatch.engines import lake_lock
from botwatch.engines.lake_lock import LOCK_FILE, LakeLocked, acquire, release
from test_lake_lock import LocalFiles, _dead_pid, way  # noqa: F401 - `way` is a fixture

sees_every_process = pytest.mark.skipif(
    lake_lock._pid_ns() != lake_lock._INIT_PID_NS or lake_lock._boot_id() is None,
    reason="proving a pid dead everywhere needs the kernel's first pid namespace and a boot id",
)


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake_lock, "_HELD", {})


def _plant_older(root: Path, *, oldest: bool = False, **info: object) -> None:
    """A lock as the botwatch of before the `flock` lock wrote it (`oldest`: before the boot id too)."""
    root.mkdir(parents=True, exist_ok=True)
    base: dict[str, object] = {"user": "someone", "host": lake_lock._host(), "pid": os.getpid(), "token": "theirs",
                               "since": "2026-01-01 00:00:00", "command": "botwatch analyze lake/"}
    if not oldest:
        base |= {"started": None, "boot": lake_lock._boot_id()}
    (root / LOCK_FILE).write_text(json.dumps({**base, **info}))


def _taken_over(root: Path, capsys: pytest.CaptureFixture[str], why: str) -> None:
    acquire(LocalFiles(), str(root))
    assert json.loads((root / LOCK_FILE).read_text())["pid"] == os.getpid()
    err = capsys.readouterr().err
    assert "removed a stale lock" in err and why in err
    release(LocalFiles(), str(root))


def _start_time(pid: int) -> int:
    stat = lake_lock._proc_stat(pid)
    assert stat is not None
    return stat[1]


@sees_every_process
def test_an_older_version_s_lock_whose_pid_runs_nowhere_is_taken_over(tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]) -> None:
    _plant_older(tmp_path, pid=_dead_pid())
    _taken_over(tmp_path, capsys, "runs nowhere on this machine")


@sees_every_process
def test_an_older_version_s_lock_whose_pid_was_reused_is_taken_over(tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]) -> None:
    parent = os.getppid()
    _plant_older(tmp_path, pid=parent, started=_start_time(parent) + 1)
    _taken_over(tmp_path, capsys, "now belongs to another process")


@sees_every_process
def test_an_older_version_s_live_holder_is_refused_with_what_to_check(tmp_path: Path, way: str) -> None:
    parent = os.getppid()
    _plant_older(tmp_path, pid=parent, started=_start_time(parent))
    with pytest.raises(LakeLocked) as err:
        acquire(LocalFiles(), str(tmp_path))
    msg = str(err.value)
    assert "older botwatch" in msg and f"ps -p {parent}" in msg and LOCK_FILE in msg and "\n" not in msg


def test_what_cannot_be_proved_is_refused_saying_it_is_an_older_version_s(tmp_path: Path, way: str) -> None:
    # The oldest locks name no boot id: a machine of the same host name may have written it.
    _plant_older(tmp_path, oldest=True, pid=_dead_pid())
    with pytest.raises(LakeLocked, match="older botwatch.*delete"):
        acquire(LocalFiles(), str(tmp_path))
    # Another kernel (or host): its pid means nothing here.
    _plant_older(tmp_path, pid=_dead_pid(), boot="another-boot")
    with pytest.raises(LakeLocked, match="older botwatch"):
        acquire(LocalFiles(), str(tmp_path))


def test_a_process_in_a_container_is_found_by_its_own_pid() -> None:
    """A process in a child pid namespace is listed under its host pid; its own pid is the last
    `NSpid` field, which is what an older botwatch running in that container wrote."""
    assert lake_lock._own_pid("Name:\tpython\nNSpid:\t25015\t7\n") == 7
    assert lake_lock._own_pid("NSpid:\t25015\n") == 25015
    assert lake_lock._own_pid("Name:\tx\n") is None
