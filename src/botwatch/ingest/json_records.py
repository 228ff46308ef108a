"""Driving a per-record handler over JSON input: one object per line, one big JSON array, a
file of one object over many lines (`jq .`'s output; `whole_object`), or objects written one
after another, not one a line (`jq . a.json b.json`, or apart by commas; `value_stream`).

The loop owns everything that is the same for every JSON format: blank lines, lines too long to
keep, bad UTF-8, truncated JSON, lone UTF-16 surrogates (mended and noted, `surrogates`), a
handler's `RecordError`, and a JSON array split into its elements by `json_array` (whose "line"
in `rejected` is the 1-based element number, since an array has no useful lines); objects one
after another are cut apart by `json_array.top_level_values`, each "line" the one it starts on.
"""

from __future__ import annotations

import io
from itertools import islice
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from botwatch.ingest.json_array import array_elements, top_level_values
from botwatch.ingest.sink import RecordError, RowSink
from botwatch.ingest.source import InputSource, Line
from botwatch.ingest.surrogates import loads_repairing, repair_note

Handler = Callable[[Any, int, RowSink], None]
FastPath = Callable[[bytes, int, RowSink], bool]  # raw record → stored? (False: use the handler)


def first_json_char(head: bytes) -> str:
    """The first non-whitespace character of the input (after a UTF-8 BOM), or ''."""
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return chr(s[0]) if s else ""


def pretty_object_start(head: bytes) -> bool:
    """Whether the input opens with `{` alone on its first line, as one JSON object saved
    pretty-printed does (`jq .`, `json.dump(obj, f, indent=2)`); a JSON-lines record never does."""
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return s[:1] == b"{" and not s[1:].split(b"\n", 1)[0].strip()


def whole_object(src: InputSource, max_record_bytes: int) -> tuple[bytes, Any] | None:
    """(its bytes, the object) when the whole input is one JSON object that opens pretty-printed
    and fits the record limit; else None, and it is read line by line as before (JSON lines, or
    several objects). Why: one status saved with `jq .` was refused as matching no format, though
    the same object on one line, or in a pretty-printed array, was read."""
    if not pretty_object_start(src.head()):
        return None
    whole = src.head_whole(max_record_bytes)
    if whole is None:
        return None
    try:
        obj = loads_repairing(whole)[0]
    except (orjson.JSONDecodeError, RecursionError):
        return None
    return (whole, obj) if isinstance(obj, dict) else None


def value_stream(head: bytes) -> bool:
    """Whether the input is JSON objects written one after another but not one a line: its first
    line is no JSON value by itself, and the head opens with a whole object (`jq . a.json b.json`,
    `cat` of pretty-printed files, or objects each followed by a comma). Why: such a file was
    refused, with a hint to rewrite it with `jq -c`, or (objects one a line, each with a comma)
    every record after the first was rejected. A file whose first line is a record is read line
    by line as before; so is one whose first object does not close (a lone `{` before JSON lines).

    A broken first object (a missing comma, an unclosed string) does not decide: the first whole
    object among the next ones does, and the stream is read as values when the line that object
    starts on is no JSON value by itself (pretty-printed, or followed by a comma). Why: a broken
    first record of pretty-printed statuses had the whole file refused as matching no format.
    JSON lines behind a broken first line are still read line by line."""
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    line = s[: s.find(b"\n")] if b"\n" in s else s
    if s[:1] != b"{" or b"\r" in line.rstrip(b"\r"):  # (lines ending in CR alone are named as such: `cr_only`)
        return False
    if _json_value(line):
        return False
    for k, value in enumerate(islice(top_level_values(io.BytesIO(s), len(s)), _STREAM_LOOK)):
        if value.too_long:
            return False
        try:
            obj = loads_repairing(value.data)[0]
        except (orjson.JSONDecodeError, RecursionError):
            continue
        if not isinstance(obj, dict):
            continue
        if k == 0:
            return True
        start = s.split(b"\n", value.number)[value.number - 1]
        return not _json_value(start)
    return False


_STREAM_LOOK = 20  # values looked at for a first whole object


def _json_value(line: bytes) -> bool:
    try:
        loads_repairing(line)
        return True
    except (orjson.JSONDecodeError, RecursionError):
        return False


def run_json(src: InputSource, sink: RowSink, handler: Handler, max_record_bytes: int, fast: FastPath | None = None) -> int:
    """Feed every JSON record of `src` to `handler`; returns the number of records read."""
    if first_json_char(src.head()) == "[":
        return _run_array(src, sink, handler, max_record_bytes, fast)
    single = whole_object(src, max_record_bytes)
    if single is not None:  # one record over many lines, numbered as line 1
        return consume_lines([Line(1, single[0], False, len(single[0]))], sink, handler, max_record_bytes, fast)
    if value_stream(src.read_ahead()):  # each object, pretty-printed or not, numbered by the line it starts on
        return consume_lines(top_level_values(src.stream, max_record_bytes), sink, handler, max_record_bytes, fast)
    return consume_lines(src.lines(max_record_bytes), sink, handler, max_record_bytes, fast)


def consume_lines(lines: Iterable[Line], sink: RowSink, handler: Handler, max_record_bytes: int, fast: FastPath | None = None) -> int:
    """The per-line work (parse, hand over, reject): run in-process or in a worker on a chunk.

    `fast`, when the format has one, tries a typed decoder first; records it declines go
    through the lenient parse-and-handle path, which accepts, coerces or rejects them.
    """
    read = 0
    loads = orjson.loads
    counts = sink.counts
    for line in lines:
        data = line.data
        if line.too_long:
            read += 1
            sink.reject(line.number, f"record of {line.length:,} bytes exceeds the {max_record_bytes:,}-byte limit", data)
            continue
        if not data.strip():
            continue
        read += 1
        if fast is not None and fast(data, line.number, sink):
            continue
        mended: list[str] = []
        try:
            obj = loads(data)
        except orjson.JSONDecodeError:
            try:  # a lone surrogate escape is mended, not a reason to lose the record
                obj, mended = loads_repairing(data)
            except (orjson.JSONDecodeError, RecursionError) as exc:
                sink.reject(line.number, f"invalid JSON: {exc}", data)
                continue
        except RecursionError as exc:
            sink.reject(line.number, f"invalid JSON: {exc}", data)
            continue
        stored = counts["posts"] + counts["snapshots"]
        try:
            handler(obj, line.number, sink)
        except RecordError as exc:
            sink.reject(line.number, str(exc), data)
            continue
        if mended and counts["posts"] + counts["snapshots"] > stored:  # noted where something mended was stored
            sink.repair(line.number, repair_note(mended), data)
    return read


def _run_array(src: InputSource, sink: RowSink, handler: Handler, max_record_bytes: int, fast: FastPath | None) -> int:
    """Each element on its own: a bad one is rejected and reading goes on; a huge one is skipped."""
    return consume_lines(array_elements(src.stream, max_record_bytes), sink, handler, max_record_bytes, fast)
