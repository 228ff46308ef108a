"""Rotating gzip JSON-lines files that are complete when they appear, and salvage after a crash.

The file being written is hidden (`.open-…`), so `botwatch ingest capture/` never reads it half
way; closing finishes the gzip stream, fsyncs it and renames it to its final name in one atomic
step. Compression is one `zlib` stream in gzip framing; `sync()` ends the current deflate block
with Z_SYNC_FLUSH and fsyncs, so everything written before a `sync()` can be read back even if the
process is then killed with -9. `salvage()` turns such an orphaned `.open-` file into a closed one
holding its complete lines (the last, torn line is dropped; the collector fetches it again).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

OPEN_PREFIX = ".open-"
SUFFIX = ".jsonl.gz"
_BUFFER = 1 << 20  # compress in ~1 MiB chunks: one zlib call per chunk, not per line


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class RotatingWriter:
    """Writes lines to `<prefix>-<UTC time>-<n>.jsonl.gz` files in `folder`, rotating by size and age."""

    def __init__(self, folder: Path, prefix: str, *, max_bytes: int = 64 << 20, max_seconds: float = 3600.0, level: int = 1) -> None:
        self.folder, self.prefix = Path(folder), prefix
        self.max_bytes, self.max_seconds, self.level = max_bytes, max_seconds, level
        self._fh = None
        self._z = None
        self._name = ""
        self._buf = bytearray()
        self._opened = 0.0
        self._raw = 0  # uncompressed bytes in the current file
        self.lines_in_file = 0
        self.closed_files: list[Path] = []
        self.bytes_closed = 0

    # -- writing ---------------------------------------------------------------------------------
    def _open(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}{SUFFIX}"
        self._fh = open(self.folder / (OPEN_PREFIX + self._name), "wb")  # noqa: SIM115 - closed in close()
        self._z = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        self._opened, self._raw, self.lines_in_file = time.monotonic(), 0, 0

    def write(self, line: bytes) -> None:
        """Append one record (without its newline)."""
        if self._fh is None:
            self._open()
        self._buf += line
        self._buf += b"\n"
        self._raw += len(line) + 1
        self.lines_in_file += 1
        if len(self._buf) >= _BUFFER:
            self._drain()

    def _drain(self) -> None:
        if self._buf and self._fh is not None:
            self._fh.write(self._z.compress(bytes(self._buf)))
            self._buf.clear()

    def sync(self) -> None:
        """Make every line written so far readable after a crash (flush the deflate block, fsync)."""
        if self._fh is None:
            return
        self._drain()
        self._fh.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def due(self) -> bool:
        """Whether the open file is big or old enough to be closed."""
        return self._fh is not None and (self._raw >= self.max_bytes or time.monotonic() - self._opened >= self.max_seconds)

    def close(self) -> Path | None:
        """Finish the open file and publish it under its final name (None when nothing was open)."""
        if self._fh is None:
            return None
        self._drain()
        self._fh.write(self._z.flush(zlib.Z_FINISH))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        final = self.folder / self._name
        os.replace(self.folder / (OPEN_PREFIX + self._name), final)
        _fsync_dir(self.folder)
        self.closed_files.append(final)
        self.bytes_closed += final.stat().st_size
        return final

    def abandon(self) -> None:
        """Let go of the open file without finishing it, after its close failed (a full disk, a
        folder gone): it stays `.open-` for the next start's salvage, and nothing this writer does
        later writes to it or publishes it, as the stream's lock is about to be released."""
        fh, self._fh, self._z = self._fh, None, None
        self._buf.clear()
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass

    @property
    def open_lines(self) -> int:
        """Lines in the open file (0 when none is open): what closing it would publish."""
        return self.lines_in_file if self._fh is not None else 0

    @property
    def open_bytes(self) -> int:
        """Compressed bytes of the open file on disk so far."""
        return self._fh.tell() if self._fh is not None else 0


def stream_files(folder: Path, stream: str, *, open_files: bool = False) -> list[Path]:
    """The closed (or, with `open_files`, the open) files of one stream, oldest first. Matched by
    the full name pattern, so `mastodon-a.social` never picks up the files of `mastodon-a.social-2`,
    and one collector never touches another stream's open file."""
    rx = re.compile(rf"^{re.escape(OPEN_PREFIX) if open_files else ''}{re.escape(stream)}-\d{{8}}T\d+Z-\d+{re.escape(SUFFIX)}$")
    return sorted(p for p in Path(folder).iterdir() if rx.match(p.name)) if Path(folder).is_dir() else []


