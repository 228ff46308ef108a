"""Splitting one big JSON array into its elements' bytes, without parsing them.

A streaming JSON parser (ijson) stops at the first syntax error, so one bad element lost every
element after it, and it builds each element whole, so one 300 MB element was held in memory
whatever the per-record limit. This splitter only tracks strings and bracket depth: each
top-level element comes out as bytes (parsed, and rejected on its own if bad, by the caller), and
an element longer than the limit is skipped after keeping its first bytes for `rejected`.

An unterminated string ends at its line's end (JSON holds no raw newline in a string), so a broken
element of a pretty-printed or one-a-line file is rejected alone (`_structure`). What it cannot
resynchronise after is unbalanced brackets: everything up to the point where the brackets balance
again (or the end of the input; a stray closing bracket ends the array) then becomes that one
rejected element, bounded in memory by the same limit. An unterminated string on a line with
more elements after it (a compact one-line array) ends at the line's end too, and the elements
after it on that line are found again at the first comma (or, for values not in an array, the
first whitespace before an object) from which whole JSON values run on to the array's (line's) end (`_resumed`); where the line from the broken element on is longer than the record limit,
they are lost with it.

The scan is vectorised with numpy per 1 MB block (escaped quotes, string parity, bracket depth
as cumulative sums), as fast as ijson's C parser; a byte-at-a-time Python loop was 5x slower.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from botwatch.ingest.source import Line

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


def _floored(steps: np.ndarray, depth: int, line_depth: int, top: int, broken: np.ndarray,
             last_nl: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """`_structure`'s depths where a closing bracket with nothing open leaves the depth at 0 (it is
    text between values), and its broken values' ends, from one broken string to the next."""

    def walk(part: np.ndarray, d: int) -> np.ndarray:
        c = np.cumsum(part) + d
        return c - np.minimum(np.minimum.accumulate(c), 0) if len(c) else c

    if not len(broken):
        return walk(steps, depth), broken
    level = np.empty(len(steps), np.int64)
    at, pos, d = [], 0, depth
    for k in broken.tolist():
        level[pos : k + 1] = walk(steps[pos : k + 1], d)
        p = int(last_nl[k - 1]) if k else -1
        if (int(level[p]) if p >= 0 else line_depth) <= top:
            level[k] = top
            at.append(k)
        pos, d = k + 1, int(level[k])
    level[pos:] = walk(steps[pos:], d)
    return level, np.asarray(at, np.int64)


