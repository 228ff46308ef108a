"""Standard output on a terminal or pipe whose encoding is not UTF-8 (an ASCII `C` locale with
Python's UTF-8 mode off, `PYTHONIOENCODING=ascii`, a cp437 or cp1252 console).

Python writes stderr with `backslashreplace` but stdout with `strict`, so the first `é` of a study
name, the `…` of `status` or the `•` of `explain` raised UnicodeEncodeError: the command stopped
half-printed with "This is a bug in botwatch" (exit 1), and a student with such a console could
not read a result at all. Text the encoding lacks is now written as Python escapes (`\\xe9`),
as stderr already writes it, and a `--json` document as ASCII JSON (`\\u00e9`), which any JSON
reader reads as the same value (a raw `\\xe9` in it would not be JSON)."""

from __future__ import annotations

import codecs
import sys
from typing import TextIO

_UNICODE = {"utf-8", "utf-16", "utf-32", "utf-8-sig"}


def writes_unicode(stream: TextIO | None = None) -> bool:
    """Whether `stream` (stdout by default) can write every character: a UTF encoding. An
    unknown or missing encoding counts as one (a test runner's buffer holds str)."""
    enc = getattr(stream if stream is not None else sys.stdout, "encoding", None)
    if not enc:
        return True
    try:
        return codecs.lookup(enc).name in _UNICODE
    except LookupError:
        return True


def tolerant_streams() -> None:
    """Make stdout and stderr write what their encoding lacks as escapes instead of failing;
    UTF-8 streams are left as they are."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or writes_unicode(stream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # closed or detached: nothing to write to anyway
                pass
