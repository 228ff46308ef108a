"""Splitting one big JSON array into its elements' bytes, without parsing them.

A streaming JSON parser (ijson) stops at the first syntax error, so one bad element lost every
element after it, and it builds each element whole, so one 300 MB element was held in memory
whatever the per-record limit. This splitter only tracks strings and bracket depth: each
top-level element comes out as bytes (parsed, and rejected on its own if bad, by the caller), and
an element longer than the limit is skipped after keeping its first bytes for `rejected`.

What it cannot resynchronise after is a lexically broken element, an unterminated string or
unbalanced brackets: everything up to the point where the brackets balance again (or the end of
the input) then becomes that one rejected element, bounded in memory by the same limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from botwatch.ingest.source import Line

_OUTSIDE = re.compile(rb'[\[\]{}",]')  # what changes the state outside a string
_INSIDE = re.compile(rb'["\\]')  # what ends a string or escapes the next byte
_BLOCK = 1 << 20


class _Element:
    """The bytes of the element being read, kept up to a limit."""

    __slots__ = ("buf", "length", "limit", "keep", "too_long")

    def __init__(self, limit: int, keep: int) -> None:
        self.buf = bytearray()
        self.length = 0
        self.limit, self.keep, self.too_long = limit, keep, False

    def add(self, piece: bytes) -> None:
        self.length += len(piece)
        if self.too_long:
            return
        if len(self.buf) + len(piece) > self.limit:
            self.too_long = True
            room = max(0, self.keep - len(self.buf))
            self.buf += piece[:room]
            del self.buf[self.keep :]
        else:
            self.buf += piece


def array_elements(stream: BinaryIO, max_record_bytes: int, keep: int = 4000) -> Iterator[Line]:
    """Yield each top-level element of the JSON array in `stream` as a `Line` (number = 1-based
    element number). Text after the closing bracket, or an unclosed array's partial last
    element, comes out as one more element, which the JSON parser then rejects."""
    number = 0
    el = _Element(max_record_bytes, keep)
    depth, in_str, esc, opened, closed = 0, False, False, False, False

    def finish() -> Line | None:
        nonlocal number, el
        data = bytes(el.buf).strip(b" \t\r\n")
        done = el
        el = _Element(max_record_bytes, keep)
        if not data and not done.too_long:
            return None  # `[]`, or a trailing comma
        number += 1
        return Line(number, data, done.too_long, done.length)

    while block := stream.read(_BLOCK):
        i, n, start = 0, len(block), 0
        while i < n:
            if closed:  # after the array: everything is one trailing element
                break
            if in_str:
                if esc:
                    esc, i = False, i + 1
                    continue
                m = _INSIDE.search(block, i)
                if m is None:
                    i = n
                    break
                j = m.start()
                if block[j] == 0x5C:  # backslash: skip the escaped byte, possibly in the next block
                    esc, i = True, j + 1
                else:
                    in_str, i = False, j + 1
                continue
            m = _OUTSIDE.search(block, i)
            if m is None:
                i = n
                break
            j = m.start()
            c = block[j]
            i = j + 1
            if not opened:
                if c == 0x5B:  # the array's own '['
                    opened, start = True, j + 1
                continue
            if c == 0x22:
                in_str = True
            elif c in (0x5B, 0x7B):
                depth += 1
            elif c in (0x5D, 0x7D):
                if depth > 0:
                    depth -= 1
                elif c == 0x5D:  # the closing bracket of the array
                    el.add(block[start:j])
                    if (line := finish()) is not None:
                        yield line
                    closed, start = True, j + 1
            elif c == 0x2C and depth == 0:
                el.add(block[start:j])
                if (line := finish()) is not None:
                    yield line
                start = j + 1
        if opened:
            el.add(block[start:])
    if (line := finish()) is not None:
        yield line