def _structure(block: bytes, in_str: bool, bs_run: int, depth: int, line_depth: int = 0,
               top: int = 0, floor: bool = False) -> tuple[np.ndarray, np.ndarray, bool, int, int, int, np.ndarray]:
    """Per byte of `block`, vectorised: the bracket depth after it (the array's own bracket counts
    as 1) and whether it is a comma outside any string; plus the state carried to the next block
    (inside a string, trailing backslash run, depth, depth at the start of the current line), and
    where a broken value ends early (`top`: the depth between values).

    JSON holds no raw newline inside a string, so one there means the string was never closed:
    it ends at that newline, else its quote turned every later string inside out and the broken
    value swallowed all the values after it. When that line began between values (one value a
    line, compact), the broken value ends at the newline too, at depth `top`: its closing
    brackets went with the string. When it began inside the value (pretty-printed), only the
    string ends, and the value's own closing bracket, on a later line, ends it.

    `floor`: a closing bracket with nothing open leaves the depth at 0 (between values, as text
    of no value) rather than below it."""
    a = np.frombuffer(block, np.uint8)
    n = len(a)
    idx = np.arange(n)
    bs = a == 0x5C
    # Backslashes immediately before each byte: a quote after an odd run is escaped.
    last_other = np.maximum.accumulate(np.where(bs, -1, idx))
    before = np.empty(n, np.int64)
    before[0] = bs_run
    if n > 1:
        prev_last = last_other[:-1]
        before[1:] = np.where(prev_last >= 0, idx[1:] - 1 - prev_last, idx[1:] + bs_run)
    quote = (a == 0x22) & (before % 2 == 0)
    quotes = np.cumsum(quote)
    parity = (quotes + (1 if in_str else 0)) % 2  # 1: inside a string (or on its opening quote)
    newline = a == 0x0A
    broken = np.empty(0, np.int64)
    if (newline & (parity == 1)).any():  # rare: only in broken input
        last_nl = np.maximum.accumulate(np.where(newline, idx, -1))
        parity = (quotes - np.where(last_nl >= 0, quotes[np.maximum(last_nl, 0)], -1 if in_str else 0)) % 2
        inside_before = np.concatenate(([1 if in_str else 0], parity[:-1]))
        broken = np.flatnonzero(newline & (inside_before == 1))
    outside = (parity == 0) & ~quote
    opens = ((a == 0x5B) | (a == 0x7B)) & outside
    closes = ((a == 0x5D) | (a == 0x7D)) & outside
    steps = opens.astype(np.int64) - closes.astype(np.int64)
    level = np.cumsum(steps) + depth
    ends = broken[:0]
    if len(broken):
        shifts, at, total = [], [], 0
        for k in broken.tolist():  # in order: each earlier end shifts the depths after it
            p = int(last_nl[k - 1]) if k else -1
            start = int(level[p]) - total if p >= 0 else line_depth
            if start <= top:
                shift = int(level[k]) - total - top
                total += shift
                shifts.append(shift)
                at.append(k)
        if at:
            delta = np.zeros(n, np.int64)
            delta[at] = shifts
            level -= np.cumsum(delta)
            ends = np.asarray(at, np.int64)
    if floor and n and level.min() < 0:  # rare: a closing bracket with nothing open
        level, ends = _floored(steps, depth, line_depth, top, broken, last_nl if len(broken) else None)
    commas = (a == 0x2C) & outside
    tail_run = int(n - 1 - last_other[-1]) if n else 0
    carry_run = tail_run + (bs_run if n and last_other[-1] < 0 else 0)
    last = block.rfind(b"\n")
    return (level, commas, bool(parity[-1]) if n else in_str, carry_run, int(level[-1]) if n else depth,
            int(level[last]) if last >= 0 else line_depth, ends)


_NEXT_VALUE = re.compile(r",\s*(?=[\[{])")
# Values not in an array may stand apart by whitespace alone (`{...} {...}`): an object after
# spaces is a start too (only an object, the values these streams hold, so that a list inside
# the broken value's cut text, `"text": "cut [1]`, is not taken for one).
_NEXT_TOP_VALUE = re.compile(r",\s*(?=[\[{])|[ \t\r]+(?=\{)")
_SPACE = re.compile(r"[ \t\r\n]*")


def _resumed(data: bytes, array: bool = True) -> tuple[int, int] | None:
    """In the bytes of an element cut at its line's end after an unclosed string (a compact
    one-line array: `[{..., "text": "cut},{...},{...}]`), where the broken element ends and the
    next one starts, as byte offsets; None when no next one is found. Why: the broken element
    held every element after it on its line, all lost as one rejected row.

    The next element starts after the first comma from which whole JSON values, apart by commas,
    run on to the array's closing bracket at the end of the line: a comma inside the broken
    element's own later lists (`"urls": [{...}, {...}]}`) is followed by a closing bracket with
    more text after it, and one inside a file cut short never reaches that bracket; both are passed
    over. Where another bad element follows, the run starts after it (those between stay with the
    broken one).

    `array` False: values not in an array (`top_level_values`: `{..."text": "cut}, {...}, {...}`),
    whose run ends at the line's end instead, after at most one trailing comma; there values may
    stand apart by whitespace alone, as `top_level_values` reads them (`{..."text": "cut} {...} {...}`)."""
    text = data.decode("utf-8", "surrogateescape")
    decode = json.JSONDecoder().raw_decode
    # A value start some earlier comma's run passed through and failed from: a later comma there
    # fails alike, and is not tried again (else a hostile line of many commas cost their square).
    failed: set[int] = set()
    spent, budget = 0, 4 * len(text) + (1 << 16)  # characters decoded in all; past it, none is found
    for m in (_NEXT_VALUE if array else _NEXT_TOP_VALUE).finditer(text):
        pos, starts = m.end(), []
        if pos in failed:
            continue
        while True:
            if spent > budget:
                return None
            starts.append(pos)
            try:
                end = decode(text, pos)[1]
            except json.JSONDecodeError as exc:  # another bad element: a later comma may start the run
                # Making the error counts the lines before it (its `lineno`): `pos` characters read
                # again, so a hostile line of many bad values after commas cost its length squared.
                spent += max(exc.pos - pos, 1) + pos
                found = False
                break
            except (ValueError, RecursionError):
                spent += 1 << 10
                found = False
                break
            spent += end - pos
            pos = _SPACE.match(text, end).end()  # type: ignore[union-attr]
            if text[pos : pos + 1] == ",":
                pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
                if array or pos < len(text):
                    continue
                found = True  # a comma after the last value
                break
            if not array and text[pos : pos + 1] == "{":  # the next object, apart by whitespace alone
                continue
            found = (pos >= len(text) if not array
                     else text[pos : pos + 1] == "]" and _SPACE.match(text, pos + 1).end() >= len(text))  # type: ignore[union-attr]
            break
        if found:
            return len(text[: m.start()].encode("utf-8", "surrogateescape")), len(text[: m.end()].encode("utf-8", "surrogateescape"))
        failed.update(starts)
    return None


