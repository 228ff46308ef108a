"""One writer at a time on a lake: a lock file in the lake's folder.

Why: a DuckDB study is one file that DuckDB itself locks; a lake is a folder of Parquet tables
that any process can write. Two `analyze` runs on one lake would replace each other's table
folders half-way (a table is written in scratch and then moved into place), and the study would
hold a mix of both. So a lake opened for writing takes `_botwatch.lock`, a small JSON file
saying who holds it (user, host, pid, when, the command, a token), and gives it back when closed.
Readers (`status`, `report`, `export`) take no lock. The lock is advisory: it keeps botwatch
commands apart, not other programs that write into the folder.

How it is taken, and what that guarantees:

* **A local folder** (a plain path or `file:` URL, also an NFS or SMB mount): the file is created
  with `O_CREAT | O_EXCL` and held with `flock` for the whole command. The kernel gives a `flock`
  back when its process ends, however it ends (`kill -9`, out of memory, a container stopped),
  so whether the holder still runs is asked of the kernel, not guessed from a pid: a live holder
  on this kernel is never taken over, also from another container that shares the host name
  but not the pid namespace (where the holder's pid means nothing). A lock whose `flock` is free
  and that was written on this same kernel (same boot id: any container on this machine) was
  left by a command that ended; it is taken over, with one line on stderr. Taking over is: hold
  the old file's `flock`, remove the file, create a new one with `O_EXCL`, and after every
  `flock` check that the file held is still the one at the path; so of any number of commands
  taking over one stale lock at once, exactly one ends up holding it. Giving back removes the
  file while still holding its `flock`.
  On NFS, Linux sends `flock` to the server (NLM or NFSv4 locks) unless the mount says `nolock`
  or `local_lock`, so another host's live holder is refused by its `flock` as well. A lock
  written on another host (or by an older botwatch, without `flock`) whose `flock` is free here
  is judged as below, by its pid: from another host that means it is refused, saying who holds
  it and to delete the file once sure nothing writes (a dead holder cannot be told from a mount
  that keeps locks local).
* **HDFS, S3 and a local file system that refuses `flock`**: the lock is the file alone,
  created with "create if absent" (`O_EXCL` locally, Hadoop's `create(overwrite=false)`, atomic
  on HDFS; on S3 that check and the write are two requests, so two writers starting in the same
  instant could both pass: there the lock guards against the common case, a second command
  started later, not a race). Such a lock is stale only where its pid can be checked: written on
  this kernel (boot id) and host in this pid namespace, and the pid no longer runs, is a zombie
  (killed, not reaped), or now belongs to a process started at another time (`started`, from
  /proc). Taking it over first creates `_botwatch.lock.takeover-<digest of the stale lock>`
  with "create if absent": only the one command that creates it reads the lock again and removes
  it, so two commands never both take one stale lock over.
* Both ways, a lock written on this machine before its last boot (same host name and
  /etc/machine-id, another boot id) is stale. A holder that cannot be checked (another host,
  another pid namespace without `flock`, an unreadable lock file) is never taken over.
* The same process may open a lake for writing again (the ingest command and the stage runner
  both open it): the lock counts its holders and is given back when the last closes. A child
  made by `fork` does not inherit the lock.
* A folder where the lock cannot be written (a read-only file system, no permission) is one
  error line (`LockError`) saying so, before anything is written.
* A lock written by an older botwatch (no `flock` and no `pidns` field: it held no `flock` and
  recorded no pid namespace, the oldest not even a boot id) left by a killed command used to stay
  until deleted by hand, since its pid could not be judged. It is taken over where its holder is
  provably dead: written on this host and kernel (boot id), and this process, in the kernel's first
  pid namespace, sees every process on it and finds none whose own pid (in its own namespace,
  /proc/PID/status `NSpid`) is the lock's, or only ones started at another time. Elsewhere the
  refusal says it is an older botwatch's lock and how to check its holder before deleting it.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import json
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from botwatch.processes import pid_runs
from botwatch.study import StudyError
from botwatch.userfile import os_error_said

try:
    import fcntl
except ImportError:  # Windows: the lock is the file alone
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "_botwatch.lock"
TAKEOVER = ".takeover-"  # `_botwatch.lock.takeover-<digest>`: who is taking a stale lock over

# Errors from `flock` that mean "this file system does not lock", not "someone holds it".
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.ENOSYS}


@dataclass
class _Held:
    """A lock this process holds: its token (which lock file is ours), how many of this process's
    writers share it (`acquire` again in one process only counts), and the `flock` descriptor."""

    token: str
    count: int
    fd: int | None  # the descriptor whose `flock` is the lock; None where the lock is the file alone


# Locks this process holds, by lake root.
_HELD: dict[str, _Held] = {}


class LockError(StudyError):
    """The lake's write lock cannot be taken; the message (one line) says why and what to do."""


