"""Format sniffing and the registry of readers: what a file is, decided from its first bytes.

Users should never need a `--format` flag: a twarc2 page, a v1.1 status, a Jetstream event and an
IO-archive CSV all announce themselves in their first record or header. The sniffer parses the
first complete record it can find in the head and classifies it by its keys; CSVs by header names.
"""

from __future__ import annotations

import io
import re
import zlib
from itertools import islice
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from botwatch.ingest import csv_formats as cf
from botwatch.ingest import mastodon_stream as ms
from botwatch.ingest import other_platforms as op
from botwatch.ingest import twitter_v1 as v1
from botwatch.ingest import twitter_v2 as v2
from botwatch.ingest.twitter_v1_fast import fast_status
from botwatch.ingest.csv_records import read_header, run_csv
from botwatch.ingest.json_array import array_elements, top_level_values
from botwatch.ingest.json_records import first_json_char, pretty_object_start, run_json, value_stream, whole_object
from botwatch.ingest.surrogates import loads_repairing
from botwatch.ingest.sink import RowSink
from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES, InputSource
from botwatch.shown_text import shell_shown

SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Format:
    """A readable input format: its name, the platform it carries, and how to read it."""

    name: str
    platform: str
    kind: str  # "json" or "csv"
    handler: Callable[..., None]
    description: str
    fast: Callable[[bytes, int, RowSink], bool] | None = None  # typed decoder for JSON lines
    # A plug-in reader's own test: given one parsed JSON record (kind "json") or the lower-cased
    # CSV header names (kind "csv"), whether this format reads it. Built-ins are sniffed below.
    claims: Callable[[Any], bool] | None = None

    def read(self, src: InputSource, sink: RowSink, max_record_bytes: int) -> int:
        if self.kind == "json":
            return run_json(src, sink, self.handler, max_record_bytes, self.fast)
        return run_csv(src, sink, self.handler, max_record_bytes)


class _Formats(dict[str, Format]):
    """The readers by name; a name not built in loads the `botwatch.readers` plug-ins first (so a
    worker process that only got the name finds a plug-in format too)."""

    def __missing__(self, name: str) -> Format:
        load_reader_plugins()
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        raise KeyError(name)


# Formats whose one record (one line) is an API response page holding many posts: a file's `read`
# counts pages there, so what is printed beside it must say "pages", not pass for a count of posts.
PAGE_FORMATS: frozenset[str] = frozenset({v2.FORMAT_PAGE})

FORMATS: dict[str, Format] = _Formats({
    f.name: f
    for f in [
        Format(v1.FORMAT, "twitter", "json", v1.handle_status, "Twitter API v1.1 statuses (JSON lines or array)", fast_status),
        Format(v2.FORMAT_PAGE, "twitter", "json", v2.handle_page, "Twitter API v2 response pages as twarc2 writes them"),
        Format(v2.FORMAT_FLAT, "twitter", "json", v2.handle_flat, "twarc2 flatten output (one v2 tweet per line)"),
        Format("twibot20", "twitter", "json", v1.handle_twibot_user, "TwiBot-20 user records (profiles only)"),
        Format(op.FORMAT_JETSTREAM, "bluesky", "json", op.handle_jetstream, "Bluesky Jetstream events"),
        Format(op.FORMAT_MASTODON, "mastodon", "json", ms.handle_capture_record, "Mastodon status JSON"),
        Format(ms.FORMAT, "mastodon", "json", ms.handle_capture_record, "Mastodon streaming API events (WebSocket envelopes)"),
        Format(cf.FORMAT_IO_TWEETS, "twitter", "csv", cf.handle_io_tweet, "Twitter information-operations archive, tweets file"),
        Format(cf.FORMAT_IO_USERS, "twitter", "csv", cf.handle_io_user, "Twitter information-operations archive, users file"),
        Format(cf.FORMAT_IRA_TWEETS, "twitter", "csv", cf.handle_ira_tweet, "FiveThirtyEight / Clemson IRA troll tweets CSV"),
        Format(cf.FORMAT_IRA_AUTHORS, "twitter", "csv", cf.handle_ira_author, "IRA troll-tweets authors CSV (by-author re-cut)"),
        Format(cf.FORMAT_TWARC_CSV, "twitter", "csv", cf.handle_twarc_csv, "twarc-csv output of v2 tweets"),
    ]
})
BUILTIN = frozenset(FORMATS)
_plugins_loaded = False