def array_elements(stream: BinaryIO, max_record_bytes: int, keep: int = 4000) -> Iterator[Line]:
    """Yield each top-level element of the JSON array in `stream` as a `Line` (number = 1-based
    element number). Arrays one after another (apart by whitespace or commas) are read in turn;
    other text after the closing bracket, or an unclosed array's partial last element, comes out
    as one more element, which the JSON parser then rejects."""
    number = 0
    el = _Element(max_record_bytes, keep)
    in_str, bs_run, depth, opened, closed, line_depth = False, 0, 0, False, False, 0

    def finish() -> Line | None:
        nonlocal number, el
        data = bytes(el.buf).strip(b" \t\r\n")
        done = el
        el = _Element(max_record_bytes, keep)
        if not data and not done.too_long:
            return None  # `[]`, or a trailing comma
        number += 1
        return Line(number, data, done.too_long, done.length)

    def broken_end() -> Iterator[Line]:
        """The element that ends at its line's end after an unclosed string, and the elements
        after it on that line that `_resumed` finds again, numbered on."""
        nonlocal number
        if (line := finish()) is None:
            return
        found = None if line.too_long else _resumed(line.data)
        if found is None:
            yield line
            return
        yield Line(line.number, line.data[: found[0]].rstrip(b" \t\r\n,"), False, found[0])
        for later in array_elements(io.BytesIO(b"[" + line.data[found[1] :] + b"\n"), max_record_bytes, keep):
            number += 1
            yield Line(number, later.data, later.too_long, later.length)

    while block := stream.read(_BLOCK):
        while block:
            if closed:
                lead = block.lstrip(b" \t\r\n,")
                if el.length or lead[:1] != b"[":  # after the array: everything else is one trailing element
                    el.add(block if el.length else lead)
                    break
                # Another array follows (`jq . a.json b.json` of two arrays, `cat` of array files):
                # its elements are read on, numbered after the first's. It was one rejected element.
                closed, opened, in_str, bs_run, depth, line_depth, block = False, False, False, 0, 0, 0, lead
            level, commas, in_str, bs_run, depth_after, line_depth, ends = _structure(block, in_str, bs_run, depth, line_depth, 1)
            start = 0
            if not opened:
                first = np.flatnonzero(level >= 1)
                if len(first) == 0:  # no '[' yet (whitespace)
                    depth = depth_after
                    break
                opened, start = True, int(first[0]) + 1
            cut = (commas & (level == 1)) | (level == 0)
            cut[ends] = True  # a broken element ends at its line's end
            cuts = np.flatnonzero(cut)
            cuts = cuts[cuts >= start]
            rest = b""
            broken = set(ends.tolist())
            for j in cuts.tolist():
                el.add(block[start:j])
                if j in broken:  # an unclosed string: the elements after it on its line are looked for
                    yield from broken_end()
                elif (line := finish()) is not None:
                    yield line
                start = j + 1
                if level[j] == 0:  # the array's closing bracket
                    closed, rest = True, block[start:]
                    break
            else:
                el.add(block[start:])
            depth = depth_after
            block = rest
    if in_str and not closed:  # the input ended inside a string (`json.dump`'s one line, no newline at its end)
        yield from broken_end()
    elif (line := finish()) is not None:
        yield line