class LakeLocked(LockError):
    """Another writer holds the lake; the message says who and what to do."""


class LockFiles(Protocol):
    """What the lock needs of a lake's file system (`lake_files.LakeFiles` provides it)."""

    def create_new(self, p: str, text: str) -> bool:
        """Create `p` holding `text` only if absent (atomically where the store can); True if created."""
        ...

    def read_text(self, p: str) -> str:
        """The text of `p` (raises where it is gone or unreadable)."""
        ...

    def exists(self, p: str) -> bool:
        """Whether `p` exists."""
        ...

    def delete(self, p: str) -> None:
        """Remove `p` (no error where it is already gone)."""
        ...


# -- who runs where ---------------------------------------------------------------------------

def _host() -> str:
    """This machine's host name, as recorded in a lock and compared with a lock's."""
    return socket.gethostname()


def _user() -> str:
    """Who runs this command, for the refusal a second writer reads ("alice on node-7")."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in a container: the lock still works
        return "unknown"


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
    """This boot of this kernel (Linux; shared by every container on it); None elsewhere."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


def _pid_ns() -> str | None:
    """This process's pid namespace (`pid:[4026531836]`): two containers on one kernel see each
    other's pids only when it is the same. None without /proc."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _identity() -> dict[str, Any]:
    """What tells this process from a later one given the same pid, and from one in another
    container (recorded in the lock)."""
    stat = _proc_stat(os.getpid())
    return {"started": stat[1] if stat else None, "boot": _boot_id(), "pidns": _pid_ns(), "machine": _machine_id()}


def _same_kernel(info: dict[str, Any]) -> bool:
    """Whether the lock was written on the kernel this process runs on (its boot id; without /proc,
    the same host name and no boot id either)."""
    boot = _boot_id()
    if boot is not None:
        return info.get("boot") == boot
    return info.get("boot") is None and info.get("host") == _host()


def _machine_id() -> str | None:
    """This installation of the operating system (systemd's /etc/machine-id: the same across
    reboots; absent in most containers); None where there is none."""
    try:
        with open("/etc/machine-id", encoding="ascii") as f:
            return f.read().strip() or None
    except (OSError, ValueError):
        return None


def _rebooted(info: dict[str, Any]) -> bool:
    """Whether the lock was written on this very machine before its last boot: the same host name
    and machine id, another boot id. (A boot id alone cannot tell a reboot from another machine.)"""
    boot, machine = _boot_id(), _machine_id()
    return (boot is not None and machine is not None and info.get("host") == _host()
            and info.get("machine") == machine and info.get("boot") not in (None, boot))


def gone_because(info: dict[str, Any]) -> str | None:
    """Why the holder of a lock no longer runs, judged from its pid, in words; None when it may
    still run or its pid cannot be checked from here: written on another kernel (another host, or
    this one before a reboot), or in another pid namespace (another container: the same pid
    number there is another process)."""
    pid = info.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or not _same_kernel(info) or info.get("host") != _host():
        return None
    ns = _pid_ns()
    if ns is not None and info.get("pidns") != ns:
        return None
    if pid == os.getpid():
        if any(info.get("token") == held.token for held in _HELD.values()):
            return None  # ours
        return "with this command's own pid, so by an earlier process"
    if not pid_runs(pid):
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


# The kernel's first pid namespace has this fixed inode (PROC_PID_INIT_INO): a process in it sees
# every process of the kernel, in every container.
_INIT_PID_NS = "pid:[4026531836]"


def _older_version(info: dict[str, Any]) -> bool:
    """Whether a lock was written by a botwatch older than the `flock` lock: it records neither
    `flock` nor `pidns` (every lock written since records both)."""
    return "flock" not in info and "pidns" not in info


def _own_pid(status: str) -> int | None:
    """A process's pid in its own (innermost) pid namespace, from the text of /proc/PID/status."""
    for line in status.splitlines():
        if line.startswith("NSpid:"):
            fields = line.split()[1:]
            return int(fields[-1]) if fields else None
    return None


