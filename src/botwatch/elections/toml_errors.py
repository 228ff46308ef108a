"""The line `elections check` gives for an election file that is not valid TOML.

Python's TOML reader says where it stopped and what it expected, in its own words: an unquoted
date written the way people write one ("polling_day = 23-06-2016") read "Expected newline or end
of document after a statement (at line 7, column 17)", and a field given twice "Cannot overwrite a
value (at line 8, column 25)". Neither names the field nor says what to write instead. Here the
two mistakes an election file invites (a date in another form, a field repeated) are said in the
file's own terms, with the line and the field as every other election error gives them; any other
syntax error keeps the reader's words.
"""

from __future__ import annotations

import re

# tomllib (3.11–3.13) puts the place in the message; 3.14 adds attributes, but the text stays.
_AT = re.compile(r"\(at line (\d+), column \d+\)")
# The value is the rest of the line, stripped in Python: "(.*?)\\s*$" backtracked from every
# position of a run of spaces, quadratic in the line (a 32,000-space line took 15 s, and an
# election file may hold 4 MB).
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=(.*)")
# A header's name may be quoted (`[["parties"]]`, `['window']`), which TOML reads as the bare name.
_HEADER = re.compile(r"""^\s*(\[\[?)\s*(["']?)([A-Za-z0-9_-]+)\2\s*\]\]?\s*(?:#.*)?$""")
# A value that starts like a date but that TOML does not read as one: another order or separator
# (23-06-2016, 2016/06/23, 23.06.2016) or a month or day out of range or without its leading zero.
_DATE_LIKE = re.compile(r"^\d{1,4}([-/.])\d{1,2}\1\d{1,4}\b")
# Already the form TOML reads: such a value was refused for another reason (a day the calendar lacks,
# 2016-02-30; text after it), and "write it year-month-day" would send the reader to what they wrote.
_TOML_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}")
# The longest value quoted back: the rest of the line is the file's text, up to 4 MB of it.
SHOWN_MAX = 40


def toml_error_line(shown_path: str, text: str, message: str) -> str:
    """The error line for `text` (an election file shown as `shown_path`) that the TOML reader
    refused with `message`: the file, line and field with what to write for a date in another form
    or a field given twice; otherwise the reader's own words, as before."""
    plain = f"{shown_path}: invalid TOML: {message}"
    at = _AT.search(message)
    if not at:
        return plain
    lineno = int(at.group(1))
    # Lines as the reader counts them, at "\n" alone: `splitlines` also cut at U+2028, U+0085 and
    # the like, which a comment or string may hold, and named the field of another line.
    lines = text.split("\n")
    if not 1 <= lineno <= len(lines):
        return plain
    m = _KEY_LINE.match(lines[lineno - 1])
    if not m:
        return plain
    key, value = m.group(1), m.group(2).split("#", 1)[0].strip()
    field = _field(lines[: lineno - 1], key)
    if message.startswith("Cannot overwrite a value"):
        return (f"{shown_path}:{lineno}: {field}: invalid TOML: given a second time in its table; "
                "keep one of the two lines")
    if _DATE_LIKE.match(value) and not _TOML_FORM.match(value):
        shown = value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…"
        return (f"{shown_path}:{lineno}: {field}: invalid TOML: {shown!r} is not a date TOML reads; write it "
                "year-month-day with two-digit month and day, unquoted, as 2016-06-23")
    return plain


def _field(before: list[str], key: str) -> str:
    """`key` with the table it sits in, as the other election errors name a field: `window.start`,
    `parties[1].key`, `events[0].at` (the last header above it; an array table counted by its
    headers so far)."""
    table, index = "", None
    counts: dict[str, int] = {}
    for line in before:
        h = _HEADER.match(line)
        if not h:
            if line.lstrip().startswith("["):
                # A header read some other way (a dotted name): the key alone, never the table
                # above it, which once named `parties[0]` for a field of the party after it.
                table, index = "?", None
            continue
        table = h.group(3)
        if h.group(1) == "[[":
            counts[table] = counts.get(table, 0) + 1
            index = counts[table] - 1
        else:
            index = None
    if not table or table == "?":
        return key
    return f"{table}[{index}].{key}" if index is not None else f"{table}.{key}"
