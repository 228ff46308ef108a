"""Driving a per-row handler over CSV input, with the row's first physical line number.

Multi-line posts are quoted CSV fields, so a record's line is where it starts, not a row count.
Bytes that are not UTF-8 are carried as surrogates and the row is rejected, rather than being
silently "repaired" into different text.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from botwatch.ingest.record_error import RecordError
from botwatch.ingest.source import InputSource

if TYPE_CHECKING:  # a type hint only: `sink` imports pyarrow, which the collectors sharing these helpers never use
    from botwatch.ingest.sink import RowSink

# Quoted: the alias is built when the module loads, when `RowSink` is a name for type checkers only.
RowHandler = Callable[[dict[str, str], int, "RowSink"], None]
_SURROGATE = re.compile("[\udc80-\udcff]")


def normalise_header(name: str) -> str:
    """Header names compared case-insensitively, without BOM or surrounding space."""
    return name.strip().lstrip("\ufeff").strip().lower()


def read_header(head: bytes) -> list[str]:
    """The header row of a CSV given its first bytes."""
    text = head.decode("utf-8", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:  # a header with NUL bytes or a runaway quote: not a CSV botwatch can name
        return []
    return [normalise_header(h) for h in first]


CsvItem = tuple[int, "list[str] | None", "str | None", str]  # (first line, row, parse error, raw text of a bad record)

# A quoted field may hold newlines (multi-line posts), but a record running past this many lines
# is an unclosed quote, not a post: it is rejected and reading resumes on its next line. (A post
# is at most a few thousand characters; a profile description a few hundred.)
MAX_RECORD_LINES = 500
_KEEP = 4000  # bytes of a bad record kept for `rejected`


class _Overflow(Exception):
    """Raised into the CSV parser when the record being read is too long to be a real one."""


class _RecordLines:
    """The physical lines fed to `csv.reader`, remembering the ones of the record being read.

    When a record turns out bad (too long, or a multi-line record with the wrong number of
    fields: the sign of a stray quote), its first line is rejected and its other lines are fed
    again, so good rows a stray quote swallowed are read as rows.
    """

    def __init__(self, text: io.TextIOWrapper, max_record_bytes: int) -> None:
        self._text = text
        self._max = max_record_bytes
        self.pending: deque[tuple[int, str, bool]] = deque()  # lines to read again
        self.current: list[tuple[int, str, bool]] = []  # lines of the record being read
        self._size = 0
        self._number = 0

    def _next_line(self) -> tuple[int, str, bool] | None:
        if self.pending:
            return self.pending.popleft()
        line = self._text.readline(self._max + 1)
        if not line:
            return None
        self._number += 1
        if len(line) > self._max and not line.endswith(("\n", "\r")):
            head = line[:_KEEP]
            while line and not line.endswith(("\n", "\r")):  # skip the rest of an over-long line
                line = self._text.readline(1 << 20)
            return self._number, head, True
        return self._number, line, False

    def start_record(self) -> None:
        self.current = []
        self._size = 0

    def __iter__(self) -> Iterator[str]:
        while (item := self._next_line()) is not None:
            if item[2] or len(self.current) >= MAX_RECORD_LINES or self._size + len(item[1]) > self._max:
                self.pending.appendleft(item)
                raise _Overflow
            self.current.append(item)
            self._size += len(item[1])
            yield item[1]

    def raw(self, lines: list[tuple[int, str, bool]]) -> str:
        return "".join(t for _, t, _ in lines)[:_KEEP]


def _suspect(lines: list[tuple[int, str, bool]], width: int) -> bool:
    """Is a multi-line record of the right width really rows merged by a stray quote?

    Yes when its quotes never close (it ran into the end of the input), or when a continuation
    line is, on its own, a whole row of the header's width: a post's text line rarely holds as
    many commas as the archive has columns, a swallowed row always does. A swallowed row's own
    quotes are balanced; the line holding the closing quote of a real multi-line field is not
    (an odd count), so that line, whatever commas the post's last words hold, is never taken
    for a row (a post ending "\r,0" was rejected as one).
    """
    if sum(t.count('"') for _, t, _ in lines) % 2 == 1:
        return True
    for _, t, _ in lines[1:]:
        if t.count('"') % 2 == 0 and t.count(",") >= width - 1 and len(next(csv.reader([t]), [])) == width:
            return True
    return False


def _one_strict_record(lines: list[tuple[int, str, bool]]) -> bool:
    """Do these lines parse as exactly one record under strict CSV quoting?"""
    try:
        return len(list(csv.reader(io.StringIO("".join(t for _, t, _ in lines), newline=""), strict=True))) == 1
    except csv.Error:
        return False


def csv_rows(src: InputSource, max_record_bytes: int) -> tuple[list[str], Iterator[CsvItem]]:
    """The header and an iterator of (first physical line, row or None, error or None, raw text)."""
    csv.field_size_limit(min(max_record_bytes, sys.maxsize))
    text = io.TextIOWrapper(src.stream, encoding="utf-8", errors="surrogateescape", newline="")
    lines = _RecordLines(text, max_record_bytes)
    reader = csv.reader(lines)
    try:
        lines.start_record()
        header = [normalise_header(h) for h in next(reader)]
    except (StopIteration, csv.Error, _Overflow):
        return [], iter(())
    width = len(header)

    def rows() -> Iterator[CsvItem]:
        nonlocal reader
        while True:
            lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                if not lines.current:
                    break
                # EOF inside a quoted field: the unclosed quote's record, then its lines as rows.
                error = f"unclosed quote: the record runs to the end of the input ({len(lines.current):,} lines)"
            except _Overflow:
                if not lines.current:  # one physical line over the limit, on its own
                    number, head, _ = lines.pending.popleft()
                    yield number, None, f"record exceeds the {max_record_bytes:,}-byte limit", head
                    reader = csv.reader(lines)
                    continue
                error = f"unclosed quote? the record runs past {MAX_RECORD_LINES:,} lines or {max_record_bytes:,} bytes"
            except csv.Error as exc:
                error = f"malformed CSV: {exc}"
            else:
                if len(lines.current) <= 1 or (len(row) == width and not _suspect(lines.current, width)):
                    yield (lines.current[0][0] if lines.current else 0), row, None, ""
                    continue
                if len(row) == width:
                    error = f"unclosed quote: the record runs to the end of the input ({len(lines.current):,} lines)"
                elif len(row) > width and _one_strict_record(lines.current) and not _suspect(lines.current, width):
                    # A multi-line record with fields to spare, quoted by the book (every closing
                    # quote followed by a comma or the line's end), quotes balanced, no line a row
                    # of its own: a column appended to one row, not rows a stray quote merged
                    # (whose closing quote is a real field's opening one, text after it). Fed
                    # again, its lines became fragments rejected one by one.
                    yield lines.current[0][0], None, f"row has {_fields(len(row))}, header has {width} (one record over {len(lines.current):,} lines)", lines.raw(lines.current)
                    continue
                else:
                    error = f"row has {_fields(len(row))}, header has {width}, over {len(lines.current):,} lines (a stray quote?)"
            first, rest = lines.current[0], lines.current[1:]
            yield first[0], None, error, lines.raw([first])
            lines.pending.extendleft(reversed(rest))
            reader = csv.reader(lines)  # a fresh parser: the old one is inside the bad record
        text.detach()

    return header, rows()


def _fields(n: int) -> str:
    """"1 field", "4 fields": a junk line of one field was rejected as "row has 1 fields"."""
    return f"{n:,} field{'' if n == 1 else 's'}"


def consume_rows(items: Iterable[CsvItem], header: list[str], sink: RowSink, handler: RowHandler) -> int:
    """The per-row work (check, hand over, reject): run in-process or in a worker on a chunk."""
    read = 0
    width = len(header)
    for start, row, error, bad_raw in items:
        if row is None:
            read += 1
            sink.reject(start, error or "malformed CSV", bad_raw)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        read += 1
        raw = ",".join(row)
        if _SURROGATE.search(raw):
            sink.reject(start, "invalid UTF-8 in row", raw.encode("utf-8", "surrogateescape"))
            continue
        if len(row) != width:
            sink.reject(start, f"row has {_fields(len(row))}, header has {width}", raw)
            continue
        try:
            handler(dict(zip(header, row)), start, sink)
        except RecordError as exc:
            sink.reject(start, str(exc), raw)
    return read


def run_csv(src: InputSource, sink: RowSink, handler: RowHandler, max_record_bytes: int) -> int:
    """Feed every data row of `src` (as a header→value dict) to `handler`; returns rows read."""
    header, items = csv_rows(src, max_record_bytes)
    return consume_rows(items, header, sink, handler)


def parse_list_field(value: str | None) -> list[str]:
    """Lists as archives write them in CSV: `[a, b]`, `['a', 'b']`, JSON, or space/comma separated."""
    if value is None:
        return []
    v = value.strip()
    if not v or v.lower() in ("none", "null", "[]", "nan"):
        return []
    if v.startswith("[") and v.endswith("]"):
        v = v[1:-1]
    parts = re.split(r"[,\s]+", v) if "," not in v else v.split(",")
    out = []
    for p in parts:
        p = p.strip().strip("'\"").strip()
        if p:
            out.append(p)
    return out
