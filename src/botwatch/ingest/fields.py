"""Typed field coercion shared by all readers.

Archives disagree about types (ids as numbers or strings, counts as "15349596 " with a trailing
space, booleans as "False"), and some records are simply wrong. These helpers turn what is there
into the canonical type or NULL, and raise `RecordError` where a value that a post cannot do
without (its id, its time) is missing or malformed, so the record goes to `rejected` instead of
poisoning a whole Arrow batch.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

from botwatch.ingest.record_error import RecordError

_MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
_ANCHOR = re.compile(r"<[^>]*>")
_NULL_STRINGS = {"", "none", "null", "nan"}
# Trimmed around text fields: ASCII whitespace only, the same set the native (SQL) reader trims,
# so a profile reads the same whichever path took it.
ASCII_SPACE = " \t\n\r\x0b\x0c"


def req_id(value: Any, what: str) -> str:
    """A required id, as a string (ids are never numbers: 64-bit ids lose digits as floats)."""
    if isinstance(value, str):
        v = value.strip()
        if v:
            return v
    elif isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None:
        raise RecordError(f"missing {what}")
    if isinstance(value, str):  # blank: it read "post id has wrong type str", for a string
        raise RecordError(f"missing {what} (blank)")
    if isinstance(value, float) and not abs(value) < 2.0**64:
        # A whole number past 64 bits, which the JSON parser can only give as a rounded float
        # (and no id_str beside it): it read "has wrong type float", as if written as a decimal.
        raise RecordError(f"{what} is out of range: a number beyond 64 bits, which cannot be read exactly")
    raise RecordError(f"{what} has wrong type {type(value).__name__}")


def opt_id(value: Any) -> str | None:
    """An optional id as a string, or NULL."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return None  # a float id has already lost digits: unknown, not wrong
    if isinstance(value, str):
        v = value.strip()
        return None if v.lower() in _NULL_STRINGS else v
    return None


# An id a spreadsheet rewrote in scientific notation ("1.23457E+18"): Excel and LibreOffice show
# a 64-bit id so, and save it so unless the column is text. No platform writes an id with "E+".
_ROUNDED_ID = re.compile(r"[0-9](?:\.[0-9]*)?[eE]\+[0-9]+")


def cell_id(value: Any, what: str | None = None) -> str | None:
    """An id from a CSV cell (`opt_id`), unless a spreadsheet rounded it into scientific notation:
    then `RecordError` naming `what` (a row's own post or account id), or None (a reference,
    unknown rather than wrong).

    Why: the digits are gone, so distinct posts share one id, and all but the first were counted
    as duplicates and dropped without a word ("read 3, stored 1, duplicates 2", exit 0); distinct
    accounts merged into one."""
    v = opt_id(value)
    if v is None or not _ROUNDED_ID.fullmatch(v):
        return v
    if what is None:
        return None
    raise RecordError(f"{what} {v!r} is in scientific notation: a spreadsheet rounded it and its digits are gone, so "
                      "distinct posts or accounts would share it; export the file again with that column as text")


def opt_str(value: Any) -> str | None:
    """A text field, or NULL for missing/empty/"None" placeholders."""
    if value is None:
        return None
    if value.__class__ is str and len(value) > 4 and not value[0].isspace() and not value[-1].isspace():
        return value  # the common case: nothing to strip, too long to be a "None"/"null" placeholder
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return None
    v = value.strip(ASCII_SPACE)
    return None if v.lower() in _NULL_STRINGS else v


def web_address(text: str | None) -> bool:
    """Is this text (an `opt_str` value) an http(s) address? Only such a profile `url` is a website
    on the profile (the bot model's `has_url`); a `javascript:` or other one is no site anyone visits.
    Twitter writes a profile's link as an https t.co address."""
    return text is not None and text[:8].lower().startswith(("http://", "https://"))


