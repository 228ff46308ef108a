"""Reading the `status` cell of a labelled-profiles table: the account's latest v1.1 status, kept
as text, whose `created_at` says when the profile was observed.

Why its own module: stclab (see ../shared/data/README.md) wrote that cell four ways, and only one
of them was read before, so two thirds of stclab's accounts had their age and per-day rates
measured at the set's collection date instead of at their own status. The spellings, in the order
they are tried:

- JSON (double quotes, `null`/`true`): `json.loads`;
- a Python dict's repr, Python 2's `u'...'` strings included: `ast.literal_eval` (never `eval`);
- tweepy's `Status(_api=<...>, _json={...}, ...)` repr, which is neither: the `_json=` dict inside
  it is cut out with Python's own tokenizer (so braces inside strings do not count) and read with
  `ast.literal_eval`.

Anything else (a bare tweet text, `None`, JSON broken by unescaped quotes) gives no time and is
counted by why; nothing here raises on a cell's content.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from collections import Counter
from collections.abc import Iterable
from typing import Any

# Why a cell gave no time, as counted by `status_times` (the keys of its Counter besides the
# spellings that were read).
EMPTY = "empty"
NOT_A_STATUS = "not a status"
UNREADABLE = "unreadable"
NO_CREATED_AT = "no created_at"
READ_JSON = "json"
READ_LITERAL = "python literal"
READ_TWEEPY = "tweepy repr"

_TWEEPY_MARK = "_json="


def _tweepy_json(text: str) -> dict[str, Any] | None:
    """The `_json={...}` dict inside a tweepy `Status(...)` repr, or None. The closing brace is
    found by tokenizing, so a `}` inside a tweet's text does not end the dict early."""
    at = text.find(_TWEEPY_MARK)
    if at < 0:
        return None
    body = text[at + len(_TWEEPY_MARK):]
    if not body.startswith("{"):
        return None
    depth = 0
    lines = body.splitlines(keepends=True)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(body).readline):
            if tok.type != tokenize.OP:
                continue
            if tok.string in "{[(":
                depth += 1
            elif tok.string in "}])":
                depth -= 1
                if depth == 0:
                    row, col = tok.end
                    literal = "".join(lines[: row - 1]) + lines[row - 1][:col]
                    value = ast.literal_eval(literal)
                    return value if isinstance(value, dict) else None
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    return None


def parse_status(text: object) -> tuple[dict[str, Any] | None, str]:
    """(the status as a dict or None, how it was read or why not) for one cell."""
    if not isinstance(text, str) or not text.strip() or text.strip() in ("None", "null", "nan"):
        return None, EMPTY
    s = text.strip()
    if not (s.startswith("{") or s.startswith("Status(")):
        return None, NOT_A_STATUS
    try:
        value = json.loads(s)
        return (value, READ_JSON) if isinstance(value, dict) else (None, NOT_A_STATUS)
    except (ValueError, RecursionError):
        pass
    try:
        value = ast.literal_eval(s)
        return (value, READ_LITERAL) if isinstance(value, dict) else (None, NOT_A_STATUS)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        pass
    value = _tweepy_json(s)
    return (value, READ_TWEEPY) if value is not None else (None, UNREADABLE)


def status_times(cells: Iterable[object]) -> tuple[list[str | None], Counter[str]]:
    """Per cell, the status's own `created_at` text (None where there is none) and a count of
    cells by how each was read or why it gave no time. Only the status's top-level `created_at`
    is taken: a nested `user` or `retweeted_status` has its own, which is not when the profile was
    observed (the account's creation, or someone else's post)."""
    out: list[str | None] = []
    counts: Counter[str] = Counter()
    for cell in cells:
        status, how = parse_status(cell)
        when = status.get("created_at") if status is not None else None
        if status is not None and not (isinstance(when, str) and when.strip()):
            how, when = NO_CREATED_AT, None
        out.append(when)
        counts[how] += 1
    return out, counts
