"""The capture folder's own records, under its hidden `.botwatch/` folder.

- `capture.json` (the manifest): the sampling rate every file in the folder was taken at, and one
  entry per collector run (platform, endpoint, filter, counts). `botwatch ingest` copies it into
  the study, which is how `analyze` and `estimate` know the rate without being told again. One
  folder holds one rate: mixing rates in one folder would make any scale-up wrong.
- `<stream>.state.json`: the cursor a restart resumes from. It is written (atomically, by rename)
  only after the lines it covers have been synced to disk, so it may lag the files but never lead.
- `<stream>.lock`: held with flock while a collector runs, so two cannot write one stream.
- `malformed-<stream>.jsonl`: frames that could not be used, one JSON line each, with the reason.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botwatch.processes import pid_runs
from botwatch.shown_text import name_shown

META = ".botwatch"
MANIFEST = "capture.json"
TEMP_SUFFIX = ".tmp"  # `write_text_atomic`'s files: `.<name>.<pid>.tmp`


class FolderError(RuntimeError):
    """The folder cannot take this capture; the message says why and what to do."""


class UnreadableFile(FolderError):
    """A record in `.botwatch/` that cannot be read or parsed. `path` and `reason` are kept apart
    from the message so a caller that can go on without the file (the close's record of a run)
    says it in its own words rather than "move it aside"."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{name_shown(path)} is unreadable ({reason}); move it aside to start this stream afresh")
        self.path, self.reason = path, reason


