"""Native ingest of large v1.1 JSON-lines files: DuckDB's own JSON reader does the parsing.

Python record handling tops out at tens of thousands of posts a second; DuckDB's vectorised
`read_json` reads hundreds of thousands. For a large, clean v1.1 file this path parses the file
once, straight into one compact temp table `_flat` that already holds each line's canonical post
columns and its account profiles (derived in SQL with exactly the rules of the Python readers,
`twitter_v1_fast`). Posts are then inserted from it and the file's account snapshots reduced
from it in one aggregate, without a staging copy.

It is only taken when it can account for every line: DuckDB must read the file without a single
error (`ignore_errors=false`), one row per line (a blank line would be skipped, so the counts
would differ), and every row must have an id, a v1.1 time, an author and a text. Anything else
makes it decline, and the Python readers — which reject bad lines one by one with their line
numbers — read the file instead. So the fast path never changes what is stored or rejected; the
parity test checks that.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from botwatch.ingest.fields import client_name
from botwatch.ingest.file_scan import BackgroundScan
from botwatch.study import Study

NATIVE_MIN_BYTES = 16 * 1024 * 1024  # smaller files: Python is fast enough and has no set-up cost
FORMAT = "twitter-v1.1"

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
# Profile columns of `_flat`'s author (`a`) and referenced-user (`r`) structs, in snapshot order.
PROFILE_COLUMNS = [
    "handle", "display_name", "description", "location", "account_lang", "created_at", "followers", "following",
    "posts_count", "verified", "default_profile", "default_image", "time_zone", "utc_offset",
]


def _edges_plain(x: str) -> str:
    """SQL: `x` (non-NULL) neither starts nor ends with a character `_s` would trim.

    Checking the two ends is an order of magnitude cheaper than `trim` with a character list,
    and almost every value passes, so the exact rule only runs for the rest."""
    ends = " OR ".join(f"ends_with({x}, chr({c}))" for c in (32, 9, 10, 13, 11, 12))
    return f"(ascii({x}) > 32 AND NOT ({ends}))"


def _s(x: str) -> str:
    """SQL for `fields.opt_str` on a string: trimmed, and NULL for ''/none/null/nan."""
    t = f"trim({x}, {_WS})"
    exact = f"(CASE WHEN lower({t}) IN ('', 'none', 'null', 'nan') THEN NULL ELSE {t} END)"
    # Longer than 'none' and nothing to trim: the value as it is.
    return f"(CASE WHEN {x} IS NULL THEN NULL WHEN strlen({x}) > 4 AND {_edges_plain(x)} THEN {x} ELSE {exact} END)"


def _v1_time(x: str) -> str:
    """SQL for the fixed-width v1.1 time as naive UTC (NULL when it is not one)."""
    return f"(CASE WHEN length({x}) = 30 THEN timezone('UTC', try_strptime({x}, '%a %b %d %H:%M:%S %z %Y')) END)"


def _bad_time(x: str) -> str:
    """True when an optional v1.1 time is present but not one (the Python reader would coerce or reject)."""
    return f"({x} IS NOT NULL AND {x} <> '' AND {_v1_time(x)} IS NULL)"


def _padded(x: str) -> str:
    """SQL: an id that is missing, empty or has surrounding whitespace (the lenient reader's business)."""
    return f"(CASE WHEN {x} IS NULL OR {x} = '' THEN true WHEN {_edges_plain(x)} THEN false ELSE {x} <> trim({x}, {_WS}) END)"


def _profile(u: str) -> str:
    """A v1.1 user object as a struct of snapshot fields (same rules as `twitter_v1_fast._snapshot`)."""
    values = [
        _s(f"{u}.screen_name"), _s(f"{u}.name"), _s(f"{u}.description"), _s(f"{u}.location"), _s(f"{u}.lang"),
        _v1_time(f"{u}.created_at"), f"{u}.followers_count", f"{u}.friends_count", f"{u}.statuses_count", f"{u}.verified",
        f"{u}.default_profile", f"{u}.default_profile_image", _s(f"{u}.time_zone"), f"{u}.utc_offset",
    ]
    return "{" + ", ".join([f"'id': {u}.id_str"] + [f"'{k}': {v}" for k, v in zip(PROFILE_COLUMNS, values)]) + "}"


def flat_select(path: str, compressed: bool, max_record_bytes: int) -> str:
    """SELECT over `read_json` giving one `_flat` row per line: post columns, profiles, a `bad` flag."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    target = path.replace("'", "''")
    raw = (
        f"read_json('{target}', format='newline_delimited', columns={cols}, ignore_errors=false, "
        f"compression='{'gzip' if compressed else 'none'}', maximum_object_size={int(max_record_bytes) + 1024})"
    )
    kind = """CASE WHEN retweeted_status IS NOT NULL THEN 'retweet'
                   WHEN coalesce(is_quote_status, false) AND (coalesce(quoted_status_id_str, '') <> '' OR quoted_status IS NOT NULL) THEN 'quote'
                   WHEN coalesce(in_reply_to_status_id_str, '') <> '' OR coalesce(in_reply_to_user_id_str, '') <> '' THEN 'reply'
                   ELSE 'original' END"""
    # The text and its entities come from the retweeted status for a retweet, else the post.
    content = """(CASE WHEN kind = 'retweet' THEN
                        CASE WHEN retweeted_status.extended_tweet.full_text IS NOT NULL THEN {'t': retweeted_status.extended_tweet.full_text, 'e': retweeted_status.extended_tweet.entities}
                             ELSE {'t': coalesce(retweeted_status.full_text, retweeted_status.text), 'e': retweeted_status.entities} END
                    ELSE
                        CASE WHEN extended_tweet.full_text IS NOT NULL THEN {'t': extended_tweet.full_text, 'e': extended_tweet.entities}
                             ELSE {'t': coalesce(full_text, text), 'e': entities} END
                    END)"""
    ref_user = "(CASE WHEN kind = 'retweet' THEN retweeted_status.\"user\" WHEN kind = 'quote' THEN quoted_status.\"user\" END)"
    has_ref_user = "(kind IN ('retweet', 'quote') AND coalesce(ru.id_str, '') <> '')"
    bad = f"""({_padded('id_str')} OR ts IS NULL OR "user" IS NULL OR {_padded('"user".id_str')} OR {_bad_time('"user".created_at')}
               OR (retweeted_status IS NOT NULL AND {_bad_time('retweeted_status."user".created_at')})
               OR (quoted_status IS NOT NULL AND {_bad_time('quoted_status."user".created_at')})
               OR "delete" IS NOT NULL OR "limit" IS NOT NULL OR "warning" IS NOT NULL OR tc.t IS NULL)"""
    return f"""
        SELECT id_str AS post_id, "user".id_str AS account_id, ts, tc.t AS text, {_s('lang')} AS lang, kind,
               CASE kind WHEN 'retweet' THEN retweeted_status.id_str
                         WHEN 'quote' THEN coalesce(nullif(quoted_status_id_str, ''), quoted_status.id_str)
                         WHEN 'reply' THEN {_s('in_reply_to_status_id_str')} END AS ref_post_id,
               CASE WHEN {has_ref_user} THEN ru.id_str WHEN kind = 'reply' THEN {_s('in_reply_to_user_id_str')} END AS ref_account_id,
               CASE WHEN {has_ref_user} THEN {_s('ru.screen_name')} WHEN kind = 'reply' THEN {_s('in_reply_to_screen_name')} END AS ref_handle,
               coalesce(list_filter(list_transform(tc.e.hashtags, lambda h: h.text), lambda x: coalesce(x, '') <> ''), []) AS hashtags,
               coalesce(list_filter(list_transform(tc.e.user_mentions, lambda m: m.screen_name), lambda x: coalesce(x, '') <> ''), []) AS mentions,
               coalesce(list_filter(list_transform(tc.e.urls, lambda u: coalesce(nullif(u.expanded_url, ''), nullif(u.url, ''))), lambda x: x IS NOT NULL), []) AS urls,
               source AS client_raw,
               {_profile('"user"')} AS a,
               CASE WHEN {has_ref_user} THEN {_profile('ru')} END AS r,
               {bad} AS bad
        FROM (SELECT *, {content} AS tc, {ref_user} AS ru
              FROM (SELECT *, {kind} AS kind, {_v1_time('created_at')} AS ts FROM {raw}))"""


@dataclass(frozen=True)
class NativeLoad:
    """A file parsed into `_flat`: its rows, the rowid of its first line, and its hash if asked."""

    rows: int
    base: int
    sha256: str | None


def load_native(study: Study, path: str, compressed: bool, max_record_bytes: int, scan: BackgroundScan) -> NativeLoad | None:
    """Parse a v1.1 file into the temp table `_flat`, or return None to decline.

    `scan` counts the file's lines in the background meanwhile. Runs outside the file's
    transaction: a DuckDB error here (a malformed line) must not abort it.
    """
    q = study.sql
    try:
        q(f"CREATE OR REPLACE TEMP TABLE _flat AS {flat_select(path, compressed, max_record_bytes)}")
        rows, bad, base, top = q("SELECT count(*), count(*) FILTER (WHERE bad), min(rowid), max(rowid) FROM _flat")[0]
    except duckdb.Error:
        drop_native(study)
        return None
    finally:
        counted = scan.result()
    # Row ids follow insertion (= file) order; with one row per line they are the line numbers.
    if not counted.clean or rows != counted.lines or bad or rows == 0 or top - base + 1 != rows:
        drop_native(study)
        return None
    return NativeLoad(int(rows), int(base), counted.sha256)


def drop_native(study: Study) -> None:
    study.sql("DROP TABLE IF EXISTS _flat")


def store_native_posts(study: Study, loaded: NativeLoad, source_name: str) -> int:
    """Inside the file's transaction: insert the file's new posts (the first of any repeated id); returns how many."""
    q = study.sql
    clients = q("SELECT DISTINCT client_raw FROM _flat WHERE client_raw IS NOT NULL AND client_raw <> ''")
    mapping = pa.table({"raw": [c for (c,) in clients], "client": [client_name(c) for (c,) in clients]}, schema=pa.schema([("raw", pa.string()), ("client", pa.string())]))
    study.con.register("_clients", mapping)
    src = source_name.replace("'", "''")
    unique = q("SELECT count(DISTINCT post_id) FROM _flat")[0][0] == loaded.rows
    first_only = "" if unique else "AND f.rowid IN (SELECT min(rowid) FROM _flat GROUP BY post_id)"
    before = q("SELECT count(*) FROM posts")[0][0]
    try:
        q(
            f"""INSERT INTO posts
            SELECT f.post_id, 'twitter', f.account_id, f.ts, f.text, f.lang, f.kind, f.ref_post_id, f.ref_account_id, f.ref_handle,
                   f.hashtags, f.mentions, f.urls, c.client, '{src}:' || (f.rowid - {loaded.base} + 1), '{FORMAT}'
            FROM _flat f LEFT JOIN _clients c ON c.raw = f.client_raw
            WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.platform = 'twitter' AND p.post_id = f.post_id) {first_only}"""
        )
    finally:
        study.con.unregister("_clients")
    return int(q("SELECT count(*) FROM posts")[0][0] - before)


def reduce_native_snapshots(study: Study, loaded: NativeLoad, source_name: str) -> None:
    """The file's account snapshots reduced to one row per account, into the temp table `_reduced`.

    Same rule as `canonical.reduce_snapshots`: each field's latest non-NULL value, "latest" by
    the post time and then by position in the file (a retweet's original author before its
    retweeter), and the source of the account's last snapshot in the file.
    """
    src = source_name.replace("'", "''")
    order = "epoch(ts)::BIGINT * 4294967296 + seq"
    fields = ", ".join(f"arg_max(prof.{c}, k) FILTER (WHERE prof.{c} IS NOT NULL) AS {c}" for c in PROFILE_COLUMNS)
    study.sql(
        f"""CREATE OR REPLACE TEMP TABLE _reduced AS
        SELECT prof.id AS account_id, 'twitter' AS platform, {fields}, NULL::VARCHAR AS extra,
               max(ts) AS observed_at, min(ts) AS first_seen, max(ts) AS last_seen,
               '{src}:' || (arg_max(line, seq)) AS source
        FROM (SELECT prof, ts, line, seq, {order} AS k
              FROM (SELECT a AS prof, ts, rowid - {loaded.base} + 1 AS line, (rowid - {loaded.base}) * 3 + 1 AS seq FROM _flat
                    UNION ALL
                    SELECT r, ts, rowid - {loaded.base} + 1, (rowid - {loaded.base}) * 3 FROM _flat WHERE r IS NOT NULL))
        GROUP BY prof.id"""
    )
