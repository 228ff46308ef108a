"""Native ingest of large v1.1 JSON-lines files: DuckDB's own JSON reader does the parsing.

Python record handling tops out at tens of thousands of posts a second; DuckDB's vectorised
`read_json` reads hundreds of thousands. For a large, clean v1.1 file this path loads the fields
botwatch keeps straight into typed columns and derives the staged rows in SQL, with exactly the
rules of the Python readers (`twitter_v1_fast`).

It is only taken when it can account for every line: the file must have no blank lines, every
line must become a row with an id, a v1.1 time and an author. Anything else (a malformed line,
a control message, an odd time format) makes it decline, and the Python readers — which reject
bad lines one by one with their line numbers — read the file instead. So the fast path never
changes what is stored or rejected; the parity test checks that.
"""

from __future__ import annotations

import gzip
import zlib
from typing import BinaryIO

import duckdb
import pyarrow as pa

from botwatch.ingest.fields import client_name
from botwatch.ingest.source import InputSource
from botwatch.study import Study

NATIVE_MIN_BYTES = 16 * 1024 * 1024  # smaller files: Python is fast enough and has no set-up cost

_ENT = "STRUCT(hashtags STRUCT(text VARCHAR)[], user_mentions STRUCT(screen_name VARCHAR)[], urls STRUCT(url VARCHAR, expanded_url VARCHAR)[])"
_EXT = f"STRUCT(full_text VARCHAR, entities {_ENT})"
_USER = (
    "STRUCT(id_str VARCHAR, screen_name VARCHAR, name VARCHAR, description VARCHAR, location VARCHAR, lang VARCHAR, "
    "created_at VARCHAR, followers_count BIGINT, friends_count BIGINT, statuses_count BIGINT, verified BOOLEAN, "
    "default_profile BOOLEAN, default_profile_image BOOLEAN, time_zone VARCHAR, utc_offset INTEGER)"
)
_INNER = f"STRUCT(id_str VARCHAR, text VARCHAR, full_text VARCHAR, extended_tweet {_EXT}, entities {_ENT}, \"user\" {_USER})"
COLUMNS = {
    "id_str": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR", "full_text": "VARCHAR", "extended_tweet": _EXT,
    "entities": _ENT, "user": _USER, "retweeted_status": _INNER, "quoted_status": _INNER, "is_quote_status": "BOOLEAN",
    "quoted_status_id_str": "VARCHAR", "in_reply_to_status_id_str": "VARCHAR", "in_reply_to_user_id_str": "VARCHAR",
    "in_reply_to_screen_name": "VARCHAR", "lang": "VARCHAR", "source": "VARCHAR", "delete": "JSON", "limit": "JSON",
    "warning": "JSON",
}
_WS = "chr(32) || chr(9) || chr(10) || chr(13) || chr(11) || chr(12)"


def _s(x: str) -> str:
    """SQL for `fields.opt_str` on a string: trimmed, and NULL for ''/none/null/nan."""
    t = f"trim({x}, {_WS})"
    return f"(CASE WHEN {x} IS NULL OR lower({t}) IN ('', 'none', 'null', 'nan') THEN NULL ELSE {t} END)"


def _v1_time(x: str) -> str:
    """SQL for the fixed-width v1.1 time as naive UTC (NULL when it is not one)."""
    return f"(CASE WHEN length({x}) = 30 THEN timezone('UTC', try_strptime({x}, '%a %b %d %H:%M:%S %z %Y')) END)"


def count_lines(stream: BinaryIO, max_record_bytes: int) -> tuple[int, bool]:
    """(lines, clean): not clean when a blank line, a NUL byte or an over-long line makes native
    reading unsafe (DuckDB would skip or fail where the Python readers reject with a line number)."""
    lines, prev_nl, clean, last, run = 0, True, True, b"\n", 0
    size = max(1, min(1 << 22, max_record_bytes))
    try:
        while block := stream.read(size):
            n = block.count(b"\n")
            lines += n
            if b"\n\n" in block or b"\n\r\n" in block or (prev_nl and block[:1] in (b"\n", b"\r")) or b"\x00" in block:
                clean = False
            if n == 0:
                run += len(block)
            else:
                run += block.find(b"\n")
                if run > max_record_bytes:
                    clean = False
                run = len(block) - block.rfind(b"\n") - 1
            if run > max_record_bytes:
                clean = False
            prev_nl = block.endswith(b"\n")
            last = block[-1:]
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return lines, False
    if last != b"\n":
        lines += 1
    return lines, clean