def _starts_of(pid: int) -> list[int] | None:
    """The start times of the live (not zombie) processes of this kernel whose own pid, in
    whichever pid namespace they run, is `pid`; None where that cannot be seen from here (no /proc,
    or this process is not in the first pid namespace and so sees only part of the kernel)."""
    if _pid_ns() != _INIT_PID_NS:
        return None
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    starts = []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="utf-8", errors="replace") as f:
                own = _own_pid(f.read())
        except OSError:
            continue  # ended meanwhile
        if own != pid:
            continue
        stat = _proc_stat(int(name))
        if stat is not None and stat[0] not in ("Z", "X"):
            starts.append(stat[1])
    return starts


def _older_version_gone(info: dict[str, Any]) -> str | None:
    """Why an older botwatch's lock (`_older_version`) is provably stale, in words; None when it
    cannot be proved from here. Those locks name no pid namespace, so the pid is looked for in
    every namespace of this kernel, which only a process in the first one can see."""
    pid = info.get("pid")
    if not _older_version(info) or not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return None
    boot = _boot_id()
    if boot is None or info.get("boot") != boot or info.get("host") != _host():
        return None  # the oldest version wrote no boot id: another machine of the same name is possible
    starts = _starts_of(pid)
    if starts is None:
        return None
    if not starts:
        return f"an older botwatch whose pid {pid} runs nowhere on this machine"
    if isinstance(info.get("started"), int) and info["started"] not in starts:
        return f"an older botwatch whose pid {pid} now belongs to another process"
    return None


def _stale_because(info: dict[str, Any], *, flock_free: bool) -> str | None:
    """Why a lock whose holder is not this process is stale; None when it may be held.

    `flock_free`: this process holds the lock file's `flock`. A lock that says its writer held
    that `flock` on this kernel (any container on it) is then certainly left behind: the kernel
    gives a `flock` back only when its holder closes the file or ends."""
    if flock_free and info.get("flock") is True and _same_kernel(info):
        return gone_because(info) or "whose flock is free: its command ended without giving it back"
    if _rebooted(info):
        return "before this machine last started"
    return gone_because(info) or _older_version_gone(info)


# -- the lock file's text ---------------------------------------------------------------------

def _parse(text: str) -> dict[str, Any] | None:
    """A lock file's fields; None for text that is not a JSON object (half-written, or not ours)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read(files: LockFiles, path: str) -> dict[str, Any] | None:
    """The fields of the lock at `path` through the lake's file system; None where it cannot be read."""
    try:
        return _parse(files.read_text(path))
    except Exception:  # noqa: BLE001 - gone, half-written or a foreign file: treated as held, said so
        return None


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


def _busy(root: str, path: str, other: dict[str, Any] | None) -> LakeLocked:
    """The refusal: who holds the lake and what to do; for an older botwatch's lock, that this
    version cannot tell whether its holder runs, and how to check before deleting it."""
    if other is not None and _older_version(other):
        return LakeLocked(
            f"{root} holds a lock written by an older botwatch, by {describe(other)}, which records too little for this "
            f"version to tell from here whether that command still runs. If it has ended (`ps -p {_shown(other.get('pid', '?'))}` "
            f"on {_shown(other.get('host', '?'))} shows nothing), delete {path} and run again"
        )
    return LakeLocked(
        f"{root} is being written by {describe(other)}: two writers would corrupt it. Wait for that command to end; "
        f"if nothing writes to this lake any more, delete {path} and run again"
    )