class ManifestGone(FolderError):
    """The manifest was there when the run began and is gone now (moved or deleted during the run).
    Apart from `UnreadableFile`: there is nothing to fix in a file, only one to put back."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{name_shown(path)} was removed during this run")
        self.path = path


def utc_time(text: Any) -> datetime | None:
    """A time a manifest or state file records (ISO 8601, "Z" or an offset; none read as UTC), or
    None where it is absent or unreadable: one reading for the run records, the search's saved
    window and positions (`study_link`, `collect.x`)."""
    try:
        t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def meta_dir(folder: Path) -> Path:
    return Path(folder) / META


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON so a reader (or a crash) sees the old or the new, never half."""
    write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True, default=str))


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` by a rename, through `.<name>.<pid>.tmp` beside it.

    A write the disk refuses partway (full, read-only) removes its temporary file before the error
    goes on: left, each refused save (a cursor about once a second) kept a half-written file in
    `.botwatch/` that nothing read or removed. One a killed process left is removed at the next
    start (`remove_dead_temps`)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: Path) -> None:
    """Remove `path` if it is there; a refusal is ignored, as the error that led here is the one to say."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


# A temporary file untouched this long is no write in progress: one takes milliseconds (a small
# JSON file, fsynced). The age guards a writer whose process this machine cannot see (a collector
# in another container sharing the folder), whose file the process check alone would take as dead.
TEMP_STALE_S = 60.0


def remove_dead_temps(folder: Path) -> None:
    """Remove the temporary files (`.<name>.<pid>.tmp`) of `write_text_atomic` in the folder's
    `.botwatch/` that a process killed mid-write (SIGKILL, a power cut) left: nothing else would
    remove them. One whose process runs, or written in the last `TEMP_STALE_S`, is kept, as its
    writer may be renaming it now: several collectors share one manifest. Cheap: a directory
    listing, once a start."""
    now = time.time()
    for tmp in meta_dir(folder).glob(f".*{TEMP_SUFFIX}"):
        pid = tmp.name[: -len(TEMP_SUFFIX)].rpartition(".")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_runs(int(pid)) and _age(tmp, now) > TEMP_STALE_S:
            _remove_quietly(tmp)


def _age(path: Path, now: float) -> float:
    """Seconds since `path` was last written; 0 where it cannot be read (gone already, or not ours to see)."""
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UnreadableFile(path, str(exc)) from None


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when it is not a capture folder."""
    m = read_json(meta_dir(folder) / MANIFEST)
    return m if isinstance(m, dict) else None


class StreamLock:
    """An exclusive flock on `<stream>.lock`; released by the OS if the process dies."""

    def __init__(self, folder: Path, stream: str) -> None:
        self.path = meta_dir(folder) / f"{stream}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderError(f"another collector is writing stream {self.path.stem!r} in {name_shown(self.path.parent.parent)}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Unlock and close the lock file. The close is in a `finally`: an unlock that raised left the
        descriptor open, and so the lock held, for the rest of the process (a notebook, follow mode),
        refusing every later start of the stream as "another collector is writing" it. Closing the
        descriptor drops the flock whatever the unlock met."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def begin_run(folder: Path, sample_rate: float, run: dict[str, Any], stream: str = "") -> tuple[int, list[Any]]:
    """Record a run in the manifest, refusing a rate that differs from the folder's; the run's index
    and the runs the manifest recorded before it.

    The earlier runs are of the read this write is made from, so a run's start asks them of it
    (`stream_kept`, `last_filter`) rather than reading the manifest once more: other streams'
    collectors share the file, so the read must come right before the write (one made from an
    earlier read would drop what they wrote between), and the start had read it a second time.

    The folder's rate is fixed by its captures, not by the first run that tried: a run that
    never connected (a wrong address, no network) wrote no posts, and a retry with another
    `--sample` was refused for a rate no file was taken at. While no run recorded a post, the
    folder holds no capture file and no other collector runs in it, a new run's rate replaces the
    recorded one (the manifest keeps the old rate in `rates_replaced`). A run that kept posts
    keeps the rate even once its files were moved away: a study they went into holds the folder
    at that rate."""
    path = meta_dir(folder) / MANIFEST
    m = read_manifest(folder) or {"format": 1, "sample_rate": sample_rate, "runs": []}
    if not isinstance(m.get("runs", []), list):  # a hand edit: `.append` on it was a traceback at the start
        raise UnreadableFile(path, "its 'runs' is not a list")
    try:
        recorded = float(m.get("sample_rate", sample_rate))
    except (TypeError, ValueError):
        raise UnreadableFile(path, f"its sample_rate {str(m.get('sample_rate'))[:40]!r} is not a number") from None
    if recorded != float(sample_rate):
        busy = other_collector(folder, stream)
        kept = any(int(r.get("kept") or 0) > 0 for r in m.get("runs") or [] if isinstance(r, dict))
        if busy or kept or has_captures(folder):
            raise FolderError(
                f"{name_shown(folder)} holds a capture sampled at {m['sample_rate']:g}"
                + (f" (a collector writing stream {busy!r} in it now)" if busy else "")
                + f"; this run asks for {sample_rate:g}. One folder holds one rate (else the scale-up is wrong): use another folder."
            )
        m.setdefault("rates_replaced", []).append({"sample_rate": recorded, "replaced": run.get("started"), "why": "no capture file was written at it"})
        m["sample_rate"] = sample_rate
    earlier = list(m.setdefault("runs", []))
    m["runs"].append(run)
    write_json_atomic(path, m)
    return len(earlier), earlier


def manifest_runs(manifest: Any) -> list[Any]:
    """The run entries of a parsed manifest: [] for none, or where a hand edit left no manifest
    object or `runs` that is not a list. One reading for the collector's start and the report's
    capture scope (`report.scope`), which each checked the shape their own way."""
    runs = manifest.get("runs") if isinstance(manifest, dict) else None
    return runs if isinstance(runs, list) else []


def last_filter(manifest: Any, stream: str, *, kept_only: bool = False) -> Any:
    """The filter the stream's last run in `manifest` (parsed: at a run's start, the runs `begin_run`
    read) recorded, or None (no such run, no manifest).
    With `kept_only`, the last run's that kept a post or may have (`kept_nothing`): a run that
    never connected between two runs of one filter kept by none of its terms."""
    for r in reversed(manifest_runs(manifest)):
        if isinstance(r, dict) and r.get("stream") == stream and "filter" in r and not (kept_only and kept_nothing(r)):
            return r["filter"]
    return None


def kept_nothing(run: Any) -> bool:
    """Whether a manifest's run entry ended having kept no post (a run that never connected: a
    wrong address, no network). Its filter chose no post, so it is no "before" of a filter change.
    A run with no end recorded (still running, or killed) may have kept some, so it is not."""
    return isinstance(run, dict) and bool(run.get("ended")) and run.get("kept") == 0


def stream_kept(manifest: Any, stream: str) -> bool:
    """Whether a run of `stream` the folder's manifest (parsed: `read_manifest`) records kept a
    post, or may have (no end recorded). Read from the manifest, not the folder's files: a run's
    files moved away after their ingest leave posts kept by its terms in the study they went into
    (as `begin_run` keeps such a run's rate)."""
    return any(isinstance(r, dict) and r.get("stream") == stream and not kept_nothing(r) for r in manifest_runs(manifest))


def has_captures(folder: Path) -> bool:
    """Whether the folder holds a capture file of any stream, closed or still open (`.open-`):
    posts were written at the folder's rate."""
    try:
        return any(p.name.endswith(".jsonl.gz") for p in Path(folder).iterdir())
    except OSError:
        return True  # cannot tell: keep the recorded rate


def other_collector(folder: Path, stream: str) -> str | None:
    """The stream another live collector is writing in this folder (its lock held), or None."""
    for lock in meta_dir(folder).glob("*.lock"):
        if lock.stem == stream:
            continue
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return lock.stem
        finally:
            os.close(fd)  # closing drops a lock this took
    return None


def update_run(folder: Path, index: int, fields: dict[str, Any]) -> None:
    """Update one run's entry (its counts, when it ended). A manifest gone since the run began
    (moved away) is left so, not written afresh (it would hold this run alone, at a rate the old one
    may not have had), and raises `ManifestGone`: returning in silence, the run's counts and gaps
    were dropped with nothing said. One that cannot be read, or holds no entry for this run (a hand
    edit), raises `UnreadableFile`: the caller says the run's record is lost, where one holding no
    list of runs raised a traceback at the close and one holding no entry for the run was passed in silence."""
    path = meta_dir(folder) / MANIFEST
    m = read_json(path)
    if m is None and not path.exists():  # a file holding `null` is there: said as holding no entry, below
        raise ManifestGone(path)
    runs = m.get("runs") if isinstance(m, dict) else None
    if not isinstance(runs, list) or not 0 <= index < len(runs) or not isinstance(runs[index], dict):
        raise UnreadableFile(path, f"it holds no entry for run {index + 1}")
    runs[index].update(fields)
    write_json_atomic(path, m)
