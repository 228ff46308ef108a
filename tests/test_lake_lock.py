"""The lake write lock (engines/lake_lock.py) without Spark: a second writer is refused with who
holds it, a lock left by a process that no longer runs is taken over, a holder on another host is
never, the same process may open twice, and release removes only its own lock. Each of these holds
both ways the lock is taken: `flock` on a local folder, and the file alone (HDFS, S3, a file
system without `flock`), which the `way` fixture forces by hiding `fcntl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from botwatch.engines import lake_lock
from botwatch.engines.lake_files import LakeFiles, create_new_local, local_path
from botwatch.engines.lake_lock import LOCK_FILE, LakeLocked, acquire, release


class LocalFiles:
    """`LakeFiles`' lock methods on a local folder: `create_new` is the lake's own local branch."""

    def create_new(self, p: str, text: str) -> bool:
        return create_new_local(p, text)

    def read_text(self, p: str) -> str:
        return Path(p).read_text()

    def exists(self, p: str) -> bool:
        return os.path.exists(p)

    def delete(self, p: str) -> None:
        Path(p).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake_lock, "_HELD", {})


@pytest.fixture(params=["flock", "file"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of taking the lock: "file" is the lock without `flock` (as on HDFS)."""
    if request.param == "file":
        monkeypatch.setattr(lake_lock, "fcntl", None, raising=False)
    return str(request.param)


def _plant(root: Path, **info: object) -> None:
    """A lock file as another command on this machine, in this pid namespace, would leave it
    (without `flock`: as a command whose lock is the file alone, or an older botwatch)."""
    root.mkdir(parents=True, exist_ok=True)
    base = {"user": "someone", "host": lake_lock._host(), "pid": os.getpid(), "token": "theirs", "since": "2026-01-01 00:00:00",
            "command": "botwatch analyze", "boot": lake_lock._boot_id(), "pidns": lake_lock._pid_ns(),
            "machine": lake_lock._machine_id()}
    (root / LOCK_FILE).write_text(json.dumps({**base, **info}))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_second_writer_is_refused_saying_who_holds_it(tmp_path: Path, way: str) -> None:
    _plant(tmp_path, host="node-7", pid=4242, user="alice", boot="another-machine")
    with pytest.raises(LakeLocked) as err:
        acquire(LocalFiles(), str(tmp_path))
    msg = str(err.value)
    assert "alice on node-7 (pid 4242" in msg and "botwatch analyze" in msg and LOCK_FILE in msg
    assert "\n" not in msg  # one line on the terminal
    assert json.loads((tmp_path / LOCK_FILE).read_text())["token"] == "theirs"  # left alone


def test_a_live_holder_on_this_host_is_not_stale(tmp_path: Path, way: str) -> None:
    _plant(tmp_path, pid=os.getppid())  # a process that runs, not this one
    with pytest.raises(LakeLocked):
        acquire(LocalFiles(), str(tmp_path))


def test_a_lock_whose_process_is_gone_is_taken_over(tmp_path: Path, capsys: pytest.CaptureFixture[str], way: str) -> None:
    _plant(tmp_path, pid=_dead_pid())
    acquire(LocalFiles(), str(tmp_path))
    info = json.loads((tmp_path / LOCK_FILE).read_text())
    assert info["pid"] == os.getpid() and info["token"] != "theirs"
    assert "removed a stale lock" in capsys.readouterr().err
    release(LocalFiles(), str(tmp_path))
    assert not (tmp_path / LOCK_FILE).exists()


def test_an_unreadable_lock_is_held_not_broken(tmp_path: Path, way: str) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / LOCK_FILE).write_text("{half")
    with pytest.raises(LakeLocked, match="cannot be read"):
        acquire(LocalFiles(), str(tmp_path))


def test_same_process_reenters_and_the_last_close_releases(tmp_path: Path, way: str) -> None:
    files, root = LocalFiles(), str(tmp_path / "lake")
    acquire(files, root)
    acquire(files, root)
    release(files, root)
    assert (tmp_path / "lake" / LOCK_FILE).exists()
    release(files, root)
    assert not (tmp_path / "lake" / LOCK_FILE).exists()


def test_release_never_removes_a_lock_another_writer_took_over(tmp_path: Path, way: str) -> None:
    files, root = LocalFiles(), str(tmp_path)
    acquire(files, root)
    _plant(tmp_path, token="someone-else")  # e.g. ours was deleted by hand and another writer started
    release(files, root)
    assert json.loads((tmp_path / LOCK_FILE).read_text())["token"] == "someone-else"


def test_the_holder_is_described_without_control_characters(tmp_path: Path) -> None:
    # Anyone who can write the lake's folder can write the lock: its fields reach the terminal.
    _plant(tmp_path, host="node-7", user="eve\x1b[2J", command="botwatch analyze\x1b]0;owned\x07 lake\n")
    with pytest.raises(LakeLocked) as err:
        acquire(LocalFiles(), str(tmp_path))
    msg = str(err.value)
    assert "\x1b" not in msg and "\x07" not in msg and "\n" not in msg
    assert "eve?[2J on node-7" in msg and "botwatch analyze?]0;owned? lake?" in msg


def test_local_paths_are_told_from_remote_ones() -> None:
    assert local_path("file:///data/lake/x") == "/data/lake/x"
    assert local_path("file:/data/lake/x") == "/data/lake/x"
    assert local_path("lake/x") == "lake/x"
    assert local_path("hdfs://nn/lake/x") is None and local_path("s3a://bucket/lake/x") is None


def test_the_lakes_create_new_on_a_local_path_is_exclusive_and_needs_no_spark(tmp_path: Path) -> None:
    # The local branch of the real method: no Hadoop FileSystem is set up (no Spark session).
    files = LakeFiles.__new__(LakeFiles)
    target = tmp_path / "new" / "folder" / LOCK_FILE
    assert files.create_new("file://" + str(target), "first")
    assert target.read_text(encoding="utf-8") == "first"
    assert not files.create_new(str(target), "second")  # exists: refused, the first is kept
    assert target.read_text(encoding="utf-8") == "first"
