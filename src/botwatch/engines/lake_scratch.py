"""Each command's scratch folder in a lake (`_scratch/<id>/`), who owns it, and removing those
left by commands that ended without removing theirs.

Why: a command writes temp tables and each new table version in `_scratch/<id>/` and removes the
folder when it closes the lake. A command killed, out of memory or cut off before closing left its
folder, with whatever it had written (an ingest's staged posts: as large as its inputs), for good.
Other commands may be using their own folders at the same time (readers take no lock), so a folder
is removed only when its owner is known to have ended:

* the folder names its owner in `_scratch/<id>/_owner.json`, written before anything else goes
  there: host, pid, the process's start time and boot id and pid namespace (as the write lock
  records them, `lake_lock`), and when it began;
* written on this host, this boot and this pid namespace: removed when that pid no longer runs,
  is a zombie, or belongs to a process started at another time; never while it runs (this
  process's own other folders included);
* written on this machine before its last boot (same host name and machine id): removed;
* written anywhere else (another host, another container), or with no readable owner (an older
  botwatch, or a command cut off between making the folder and writing the file): removed only
  when older than `MAX_AGE_S` (7 days: from the owner's start, or the folder's last change when
  there is no owner), since whether its command still runs cannot be told from here. A command
  running longer than that on another host could lose its scratch; none is known to.

Every command that opens a lake (reading or writing) removes what is stale (`clean`); a reader
that cannot write the lake's folder leaves it to the next writer.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any, Protocol

from botwatch.engines import lake_lock

OWNER_FILE = "_owner.json"
MAX_AGE_S = 7 * 24 * 3600


class ScratchFiles(Protocol):
    """What scratch cleaning needs of the lake's file system (`lake_files.LakeFiles` provides it)."""

    def exists(self, p: str) -> bool: ...
    def dirs(self, p: str) -> list[str]: ...
    def read_text(self, p: str) -> str: ...
    def write_text(self, p: str, text: str) -> None: ...
    def delete(self, p: str) -> None: ...
    def remove_if_empty(self, p: str) -> None: ...
    def mtime(self, p: str) -> float | None: ...


def owner() -> dict[str, Any]:
    """This process, as recorded in its scratch folder."""
    return {"host": lake_lock._host(), "pid": os.getpid(), **lake_lock._identity(), "since_epoch": time.time(),
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}


def claim(files: ScratchFiles, folder: str) -> None:
    """Write this process's owner record in `folder` (made by the write), before it holds anything."""
    files.write_text(f"{folder}/{OWNER_FILE}", json.dumps(owner()))


def _mine(info: dict[str, Any]) -> bool:
    """Whether the record names this very process (another lake opened by this command)."""
    if info.get("pid") != os.getpid() or info.get("host") != lake_lock._host() or not lake_lock._same_kernel(info):
        return False
    ns = lake_lock._pid_ns()
    if ns is not None and info.get("pidns") != ns:
        return False
    stat = lake_lock._proc_stat(os.getpid())
    return stat is None or info.get("started") in (None, stat[1])


def stale_because(info: dict[str, Any] | None, age_s: float | None) -> str | None:
    """Why a scratch folder's owner has certainly ended, in words; None when it may still run.
    `info` is its owner record (None: none readable); `age_s` how old the record or, without one,
    the folder is (None: unknown)."""
    if info is not None:
        if _mine(info):
            return None
        if lake_lock._rebooted(info):
            return "its command ran before this machine last started"
        gone = lake_lock.gone_because(info)  # this host, kernel and pid namespace only
        if gone is not None:
            return f"its command (pid {info.get('pid')}) no longer runs"
        if info.get("host") == lake_lock._host() and lake_lock._same_kernel(info) and info.get("pidns") == lake_lock._pid_ns():
            return None  # its pid runs here: never removed by age
    if age_s is not None and age_s > MAX_AGE_S:
        return f"untouched for {age_s / 86400:.0f} days, its command on {'another host' if info else 'an unknown host'}"
    return None


def _age(files: ScratchFiles, folder: str, info: dict[str, Any] | None, now: float) -> float | None:
    since = info.get("since_epoch") if info else None
    if isinstance(since, (int, float)) and not isinstance(since, bool):
        return now - float(since)
    stamp = files.mtime(folder)
    return None if stamp is None else now - stamp


def _read(files: ScratchFiles, folder: str) -> dict[str, Any] | None:
    try:
        data = json.loads(files.read_text(f"{folder}/{OWNER_FILE}"))
    except Exception:  # noqa: BLE001 - absent, half-written, unreadable: judged by age
        return None
    return data if isinstance(data, dict) else None


def clean(files: ScratchFiles, scratch: str, *, keep: str | None = None) -> list[str]:
    """Remove every folder in `scratch` (a lake's `_scratch`) whose owner has ended
    (`stale_because`), but never `keep` (this lake's own); one line on stderr for each. Returns
    the removed folders' names."""
    removed = []
    now = time.time()
    for name in files.dirs(scratch):
        folder = f"{scratch}/{name}"
        if folder == keep:
            continue
        info = _read(files, folder)
        why = stale_because(info, _age(files, folder, info, now))
        if why is None:
            continue
        files.delete(folder)
        removed.append(name)
        print(f"botwatch: removed {folder}, scratch left by an interrupted command: {why}", file=sys.stderr)
    if removed:
        files.remove_if_empty(scratch)
    return removed
