"""A user's own CSV, read through a column map: which of its columns is which canonical field.

The built-in CSV readers know their layouts by header names (`formats.classify_csv`); a newsroom's
export from a social-listening tool, a scraper or a spreadsheet has headers of its own, and was
refused as "not a format botwatch reads". A `ColumnMap` names, for each canonical field, the
column holding it (`botwatch ingest STUDY FILE.csv --columns post_id=tweet_id,account_id=user_id,
created_at=created_at,text=text`, or the same in a TOML file given with `--column-map`); every
row is then read like any other format's: a row whose time or id cannot be read is counted and
kept aside in `rejected` with its line, the rest goes on, and re-ingesting stores nothing twice.

The map is recorded in the `ingest` run's parameters (`as_params`), so the report's reproduction
block repeats it (`reproduce_flags`) and a re-run reads the file the same way.

A mapped text is kept as written unless the map says `decode_entities` (`--decode-entities`): the
map cannot tell a file of the API's escaped text (`&amp;`) from a scraped one whose posters typed
an entity, the user can (docs/ingest-csv.md, "Escaped text").
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from botwatch.ingest.csv_formats import _RT_PREFIX, id_text, text_entities
from botwatch.ingest.csv_records import normalise_header, parse_list_field
from botwatch.ingest.fields import (
    cell_id,
    epoch_to_datetime,
    opt_bool,
    opt_id,
    opt_int,
    opt_str,
    parse_twitter_time,
    plausible_post_time,
    req_id,
    req_text,
    client_name,
)
from botwatch.ingest.html_entities import decode_if_escaped
from botwatch.ingest.sink import RecordError, RowSink
from botwatch.shown_text import name_shown

if TYPE_CHECKING:
    from botwatch.ingest.formats import Format
    from botwatch.ingest.source import InputSource

FORMAT = "csv-mapped"

# The fields a map must name: without them a row is not a post of someone at some time.
REQUIRED = ("account_id", "created_at", "text")

# Every field a map may name, with what it holds (the `--help` text and docs/ingest-csv.md list these).
FIELDS: dict[str, str] = {
    # the post
    "post_id": "the post's id (optional: without it a stable id is built from account, time and text)",
    "account_id": "the account key (an id, or a handle where the export has no ids)",
    "created_at": "when it was posted (ISO 8601 with or without a zone, epoch seconds or ms, v1.1 form, or --time-format)",
    "text": "the post's text",
    "lang": "the post's language code",
    "kind": "original, retweet, quote or reply",
    "is_retweet": "a retweet flag (1/0, true/false, yes/no)",
    "ref_post_id": "the post retweeted, quoted or replied to",
    "ref_account_id": "that post's account",
    "ref_handle": "that post's account handle",
    "in_reply_to_post_id": "the post replied to (a value makes the post a reply)",
    "in_reply_to_account_id": "the account replied to (a value makes the post a reply)",
    "hashtags": "hashtags (a list: space or comma separated, JSON or [a, b]; without it they are found in the text)",
    "mentions": "mentioned handles (a list, as hashtags)",
    "urls": "links (a list, as hashtags)",
    "client": "the app it was posted from",
    # the account, as seen with the post
    "handle": "the account's handle (screen name)",
    "display_name": "the account's display name",
    "description": "the profile's description",
    "location": "the profile's free-text location",
    "account_lang": "the account's language setting",
    "account_created_at": "when the account was created",
    "followers": "followers count",
    "following": "following (friends) count",
    "posts_count": "the account's post count",
    "verified": "verified flag",
    "default_profile": "default-profile flag",
    "default_image": "default-image flag",
    "time_zone": "the profile's time zone name (v1.1, e.g. 'Eastern Time (US & Canada)')",
    "utc_offset": "the profile's UTC offset in seconds east",
}

_KINDS = {"original": "original", "tweet": "original", "post": "original", "status": "original",
          "retweet": "retweet", "rt": "retweet", "repost": "retweet", "reblog": "retweet", "boost": "retweet",
          "quote": "quote", "quote_tweet": "quote", "quoted": "quote",
          "reply": "reply", "replied_to": "reply", "comment": "reply"}
_EPOCH_DIGITS = re.compile(r"\d{9,17}(\.\d+)?")
TIME_FORMAT_WORDS = ("epoch", "epoch_ms")
MAP_LIMIT = 1 << 20  # bytes: a column map is a few lines


class ColumnMapError(ValueError):
    """A column map that cannot be used as given; the message is one line saying why."""


@dataclass(frozen=True)
class ColumnMap:
    """Canonical field -> the CSV column (header name, compared case-insensitively) holding it."""

    columns: tuple[tuple[str, str], ...]
    time_format: str | None = None  # strptime format, "epoch" or "epoch_ms"; None: recognised per value
    platform: str = "twitter"
    time_zone: str | None = None  # IANA zone of times written without an offset; None: such times are UTC
    # Post text is the API's, escaped: `&amp;` `&lt;` `&gt;` decoded (`html_entities.decode_if_escaped`).
    decode_entities: bool = False
    _by_field: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_field", dict(self.columns))

    def column(self, name: str) -> str | None:
        """The (normalised) column mapped to canonical field `name`, or None."""
        return self._by_field.get(name)

    @property
    def key_column(self) -> str:
        """The column the account key is read from: `account_id`'s, else (a handle-only map) `handle`'s."""
        return self._by_field.get("account_id") or self._by_field["handle"]

    @property
    def handle_keys(self) -> bool:
        """True when the account key is a handle: `account_id` is not mapped (only `handle` is) or
        is the same column as `handle`. Handles on Twitter (and Mastodon, Bluesky) are
        case-insensitive, so such keys are compared lower-cased and without a leading `@`
        (`UKLabour` and `@uklabour` are one account); an id column's keys are kept as written."""
        handle = self._by_field.get("handle")
        return handle is not None and self._by_field.get("account_id", handle) == handle

    def unused_in(self, header: list[str]) -> list[str]:
        """The header's columns the map does not read (not stored), in the file's order: a typo'd
        or forgotten mapping shows up here."""
        used = set(self._by_field.values())
        return [h for h in header if h and h not in used]

    def missing_in(self, header: list[str]) -> list[str]:
        """Mapped columns the header lacks, as `field=column`, in the map's order."""
        have = set(header)
        return [f"{f}={c}" for f, c in self.columns if c not in have]

    def as_params(self) -> dict[str, Any]:
        """What the `ingest` run records (JSON): enough to build the same map again."""
        out: dict[str, Any] = {"columns": dict(self.columns)}
        if self.time_format:
            out["time_format"] = self.time_format
        if self.platform != "twitter":
            out["platform"] = self.platform
        if self.time_zone:
            out["time_zone"] = self.time_zone
        if self.decode_entities:
            out["decode_entities"] = True
        if self.handle_keys:  # keys lower-cased (since 2026-12-02): a re-read tells such ids from older, as-written ones
            out["handle_keys"] = "lower"
        return out

    def as_option(self) -> str:
        """The map as `--columns` takes it, `parse_option` reading it back to the same pairs: a
        column name holding a comma, or starting with a double quote, is written double-quoted
        (a quote inside doubled), as a TOML map may name it."""
        return ",".join(f"{f}={_quoted(c)}" for f, c in self.columns)