def load_native(study: Study, path: str, src: InputSource, max_record_bytes: int) -> tuple[int, int] | None:
    """Read a v1.1 file into the temp table `_nat`; returns (rows, first rowid) or None to decline.

    Runs outside the file's transaction: a DuckDB error here must not abort it.
    """
    # Count from the file itself in large blocks (the sniffing stream reads in small pieces).
    with (gzip.open(path, "rb") if src.compressed else open(path, "rb")) as raw:
        lines, clean = count_lines(raw, max_record_bytes)
    if not clean or lines == 0:
        return None
    q = study.sql
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    compression = "gzip" if src.compressed else "none"
    target = path.replace("'", "''")
    try:
        q(
            f"CREATE OR REPLACE TEMP TABLE _nat AS SELECT * FROM read_json('{target}', format='newline_delimited', "
            f"columns={cols}, ignore_errors=true, compression='{compression}', maximum_object_size={int(max_record_bytes) + 1024})"
        )
        rows, bad = q(
            f"""SELECT count(*), count(*) FILTER (WHERE id_str IS NULL OR id_str = '' OR id_str <> trim(id_str, {_WS})
                   OR {_v1_time('created_at')} IS NULL OR "user" IS NULL OR "user".id_str IS NULL OR "user".id_str = ''
                   OR "user".id_str <> trim("user".id_str, {_WS})
                   OR ("user".created_at IS NOT NULL AND "user".created_at <> '' AND {_v1_time('"user".created_at')} IS NULL)
                   OR (retweeted_status IS NOT NULL AND retweeted_status."user".created_at IS NOT NULL AND retweeted_status."user".created_at <> ''
                       AND {_v1_time('retweeted_status."user".created_at')} IS NULL)
                   OR (quoted_status IS NOT NULL AND quoted_status."user".created_at IS NOT NULL AND quoted_status."user".created_at <> ''
                       AND {_v1_time('quoted_status."user".created_at')} IS NULL)
                   OR "delete" IS NOT NULL OR "limit" IS NOT NULL OR "warning" IS NOT NULL
                   OR (CASE WHEN retweeted_status IS NOT NULL THEN coalesce(retweeted_status.extended_tweet.full_text, retweeted_status.full_text, retweeted_status.text)
                            ELSE coalesce(extended_tweet.full_text, full_text, text) END) IS NULL)
                FROM _nat"""
        )[0]
        base, top = q("SELECT min(rowid), max(rowid) FROM _nat")[0]
    except duckdb.Error:
        drop_native(study)
        return None
    # Row ids follow insertion (= file) order; the check proves every line became one row.
    if rows != lines or bad or top - base + 1 != rows:
        drop_native(study)
        return None
    return int(rows), int(base)


def drop_native(study: Study) -> None:
    study.sql("DROP TABLE IF EXISTS _nat")


def stage_native(study: Study, loaded: tuple[int, int], source_name: str) -> int:
    """Inside the file's transaction: staged posts and snapshots from `_nat`; returns records read."""
    rows, base = loaded
    try:
        _stage(study, source_name, base)
    finally:
        drop_native(study)
    return rows


