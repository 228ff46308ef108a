"""Opening an input: a file or stdin, plain or gzip, as a stream of bytes with a peekable head.

Compression is detected from the magic bytes, not the file name, because archives are routinely
renamed. Lines are read with a length cap so that a single 50 MB line (a corrupt or hostile file)
never has to be held whole in memory: the reader keeps the first RAW_LIMIT bytes for the rejected
table and skips the rest.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from botwatch.userfile import os_error_said

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip_header(head: bytes) -> bool:
    """Whether `head` (a file's first 4 bytes) starts a gzip member (RFC 1952): the two magic bytes,
    compression method 8 (deflate, the only one defined) and no reserved flag bit set. The magic
    alone also matched a plain file whose first line happened to begin with those two bytes (noise,
    a binary prefix): the whole file was then read as a broken gzip and every good line lost."""
    return head[:3] == GZIP_MAGIC + b"\x08" and (len(head) < 4 or head[3] & 0xE0 == 0)
UTF8_BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 1 << 20
DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Line:
    """One physical line of input, or a marker that it was too long to keep."""

    number: int  # 1-based
    data: bytes  # without the trailing newline; only the head when `too_long`
    too_long: bool = False
    length: int = 0  # full length in bytes, known even when truncated


class _Prefixed(io.RawIOBase):
    """A raw stream that first replays bytes already read (the sniffed head), then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._pos = 0
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self._pos < len(self._head):
            n = min(len(b), len(self._head) - self._pos)
            b[:n] = self._head[self._pos : self._pos + n]
            self._pos += n
            return n
        # Small reads: a truncated gzip raises on the read that hits the end, and everything that
        # read had decompressed is lost with it.
        data = self._rest.read(min(len(b), 1 << 16))
        n = len(data)
        b[:n] = data
        return n


class _Gunzip(io.RawIOBase):
    """Gzip decompression that hands out every byte it could decompress, then ends cleanly.

    `gzip.GzipFile` raises on the read that meets a cut or corrupt stream and drops what that
    read had already decompressed, and the exception escaped the readers mid-file (losing the
    count of records read, and on the parallel path every chunk still in flight). Here a cut or
    corrupt stream ends the data like an end of file, after the last good byte, and the reason
    is kept in `error` for the ingest to record. Concatenated gzip members are read in turn.
    """

    _IN = 1 << 14  # compressed bytes per step: small, so a corrupt block loses little before it

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._d = zlib.decompressobj(31)
        self._out = b""
        self._pos = 0
        self._done = False
        self.error: Exception | None = None
        self.produced = 0  # decompressed bytes handed out: where a cut or corrupt stream ended

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        while self._pos >= len(self._out):
            if self._done:
                return 0
            self._out, self._pos = self._step(), 0
        n = min(len(b), len(self._out) - self._pos)
        b[:n] = self._out[self._pos : self._pos + n]
        self._pos += n
        self.produced += n
        return n

    def _step(self) -> bytes:
        d = self._d
        try:
            if d.unconsumed_tail:
                return d.decompress(d.unconsumed_tail, 1 << 20)
            if d.eof:
                rest = d.unused_data or self._raw.read(self._IN)
                if not rest.strip(b"\x00"):  # end of input (zero padding after the last member is allowed)
                    self._done = True
                    return b""
                self._d = d = zlib.decompressobj(31)
                return d.decompress(rest, 1 << 20)
            data = self._raw.read(self._IN)
            if not data:
                self._done = True
                self.error = EOFError("compressed file ended before the end-of-stream marker was reached")
                return b""
            return d.decompress(data, 1 << 20)
        except (zlib.error, OSError) as exc:
            self._done = True
            self.error = exc
            return b""


def _read_head(stream: BinaryIO, n: int) -> bytes:
    """Read up to `n` bytes, looping because pipes and gzip return short reads.

    A corrupt or truncated gzip stream ends the head early; the same error is raised again when
    the body is read, where the ingest records it against the file.
    """
    parts, got = [], 0
    while got < n:
        try:
            chunk = stream.read(min(n - got, 1 << 13))
        except (EOFError, zlib.error, gzip.BadGzipFile):
            break
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


# A missing input's `FileResult.error`, on both engines (the Spark stage writes the same words): the
# summary counts it as "missing", not as a file that broke off while being read.
NO_SUCH_FILE = "no such file"
# A symbolic link whose target is gone: "no such file" sent the user looking for the link, which is there.
BROKEN_LINK = "a link whose target is missing"


# What the system says about an input it will not open however often it is asked, until a person
# acts: its permissions, a loop of links, a folder or a name too long where a file was expected.
_LASTING_ERRNOS = (errno.EACCES, errno.EPERM, errno.ELOOP, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG)
CANNOT_OPEN = "cannot open"


def cannot_open(exc: OSError) -> str:
    """A `FileResult.error` for an input the system would not open, in the system's words without
    Python's ("cannot open: Permission denied", not "[Errno 13] Permission denied: '/the/path'":
    the line already names the file). Both engines word it so (`lasting_failure` reads it)."""
    return f"{CANNOT_OPEN}: {os_error_said(exc)}"


FOLDER_UNREADABLE = "a folder that cannot be read"


def unreadable_folder(path: str) -> str | None:
    """Why the folder `path` (one a folder walk could not list) cannot be read, or None when `path`
    is no folder: an input of its own, so its files are not lost without a word."""
    if not os.path.isdir(path):
        return None
    try:
        os.listdir(path)
    except OSError as exc:
        return f"{FOLDER_UNREADABLE}: {os_error_said(exc)}"
    return f"{FOLDER_UNREADABLE}: it is a folder"  # listed after all (its permission changed since): name it again


NOT_A_FILE = "not a file"


def not_a_file(path: str) -> str | None:
    """Why `path` found in a folder walk is not read, or None for a regular file, a folder or
    anything that is not there (whose own check says why): a named pipe, a socket or a device. It
    is never opened: a named pipe with no writer blocked the whole ingest for ever, and a device
    such as /dev/zero never ends. Named on the command line, a pipe is read (`<(zcat x.gz)`)."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"{NOT_A_FILE}: {kind} found in a folder, not opened; name it on its own to read it"


def lasting_failure(error: str | None) -> bool:
    """Whether a file's `error` repeats unchanged on every try until a person acts (no such file, a
    link whose target is missing, permission denied, ...): a caller that retries failed files
    (`collect`'s follow mode) names such a file once and goes on, instead of trying it again."""
    if not error:
        return False
    if error == NO_SUCH_FILE or error.startswith((BROKEN_LINK, FOLDER_UNREADABLE, NOT_A_FILE)):
        return True
    return any(error == f"{CANNOT_OPEN}: {os.strerror(code)}" for code in _LASTING_ERRNOS)


def not_there(path: str) -> str | None:
    """Why the input `path` cannot be opened for not being there (`NO_SUCH_FILE`, or `BROKEN_LINK`
    naming the target the link points at), or None when it is there. Both engines and the
    command's own check before anything is written say it in these words."""
    if os.path.exists(path):
        return None
    if os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            return BROKEN_LINK
        return f"{BROKEN_LINK}: {shown_name(target)}"
    return NO_SUCH_FILE


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def file_head(path: str | os.PathLike[str], size: int = 12) -> bytes | None:
    """The first `size` bytes of a non-empty regular file; None for anything else (a folder, an
    empty or missing file, one that cannot be read, a named pipe, socket or device, which are
    never opened: a named pipe with no writer blocks the open for ever), whose own opener then
    says why."""
    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size == 0:
            return None
        with p.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return None


def is_duckdb_file(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a non-empty regular file carrying DuckDB's magic bytes (bytes 8-11)."""
    head = file_head(path)
    return head is not None and head[8:12] == DUCKDB_MAGIC


def _is_database(path: str) -> bool:
    """A DuckDB database, or the `.wal` log beside one: another study met in a folder walk is not
    an archive to read, and was reported as an "unreadable" input, failing the ingest."""
    return is_duckdb_file(path) or (path.endswith(".wal") and is_duckdb_file(path[:-4]))


def study_files(files: list[str], study: str | os.PathLike[str] | None) -> list[str]:
    """Those of `files` that are the study being written or its `.wal` log (compared as files, so
    another spelling of the path counts): `ingest s.duckdb *` in the data's folder, or a folder
    holding the study, read the study as an input while writing to it. The CLI and
    `botwatch.api.ingest` each leave them aside with a line of their own."""
    if study is None or not os.path.isfile(study):
        return []

    def is_study(f: str) -> bool:
        try:
            return f != "-" and (os.path.samefile(f, study) or (f.endswith(".wal") and os.path.samefile(f[:-4], study)))
        except OSError:
            return False

    return [f for f in files if is_study(f)]


def databases_found(files: list[str], named: list[str]) -> list[str]:
    """The DuckDB databases (and their `.wal` logs) among `files` that a folder walk found, not
    `named` as inputs: another study beside the data is not an archive, and was an "unreadable:
    binary file" input failing the ingest on every run. A database named as an input is read (and
    refused) as named."""
    named_set = set(named)
    return [f for f in files if f not in named_set and f != "-" and _is_database(f)]


def shown_name(path: str) -> str:
    """`path` as text that can be stored and printed: a file name that is not UTF-8 (`bad\xffname`)
    reaches Python with surrogates (PEP 383), which DuckDB, Arrow and the terminal refuse
    ("surrogates not allowed"), so the file failed although its content was valid. Those bytes
    are written as `\xff`; any other name is unchanged."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class InputSource:
    """A named byte stream whose first bytes were read ahead for sniffing and are replayed."""

    def __init__(self, name: str, raw: BinaryIO, size: int | None, owns: bool = True) -> None:
        self.name = name
        self.size = size
        self._raw = raw
        self._owns = owns
        magic = _read_head(raw, 4)
        self.compressed = is_gzip_header(magic)
        base: BinaryIO = io.BufferedReader(_Prefixed(magic, raw), 1 << 20)
        self._gunzip: _Gunzip | None = None
        if self.compressed:
            self._gunzip = _Gunzip(base)
            base = io.BufferedReader(self._gunzip, 1 << 20)  # type: ignore[assignment]
        self._head = _read_head(base, HEAD_BYTES)
        self._whole = len(self._head) < HEAD_BYTES  # the head holds the whole input
        if self._head.startswith(UTF8_BOM):
            # A BOM is an encoding mark, not content: left in, it made the first JSON line invalid.
            self._head = self._head[len(UTF8_BOM):]
        self._base = base
        self._replay = _Prefixed(self._head, base)
        self.stream: io.BufferedReader = io.BufferedReader(self._replay, 1 << 20)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> "InputSource":
        """Open a path, or standard input when the path is '-'."""
        if str(path) == "-":
            return cls("<stdin>", sys.stdin.buffer, None, owns=False)
        p = Path(path)
        return cls(shown_name(str(p)), open(p, "rb", buffering=0), p.stat().st_size if p.is_file() else None)

    @property
    def error(self) -> Exception | None:
        """Why a compressed stream ended early (cut or corrupt), once the reader has reached its end."""
        return self._gunzip.error if self._gunzip is not None else None

    def decompressed_bytes(self) -> int | None:
        """Bytes of text a compressed stream gave before it ended (where a cut one broke off);
        None for an uncompressed input."""
        return self._gunzip.produced if self._gunzip is not None else None

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first `n` (decompressed) bytes, without consuming them (at most HEAD_BYTES, or what
        `head_through_first_line` read)."""
        return self._head[:n]

    def read_ahead(self) -> bytes:
        """Every byte read ahead so far, not consumed: the head, and what `head_through_first_line`
        or `head_whole` read on past it."""
        return self._head

    def head_through_first_line(self, limit: int) -> bytes:
        """The head, read on (to `limit` bytes in all) when the first line goes past it, so that the
        sniffer sees a long first record whole: a twarc2 page of a full-archive search (500 tweets
        and their expansions, about 2 MB) is one line, and its file was refused as "no record in the
        first lines matches a known format". Only before the stream is read; the bytes read here
        are replayed with the head. Bounded by `limit` (the record limit), so a first line longer
        than any record is never held."""
        # (`_whole`, not a head shorter than HEAD_BYTES: a UTF-8 BOM taken off left a full head 3 bytes
        # short, and a long first line behind a BOM was judged on its first megabyte and refused)
        if b"\n" in self._head or self._whole or self._replay._pos or len(self._head) >= limit:
            return self._head
        parts, got = [self._head], len(self._head)
        while got < limit:
            chunk = _read_head(self._base, min(limit - got, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
            if b"\n" in chunk:
                break
        self._head = b"".join(parts)
        self._replay = _Prefixed(self._head, self._base)
        self.stream = io.BufferedReader(self._replay, 1 << 20)
        return self._head

    def head_whole(self, limit: int) -> bytes | None:
        """The whole input, read ahead into the head (and replayed with it) when it is at most
        `limit` bytes (the record limit); None when it is longer or the stream is being read. Why:
        one JSON object saved pretty-printed (`jq . > s.json`) is one record over many lines, and
        is parsed whole; a longer input is never held beyond the limit."""
        if self._replay._pos:
            return None
        if self._whole:
            return self._head if len(self._head) <= limit else None
        parts, got = [self._head], len(self._head)
        while got <= limit:
            chunk = _read_head(self._base, min(limit + 1 - got, 1 << 20))
            if not chunk:
                self._whole = True
                break
            parts.append(chunk)
            got += len(chunk)
        self._head = b"".join(parts)
        self._replay = _Prefixed(self._head, self._base)
        self.stream = io.BufferedReader(self._replay, 1 << 20)
        return self._head if self._whole and len(self._head) <= limit else None

    def bytes_consumed(self) -> int:
        """Compressed bytes read so far (for progress bars)."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def lines(self, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, keep: int = 4000) -> Iterator[Line]:
        """Yield lines, cutting any line longer than `max_record_bytes` down to its first `keep` bytes."""
        number = 0
        readline = self.stream.readline
        while True:
            chunk = readline(max_record_bytes + 1)
            if not chunk:
                return
            number += 1
            if len(chunk) <= max_record_bytes or chunk.endswith(b"\n"):
                yield Line(number, chunk.rstrip(b"\r\n"), False, len(chunk))
                continue
            head = chunk[:keep]
            length = len(chunk)
            while not chunk.endswith(b"\n"):
                chunk = readline(1 << 20)
                if not chunk:
                    break
                length += len(chunk)
            yield Line(number, head, True, length)

    def close(self) -> None:
        if self._owns:
            self.stream.close()
            self._raw.close()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Content hash of a file as stored on disk, used to recognise a re-ingest of the same file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def gzip_text_size(path: str | os.PathLike[str]) -> int | None:
    """The size of the text a gzip file holds, modulo 2**32, as its trailer says (ISIZE, the last
    four bytes: that of the last member only, so a file of several members rarely matches), or
    None for a file that is not gzip or cannot be read. Cheap: a `.gz` whose text may be a file
    read before is hashed only when this matches the size recorded for that read."""
    try:
        with open(path, "rb") as f:
            if not is_gzip_header(f.read(4)):
                return None
            f.seek(0, os.SEEK_END)
            if f.tell() < 18:  # a 10-byte header and an 8-byte trailer, at the least
                return None
            f.seek(-4, os.SEEK_END)
            return int.from_bytes(f.read(4), "little")
    except OSError:
        return None


def text_sha256(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of the text a file holds: of its decompressed bytes for a gzip file, else of the
    file (`file_sha256`); None when it cannot be read whole (missing, cut or corrupt). A `.gz` of
    a file and the file itself give the same, which their `file_sha256`s do not."""
    try:
        with open(path, "rb") as f:
            packed = is_gzip_header(f.read(4))
        if not packed:
            return file_sha256(path)
        h = hashlib.sha256()
        with gzip.open(path, "rb") as g:
            for block in iter(lambda: g.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except (OSError, EOFError, zlib.error):
        return None