def _quoted(column: str) -> str:
    """`column` as one `--columns` value: bare when it can be, else in double quotes."""
    if "," in column or column.startswith('"') or column != column.strip():
        return '"' + column.replace('"', '""') + '"'
    return column


def check_zone(name: str) -> str:
    """`name` when it is an IANA time zone this machine knows (`Europe/London`, `UTC`), else a
    one-line `ColumnMapError`."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = name.strip()
    try:
        if not zone or zone.startswith(("/", ".")):
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ColumnMapError(f"--time-zone {name!r} is not an IANA time zone name (e.g. Europe/London, America/New_York, UTC)") from None
    return zone


def build(columns: dict[str, str], time_format: str | None = None, platform: str | None = None,
          time_zone: str | None = None, decode_entities: bool = False) -> ColumnMap:
    """A checked map from field -> column pairs; `ColumnMapError` says what is wrong. A map may
    leave out `account_id` when it names `handle`: the handle is then the account key."""
    unknown = [f for f in columns if f not in FIELDS]
    if unknown:
        raise ColumnMapError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in the column map; "
                             f"the fields are: {', '.join(FIELDS)}")
    missing = [f for f in REQUIRED if f not in columns and not (f == "account_id" and "handle" in columns)]
    if missing:
        raise ColumnMapError(f"the column map must name {', '.join(missing)} (required: {', '.join(REQUIRED)}; "
                             "post_id too when the file has ids), e.g. --columns account_id=user_id,created_at=created_at,text=text")
    pairs = []
    for f, c in columns.items():
        if not isinstance(c, str) or not normalise_header(c):
            raise ColumnMapError(f"field {f!r} in the column map has no column name")
        pairs.append((f, normalise_header(c)))
    if time_format is not None and time_format not in TIME_FORMAT_WORDS:
        if "%" not in time_format:
            raise ColumnMapError(f"--time-format {time_format!r} is neither a strptime format (e.g. '%d/%m/%Y %H:%M') nor one of "
                                 f"{', '.join(TIME_FORMAT_WORDS)}")
    plat = (platform or "twitter").strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", plat):
        raise ColumnMapError(f"platform {platform!r} is not a platform name (letters, digits, - or _)")
    zone = check_zone(time_zone) if time_zone is not None else None
    return ColumnMap(tuple(pairs), time_format or None, plat, zone, bool(decode_entities))


def parse_option(text: str) -> dict[str, str]:
    """`field=column,field=column` (as `--columns` takes it) as a dict. A column name holding a
    comma is written in double quotes (`text="body, as posted"`, a quote inside doubled), as
    `ColumnMap.as_option` writes it; an equals sign after the first needs no quoting."""
    out: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        end = text.find(",", i)
        eq = text.find("=", i)
        if eq < 0 or (0 <= end < eq):
            part = text[i:end if end >= 0 else n].strip()
            if part:
                raise ColumnMapError(f"--columns entry {part!r} is not field=column (e.g. account_id=user_id)")
            i = (end if end >= 0 else n) + 1
            continue
        f = text[i:eq].strip().lower()
        j = eq + 1
        while j < n and text[j] == " ":
            j += 1
        if j < n and text[j] == '"':  # a quoted column name: up to the lone closing quote
            buf, k = [], j + 1
            while True:
                q = text.find('"', k)
                if q < 0:
                    raise ColumnMapError(f"--columns entry for {f!r} opens a double quote it does not close")
                buf.append(text[k:q])
                if text.startswith('""', q):
                    buf.append('"')
                    k = q + 2
                    continue
                break
            rest_end = text.find(",", q + 1)
            rest = text[q + 1:rest_end if rest_end >= 0 else n]
            if rest.strip():
                raise ColumnMapError(f"--columns entry for {f!r} has {rest.strip()!r} after its closing quote")
            column, i = "".join(buf), (rest_end if rest_end >= 0 else n) + 1
        else:
            column = text[eq + 1:end if end >= 0 else n].strip()
            i = (end if end >= 0 else n) + 1
        if f in out:
            raise ColumnMapError(f"field {f!r} is named twice in --columns")
        out[f] = column
    return out


def load_toml(path: str) -> tuple[dict[str, str], str | None, str | None, str | None, bool | None]:
    """(columns, time_format, platform, time_zone, decode_entities) from a column-map TOML file;
    `ColumnMapError` says why not.

    The file has a `[columns]` table of field = "column" and, optionally, top-level `time_format`,
    `platform` and `time_zone` strings and a `decode_entities` boolean (docs/ingest-csv.md)."""
    from botwatch.userfile import UserFileError, read_user_text

    try:
        text = read_user_text(path, "column map", MAP_LIMIT)
    except UserFileError as exc:
        raise ColumnMapError(str(exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ColumnMapError(f"column map {name_shown(path)} is not valid TOML: {exc}") from None
    cols = data.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise ColumnMapError(f"column map {name_shown(path)} has no [columns] table (field = \"column\" lines)")
    bad = [k for k, v in cols.items() if not isinstance(v, str)]
    if bad:
        raise ColumnMapError(f"column map {name_shown(path)}: the column of {', '.join(bad)} must be a quoted string")
    other = sorted(set(data) - {"columns", "time_format", "platform", "time_zone", "decode_entities"})
    if other:
        raise ColumnMapError(f"column map {name_shown(path)}: unknown key{'s' if len(other) > 1 else ''} {', '.join(other)} "
                             "(the keys are [columns], time_format, platform, time_zone and decode_entities)")
    for key in ("time_format", "platform", "time_zone"):
        if key in data and not isinstance(data[key], str):
            raise ColumnMapError(f"column map {name_shown(path)}: {key} must be a quoted string")
    if "decode_entities" in data and not isinstance(data["decode_entities"], bool):
        raise ColumnMapError(f"column map {name_shown(path)}: decode_entities must be true or false (unquoted)")
    return ({k.strip().lower(): v for k, v in cols.items()}, data.get("time_format"), data.get("platform"), data.get("time_zone"),
            data.get("decode_entities"))


def from_options(columns: str | dict[str, str] | None = None, column_map: str | None = None, time_format: str | None = None,
                 platform: str | None = None, time_zone: str | None = None, decode_entities: bool | None = None) -> ColumnMap | None:
    """The map `botwatch ingest`'s options (and `botwatch.api.ingest`'s arguments of the same
    names) give, or None when neither `columns` nor `column_map` is given (formats are then
    sniffed). `columns` is the `--columns` text (or, from Python, a dict of field -> column);
    its entries are added to, and override, the TOML file's; `time_format`, `platform`,
    `time_zone` and `decode_entities` (None: the file's, else off) override the file's.
    `ColumnMapError` (one line) says what cannot be used."""
    if columns is None and column_map is None:
        for given, name in ((time_format, "--time-format"), (platform, "--platform"), (time_zone, "--time-zone"),
                            (decode_entities or None, "--decode-entities")):
            if given is not None:
                raise ColumnMapError(f"{name} applies to a CSV read with --columns or --column-map: name its columns too"
                                     + ("; the formats botwatch recognises are decoded where their source escapes text"
                                        if name == "--decode-entities" else ""))
        return None
    fields: dict[str, str] = {}
    fmt = plat = zone = None
    decode: bool | None = None
    if column_map is not None:
        fields, fmt, plat, zone, decode = load_toml(str(column_map))
    if columns is not None:
        given = parse_option(columns) if isinstance(columns, str) else {str(k).strip().lower(): v for k, v in dict(columns).items()}
        if not given:
            raise ColumnMapError("--columns is empty: give field=column pairs, e.g. account_id=user_id,created_at=created_at,text=text")
        fields.update(given)
    return build(fields, time_format if time_format is not None else fmt, platform if platform is not None else plat,
                 time_zone if time_zone is not None else zone, bool(decode_entities if decode_entities is not None else decode))


def from_params(p: dict[str, Any]) -> ColumnMap | None:
    """The map an `ingest` run recorded (`as_params`), or None when it used none or it is unusable."""
    cols = p.get("columns")
    if not isinstance(cols, dict) or not cols:
        return None
    try:
        return build({str(k): str(v) for k, v in cols.items()}, p.get("time_format") if isinstance(p.get("time_format"), str) else None,
                     p.get("platform") if isinstance(p.get("platform"), str) else None,
                     p.get("time_zone") if isinstance(p.get("time_zone"), str) else None, p.get("decode_entities") is True)
    except ColumnMapError:
        return None


def reproduce_flags(p: dict[str, Any]) -> list[str]:
    """The `--columns` / `--time-format` / `--time-zone` / `--platform` / `--decode-entities` words an `ingest` run's
    parameters call for (not yet quoted for a shell; a column name holding a comma is in the
    double quotes `parse_option` reads back)."""
    cmap = from_params(p)
    if cmap is None:
        return []
    flags = ["--columns", cmap.as_option()]
    if cmap.time_format:
        flags += ["--time-format", cmap.time_format]
    if cmap.time_zone:
        flags += ["--time-zone", cmap.time_zone]
    if cmap.platform != "twitter":
        flags += ["--platform", cmap.platform]
    if cmap.decode_entities:
        flags += ["--decode-entities"]
    return flags


# -- reading -------------------------------------------------------------------------------------


# A post time read from bare digits (seconds, ms or µs since 1970) is taken only when it falls in
# `fields.EARLIEST_POST` to tomorrow (`plausible_post_time`): 201611081200 (yyyymmddHHMM) read as
# milliseconds is May 1976, as seconds the year 8358, and either would be stored as a real date.
# A stated `--time-format epoch` / `epoch_ms` is taken as said.
_EPOCH_UNITS = ((11, 1.0, "seconds"), (14, 1e3, "milliseconds"), (17, 1e6, "microseconds"))  # by digits before any fraction


def _utc(dt: datetime, value: str, zone: str | None) -> datetime:
    """`dt` as naive UTC: converted when it carries an offset, else taken in `zone` (None: UTC)."""
    if dt.tzinfo is None:
        if zone is None:
            return dt
        from zoneinfo import ZoneInfo

        dt = dt.replace(tzinfo=ZoneInfo(zone))  # fold=0: an hour the clocks go back over is read as its first pass
    try:
        return dt.astimezone(timezone.utc).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise RecordError(f"time {value[:40]!r} is outside the years 1-9999 in UTC") from None


@lru_cache(maxsize=1 << 16)
def _strptime(value: str, fmt: str, zone: str | None = None) -> datetime:
    try:
        dt = datetime.strptime(value, fmt)
    except ValueError:
        raise RecordError(f"time {value[:40]!r} does not match --time-format {fmt!r}") from None
    return _utc(dt, value, zone)


def _digits_time(v: str, what: str) -> datetime:
    """Bare digits as a time since 1970, the unit told by how many digits come before any
    fraction (up to 11: seconds, 12-14: milliseconds, 15-17: microseconds); `RecordError`, naming
    `--time-format`, when the time is not a plausible post time (`plausible_post_time`: 2006 to tomorrow)."""
    whole = len(v.split(".", 1)[0])
    _, scale, unit = next(u for u in _EPOCH_UNITS if whole <= u[0])
    dt = epoch_to_datetime(float(v) / scale)
    if not plausible_post_time(dt):
        raise RecordError(f"{what} {v[:40]!r} read as {unit} since 1970 is {dt:%Y-%m-%d %H:%M}, not a plausible post time "
                          f"(2006 to now): if it is a written-out time (e.g. yyyymmddHHMM) give --time-format '%Y%m%d%H%M', "
                          "or --time-format epoch / epoch_ms for times since 1970")
    return dt


# d/m/Y H:M[:S] whose day is past 12 and month is not: a time written day first, which the
# month-first reading (`fields._parse_slash_time`) cannot read.
_DAY_FIRST = re.compile(r"(1[3-9]|2\d|3[01])/(0?[1-9]|1[0-2])/\d{4} \d{1,2}:\d{2}(:\d{2})?")


def _refuse_day_first(v: str, what: str) -> None:
    """`RecordError` naming the day-first `--time-format` where `v` can only be a day-first time,
    and one that format reads (no 31/02, no hour 25: naming it there sends the user to a second error).
    Why: a European export's 13/08/2015 was "not a time" without a word of the option, and the
    same file's days up to 12 were read month first (01/08 as 8 January), stored as real; once
    stored, a corrected map adds no post again, so the line says to use a new study."""
    m = _DAY_FIRST.fullmatch(v)
    if m is None:
        return
    fmt = "%d/%m/%Y %H:%M" + (":%S" if m.group(3) else "")
    try:  # the pattern alone passes 31/02 or hour 25, which the format it names refuses in turn
        datetime.strptime(v, fmt)
    except ValueError:
        return
    raise RecordError(f"{what} {v[:40]!r} is no month-first time (9/7/2017 19:52 is 7 September): if the file writes the day first, "
                      f"give --time-format '{fmt}' and ingest it into a new study or lake (any of its rows with a day up to 12 were read month first)")


@lru_cache(maxsize=1 << 16)
def _auto_time(v: str, what: str, zone: str | None) -> datetime:
    """A time written in any form `parse_time` recognises without a format, as naive UTC."""
    if _EPOCH_DIGITS.fullmatch(v):
        return _digits_time(v, what)
    iso = v[:-1] + "+00:00" if v.endswith("Z") else v
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        try:
            aware = parse_twitter_time(v, what)  # v1.1's form (always with an offset) or m/d/Y H:M (never with one)
        except RecordError:
            _refuse_day_first(v, what)
            raise
        assert aware is not None
        if zone is None or re.search(r"[+-]\d{4} \d{4}$", v):
            return aware
        return _utc(aware, v, zone)  # a slash time: local, like any time written without an offset
    return _utc(dt, v, zone)


def parse_time(value: str | None, fmt: str | None, what: str = "created_at", zone: str | None = None) -> datetime:
    """A post time as naive UTC. With `fmt` only that form is read ("epoch": seconds, "epoch_ms":
    milliseconds, else a strptime format). Without it, ISO 8601, Twitter's v1.1 form, `m/d/Y H:M`,
    or 9 to 17 digits as seconds, milliseconds or microseconds since 1970 (told apart by their
    number, and refused when the time is not a plausible post time: `_digits_time`). A time with an
    offset is converted to UTC; one without is in `zone` (an IANA name, `--time-zone`), or UTC when
    none is given. `RecordError` (the row goes to `rejected`) when the value is missing or not a time."""
    if value is None or not value.strip():
        raise RecordError(f"missing {what}")
    v = value.strip()
    if fmt is None:
        return _auto_time(v, what, zone)
    if fmt in TIME_FORMAT_WORDS:
        try:
            number = float(v)
        except ValueError:
            raise RecordError(f"{what} {v[:40]!r} is not a number of {'seconds' if fmt == 'epoch' else 'milliseconds'} since 1970") from None
        return epoch_to_datetime(number / 1000.0 if fmt == "epoch_ms" else number)
    return _strptime(v, fmt, zone)


def _opt_time(value: str | None, fmt: str | None, zone: str | None = None) -> datetime | None:
    """An optional profile time: NULL when it cannot be read (the post is kept)."""
    if value is None or not value.strip():
        return None
    try:
        return parse_time(value, fmt, "account_created_at", zone)
    except RecordError:
        if fmt is None:
            return None
        try:
            return parse_time(value, None, "account_created_at", zone)  # another form than the posts': read it if it is a known one
        except RecordError:
            return None


def _list(value: str | None, strip: str) -> list[str]:
    return [s for s in (x.lstrip(strip) for x in parse_list_field(value)) if s]


def _kind(value: str | None) -> str | None:
    if value is None:
        return None
    return _KINDS.get(value.strip().lower().replace(" ", "_").replace("-", "_"))


def mapped_format(cmap: ColumnMap) -> "Format":
    """The reader of files under `cmap`: a `Format` whose handler is bound to the map (picklable,
    so worker processes and Spark executors get it with the map inside)."""
    from functools import partial

    from botwatch.ingest.formats import Format

    return Format(FORMAT, cmap.platform, "csv", partial(handle_mapped, cmap), "a CSV read through a column map (--columns)")


def header_problem(cmap: ColumnMap, header: list[str]) -> str | None:
    """Why a file with this header cannot be read under `cmap` (None: it can)."""
    if not header:
        return "no CSV header line to find the mapped columns in"
    missing = cmap.missing_in(header)
    if not missing:
        # A mapped name the header holds twice (`...,text,text`): the row's last such column was
        # read, without a word, and the first left unread though "not mapped" did not list it.
        twice = sorted({c for _, c in cmap.columns if header.count(c) > 1}, key=header.index)
        if twice:
            where = "; ".join(f"{c!r} is columns {', '.join(str(i + 1) for i, h in enumerate(header) if h == c)}" for c in twice)
            return f"the column map names {'columns' if len(twice) > 1 else 'a column'} this file's header holds more than once ({where}): rename one so the map says which to read"
        return None
    shown = ", ".join(header[:12]) + (", …" if len(header) > 12 else "")
    from botwatch.shown_text import record_shown  # the file's own column names: a typed backslash as two, so `\\x07` is not a BEL

    return f"the column map names {'columns' if len(missing) > 1 else 'a column'} this file lacks: {', '.join(missing)} (its columns: {record_shown(shown[:300])})"


def source_problem(src: "InputSource", cmap: ColumnMap) -> str | None:
    """Why `src` cannot be read under `cmap` (None: it can): packed in another archive, binary, or
    its header lacks a mapped column. Read from the head only, so it can be asked before ingesting."""
    from botwatch.ingest.csv_records import read_header
    from botwatch.ingest.formats import SNIFF_BYTES, _other_delimiter

    head = src.head(SNIFF_BYTES)
    if why := not_text(head):
        return why
    header = read_header(head)
    if not header:
        return headerless(src, head)
    problem = header_problem(cmap, header)
    delimited = _other_delimiter(head, header) if problem else None
    if delimited:  # "lacks text=text (its columns: a;b;text)" would not say why
        return (f"it looks delimited by {delimited[0]} ({delimited[1]} columns), not commas: botwatch reads comma-separated CSV; "
                "save it as comma-separated (a spreadsheet's CSV export, or `csvformat`) and ingest that")
    return problem


def not_text(head: bytes) -> str | None:
    """Why a file whose first bytes are `head` is not CSV text at all (binary, packed in another
    archive, text in UTF-16, or lines ending in CR alone, which read as one header line); None
    when it is text."""
    from botwatch.ingest.formats import ARCHIVE_MAGIC, CR_ONLY_REASON, cr_only, looks_binary, wide_text, wide_text_reason

    if wide := wide_text(head):
        return wide_text_reason(wide)
    if any(head.startswith(magic) for magic, _ in ARCHIVE_MAGIC) or looks_binary(head[:8192]):
        return "binary or packed file, not a CSV: a column map reads comma-separated text (plain or .gz)"
    if cr_only(head):
        return CR_ONLY_REASON
    return None


def headerless(src: "InputSource", head: bytes) -> str:
    """Why `src` has no CSV header line: empty, or blank. The file's own result line says it
    ("unreadable"), as it does without a map, and adds that a gzip stream was cut off when it was."""
    if not head.strip() and src.error is None:
        return "the file is empty: no CSV header line to find the mapped columns in"
    return "no CSV header line to find the mapped columns in"


def file_problem(path: str, cmap: ColumnMap) -> str | None:
    """`source_problem` for a file on this disk, when it is a usage error: a header that lacks a
    mapped column. None for one that cannot be opened here, has no header line at all (empty, or
    a gzip cut before it) or is not CSV text (binary, packed, UTF-16: `not_text`): that file's own
    result line says why, as for any input, and the other inputs are still stored (one empty or
    binary file among the inputs aborted the command with exit 2, storing nothing)."""
    from botwatch.ingest.csv_records import read_header
    from botwatch.ingest.formats import SNIFF_BYTES
    from botwatch.ingest.source import InputSource

    try:
        src = InputSource.open(path)
    except OSError:
        return None
    try:
        if not_text(src.head(SNIFF_BYTES)):
            return None
        problem = source_problem(src, cmap)
        if problem and not read_header(src.head(SNIFF_BYTES)) and problem == headerless(src, src.head(SNIFF_BYTES)):
            return None
        return problem
    except (OSError, EOFError, ValueError, zlib.error):  # a corrupt gzip head: the file's own result line says so, as for any format
        return None
    finally:
        src.close()


def _handle(value: str | None) -> str | None:
    """A handle cell without the `@` an export writes before it ("@UKLabour"), as the account key
    and the mention lists drop it: kept, the handle read "@@UKLabour" in `botwatch accounts`, and
    `botwatch explain STUDY @UKLabour` found no account (no handle of Twitter, Mastodon or Bluesky
    begins with one)."""
    text = opt_str(value)
    return (text.lstrip("@") or None) if text else text


def handle_mapped(cmap: ColumnMap, row: dict[str, str], line: int, sink: RowSink) -> None:
    """One CSV row read through `cmap` into a post and its account's snapshot (a `RowHandler`
    once bound: `functools.partial(handle_mapped, cmap)`)."""
    v = {f: row.get(c) for f, c in cmap.columns}  # the mapped fields' values; a field not mapped reads as None
    get = v.get
    if cmap.handle_keys:  # a handle as the key: one account however its case is written (`ColumnMap.handle_keys`)
        key = opt_id(row.get(cmap.key_column))
        account_id = req_id(key.lstrip("@").lower() or None if key else None, "account_id")
    else:
        account_id = req_id(cell_id(get("account_id"), "account_id"), "account_id")
    created = parse_time(get("created_at"), cmap.time_format, "created_at", cmap.time_zone)
    raw_text = req_text(get("text"))
    post_id = cell_id(get("post_id"), "post_id")
    if post_id is None:
        if "post_id" in v:
            raise RecordError(f"missing post_id (column {cmap.column('post_id')})")
        # No ids in the file: a stable id from who, when and what, so a re-ingest stores nothing twice.
        digest = hashlib.blake2b(f"{account_id}\x1f{created.isoformat()}\x1f{id_text(raw_text)}".encode("utf-8", "surrogatepass"), digest_size=10)
        post_id = "csv-" + digest.hexdigest()
    # The id above hashes the text as the file has it, so decoding never changes an id.
    text = decode_if_escaped(raw_text) if cmap.decode_entities else raw_text
    ref_post, ref_account, ref_handle = cell_id(get("ref_post_id")), cell_id(get("ref_account_id")), _handle(get("ref_handle"))
    reply_post, reply_account = cell_id(get("in_reply_to_post_id")), cell_id(get("in_reply_to_account_id"))
    kind = _kind(get("kind"))
    flag = opt_bool(get("is_retweet"))
    m = _RT_PREFIX.match(text)
    if kind is None:
        if flag:
            kind = "retweet"
        elif reply_post or reply_account:
            kind = "reply"
        elif flag is None and m:  # no flag (or an empty one): "RT @handle: ..." is a retweet, as in the IRA reader
            kind = "retweet"
        else:
            kind = "original"
    if kind == "retweet" and m:
        ref_handle, text = ref_handle or m.group(1), text[m.end():]
    if kind == "reply":
        ref_post, ref_account = ref_post or reply_post, ref_account or reply_account
    lists = ("hashtags" in v, "mentions" in v, "urls" in v)
    found = text_entities(raw_text) if not all(lists) else ([], [], [])
    sink.post(
        {
            "post_id": post_id,
            "platform": cmap.platform,
            "account_id": account_id,
            "created_at": created,
            "text": text,
            "lang": opt_str(get("lang")),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": _list(get("hashtags"), "#") if lists[0] else found[0],
            "mentions": _list(get("mentions"), "@") if lists[1] else found[1],
            "urls": _list(get("urls"), "") if lists[2] else found[2],
            "client": client_name(get("client")),
        },
        line,
    )
    sink.account(
        {
            "account_id": account_id,
            "platform": cmap.platform,
            "handle": _handle(get("handle")),
            "display_name": opt_str(get("display_name")),
            "description": opt_str(get("description")),
            "location": opt_str(get("location")),
            "account_lang": opt_str(get("account_lang")),
            "created_at": _opt_time(get("account_created_at"), cmap.time_format, cmap.time_zone),
            "followers": opt_int(get("followers")),
            "following": opt_int(get("following")),
            "posts_count": opt_int(get("posts_count")),
            "verified": opt_bool(get("verified")),
            "default_profile": opt_bool(get("default_profile")),
            "default_image": opt_bool(get("default_image")),
            "time_zone": opt_str(get("time_zone")),
            "utc_offset": _utc_offset(get("utc_offset")),
            "observed_at": created,
        },
        line,
    )


def _utc_offset(value: str | None) -> int | None:
    """Seconds east of UTC within a day either way, else NULL (an int32 column)."""
    n = opt_int(value)
    return n if n is not None and -86400 < n < 86400 else None


SAMPLE_ROWS = 50  # rows of a file's head read before ingesting, to say early what the map will make of it


def head_notes(src: "InputSource", cmap: ColumnMap) -> list[str]:
    """What a user should know before reading `src` under `cmap`, from its head only (one line
    each, without the file name): the columns the map leaves unread (they are not stored, so a
    typo'd or forgotten mapping shows here), and why the first rows' `created_at` cannot be read
    when it cannot (e.g. digits that are no plausible time since 1970: the line names
    `--time-format`). Empty when there is nothing to say, or the head is not a readable CSV."""
    import csv
    import io

    from botwatch.ingest.csv_records import read_header
    from botwatch.ingest.formats import SNIFF_BYTES

    head = src.head(SNIFF_BYTES)
    header = read_header(head)
    if not header or header_problem(cmap, header):
        return []
    notes = []
    unused = cmap.unused_in(header)
    if unused:
        shown = ", ".join(unused[:15]) + (f", … ({len(unused) - 15} more)" if len(unused) > 15 else "")
        notes.append(f"{len(unused)} column{'s' if len(unused) > 1 else ''} not mapped, so not stored: {shown[:400]}")
    text = head.decode("utf-8", errors="replace")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > SAMPLE_ROWS + 1:
                break
    except csv.Error:  # the head ends inside a quoted field, or a stray NUL: the rows before it are sample enough
        pass
    rows = rows[1:SAMPLE_ROWS + 1] if len(rows) > SAMPLE_ROWS + 1 or text.endswith("\n") else rows[1:-1]  # the head may end inside a record
    col = header.index(cmap.column("created_at") or "")
    errors, tried = [], 0
    for row in rows:
        if len(row) != len(header) or not row[col].strip():
            continue  # a ragged or timeless row: its own rejection says why
        tried += 1
        try:
            parse_time(row[col], cmap.time_format, "created_at", cmap.time_zone)
        except RecordError as exc:
            errors.append(str(exc))
    if errors:
        notes.append(f"created_at of {len(errors)} of the first {tried} rows cannot be read (those rows are rejected): {errors[0]}")
    return notes


def file_notes(path: str, cmap: ColumnMap) -> list[str]:
    """`head_notes` for a file on this disk ([] when it cannot be opened or its head read here)."""
    from botwatch.ingest.source import InputSource

    try:
        src = InputSource.open(path)
    except OSError:
        return []
    try:
        return head_notes(src, cmap)
    except (OSError, EOFError, ValueError, zlib.error):
        return []
    finally:
        src.close()


def _mixed_layouts(cmap: ColumnMap, bad: str, files: list[str]) -> str:
    """What to do when `bad` is refused under `cmap` but another input of the same command reads
    under it: the map applies to every input. `ingest S ira.csv.gz gop.csv.gz --columns ...` (one
    archive botwatch knows, one it needs the map for) said only that the IRA file lacks the
    columns, and a user could not tell that one command cannot hold both layouts."""
    fits = sum(1 for f in files if f != bad and file_problem(f, cmap) is None)
    if not fits:
        return ""
    return (f"; the map applies to every input of the command and {fits} other input{'s' if fits > 1 else ''} "
            f"{'have' if fits > 1 else 'has'} its columns: ingest files of another layout in a separate "
            "command, without the map if botwatch knows their format (docs/ingest-csv.md)")


def check_inputs(cmap: ColumnMap, files: list[str], max_noted: int = 5) -> list[str]:
    """Check local inputs against `cmap` before anything is written, for `botwatch ingest` and
    `botwatch.api.ingest` alike: `ColumnMapError` ("FILE: why", one line) for the first file that
    cannot be read under it (`file_problem`). Returns the notes to show with the summary, each
    "FILE: note" (`head_notes`), for the first `max_noted` files that have any."""
    from botwatch.shown_text import name_shown

    notes: list[str] = []
    noted = 0
    for f in files:
        problem = file_problem(f, cmap)
        if problem:
            raise ColumnMapError(f"{name_shown(f)}: {problem}{_mixed_layouts(cmap, f, files)}")
        found = file_notes(f, cmap) if noted < max_noted else []
        if found:
            noted += 1
            notes += [f"{name_shown(f)}: {n}" for n in found]
    if noted == max_noted and len(files) > noted:
        notes.append(f"(notes for the first {max_noted} files only)")
    return notes