def _cannot(path: str, exc: BaseException) -> LockError:
    """The one-line error for a folder that cannot hold the lock (read-only, no permission, full)."""
    from botwatch.engines.lake_files import first_line

    why = os_error_said(exc) if isinstance(exc, OSError) else first_line(exc)  # first_line: a JVM error's own line
    return LockError(
        f"cannot take the write lock {path}: {why}. Writing a lake needs a folder this user can write "
        "(status, report and export read it without the lock)"
    )


def _removed(root: str, other: dict[str, Any], why: str) -> None:
    """One line on stderr: a stale lock was removed (the command that removed it may still lose
    the race for the new one to another command)."""
    print(f"botwatch: removed a stale lock on {root} left by {describe(other)}, {why}", file=sys.stderr)


# -- taking and giving back -------------------------------------------------------------------

def acquire(files: LockFiles, root: str, *, command: str | None = None) -> None:
    """Take the lake's write lock or raise `LakeLocked` saying who holds it (`LockError` where the
    folder cannot hold a lock)."""
    held = _HELD.get(root)
    if held is not None:
        held.count += 1
        return
    from botwatch.engines.lake_files import local_path

    path = f"{root}/{LOCK_FILE}"
    token = uuid.uuid4().hex

    def text(flocked: bool) -> str:
        """This command's lock file, saying whether it is held with `flock` (later commands judge it by that)."""
        return json.dumps({
            "user": _user(), "host": _host(), "pid": os.getpid(), "token": token, **_identity(), "flock": flocked,
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            "command": command or " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:300],
        })

    local = local_path(path)
    if local is not None and fcntl is not None:
        try:
            fd = _acquire_flock(root, local, text(True))
        except _FlockUnsupported:
            pass
        else:
            _HELD[root] = _Held(token, 1, fd)
            return
    _acquire_file(files, root, path, text(False))
    _HELD[root] = _Held(token, 1, None)


class _FlockUnsupported(Exception):
    """The lake's file system does not lock files: the lock is the file alone."""


def _same_file(fd: int, path: str) -> bool:
    """Whether `fd` is still the file at `path` (not removed or replaced since it was opened)."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _open_existing(path: str) -> tuple[int, bool]:
    """An existing lock file, for writing where this user may (NFS locks only such a file), else
    for reading (`flock` needs no write access on a local disk: another user's lock is checked too)."""
    try:
        return os.open(path, os.O_RDWR), True
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
    return os.open(path, os.O_RDONLY), False


def _read_fd(fd: int) -> str:
    """The text of an open lock file, read from its start without moving the descriptor's offset
    (at most about 1 MiB: a bigger file is not a lock, and is not read whole)."""
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 65536, offset):
        chunks.append(chunk)
        offset += len(chunk)
        if offset > 1 << 20:  # a lock is a few hundred bytes; a huge file is someone else's
            break
    return b"".join(chunks).decode("utf-8", errors="replace")


def _acquire_flock(root: str, path: str, text: str) -> int:
    """The lock on a local folder: an `O_EXCL` file held by `flock` (see the module docstring);
    the descriptor to keep open while the lake is written."""
    assert fcntl is not None
    folder = os.path.dirname(path) or "."
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise _cannot(path, exc) from None
    other: dict[str, Any] | None = None
    for attempt in range(40):
        created, writable = True, True
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # less the umask
        except FileExistsError:
            created = False
            try:
                fd, writable = _open_existing(path)
            except FileNotFoundError:
                continue  # given back between our two looks
            except OSError as exc:
                raise _cannot(path, exc) from None
        except OSError as exc:  # read-only file system, no permission
            raise _cannot(path, exc) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                other = _parse(_read_fd(fd))
                if other is None or not _same_file(fd, path):
                    # Its holder has just created it and not written it yet, or is replacing it.
                    time.sleep(min(0.005 * (attempt + 1), 0.1))
                    continue
                raise _busy(root, path, other) from None
            except OSError as exc:
                if exc.errno == errno.EBADF and not writable:
                    # NFS locks only a file opened for writing, and this user may not write it:
                    # whether its holder runs cannot be told, so it is held.
                    raise _busy(root, path, _parse(_read_fd(fd))) from None
                if exc.errno not in _NO_FLOCK:
                    raise _cannot(path, exc) from None
                if created:
                    os.unlink(path)
                raise _FlockUnsupported() from None
            # This process holds the file's flock now.
            if not _same_file(fd, path):
                continue  # removed while we waited (given back or taken over): try the new one
            if created:
                try:
                    os.write(fd, text.encode("utf-8"))
                except OSError as exc:  # a full disk, a quota
                    os.unlink(path)
                    raise _cannot(path, exc) from None
                try:
                    os.fsync(fd)  # on NFS: seen by other hosts before anything is written to the lake
                except OSError:
                    pass  # a file system without fsync: the text is written all the same
                kept, fd = fd, -1
                return kept
            content = _read_fd(fd)
            other = _parse(content)
            if other is None and content.strip():
                raise LakeLocked(
                    f"{root} has a lock file that cannot be read ({path}): if nothing writes to this lake, delete it and run again"
                )
            if other is not None:
                why = _stale_because(other, flock_free=True)
                if why is None:
                    raise _busy(root, path, other)
                _removed(root, other, why)
            # Stale (or empty: its writer stopped between creating and writing it). Removed while
            # we hold its flock, so no other contender removes the next one by mistake; the next
            # round creates ours with O_EXCL.
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise _cannot(path, exc) from None
        finally:
            if fd >= 0:
                os.close(fd)
    raise _busy(root, path, other)


