"""Lone UTF-16 surrogates in JSON: keep the record, mend the string, say so.

JSON may spell any UTF-16 code unit as an escape, so `"\\ud800"` without its partner is valid JSON
syntax that names no character. orjson, msgspec and DuckDB refuse the whole record, and Arrow could
not store such a string anyway; one stray escape in an author's display name used to lose the post.
Archives do hold them (a client that cut a string between the two halves of an emoji), so such a
record is parsed again by the standard library's decoder, which keeps lone surrogates, and every
string holding one, in a value or a key, gets U+FFFD in place of each lone surrogate. The record
is then read like any other, and the caller records the repair with the original bytes
(`RowSink.repair`), so nothing is changed silently. Valid pairs (the usual escaped emoji) never get
here: every decoder combines them into one character.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONE = re.compile("[\ud800-\udfff]")  # after decoding, a surrogate left in a str is unpaired
MAX_NAMED = 10  # field paths named in the recorded note; the count covers the rest


class _Refused(ValueError):
    pass


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON: refused here too, so the fallback accepts nothing orjson would not."""
    raise _Refused(name)


def loads_repairing(data: bytes | str) -> tuple[Any, list[str]]:
    """Parse one JSON record; returns it and the paths of the strings mended (empty when none).

    Raises orjson's own error when the record is bad for any other reason than lone surrogates,
    so the caller's rejection message is the same as before."""
    try:
        return orjson.loads(data), []
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in str(exc):
            raise
        first = exc
    try:
        obj = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # bad UTF-8 besides, or some other fault: orjson's word stands
        raise first from None
    paths: list[str] = []
    obj = _mend(obj, "", paths)
    if not paths:
        raise first
    return obj, paths


def _mend(value: Any, path: str, paths: list[str]) -> Any:
    """`value` with every lone surrogate in its strings replaced by U+FFFD, noting where."""
    if isinstance(value, str):
        if _LONE.search(value):
            paths.append(path or "(the record)")
            return _LONE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = _mend(k, f"{path}.{k!s}" if path else str(k), paths) if _LONE.search(k) else k
            out[key] = _mend(v, f"{path}.{key}" if path else key, paths)
        return out
    if isinstance(value, list):
        return [_mend(v, f"{path}[{i}]", paths) for i, v in enumerate(value)]
    return value


def repair_note(paths: list[str]) -> str:
    """The words recorded beside a mended record: what was changed, and where."""
    named = ", ".join(_LONE.sub("\ufffd", p) for p in paths[:MAX_NAMED])
    more = f" and {len(paths) - MAX_NAMED} more" if len(paths) > MAX_NAMED else ""
    return f"lone UTF-16 surrogate replaced by U+FFFD in {named}{more}"