def load_reader_plugins() -> list[Format]:
    """Add the readers of the `botwatch.readers` entry points to FORMATS (once); returns the
    plug-in formats. An entry point gives a `Format`, or a list or dict of them; a plug-in may not
    replace a built-in reader."""
    global _plugins_loaded
    if not _plugins_loaded:
        from botwatch import plugins

        # Loaded before the flag is set: a broken plug-in fails every file it would read, not only
        # the first (after which the others would be misread as "unreadable input").
        for obj in plugins.load(plugins.READERS):
            items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else [obj]
            for f in items:
                if isinstance(f, Format) and f.name not in BUILTIN:
                    dict.__setitem__(FORMATS, f.name, f)
        _plugins_loaded = True
    return [f for name, f in FORMATS.items() if name not in BUILTIN]


def _claimed(kind: str, value: Any) -> str | None:
    """The first plug-in format of `kind` that claims `value`."""
    for f in load_reader_plugins():
        if f.kind == kind and f.claims is not None and f.claims(value):
            return f.name
    return None


class UnknownFormat(ValueError):
    """The input is not one botwatch can read; the message says what it looked like."""


def classify_json(obj: Any) -> str | None:
    """The format of one JSON record, or None."""
    if not isinstance(obj, dict):
        return None
    if v2.is_page(obj):
        return v2.FORMAT_PAGE
    if v1.is_status(obj):
        return v1.FORMAT
    if op.is_jetstream(obj):
        return op.FORMAT_JETSTREAM
    if op.is_mastodon(obj):
        return op.FORMAT_MASTODON
    if ms.is_stream_event(obj):
        return ms.FORMAT
    if v2.is_flat_tweet(obj):
        return v2.FORMAT_FLAT
    if isinstance(obj.get("profile"), dict) and "ID" in obj:
        return "twibot20"
    if "data" in obj and isinstance(obj["data"], (list, dict)):
        return v2.FORMAT_PAGE
    return _claimed("json", obj)


def classify_csv(header: list[str]) -> str | None:
    """The format of a CSV from its (lower-cased) header names, or None."""
    cols = set(header)
    if {"tweetid", "tweet_text"} <= cols:
        return cf.FORMAT_IO_TWEETS
    if "userid" in cols and cols & {"user_screen_name", "screen_name", "user_display_name", "follower_count", "account_language"}:
        return cf.FORMAT_IO_USERS
    if "content" in cols and "publish_date" in cols and cols & {"author", "author_id"}:
        return cf.FORMAT_IRA_TWEETS
    if "account_category" in cols and cols & {"author", "author_id"}:
        return cf.FORMAT_IRA_AUTHORS
    if {"id", "text", "created_at"} <= cols and cols & {"author_id", "author.id"}:
        return cf.FORMAT_TWARC_CSV
    return _claimed("csv", header)


def _json_candidates(head: bytes) -> list[Any]:
    if first_json_char(head) == "[":
        raws = [e.data for e in islice(array_elements(io.BytesIO(head), len(head)), 20)]
    elif value_stream(head):  # objects one after another, not one a line: judged by the first whole ones
        raws = [e.data for e in islice(top_level_values(io.BytesIO(head), len(head)), 20)]
    else:
        raws = head.split(b"\n")[:20]
    out = []
    for raw in raws:
        if raw.strip():
            try:
                out.append(loads_repairing(raw)[0])  # a lone surrogate does not hide a line's format
            except (orjson.JSONDecodeError, RecursionError):
                continue
    return out


def _objects_after_commas(head: bytes, tries: int = 100) -> Iterator[Any]:
    """The whole JSON objects that follow a comma in `head`, in order (at most `tries` looked at).
    Why: a JSON array on one line whose first element holds an unclosed string turns the rest of
    the head inside out, so no element the splitter cuts from it parses, and the file was refused
    as matching no format although the reader finds the elements after it (`json_array._resumed`).
    An object inside the broken element's own lists comes out too, and matches no format."""
    import json
    import re

    text = head.decode("utf-8", "surrogateescape")
    decode = json.JSONDecoder().raw_decode
    for m in islice(re.finditer(r",\s*(?=\{)", text), tries):
        try:
            yield decode(text, m.end())[0]
        except (ValueError, RecursionError):
            continue


