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

from botwatch.ingest.csv_formats import _RT_PREFIX, text_entities
from botwatch.ingest.csv_records import normalise_header, parse_list_field
from botwatch.ingest.fields import (
    epoch_to_datetime,
    opt_bool,
    opt_id,
    opt_int,
    opt_str,
    parse_twitter_time,
    req_id,
    req_text,
    client_name,
)
from botwatch.ingest.sink import RecordError, RowSink

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
    _by_field: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_field", dict(self.columns))

    def column(self, name: str) -> str | None:
        """The (normalised) column mapped to canonical field `name`, or None."""
        return self._by_field.get(name)

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
        return out

    def as_option(self) -> str:
        """The map as `--columns` takes it."""
        return ",".join(f"{f}={c}" for f, c in self.columns)


def build(columns: dict[str, str], time_format: str | None = None, platform: str | None = None) -> ColumnMap:
    """A checked map from field -> column pairs; `ColumnMapError` says what is wrong."""
    unknown = [f for f in columns if f not in FIELDS]
    if unknown:
        raise ColumnMapError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in the column map; "
                             f"the fields are: {', '.join(FIELDS)}")
    missing = [f for f in REQUIRED if f not in columns]
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
    return ColumnMap(tuple(pairs), time_format or None, plat)


def parse_option(text: str) -> dict[str, str]:
    """`field=column,field=column` (as `--columns` takes it) as a dict; a column name holding a
    comma or an equals sign needs the TOML map."""
    out: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ColumnMapError(f"--columns entry {part.strip()!r} is not field=column (e.g. account_id=user_id)")
        f, c = part.split("=", 1)
        f = f.strip().lower()
        if f in out:
            raise ColumnMapError(f"field {f!r} is named twice in --columns")
        out[f] = c.strip()
    return out


