"""Reading a small file the user named (an election preset, a bot model), with a size limit.

Such files are whole-read, so a wrong path must not be able to exhaust memory: `/dev/zero`, a
FIFO, a 20 GB archive passed by mistake or a gzip bomb are refused after `limit` bytes, and a
directory, a missing file or text that is not UTF-8 is a `UserFileError` that says which, never
a traceback.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

from botwatch.shown_text import name_shown


class UserFileError(ValueError):
    """A user-named file that cannot be read as what it should be; the message says why."""


def os_error_said(exc: BaseException) -> str:
    """Why an OS call failed, in words for a user: the system's reason ("Permission denied"), not
    Python's "[Errno 13] Permission denied: '/the/path'", as the message around it names the path
    already; else the error's own first line; else, for an error with no text (`OSError()`, which
    left "cannot read x: " ending on nothing), its kind. Never a repr or a traceback."""
    why = getattr(exc, "strerror", None)
    if why:
        return str(why)
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), "") or type(exc).__name__


def read_user_bytes(path: str | os.PathLike[str], what: str, limit: int) -> bytes:
    """The bytes of `path`, at most `limit` of them (gzip content is decompressed, under the same limit)."""
    return read_user_bytes_sha256(path, what, limit)[0]


def read_user_bytes_sha256(path: str | os.PathLike[str], what: str, limit: int) -> tuple[bytes, str]:
    """`read_user_bytes` and the SHA-256 of the file's bytes as stored (gzip included, as
    `sha256sum FILE` gives it), hashed from the same read: a caller that records which file it
    used (the accounts stage's `bot_model_sha256`) need not read it a second time, when it may
    also have changed."""
    import hashlib

    p = Path(path)
    if p.is_dir():
        raise UserFileError(f"{what} {name_shown(p)} is a directory, not a file")
    try:
        with open(p, "rb") as f:
            raw = f.read(limit + 1)
    except FileNotFoundError:
        raise UserFileError(f"no {what} at {name_shown(p)}") from None
    except OSError as exc:
        raise UserFileError(f"cannot read {what} {name_shown(p)}: {os_error_said(exc)}") from None
    if len(raw) > limit:
        raise UserFileError(f"{what} {name_shown(p)} is larger than {limit:,} bytes, too large for a {what}")
    digest = hashlib.sha256(raw).hexdigest()
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as g:
                raw = g.read(limit + 1)
        except (OSError, EOFError) as exc:
            raise UserFileError(f"{what} {name_shown(p)} is a corrupt gzip file: {exc}") from None
        if len(raw) > limit:
            raise UserFileError(f"{what} {name_shown(p)} decompresses to more than {limit:,} bytes, too large for a {what}")
    return raw, digest


def read_user_text(path: str | os.PathLike[str], what: str, limit: int) -> str:
    """The UTF-8 text of `path` (see `read_user_bytes`); binary content is a `UserFileError`.

    A byte-order mark is read as what it says: Windows Notepad starts UTF-8 with one, and Windows
    PowerShell's `>` (`botwatch elections show uk-ge2017 --toml > my.toml`) writes UTF-16. The
    first was "invalid TOML … at line 1, column 1", the second "a binary file (it holds NUL bytes)"."""
    raw = read_user_bytes(path, what, limit)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UserFileError(f"{what} {name_shown(path)} starts as UTF-16 text but byte {exc.start:,} cannot be decoded; save it as UTF-8") from None
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    if b"\x00" in raw:
        raise UserFileError(f"{what} {name_shown(path)} is a binary file (it holds NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The line too: an editor shows lines, not byte offsets ("Grüne" saved as Latin-1).
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UserFileError(f"{what} {name_shown(path)}:{line}: is not UTF-8 text (byte {exc.start:,} cannot be decoded); save it as UTF-8") from None