def _stage(study: Study, source_name: str, base: int) -> None:
    q = study.sql
    clients = q("SELECT DISTINCT source FROM _nat WHERE source IS NOT NULL AND source <> ''")
    mapping = pa.table({"raw": [c for (c,) in clients], "client": [client_name(c) for (c,) in clients]}, schema=pa.schema([("raw", pa.string()), ("client", pa.string())]))
    study.con.register("_clients", mapping)
    src_lit = source_name.replace("'", "''")
    try:
        q(
            f"""CREATE OR REPLACE TEMP VIEW _nat2 AS
            SELECT rowid - {base} + 1 AS line, n.*,
                   CASE WHEN retweeted_status IS NOT NULL THEN 'retweet'
                        WHEN coalesce(is_quote_status, false) AND (coalesce(quoted_status_id_str, '') <> '' OR quoted_status IS NOT NULL) THEN 'quote'
                        WHEN coalesce(in_reply_to_status_id_str, '') <> '' OR coalesce(in_reply_to_user_id_str, '') <> '' THEN 'reply'
                        ELSE 'original' END AS kind,
                   {_v1_time('created_at')} AS ts
            FROM _nat n"""
        )
        # The text and its entities come from the retweeted status for a retweet, else the post.
        text_src = f"""(CASE WHEN kind = 'retweet' THEN
                            CASE WHEN retweeted_status.extended_tweet.full_text IS NOT NULL THEN {{'t': retweeted_status.extended_tweet.full_text, 'e': retweeted_status.extended_tweet.entities}}
                                 ELSE {{'t': coalesce(retweeted_status.full_text, retweeted_status.text), 'e': retweeted_status.entities}} END
                        ELSE
                            CASE WHEN extended_tweet.full_text IS NOT NULL THEN {{'t': extended_tweet.full_text, 'e': extended_tweet.entities}}
                                 ELSE {{'t': coalesce(full_text, text), 'e': entities}} END
                        END)"""
        ref_user = "(CASE WHEN kind = 'retweet' THEN retweeted_status.\"user\" WHEN kind = 'quote' THEN quoted_status.\"user\" END)"
        q(
            f"""INSERT INTO _stage_posts
            SELECT id_str, 'twitter', "user".id_str, ts, tc.t, {_s('lang')}, kind,
                   CASE kind WHEN 'retweet' THEN retweeted_status.id_str
                             WHEN 'quote' THEN coalesce(nullif(quoted_status_id_str, ''), quoted_status.id_str)
                             WHEN 'reply' THEN {_s('in_reply_to_status_id_str')} END,
                   CASE WHEN kind IN ('retweet', 'quote') THEN (CASE WHEN coalesce(ru.id_str, '') <> '' THEN ru.id_str END)
                        WHEN kind = 'reply' THEN {_s('in_reply_to_user_id_str')} END,
                   CASE WHEN kind IN ('retweet', 'quote') THEN (CASE WHEN coalesce(ru.id_str, '') <> '' THEN {_s('ru.screen_name')} END)
                        WHEN kind = 'reply' THEN {_s('in_reply_to_screen_name')} END,
                   coalesce(list_filter(list_transform(tc.e.hashtags, lambda h: h.text), lambda x: coalesce(x, '') <> ''), []),
                   coalesce(list_filter(list_transform(tc.e.user_mentions, lambda m: m.screen_name), lambda x: coalesce(x, '') <> ''), []),
                   coalesce(list_filter(list_transform(tc.e.urls, lambda u: coalesce(nullif(u.expanded_url, ''), nullif(u.url, ''))), lambda x: x IS NOT NULL), []),
                   c.client, '{src_lit}:' || line, 'twitter-v1.1', line
            FROM (SELECT *, {text_src} AS tc, {ref_user} AS ru FROM _nat2) x
            LEFT JOIN _clients c ON c.raw = x.source
            ORDER BY line"""
        )
        snap = lambda u, seq: f"""SELECT {u}.id_str, 'twitter', {_s(u + '.screen_name')}, {_s(u + '.name')}, {_s(u + '.description')},
                   {_s(u + '.location')}, {_s(u + '.lang')}, {_v1_time(u + '.created_at')}, {u}.followers_count, {u}.friends_count,
                   {u}.statuses_count, {u}.verified, {u}.default_profile, {u}.default_profile_image, {_s(u + '.time_zone')},
                   {u}.utc_offset, NULL, ts, ts, ts, '{src_lit}:' || line, line * 3 + {seq} FROM _nat2"""  # noqa: E731
        q(f"""INSERT INTO _stage_snapshots
            {snap('retweeted_status."user"', 0)} WHERE kind = 'retweet' AND coalesce(retweeted_status."user".id_str, '') <> ''
            UNION ALL {snap('quoted_status."user"', 0)} WHERE kind = 'quote' AND coalesce(quoted_status."user".id_str, '') <> ''
            UNION ALL {snap('"user"', 1)}""")
    finally:
        study.con.unregister("_clients")
        q("DROP VIEW IF EXISTS _nat2")