def load_toml(path: str) -> tuple[dict[str, str], str | None, str | None]:
    """(columns, time_format, platform) from a column-map TOML file; `ColumnMapError` says why not.

    The file has a `[columns]` table of field = "column" and, optionally, top-level `time_format`
    and `platform` strings (docs/ingest-csv.md)."""
    from botwatch.userfile import UserFileError, read_user_text

    try:
        text = read_user_text(path, "column map", MAP_LIMIT)
    except UserFileError as exc:
        raise ColumnMapError(str(exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ColumnMapError(f"column map {path} is not valid TOML: {exc}") from None
    cols = data.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise ColumnMapError(f"column map {path} has no [columns] table (field = \"column\" lines)")
    bad = [k for k, v in cols.items() if not isinstance(v, str)]
    if bad:
        raise ColumnMapError(f"column map {path}: the column of {', '.join(bad)} must be a quoted string")
    other = sorted(set(data) - {"columns", "time_format", "platform"})
    if other:
        raise ColumnMapError(f"column map {path}: unknown key{'s' if len(other) > 1 else ''} {', '.join(other)} "
                             "(the keys are [columns], time_format and platform)")
    for key in ("time_format", "platform"):
        if key in data and not isinstance(data[key], str):
            raise ColumnMapError(f"column map {path}: {key} must be a quoted string")
    return {k.strip().lower(): v for k, v in cols.items()}, data.get("time_format"), data.get("platform")


def from_params(p: dict[str, Any]) -> ColumnMap | None:
    """The map an `ingest` run recorded (`as_params`), or None when it used none or it is unusable."""
    cols = p.get("columns")
    if not isinstance(cols, dict) or not cols:
        return None
    try:
        return build({str(k): str(v) for k, v in cols.items()}, p.get("time_format") if isinstance(p.get("time_format"), str) else None,
                     p.get("platform") if isinstance(p.get("platform"), str) else None)
    except ColumnMapError:
        return None


def reproduce_flags(p: dict[str, Any]) -> list[str]:
    """The `--columns` / `--time-format` / `--platform` words an `ingest` run's parameters call for
    (unquoted; a column name holding a comma cannot be written in `--columns`: docs/ingest-csv.md)."""
    cmap = from_params(p)
    if cmap is None:
        return []
    flags = ["--columns", cmap.as_option()]
    if cmap.time_format:
        flags += ["--time-format", cmap.time_format]
    if cmap.platform != "twitter":
        flags += ["--platform", cmap.platform]
    return flags


# -- reading -------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _strptime(value: str, fmt: str) -> datetime:
    try:
        dt = datetime.strptime(value, fmt)
    except ValueError:
        raise RecordError(f"time {value[:40]!r} does not match --time-format {fmt!r}") from None
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise RecordError(f"time {value[:40]!r} is outside the years 1-9999 in UTC") from None
    return dt


def parse_time(value: str | None, fmt: str | None, what: str = "created_at") -> datetime:
    """A post time as naive UTC. With `fmt` only that form is read ("epoch": seconds, "epoch_ms":
    milliseconds, else a strptime format; without a zone the time is taken as UTC). Without it, ISO
    8601 (a zone is converted to UTC, none means UTC), Twitter's v1.1 form, `m/d/Y H:M`, or 9 to 17
    digits as seconds, milliseconds or microseconds since 1970 (told apart by size). `RecordError`
    (the row goes to `rejected`) when the value is missing or not a time."""
    if value is None or not value.strip():
        raise RecordError(f"missing {what}")
    v = value.strip()
    if fmt is None:
        if _EPOCH_DIGITS.fullmatch(v):
            return epoch_to_datetime(float(v))
        dt = parse_twitter_time(v, what)
        assert dt is not None
        return dt
    if fmt in TIME_FORMAT_WORDS:
        try:
            number = float(v)
        except ValueError:
            raise RecordError(f"{what} {v[:40]!r} is not a number of {'seconds' if fmt == 'epoch' else 'milliseconds'} since 1970") from None
        return epoch_to_datetime(number / 1000.0 if fmt == "epoch_ms" else number)
    return _strptime(v, fmt)


def _opt_time(value: str | None, fmt: str | None) -> datetime | None:
    """An optional profile time: NULL when it cannot be read (the post is kept)."""
    if value is None or not value.strip():
        return None
    try:
        return parse_time(value, fmt, "account_created_at")
    except RecordError:
        if fmt is None:
            return None
        try:
            return parse_time(value, None, "account_created_at")  # another form than the posts': read it if it is a known one
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
        return None
    shown = ", ".join(header[:12]) + (", …" if len(header) > 12 else "")
    return f"the column map names {'columns' if len(missing) > 1 else 'a column'} this file lacks: {', '.join(missing)} (its columns: {shown[:300]})"


def source_problem(src: "InputSource", cmap: ColumnMap) -> str | None:
    """Why `src` cannot be read under `cmap` (None: it can): packed in another archive, binary, or
    its header lacks a mapped column. Read from the head only, so it can be asked before ingesting."""
    from botwatch.ingest.csv_records import read_header
    from botwatch.ingest.formats import ARCHIVE_MAGIC, SNIFF_BYTES, _other_delimiter, looks_binary

    head = src.head(SNIFF_BYTES)
    if any(head.startswith(magic) for magic, _ in ARCHIVE_MAGIC) or looks_binary(head[:8192]):
        return "binary or packed file, not a CSV: a column map reads comma-separated text (plain or .gz)"
    header = read_header(head)
    problem = header_problem(cmap, header)
    delimited = _other_delimiter(head, header) if problem else None
    if delimited:  # "lacks text=text (its columns: a;b;text)" would not say why
        return (f"it looks delimited by {delimited[0]} ({delimited[1]} columns), not commas: botwatch reads comma-separated CSV; "
                "save it as comma-separated (a spreadsheet's CSV export, or `csvformat`) and ingest that")
    return problem


def file_problem(path: str, cmap: ColumnMap) -> str | None:
    """`source_problem` for a file on this disk (None for one that cannot be opened here: its own
    result line says why, as for any input)."""
    from botwatch.ingest.source import InputSource

    try:
        src = InputSource.open(path)
    except OSError:
        return None
    try:
        return source_problem(src, cmap)
    except (OSError, EOFError, ValueError, zlib.error):  # a corrupt gzip head: the file's own result line says so, as for any format
        return None
    finally:
        src.close()


def handle_mapped(cmap: ColumnMap, row: dict[str, str], line: int, sink: RowSink) -> None:
    """One CSV row read through `cmap` into a post and its account's snapshot (a `RowHandler`
    once bound: `functools.partial(handle_mapped, cmap)`)."""
    v = {f: row.get(c) for f, c in cmap.columns}  # the mapped fields' values; a field not mapped reads as None
    get = v.get
    account_id = req_id(opt_id(get("account_id")), "account_id")
    created = parse_time(get("created_at"), cmap.time_format)
    raw_text = req_text(get("text"))
    post_id = opt_id(get("post_id"))
    if post_id is None:
        if "post_id" in v:
            raise RecordError(f"missing post_id (column {cmap.column('post_id')})")
        # No ids in the file: a stable id from who, when and what, so a re-ingest stores nothing twice.
        digest = hashlib.blake2b(f"{account_id}\x1f{created.isoformat()}\x1f{raw_text}".encode("utf-8", "surrogatepass"), digest_size=10)
        post_id = "csv-" + digest.hexdigest()
    text = raw_text
    ref_post, ref_account, ref_handle = opt_id(get("ref_post_id")), opt_id(get("ref_account_id")), opt_str(get("ref_handle"))
    reply_post, reply_account = opt_id(get("in_reply_to_post_id")), opt_id(get("in_reply_to_account_id"))
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
            "handle": opt_str(get("handle")),
            "display_name": opt_str(get("display_name")),
            "description": opt_str(get("description")),
            "location": opt_str(get("location")),
            "account_lang": opt_str(get("account_lang")),
            "created_at": _opt_time(get("account_created_at"), cmap.time_format),
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