def _acquire_file(files: LockFiles, root: str, path: str, text: str) -> None:
    """The lock where there is no `flock` (HDFS, S3, a file system that refuses it): the file
    alone, created if absent (see the module docstring)."""
    try:
        for _ in range(3):  # again after taking over a stale lock, or when it was given back meanwhile
            if files.create_new(path, text):
                return
            other = _read(files, path)
            if other is None:
                if not files.exists(path):
                    continue
                raise LakeLocked(
                    f"{root} has a lock file that cannot be read ({path}): if nothing writes to this lake, delete it and run again"
                )
            why = _stale_because(other, flock_free=False)
            if why is None:
                raise _busy(root, path, other)
            # Only the command that creates this file takes the stale lock over.
            digest = hashlib.sha256(json.dumps(other, sort_keys=True).encode()).hexdigest()[:16]
            marker = f"{path}{TAKEOVER}{digest}"
            if not files.create_new(marker, text):
                raise LakeLocked(
                    f"{root}: another command is taking over the stale lock left by {describe(other)}; run again in a moment "
                    f"(if this message stays, nothing is taking it over: delete {marker} and {path})"
                )
            try:
                if _read(files, path) == other:  # still the lock judged stale, not a new holder's
                    files.delete(path)
                    _removed(root, other, why)
            finally:
                files.delete(marker)
    except LockError:
        raise
    except Exception as exc:  # noqa: BLE001 - Py4J / Hadoop errors: a read-only bucket, no permission
        raise _cannot(path, exc) from None
    raise LakeLocked(f"could not take the write lock {path}: other writers took it first; run again once they are done")


def release(files: LockFiles, root: str) -> None:
    """Give the lock back (the file goes when this process's last writer closes)."""
    held = _HELD.get(root)
    if held is None:
        return
    held.count -= 1
    if held.count > 0:
        return
    del _HELD[root]
    path = f"{root}/{LOCK_FILE}"
    if held.fd is not None:
        from botwatch.engines.lake_files import local_path

        local = local_path(path) or path
        try:
            # Removed while its flock is held: a contender that opened it meanwhile sees it gone.
            if _same_file(held.fd, local) and (_parse(_read_fd(held.fd)) or {}).get("token") == held.token:
                os.unlink(local)
        except OSError:
            pass  # left behind, its flock free: the next writer takes it over
        finally:
            os.close(held.fd)
        return
    info = _read(files, path)
    if info is not None and info.get("token") == held.token:  # never remove a lock another writer took over
        files.delete(path)


def _forget_in_child() -> None:
    """A child made by `fork` shares its parent's open files: it closes its copies (the parent's
    `flock` stays with the parent) and holds no lock, so its exit or `release` never ends the
    parent's."""
    for held in _HELD.values():
        if held.fd is not None:
            try:
                os.close(held.fd)
            except OSError:
                pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
