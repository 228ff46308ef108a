"""The exact text `json.dumps` writes for the accounts tables' small JSON cells, made faster.

Why: `account_scores` holds four JSON cells per account (evidence lists, origin probabilities,
kinds). `json.dumps(..., ensure_ascii=False)` builds a new encoder on every call, which cost more
than the encoding itself over tens of thousands of accounts. These helpers write the same
characters with the same C string escaper `json` uses (separators ", " and ": "), and fall back
to `json.dumps` for anything they do not cover, so the stored text never changes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

_LITERAL = {True: "true", False: "false", None: "null"}
_KEYS: dict[str, str] = {}  # escaped keys: a few country codes and kind names, asked for again and again


def string_list(items: Sequence[str]) -> str:
    """`json.dumps(items, ensure_ascii=False)` for a list of strings."""
    if all(type(s) is str for s in items):
        return "[" + ", ".join(map(encode_basestring, items)) + "]"
    return json.dumps(list(items), ensure_ascii=False)


def flat_object(obj: Mapping[str, Any]) -> str:
    """`json.dumps(obj)` for a dict of str keys to finite floats, booleans or None."""
    parts = []
    for k, v in obj.items():
        key = _KEYS.get(k) if type(k) is str else None
        if key is None:
            if type(k) is not str:
                return json.dumps(obj)
            key = _KEYS[k] = encode_basestring_ascii(k)
        t = type(v)
        if t is float and math.isfinite(v):
            parts.append(f"{key}: {v!r}")
        elif v is None or t is bool:
            parts.append(f"{key}: {_LITERAL[v]}")
        else:
            return json.dumps(obj)
    return "{" + ", ".join(parts) + "}"


# The C scanner `json.loads` ends in, on a decoder configured as `json.loads`'s default one.
_SCAN_ONCE = json.JSONDecoder().scan_once


def loads(text: str) -> Any:
    """`json.loads(text)` for a str, the same value or the same error, with the wrappers skipped
    for a text that is one object from its first character to its last. (One exception: the
    scanner's nesting counts against Python's recursion limit, and three fewer frames let an
    object nested within a few levels of that limit decode where `json.loads` raises
    RecursionError; callers treat both as a cell without facts.)

    Why: the accounts stage decodes each distinct `extra` cell of a batch (about 90,000 of 106,000
    on a study of distinct profiles), and `loads` → `decode` → `raw_decode` cost about as much as
    the scan. For a text starting with '{' those wrappers skip no whitespace and meet no byte-order
    mark, so what they add is only the check that the object ends the text; anything else (other
    values, trailing text, errors) goes to `json.loads` itself."""
    if text[:1] == "{" and text[-1:] == "}":
        try:
            obj, end = _SCAN_ONCE(text, 0)
        except StopIteration:
            return json.loads(text)  # (raises the same JSONDecodeError)
        if end == len(text):
            return obj
    return json.loads(text)


def object_of(value: Any) -> dict[str, Any]:
    """A profile's `extra` cell as a dict: {} for a missing, empty, non-JSON or non-object value."""
    if not isinstance(value, str) or not value:
        return {}
    try:
        obj = loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return {}
    return obj if isinstance(obj, dict) else {}


def region_of(value: Any) -> Any:
    """`object_of(value).get("region")`, without decoding a text that cannot hold that key.

    Why: most `extra` cells (every one of the v1.1 readers') carry no region, and the origin pass
    decoded each distinct one to learn that. A JSON key spelled "region" is either written so in
    the text or uses a backslash escape; a text with neither has no such key."""
    if isinstance(value, str) and "region" not in value and "\\" not in value:
        return None
    return object_of(value).get("region")
