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
