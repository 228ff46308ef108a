"""One background pass over a file: its SHA-256, its line count and its blank lines, while DuckDB parses it.

The native v1.1 path needs these facts — the hash to recognise a re-ingest, the line count and the
blank lines (which DuckDB skips) to prove that every other line became one row and to number the
rows — and none needs the parsed records. Computing them in a thread
overlaps them with DuckDB's `read_json` (which releases the GIL); hashing and decompression
release it too, so the pass costs little wall time.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from botwatch.ingest.source import file_sha256

_BLOCK = 1 << 22


@dataclass(frozen=True)
class ScanResult:
    sha256: str | None  # None when not asked for
    lines: int
    clean: bool  # False: an over-long line or a corrupt stream rules native reading out
    blank: tuple[int, ...] = ()  # 1-based numbers of the short lines holding only whitespace


_WHITESPACE = b" \t\r\x0b\x0c"
_SHORT = 64  # whitespace-only lines longer than this are not looked for (the row count then declines)


def count_lines(stream: BinaryIO, max_record_bytes: int, sha: "hashlib._Hash | None" = None) -> tuple[int, bool, tuple[int, ...]]:
    """(lines, clean, blank lines) of a byte stream, hashing the bytes read into `sha` when given.

    Blank (whitespace-only) lines are listed because DuckDB skips them while the Python readers
    pass over them: knowing where they are maps DuckDB's rows back to line numbers. Only short
    ones are looked at (a line's bytes are inspected only when it is at most `_SHORT` long, so a
    file of long records costs nothing more); a longer blank line leaves the counts unequal and
    the caller declines. A line longer than `max_record_bytes` is caught by tracking the open run
    at block edges: blocks are never longer than that limit, so a longer line must cross one.
    """
    lines, clean, last, run = 0, True, b"\n", 0
    tail = b""  # the open line's bytes so far, while it is short enough to be a blank line
    blank: list[int] = []
    size = max(1, min(_BLOCK, max_record_bytes))
    try:
        while block := stream.read(size):
            if sha is not None:
                sha.update(block)
            ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
            if len(ends) == 0:
                run += len(block)
                tail = tail + block if len(tail) + len(block) <= _SHORT else b""
            else:
                first = int(ends[0])
                if run + first > max_record_bytes:
                    clean = False
                if run + first <= _SHORT and not (tail + block[:first]).strip(_WHITESPACE):
                    blank.append(lines + 1)
                if len(ends) > 1:
                    starts = ends[:-1] + 1
                    for k in np.flatnonzero(ends[1:] - starts <= _SHORT):
                        if not block[int(starts[k]) : int(ends[k + 1])].strip(_WHITESPACE):
                            blank.append(lines + 2 + int(k))
                lines += len(ends)
                run = len(block) - int(ends[-1]) - 1
                tail = block[int(ends[-1]) + 1 :] if run <= _SHORT else b""
            if run > max_record_bytes:
                clean = False
            last = block[-1:]
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return lines, False, tuple(blank)
    if last != b"\n":
        lines += 1
        if run <= _SHORT and not tail.strip(_WHITESPACE):
            blank.append(lines)
    return lines, clean, tuple(blank)


def scan_file(path: str, compressed: bool, max_record_bytes: int, with_sha: bool) -> ScanResult:
    """Line count (of the decompressed content) and, if asked, the hash of the bytes on disk."""
    if compressed:
        with gzip.open(path, "rb") as raw:
            lines, clean, blank = count_lines(raw, max_record_bytes)  # type: ignore[arg-type]
        return ScanResult(file_sha256(path) if with_sha else None, lines, clean, blank)
    sha = hashlib.sha256() if with_sha else None
    with open(path, "rb") as raw:
        lines, clean, blank = count_lines(raw, max_record_bytes, sha)
    return ScanResult(sha.hexdigest() if sha is not None else None, lines, clean, blank)


class BackgroundScan:
    """`scan_file` in a daemon thread; `result()` waits for it (and re-raises its error)."""

    def __init__(self, path: str, compressed: bool, max_record_bytes: int, with_sha: bool) -> None:
        self._result: ScanResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path, compressed, max_record_bytes, with_sha), daemon=True)
        self._thread.start()

    def _run(self, path: str, compressed: bool, max_record_bytes: int, with_sha: bool) -> None:
        try:
            self._result = scan_file(path, compressed, max_record_bytes, with_sha)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self._error = exc

    def result(self) -> ScanResult:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
