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
from collections.abc import Callable, Iterable, Iterator

from botwatch.ingest.sink import RecordError, RowSink
from botwatch.ingest.source import InputSource

RowHandler = Callable[[dict[str, str], int, RowSink], None]
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


CsvItem = tuple[int, "list[str] | None", "str | None"]  # (first line, row, parse error)


def csv_rows(src: InputSource, max_record_bytes: int) -> tuple[list[str], Iterator[CsvItem]]:
    """The header and an iterator of (first physical line, row or None, CSV error or None)."""
    csv.field_size_limit(min(max_record_bytes, sys.maxsize))
    text = io.TextIOWrapper(src.stream, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = [normalise_header(h) for h in next(reader)]
    except StopIteration:
        return [], iter(())

    def rows() -> Iterator[CsvItem]:
        last_line = reader.line_num
        while True:
            start = last_line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                last_line = reader.line_num
                yield start, None, f"malformed CSV: {exc}"
                continue
            last_line = reader.line_num
            yield start, row, None
        text.detach()

    return header, rows()


def consume_rows(items: Iterable[CsvItem], header: list[str], sink: RowSink, handler: RowHandler) -> int:
    """The per-row work (check, hand over, reject): run in-process or in a worker on a chunk."""
    read = 0
    width = len(header)
    for start, row, error in items:
        if row is None:
            read += 1
            sink.reject(start, error or "malformed CSV", b"")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        read += 1
        raw = ",".join(row)
        if _SURROGATE.search(raw):
            sink.reject(start, "invalid UTF-8 in row", raw.encode("utf-8", "surrogateescape"))
            continue
        if len(row) != width:
            sink.reject(start, f"row has {len(row)} fields, header has {width}", raw)
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