def top_level_values(stream: BinaryIO, max_record_bytes: int, keep: int = 4000) -> Iterator[Line]:
    """Yield each top-level JSON value of a stream of values written one after another (`jq .
    a.json b.json`, `cat` of pretty-printed files; compact or pretty, apart by whitespace or
    commas) as a `Line` numbered by the line the value starts on. Why: such a file was refused
    whole, and reading it needs neither the whole file in memory nor a parser that stops at the
    first bad value: a value is cut where its brackets close, so a bad one is rejected alone.

    Text between values that is not whitespace or a comma (a stray word, a closing bracket too
    many, which leaves the depth at 0 in the same one scan of the block) comes out as a value of
    its own, which the JSON parser rejects; an unterminated string
    ends at its line's end, and unbalanced brackets run on until they balance, as in `array_elements`;
    values apart by commas or whitespace after an unterminated string on its line are found again (`broken_end`)."""
    el = _Element(max_record_bytes, keep)
    el_line = 0  # the line of el's first non-blank byte; 0 while el is blank
    lines_before = 0  # newlines before the current block
    in_str, bs_run, depth, line_depth = False, 0, 0, 0

    def add(block: bytes, newlines: np.ndarray, start: int, end: int) -> None:
        nonlocal el_line
        piece = block[start:end]
        if not el_line and (text := piece.lstrip(b" \t\r\n")):
            el_line = lines_before + int(newlines[start + len(piece) - len(text)]) + 1
        el.add(piece)

    def finish() -> Line | None:
        nonlocal el, el_line
        data = bytes(el.buf).strip(b" \t\r\n")
        done, number = el, el_line
        el, el_line = _Element(max_record_bytes, keep), 0
        if not data and not done.too_long:
            return None  # blank between values, or a separating comma
        return Line(number, data, done.too_long, done.length)

    def broken_end() -> Iterator[Line]:
        """The value that ends at its line's end after an unclosed string, and the values after it
        on that line that `_resumed` finds again, each numbered by that line. Why: `{"text": "cut},
        {...}, {...}` on one line was one rejected value holding every good one after it."""
        if (line := finish()) is None:
            return
        found = None if line.too_long else _resumed(line.data, array=False)
        if found is None:
            yield line
            return
        yield Line(line.number, line.data[: found[0]].rstrip(b" \t\r\n,"), False, found[0])
        for later in top_level_values(io.BytesIO(line.data[found[1] :] + b"\n"), max_record_bytes, keep):
            yield Line(line.number, later.data, later.too_long, later.length)

    while block := stream.read(_BLOCK):
        newlines = np.concatenate(([0], np.cumsum(np.frombuffer(block, np.uint8) == 0x0A)))
        level, commas, in_str, bs_run, depth_after, line_depth, ends = _structure(block, in_str, bs_run, depth, line_depth, floor=True)
        broken = set(ends.tolist())
        before_each = np.concatenate(([depth], level[:-1]))
        depth = depth_after
        # Cuts: a value opening or closing at the top level, a comma between values. A closing
        # bracket with nothing open (depth floored at 0) is no cut: it stays with the text around it.
        cuts = np.flatnonzero(((level != before_each) & ((level <= 0) | (before_each <= 0))) | (commas & (level == 0)))
        start = 0
        for j in cuts.tolist():
            lv, before = int(level[j]), int(before_each[j])
            if lv == 1 and before == 0:  # a value opens: what lay before it is apart from it
                add(block, newlines, start, j)
                if (line := finish()) is not None:
                    yield line
                start = j
            elif lv == 0 and before >= 1:  # it closes (or, broken, ends at its line's end)
                add(block, newlines, start, j + 1)
                if j in broken:
                    yield from broken_end()
                elif (line := finish()) is not None:
                    yield line
                start = j + 1
            elif lv == 0 and before == 0:  # a comma between values
                add(block, newlines, start, j)
                if (line := finish()) is not None:
                    yield line
                start = j + 1
        add(block, newlines, start, len(block))
        lines_before += int(newlines[-1])
    if in_str and b"\n" not in el.buf.strip(b" \t\r\n"):  # the input ended inside a string, on the value's one line
        yield from broken_end()
    elif (line := finish()) is not None:
        yield line
