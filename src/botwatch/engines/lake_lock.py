"""One writer at a time on a lake: a lock file in the lake's folder.

Why: a DuckDB study is one file that DuckDB itself locks; a lake is a folder of Parquet tables
that any process can write. Two `analyze` runs on one lake would replace each other's table
folders half-way (a table is written in scratch and then moved into place), and the study would
hold a mix of both. So a lake opened for writing takes `_botwatch.lock`, a small JSON file
saying who holds it (user, host, pid, when, a token), and gives it back when closed. Readers
(`status`, `report`, `export`) take no lock.

* Taking it is one atomic "create if absent" (`O_EXCL` on a local folder, Hadoop's
  `create(overwrite=false)` on HDFS). On S3 that check and the write are two requests, so two
  writers starting in the same instant could both pass: there the lock guards against the common
  case (a second command started later), not a race.
* A lock whose holder is gone is stale and is taken over, with one line on stderr. On the same
  host the holder is gone when its pid no longer runs, and also where a pid alone would say it
  still runs: the pid is a zombie (killed, not yet reaped by its parent), the machine has booted
  since (`boot` in the lock differs), the pid now belongs to a process started at another time
  (`started`, from /proc: a pid reused, as in a container restarted after a kill, where the next
  command often gets the very pid the killed one had, even this process's own). A holder on
  another host cannot be checked from here: the message says who holds it, since when, and to
  delete the file once sure nothing writes.
* The same process may open a lake for writing again (the ingest command and the stage runner
  both open it): the lock counts its holders and is removed when the last closes.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import uuid
from datetime import datetime, timezone
from typing import Any, Protocol

from botwatch.study import StudyError

LOCK_FILE = "_botwatch.lock"

# Locks this process holds: lake root -> [token, holders].
_HELD: dict[str, list[Any]] = {}


class LakeLocked(StudyError):
    """Another writer holds the lake; the message says who and what to do."""


class LockFiles(Protocol):
    """What the lock needs of a lake's file system (`lake_files.LakeFiles` provides it)."""

    def create_new(self, p: str, text: str) -> bool: ...
    def read_text(self, p: str) -> str: ...
    def exists(self, p: str) -> bool: ...
    def delete(self, p: str) -> None: ...


def _host() -> str:
    return socket.gethostname()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in a container: the lock still works
        return "unknown"


def _pid_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # runs, as another user
        return True
    except OSError:
        return True
    return True


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and start time (clock ticks after boot) from /proc/PID/stat;
    None where there is no /proc (macOS) or no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        # The command name (field 2) is in parentheses and may hold spaces and ')': cut at the last ')'.
        rest = data[data.rindex(b")") + 2:].split()
        return rest[0].decode(), int(rest[19])  # fields 3 (state) and 22 (starttime)
    except (OSError, ValueError, IndexError):
        return None


def _boot_id() -> str | None:
    """This boot of the machine (Linux); None elsewhere."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


def _identity() -> dict[str, Any]:
    """What tells this process from a later one given the same pid (recorded in the lock)."""
    stat = _proc_stat(os.getpid())
    return {"started": stat[1] if stat else None, "boot": _boot_id()}


def gone_because(info: dict[str, Any]) -> str | None:
    """Why the holder of a lock written on this host no longer runs, in words; None when it may
    still run (or was written on another host, which cannot be checked from here)."""
    pid = info.get("pid")
    if info.get("host") != _host() or not isinstance(pid, int) or isinstance(pid, bool):
        return None
    boot = _boot_id()
    if boot and info.get("boot") and info["boot"] != boot:
        return "before this machine last started"
    if pid == os.getpid():
        if any(info.get("token") == held[0] for held in _HELD.values()):
            return None  # ours
        return "with this command's own pid, so by an earlier process (a restarted container)"
    if not _pid_runs(pid):
        return "which no longer runs"
    stat = _proc_stat(pid)
    if stat is None:
        return None
    state, started = stat
    if state in ("Z", "X"):
        return "which was killed (its pid is a zombie, not reaped yet)"
    if isinstance(info.get("started"), int) and info["started"] != started:
        return "which no longer runs (its pid now belongs to another process)"
    return None


def _read(files: LockFiles, path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(files.read_text(path))
    except Exception:  # noqa: BLE001 - a half-written or foreign file: treated as held, said so
        return None
    return data if isinstance(data, dict) else None


def _shown(value: Any, limit: int = 300) -> str:
    """A lock-file field as it may reach a terminal: anyone who can write to the lake's folder can
    write the lock file, so control characters (an escape sequence that rewrites the screen) are
    shown as `?` and the field is cut to `limit` characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value)[:limit])


def describe(info: dict[str, Any] | None) -> str:
    """Who holds the lock, in words, from the lock file's fields (printed on the terminal)."""
    if info is None:
        return "a writer whose lock file cannot be read"
    user, host, pid, since, command = (_shown(info.get(k, "?")) for k in ("user", "host", "pid", "since", "command"))
    return f"{user} on {host} (pid {pid}, since {since} UTC, `{command}`)"


def acquire(files: LockFiles, root: str, *, command: str | None = None) -> None:
    """Take the lake's write lock or raise `LakeLocked` saying who holds it."""
    held = _HELD.get(root)
    if held is not None:
        held[1] += 1
        return
    path = f"{root}/{LOCK_FILE}"
    token = uuid.uuid4().hex
    info = {"user": _user(), "host": _host(), "pid": os.getpid(), "token": token, **_identity(),
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            "command": command or " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:300]}
    text = json.dumps(info)
    for _ in range(2):  # a second try after removing a stale lock
        if files.create_new(path, text):
            _HELD[root] = [token, 1]
            return
        other = _read(files, path)
        if other is None and not files.exists(path):
            continue  # released between our two looks
        why = gone_because(other) if other is not None else None
        if why is not None:
            # Its holder is gone (killed, crashed): take it over, unless another did just now.
            if _read(files, path) == other:
                files.delete(path)
                print(f"botwatch: removed a stale lock on {root} left by {describe(other)}, {why}", file=sys.stderr)
            continue
        raise LakeLocked(
            f"{root} is being written by {describe(other)}: two writers would corrupt it. Wait for that command to end; "
            f"if nothing writes to this lake any more, delete {path} and run again"
        )
    raise LakeLocked(f"could not take the write lock {path}: another writer took it first; run again once it is done")


def release(files: LockFiles, root: str) -> None:
    """Give the lock back (the file goes when this process's last writer closes)."""
    held = _HELD.get(root)
    if held is None:
        return
    held[1] -= 1
    if held[1] > 0:
        return
    del _HELD[root]
    path = f"{root}/{LOCK_FILE}"
    info = _read(files, path)
    if info is not None and info.get("token") == held[0]:  # never remove a lock another writer took over
        files.delete(path)