# -- reading back ------------------------------------------------------------------------------
def read_lines(path: Path, *, tolerate_truncation: bool = False, dropped: list[int] | None = None) -> Iterator[bytes]:
    """The complete lines of a capture file; with `tolerate_truncation`, a torn tail is dropped,
    and its length in bytes (as far as it could be decompressed) appended to `dropped`."""
    z = zlib.decompressobj(31)
    tail = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            before = z.copy() if tolerate_truncation else None
            try:
                data = z.decompress(chunk)
            except zlib.error:
                if before is None:
                    raise
                # Only what precedes the damage: the whole chunk (up to 1 MiB, a small file whole)
                # was dropped, so a file whose synced lines a power cut followed with zeros lost them all.
                data = _readable_prefix(before, chunk)
                data = tail + data
                *lines, tail = data.split(b"\n")
                yield from (ln for ln in lines if ln)
                break
            data = tail + data
            *lines, tail = data.split(b"\n")
            yield from (ln for ln in lines if ln)
            if z.eof:
                break
    if tail and not tolerate_truncation:
        yield tail
    elif tail and dropped is not None:
        dropped.append(len(tail))


def _readable_prefix(z: zlib._Decompress, chunk: bytes, step: int = 4096) -> bytes:
    """What `z` decompresses from `chunk` before the first byte it cannot read: slices of `step`
    bytes, then, in the slice that fails, one byte at a time from a copy taken before it."""
    out = bytearray()
    for at in range(0, len(chunk), step):
        saved = z.copy()
        try:
            out += z.decompress(chunk[at:at + step])
        except zlib.error:
            z = saved
            for i in range(at, min(at + step, len(chunk))):
                try:
                    out += z.decompress(chunk[i:i + 1])
                except zlib.error:
                    return bytes(out)
            return bytes(out)
        if z.eof:
            break
    return bytes(out)


@dataclass(frozen=True)
class Salvaged:
    """One orphaned `.open-` file a start closed: its name, the closed file its complete lines went
    to (None when it held none), how many, and the bytes of the torn last line dropped (0: none)."""

    orphan: Path
    final: Path | None
    lines: int
    torn_bytes: int


SALVAGE_SUFFIX = ".salvage"


def _remove_stray_salvage_temps(folder: Path, stream: str, orphans: list[Path]) -> None:
    """Remove `stream`'s salvage temps whose orphan is gone. Why: a start killed mid-salvage leaves
    `.open-….jsonl.gz.salvage` beside its orphan, and the next start writes it afresh; but where
    the orphan was then removed or moved by hand, the temp (as large as the orphan, hidden from
    ingest and from every listing) was kept for ever. One whose orphan remains is left to the
    salvage, which rewrites it."""
    rx = re.compile(rf"^{re.escape(OPEN_PREFIX)}{re.escape(stream)}-\d{{8}}T\d+Z-\d+{re.escape(SUFFIX + SALVAGE_SUFFIX)}$")
    if not Path(folder).is_dir():
        return
    keep = {o.name + SALVAGE_SUFFIX for o in orphans}
    for p in Path(folder).iterdir():
        if rx.match(p.name) and p.name not in keep:
            with contextlib.suppress(OSError):
                p.unlink()


def salvage(folder: Path, stream: str) -> list[Path]:
    """The closed files `salvage_files` made (see there)."""
    return [s.final for s in salvage_files(folder, stream) if s.final is not None]


def salvage_files(folder: Path, stream: str) -> list[Salvaged]:
    """Close the orphaned `.open-` files of `stream` (a crash or kill -9 left them; the caller holds
    the stream's lock, so no live collector writes them): complete lines go to a closed file of the
    same name, the torn tail is dropped, the orphan removed. What each held is returned, for the
    caller to say and count: done in silence, a run after a kill -9 published a file nobody saw
    coming and dropped a line nobody was told of."""
    out = []
    orphans = stream_files(folder, stream, open_files=True)
    _remove_stray_salvage_temps(folder, stream, orphans)
    for orphan in orphans:
        final = orphan.with_name(orphan.name[len(OPEN_PREFIX):])
        tmp = orphan.with_name(orphan.name + SALVAGE_SUFFIX)
        z = zlib.compressobj(1, zlib.DEFLATED, 31)
        n = 0
        dropped: list[int] = []
        try:
            with open(tmp, "wb") as fh:  # a temp a crashed salvage left is written afresh here
                for line in read_lines(orphan, tolerate_truncation=True, dropped=dropped):
                    fh.write(z.compress(line + b"\n"))
                    n += 1
                fh.write(z.flush(zlib.Z_FINISH))
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            # A full disk (or a signal) mid-copy left a hidden partial copy as large as the orphan
            # holding the space the user was told to free; the orphan is intact and salvaged next start.
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        if n:
            os.replace(tmp, final)
        else:
            tmp.unlink()
        orphan.unlink()
        _fsync_dir(Path(folder))
        out.append(Salvaged(orphan, final if n else None, n, sum(dropped)))
    return out