def req_text(value: Any) -> str:
    """Post text: must be a string (an empty post is allowed, a number is not)."""
    if isinstance(value, str):
        return value
    if value is None:
        raise RecordError("missing text")
    raise RecordError(f"text has wrong type {type(value).__name__}")


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def opt_int(value: Any, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int | None:
    """A count, or NULL when absent, not a number, or outside `lo`..`hi` (the column's range).

    Why the range: a count beyond 64 bits (`"followers_count": 1e30`, `"1e400"`, 2**64) is no
    real count, and it failed the Arrow batch at flush, so one such record cost its whole file
    ("OverflowError ... nothing from this file was stored"). It is unknown, as a non-number is;
    the SQL reader's TRY_CAST gives the same NULL."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if lo <= value <= hi else None
    if isinstance(value, float):
        return opt_int(int(value), lo, hi) if value - value == 0 else None  # NaN and infinities: None
    if isinstance(value, str):
        v = value.strip()
        if not v:
            return None
        try:
            n = int(float(v)) if "." in v or "e" in v.lower() else int(v)
        except (ValueError, OverflowError):  # OverflowError: "1e400" is an infinite float
            return None
        return n if lo <= n <= hi else None
    return None


def opt_int32(value: Any) -> int | None:
    """A small integer for an int32 column (v1.1's `utc_offset`): `opt_int` within 32 bits."""
    return opt_int(value, INT32_MIN, INT32_MAX)


def opt_bool(value: Any) -> bool | None:
    """A flag from a bool, 0/1, or "True"/"False" text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "1", "t", "yes"):
            return True
        if v in ("false", "0", "f", "no"):
            return False
    return None


@lru_cache(maxsize=1 << 16)
def _v1_time(v: str) -> datetime | None:
    """The v1.1 fixed-width time format, parsed once per distinct string (archives repeat them:
    every post of a second, every post of an account's creation time)."""
    if len(v) == 30 and v[3] == " " and v[19] == " ":
        try:
            dt = datetime(int(v[26:30]), _MONTHS[v[4:7]], int(v[8:10]), int(v[11:13]), int(v[14:16]), int(v[17:19]))
        except (KeyError, ValueError):
            return None
        off = v[20:25]
        if off != "+0000":
            try:
                sign = 1 if off[0] == "+" else -1
                dt -= sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))
            except (ValueError, IndexError, OverflowError):
                return None  # OverflowError: year 1 east of UTC or year 9999 west of it
        return dt
    return None


def parse_twitter_time(value: Any, what: str = "created_at", required: bool = True) -> datetime | None:
    """Parse v1.1's `Wed Oct 10 20:19:24 +0000 2018` (and ISO 8601) into naive UTC."""
    if value.__class__ is str:
        dt = _v1_time(value)
        if dt is not None:
            return dt
    if not isinstance(value, str) or not value.strip():
        if required:
            raise RecordError(f"missing {what}" if value in (None, "") else f"{what} has wrong type {type(value).__name__}")
        return None
    v = value.strip()
    dt = _v1_time(v)
    return dt if dt is not None else parse_iso_time(v, what, required)


def parse_iso_time(value: Any, what: str = "created_at", required: bool = True) -> datetime | None:
    """Parse ISO 8601 (`2021-09-22T16:37:29.000Z`, `2016-11-29 14:05:00`, with or without offset) into naive UTC."""
    if isinstance(value, str) and value.strip():
        v = value.strip()
        if v.endswith("Z"):
            v = v[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            dt = _parse_slash_time(v)
            if dt is None:
                if required:
                    raise RecordError(f"{what} is not a time: {value[:40]!r}") from None
                return None
        if dt.tzinfo is not None:
            try:
                dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:  # year 1 east of UTC or year 9999 west of it: no UTC time exists
                if required:
                    raise RecordError(f"{what} is outside the years 1-9999 in UTC: {value[:40]!r}") from None
                return None
        return dt
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return epoch_to_datetime(float(value))
        except RecordError:
            if required:
                raise
            return None
    if required:
        raise RecordError(f"missing {what}" if value in (None, "") else f"{what} has wrong type {type(value).__name__}")
    return None


def _parse_slash_time(v: str) -> datetime | None:
    """FiveThirtyEight's original files use `9/7/2017 19:52` (US month first)."""
    for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            continue
    return None


def epoch_to_datetime(seconds: float) -> datetime:
    """Seconds (or milliseconds/microseconds, recognised by size) since the epoch, as naive UTC."""
    if seconds > 1e14:
        seconds /= 1e6
    elif seconds > 1e11:
        seconds /= 1e3
    try:
        return datetime(1970, 1, 1) + timedelta(seconds=seconds)
    except (OverflowError, ValueError):  # before year 1 or after 9999, or NaN/infinity
        raise RecordError(f"time {seconds!r} seconds from 1970 is outside the years 1-9999") from None


# Twitter started in 2006: no post, and no notice a stream sent, is from before then, nor from after
# tomorrow (a day's slack for clocks and zones). A time from digits outside these bounds is no time
# the platform wrote: 201611081200 read as milliseconds is 1976, 0 or -1 is 1970.
EARLIEST_POST = datetime(2006, 1, 1)


def plausible_post_time(dt: datetime) -> bool:
    """Whether naive-UTC `dt` lies from `EARLIEST_POST` to a day after now (the time of ingest)."""
    return EARLIEST_POST <= dt <= datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)


def notice_time(timestamp_ms: Any) -> datetime | None:
    """A stream notice's `timestamp_ms` as naive UTC, or None (no time, as a notice without one).

    Why None for an implausible one and not the time it spells: 0, -1 or "30" read as 1969-1970,
    and `limited_at` orders a capture's limit notices into connections (`stream_limits`), so a
    bogus time reordered them and changed the withheld total. The notice itself stays good."""
    ms = opt_int(timestamp_ms)
    if ms is None:
        return None
    try:
        dt = epoch_to_datetime(ms / 1000)
    except RecordError:  # beyond the years 1-9999
        return None
    return dt if plausible_post_time(dt) else None


def client_name(source: Any) -> str | None:
    """The client app name from v1.1's HTML anchor (`<a href=...>Twitter for iPhone</a>`) or plain text."""
    if source.__class__ is str:
        return _client_name(source)
    return None


@lru_cache(maxsize=4096)
def _client_name(source: str) -> str | None:
    s = opt_str(source)
    if s is None:
        return None
    if "<" in s:
        s = _ANCHOR.sub("", s)
    return html.unescape(s).strip() or None


def obj_or_empty(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one. Why: readers chain `.get` through
    nested parts (`includes.users`, a tweet's `author`), and one record with a number, string or
    list there raised AttributeError, which is no `RecordError`, so its whole file was rolled back."""
    return value if isinstance(value, dict) else {}


def list_or_empty(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty one (`x.get(k) or []` let a number or `true`
    through to a `for` loop: a TypeError that rolled back the whole file)."""
    return value if isinstance(value, list) else []


def str_list(values: Any, key: str | None = None) -> list[str]:
    """A list of strings from a list of strings or of dicts (taking `key`), dropping the rest."""
    out: list[str] = []
    if not isinstance(values, list):
        return out
    for v in values:
        if key is not None and isinstance(v, dict):
            v = v.get(key)
        if isinstance(v, str) and v:
            out.append(v)
    return out


# How deep a record kept whole (`record_json`) is written: orjson writes at most 254 levels and
# reads up to 1,024, so a record it read can be one it cannot write back.
KEPT_DEPTH = 200


def record_json(obj: Any) -> bytes:
    """A parsed record as JSON, for the `rejected` row kept beside a repaired or edited post. Why
    not `orjson.dumps` alone: an author can nest a field of a record deeper than orjson writes
    (it reads deeper), and its error failed the whole file, every good post with it. Such a record
    is kept with its parts below `KEPT_DEPTH` levels said, not written."""
    try:
        return orjson.dumps(obj)
    except orjson.JSONEncodeError:
        return orjson.dumps(_cut_deep(obj, KEPT_DEPTH))


def _cut_deep(value: Any, depth: int) -> Any:
    """`value` with its lists and objects below `depth` levels replaced by a note, and integers
    orjson cannot write as text."""
    if isinstance(value, (dict, list)):
        if depth <= 0:
            return "(nested deeper: not kept)"
        if isinstance(value, dict):
            return {str(k): _cut_deep(v, depth - 1) for k, v in value.items()}
        return [_cut_deep(v, depth - 1) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= 2**64 - 1:
        return str(value)
    return value