def wide_text(sample: bytes) -> str | None:
    """The encoding of UTF-16 or UTF-32 text (a byte-order mark, or every other byte NUL in
    ASCII-heavy text), else None. Why: a spreadsheet's "Unicode text" and Windows tools write
    UTF-16, which the NUL-byte test took for a binary file, sending the user after corruption."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if sample.startswith(bom):
            return name
    head = sample[:4096]
    if len(head) >= 16:
        even, odd = head[0::2], head[1::2]
        for nuls, chars in ((even, odd), (odd, even)):  # big- or little-endian: the NULs on one side
            if nuls.count(0) >= 0.9 * len(nuls) and chars.count(0) <= 0.1 * len(chars):
                return "UTF-16"
    return None


def wide_text_reason(encoding: str, then: str = "ingest that") -> str:
    """What to tell a user whose file is `wide_text`; `then`: what to do with the converted file
    (a labels file is not ingested: `labels_encoding` says "run again with that")."""
    return (f"{encoding} text, not UTF-8: botwatch reads UTF-8; convert it first "
            f"(`iconv -f {encoding} -t UTF-8 FILE > FILE-utf8`) and {then}")


def cr_only(head: bytes) -> bool:
    """Lines ending in CR alone (classic Mac; Excel for Mac's "CSV (Macintosh)"): several CRs and
    no LF in the head. Such a file reads as one long line, so it was refused as a CSV with no
    header ("first columns: ") or JSON matching no format, which did not say what to fix."""
    return b"\n" not in head and head.count(b"\r") >= 2


CR_ONLY_REASON = ("lines end in CR alone (an old Mac export), not LF or CRLF: convert it first "
                  "(`tr '\\r' '\\n' < FILE > FILE-lf`) and ingest that")


def looks_binary(sample: bytes) -> bool:
    """Binary, not text: many NUL bytes or mostly undecodable. (A stray NUL in a post is text.)"""
    if not sample:
        return False
    text = sample.decode("utf-8", errors="replace")
    nul = sample.count(0)
    return nul > max(16, len(sample) // 100) or text.count("\ufffd") / max(len(text), 1) > 0.1


# A byte of a file name that is not UTF-8, as `source.shown_name` writes it (`\xff`): the name
# shown is then not the file's, and a command built from it would name another file.
_ESCAPED_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")


def unpack_command(kind: str, name: str) -> str:
    """The command that unpacks the archive `name` (`kind` "tar" or "zip"), for the refusal to say,
    with the file's name quoted for the shell. A zip is unpacked by Python's own `zipfile` into a
    folder beside it, as botwatch's Python has it where `unzip` may not be installed (Windows, slim
    images). Standard input has no name to give, and a name holding a byte that is not UTF-8 is
    known here only as shown (`source.shown_name`), which names another file: both get the FILE
    (FOLDER) placeholders. Why: the tar refusal printed a literal `tar -xf FILE` beside a zip's
    real command, and a zip's command for such a name unpacked a file that does not exist. Nor has
    a file read by URL (`ingest --engine spark s3a://…`), which neither tool can open: it was given
    `-e s3a://b/x.zip s3a://b/x`."""
    from botwatch.engines.spark_inputs import is_url

    known = name != "<stdin>" and not _ESCAPED_BYTE.search(name) and not is_url(name)
    if kind == "tar":
        return f"tar -xf {shell_shown(name) if known else 'FILE'}"
    if not known:
        return "python -m zipfile -e FILE FOLDER"
    folder = name[:-4] if name.lower().endswith(".zip") and len(name) > 4 else f"{name}-unpacked"
    return f"python -m zipfile -e {shell_shown(name)} {shell_shown(folder)}"


def sniff(src: InputSource, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> str:
    """Name the format of `src` from its head, or raise `UnknownFormat`/`ValueError` saying why.
    A JSON first line longer than the head is read whole (up to `max_record_bytes`, the longest
    record ingest keeps) before it is judged."""
    head = src.head(SNIFF_BYTES)
    if first_json_char(head) == "{" and b"\n" not in head:  # (read on only where the head is not the whole input)
        head = src.head_through_first_line(max_record_bytes)
        if b"\n" not in head and len(head) >= max_record_bytes:
            mb = max_record_bytes / (1 << 20)
            raise UnknownFormat(f"JSON whose first line is longer than {mb:g} MB, the longest record ingest keeps; if it is "
                                f"one record, run again with --max-record-mb above its size")
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnknownFormat("empty file")
    packed = next((kind for magic, kind in ARCHIVE_MAGIC if head.startswith(magic) and _archive_header_ok(kind, head)), None)
    if head[8:12] == b"DUCK":  # `ingest new.duckdb old.duckdb`: "binary file" did not say it is a study
        raise UnknownFormat("a DuckDB database (a study?), not an archive: ingest reads the archives a study is made from, "
                            "and does not merge studies; ingest the archives themselves")
    if _tar_header(head):  # a tar (or, decompressed, a .tar.gz) of the archives: "binary file" sent the user after corruption
        raise UnknownFormat("a tar archive of files: botwatch reads each file itself, not an archive of them; unpack it first "
                            f"(`{unpack_command('tar', src.name)}`) and ingest what it holds (a folder is read whole)")
    if packed:  # before any sniffing: an uncompressed ("stored") zip of JSON lines was read around its
        # headers, its first post rejected with them, and called ok; a compressed one "binary file"
        how = f" (`{unpack_command('zip', src.name)}`)" if packed == "zip" else ""
        raise UnknownFormat(f"{packed}-compressed: botwatch reads gzip (.gz) and uncompressed files; unpack it first{how} and ingest what it holds"
                            + (" (a folder is read whole)" if how else ""))
    # A recognisable first record decides the format even if binary junk follows (NUL padding
    # from a crashed writer, a zero-filled tail): the reader then rejects the junk line by line
    # instead of the whole file being called binary and its good records lost.
    first = first_json_char(head)
    if first in ("{", "["):
        single = whole_object(src, max_record_bytes)  # one object saved pretty-printed: judged whole
        # (the head read on by `whole_object`, so that objects written one after another are
        # judged by their first whole one, however long, up to the record limit)
        candidates = ([single[1]] if single else []) + _json_candidates(src.read_ahead() if single is None else head)
        for obj in candidates:
            name = classify_json(obj)
            if name:
                return name
        if candidates and all(v1.is_stream_notice(obj) for obj in candidates):
            # A quiet hour of a v1.1 stream capture: nothing but delete and limit notices, no
            # status to recognise. Called unreadable, its ingest exited 1 and its notices were lost.
            return v1.FORMAT
        if first == "[":
            for obj in _objects_after_commas(head):
                name = classify_json(obj)
                if name:
                    return name
    else:
        header = read_header(head)
        name = classify_csv(header)
        if name:
            return name
        for obj in _json_candidates(head):  # JSON lines behind a junk first line
            name = classify_json(obj)
            if name:
                return name
    if wide := wide_text(head):
        raise UnknownFormat(wide_text_reason(wide))
    if looks_binary(head[:8192]):
        raise UnknownFormat("binary file (NUL bytes or mostly invalid UTF-8), not JSON or CSV")
    if cr_only(head):
        raise UnknownFormat(CR_ONLY_REASON)
    if first in ("{", "[") and pretty_object_start(head) and src.head_whole(max_record_bytes) is None:
        mb = max_record_bytes / (1 << 20)
        raise UnknownFormat(f"JSON that opens as one pretty-printed object longer than {mb:g} MB, the longest record ingest "
                            f"keeps; if it is one record, run again with --max-record-mb above its size")
    if first in ("{", "["):
        raise UnknownFormat("JSON, but no record in the first lines matches a known format")
    delimited = _other_delimiter(head, header)
    if delimited and delimited[2]:  # a layout botwatch reads, with another delimiter: say only that
        raise UnknownFormat(f"{delimited[2]} CSV delimited by {delimited[0]}, not commas: botwatch reads comma-separated CSV; "
                            "save it as comma-separated (a spreadsheet's CSV export, or `csvformat`) and ingest that")
    hint = f"; it looks delimited by {delimited[0]} ({delimited[1]} columns there), not commas" if delimited else ""
    # The column names are the file's text: shown as `record_shown` writes them (a typed backslash
    # as two), so a name typed `\\x1b` is not read as one holding an ESC, in `ingest`, `status` and
    # the report; botwatch's own words in the reason (the `tr '\\r' '\\n'` hint) keep theirs.
    from botwatch.shown_text import record_shown

    raise UnknownFormat(f"not JSON and not a known CSV header (first columns: {record_shown(', '.join(header[:6])[:120])}){hint}"
                        f"{labelled_accounts_hint(header)}; {KNOWN_CSV}")


def labelled_accounts_hint(header: list[str]) -> str:
    """A line's end for a CSV of labelled accounts (an account column and a `bot`/`label` column,
    no post text), given to `ingest`: the stclab and Botometer sets were told only to name their
    columns with --columns, as if they were posts, where they are read by `evaluate-accounts` and
    `train-bot-model` as they are. "" for any other header."""
    from botwatch.accounts.evaluate import BOT_COLUMNS, HANDLE_COLUMNS, ID_COLUMNS

    names = {h.strip().lower() for h in header}
    if not names & set(BOT_COLUMNS) or not names & set(ID_COLUMNS + HANDLE_COLUMNS) or names & {"text", "content", "full_text", "tweet_text"}:
        return ""
    return ("; it looks like labelled accounts (an account column and a bot label, no post text), which ingest does not "
            "store: give it to `botwatch evaluate-accounts STUDY FILE` to measure the scores against it, or to "
            "`botwatch train-bot-model FILE`")


_DELIMITERS = ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))


def _other_delimiter(head: bytes, header: list[str]) -> tuple[str, int, str | None] | None:
    """(the delimiter's name, the columns it gives, the layout they name or None) when the header
    splits into more columns on `;`, a tab or `|` than on commas (a spreadsheet's `;` export, a
    TSV): the refusal listed one column "tweetid;userid;..." and gave no clue why. botwatch
    reads comma-separated CSV only; the message says what to convert. None otherwise."""
    import csv as _csv

    text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text else ""
    for delim, name in _DELIMITERS:
        try:
            cols = [c.strip().lstrip("\ufeff").strip().lower() for c in next(_csv.reader([first], delimiter=delim), [])]
        except _csv.Error:
            continue
        if len(cols) >= 3 and len(cols) > len(header):
            return name, len(cols), classify_csv(cols)
    return None


def _tar_header(head: bytes) -> bool:
    """Whether `head` starts with a tar header: the "ustar" magic at byte 257 and the header's
    checksum right (text that happens to hold "ustar" there, a Spanish "gustar", is not one)."""
    if len(head) < 512 or head[257:262] != b"ustar":
        return False
    try:
        recorded = int(head[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    return recorded == sum(head[:148]) + 8 * 32 + sum(head[156:512])


def _archive_header_ok(kind: str, head: bytes) -> bool:
    """The bytes after a short magic number look like that archive's header, not like text that
    happens to follow the same few bytes (noise at the start of a JSON-lines file, "BZh" in a CSV):
    only a real archive is refused whole; anything else goes to the readers, which reject the
    damaged line alone. A zip's local header gives a version-needed of at most 6.3 and a method
    code under 100 (text gives, e.g., '{"' = 8827); a bzip2 stream a block size digit and then a
    block or end-of-stream marker; an xz stream its flags with their CRC32, a 7z archive its start
    header's CRC32, a zstd frame a descriptor whose reserved bit is clear (text after the magic
    number, `{` say, sets it). Why the longer magic numbers are checked too: a JSON-lines file whose
    first line was overwritten with one (property tests insert the module's own constants) is text
    with one damaged line, not an archive."""
    if kind == "zip":
        if len(head) < 30:
            return False
        version, method, name_len = int.from_bytes(head[4:6], "little"), int.from_bytes(head[8:10], "little"), int.from_bytes(head[26:28], "little")
        return version <= 63 and method < 100 and name_len > 0
    if kind == "bzip2":
        return len(head) >= 10 and head[3:4] in b"123456789" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")
    if kind == "xz":  # stream flags (a zero byte, then a check type) and their CRC32
        return len(head) >= 12 and head[6] == 0 and head[7] in (0, 1, 4, 10) and zlib.crc32(head[6:8]) == int.from_bytes(head[8:12], "little")
    if kind == "7z":  # version 0.x, then the CRC32 of the next 20 bytes of the start header
        return len(head) >= 32 and head[6] == 0 and zlib.crc32(head[12:32]) == int.from_bytes(head[8:12], "little")
    if kind == "zstd":  # the frame header descriptor's reserved bit is zero
        return len(head) >= 5 and not head[4] & 0x08
    return True


# Compressed or packed files other than gzip, by their first bytes.
ARCHIVE_MAGIC = ((b"PK\x03\x04", "zip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"7z\xbc\xaf\x27\x1c", "7z"))
KNOWN_CSV = ("the CSV layouts read are Twitter's information-operations tweets and users, FiveThirtyEight's IRA "
             "tweets and authors, and twarc-csv; for your own CSV layout, say which column is which with --columns "
             "(docs/ingest-csv.md)")
