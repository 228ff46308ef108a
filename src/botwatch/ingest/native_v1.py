"""Native ingest of large v1.1 JSON-lines files: DuckDB's own JSON reader does the parsing.

Python record handling tops out at tens of thousands of posts a second; DuckDB's vectorised
`read_json` reads hundreds of thousands. For a large v1.1 file this path parses the file
once, straight into one compact temp table `_flat` that already holds each line's canonical post
columns and its account profiles (derived in SQL with exactly the rules of the Python readers,
`twitter_v1_fast`, from the field map they share, `v1_fields`). Posts are then inserted from it
and the file's account snapshots reduced from it by `canonical.reduce_snapshots`, without a
staging copy.

It is only taken when it can account for every line. DuckDB reads the file as one object per
line (`records=true`) with `ignore_errors=true`, which turns a line it cannot parse (truncated,
bad UTF-8, not an object) into an empty row, and a text or number where an object or a list
belongs into empty fields. It must give one row per line that is not blank: DuckDB skips blank
lines, and the background line scan says where they were, so rows map back to line numbers; if
the counts differ it declines and the Python readers read the whole file. Rows that
are not clean statuses are flagged `bad`: lines DuckDB could not parse, stream delete/limit
notices, padded ids, odd times, a missing text, a value of a JSON type the typed Python decoder
would not take, an object or list element that came back empty. Their lines are picked out of
the file and handed to the same Python per-line readers, which store, coerce or reject each one.
So the fast path never changes what is stored or rejected; the parity tests check that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from botwatch.duckdb_sql import reduce_snapshots_sql
from botwatch.ingest.fields import client_name
from botwatch.ingest.file_scan import BackgroundScan
from botwatch.ingest.html_entities import decode_sql
from botwatch.ingest.source import Line
from botwatch.ingest.twitter_v1 import FORMAT
from botwatch.ingest.v1_fields import ENTITIES, EXTRA, PROFILE, STATUS, STR, TIME, USER, WEB, Obj, leaf_kind, scalar_leaves, sql_type
from botwatch.study import Study

NATIVE_MIN_BYTES = 16 * 1024 * 1024  # smaller files: Python is fast enough and has no set-up cost

# What is read, and the profile columns it becomes, are declared in `v1_fields` (shared with the
# Python readers). Scalar leaves are all read as VARCHAR and checked here, not read as their SQL
# types: DuckDB's typed reading casts freely (3.7 or `true` into a BIGINT, 0.5 into a BOOLEAN),
# and reading a number, a flag or an object into a VARCHAR gives its JSON text, where the Python
# readers refuse or coerce such values their own way. Each leaf's kind says how the Python
# readers treat it, and a line with a value that might not be what the typed Python decoder
# (`twitter_v1_fast`) takes is flagged for the Python readers. Flagging too much is always safe
# (they then decide); what must not happen is a value stored differently from the Python path.
#   id    ids: a JSON integer becomes its digits there too; anything else is doubtful
#   str   optional text (`fields.opt_str`): likewise
#   text  text that must be a string (post text, entity strings, the client): any non-string is doubtful
#   time  times: a value that does not parse is flagged by the time checks already
#   BIGINT / INTEGER / BOOLEAN  counts and flags, checked against their JSON text
# Stream control messages are read too, only to be recognised.
COLUMNS = {key: sql_type(spec) for key, spec in STATUS.fields.items()} | {"delete": "JSON", "limit": "JSON", "warning": "JSON"}
# Every scalar leaf of a status as (SQL path, kind, flat column name, the sparse object it sits in).
_LEAVES = scalar_leaves(STATUS)
_RT, _QT, _AUTHOR = STATUS.fields["retweeted_status"], STATUS.fields["quoted_status"], STATUS.fields["user"]
assert isinstance(_RT, Obj) and isinstance(_QT, Obj) and isinstance(_AUTHOR, Obj)
# Flat column-name prefixes of the author, a retweet's original author and a quote's.
_U, _RU, _QU = _AUTHOR.prefix, _RT.prefix + _AUTHOR.prefix, _QT.prefix + _AUTHOR.prefix
_SQL_TYPED = ("BIGINT", "INTEGER", "BOOLEAN")


def _value(x: str, kind: str) -> str:
    """SQL: the typed value of a leaf as read (meaningful only where `_wrong_type` is false)."""
    if kind == "BOOLEAN":
        return f"({x} = 'true')"
    if kind in _SQL_TYPED:
        return f"TRY_CAST({x} AS {kind})"
    return x


def _doubtful(x: str, integers_pass: bool) -> str:
    """SQL: a text that may be the JSON text of a flag, an object, an array or a number.

    Cheap for ordinary text: only a value starting with a digit, '-', '[' or '{' is looked at
    further (nested CASEs, since only a CASE branch is evaluated on just its rows). With
    `integers_pass`, a plain positive integer of up to 19 digits is not doubtful (the Python
    readers turn a JSON integer into the same digits), so an id costs a scan for '.', 'e' and 'E'."""
    first = f"ascii({x})"
    number = f"TRY_CAST({x} AS DOUBLE) IS NOT NULL"
    if integers_pass:
        # 20 digits or more may be an integer beyond 64 bits, a line the Python JSON parser refuses.
        number = f"""(CASE WHEN {first} = 45 OR {x} = '0' OR strlen({x}) >= 20 OR contains({x}, '.') OR contains({x}, 'e') OR contains({x}, 'E')
                           THEN {number} ELSE false END)"""
    # Comparisons with short constants only touch DuckDB's inlined string prefix: the cheapest tests.
    return f"""(CASE WHEN {x} < ':' THEN (CASE WHEN {first} BETWEEN 48 AND 57 OR {first} = 45 THEN {number} ELSE false END)
                     WHEN ({x} >= '[' AND {x} < '\\') OR ({x} >= '{{' AND {x} < '|') THEN json_valid({x})
                     ELSE {x} = 'true' OR {x} = 'false' END)"""


def _wrong_type(x: str, kind: str) -> str:
    """SQL: the leaf is present but may not be what the typed Python decoder takes for it.

    For a count, a plain integer in range, whose text round-trips through the cast; for a flag,
    `true`/`false`. A count or flag given as a string ("3", "true") passes: the Python readers
    coerce it to the same value. Anything doubtful ("03", "3.0", "True") is flagged."""
    if kind == "time":
        return "false"
    if kind == "BOOLEAN":
        return f"({x} IS NOT NULL AND {x} NOT IN ('true', 'false'))"
    if kind in _SQL_TYPED:
        return f"({x} IS NOT NULL AND coalesce(TRY_CAST({x} AS {kind})::VARCHAR <> {x}, true))"
    return f"coalesce({_doubtful(x, integers_pass=kind != 'text')}, false)"


def _list_wrong(items: str, leaves: list[str]) -> str:
    """SQL: some element of an entity list may not be what the Python readers take as it is.

    An element whose leaves are all NULL may have been a bare string or number, which DuckDB
    nulls (the Python readers keep a bare string as a hashtag); a leaf may not be a JSON string."""
    gone = " AND ".join(f"e.{leaf} IS NULL" for leaf in leaves)
    checks = " OR ".join(_wrong_type(f"e.{leaf}", "text") for leaf in leaves)
    return f"coalesce(list_bool_or(list_transform({items}, lambda e: ({gone}) OR {checks})), false)"


def _list_strings(items: str, leaf: str) -> str:
    """SQL: the non-empty string `leaf` of each element (`fields.str_list`)."""
    return f"coalesce(list_filter(list_transform({items}, lambda e: e.{leaf}), lambda x: coalesce(x, '') <> ''), [])"


_WS = "chr(32) || chr(9) || chr(10) || chr(13) || chr(11) || chr(12)"
# Profile columns of `_flat`'s author (`a`) and referenced-user (`r`) structs, in snapshot order.
PROFILE_COLUMNS = [*PROFILE, "extra"]


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
    # Nothing to trim (almost every value): only a short one can be a spelling of "no value".
    plain = f"(CASE WHEN strlen({x}) <= 4 AND lower({x}) IN ('none', 'null', 'nan') THEN NULL ELSE {x} END)"
    return f"(CASE WHEN {x} IS NULL THEN NULL WHEN {_edges_plain(x)} THEN {plain} ELSE {exact} END)"


def _v1_time(x: str) -> str:
    """SQL for the fixed-width v1.1 time as naive UTC (NULL when it is not one)."""
    return f"(CASE WHEN length({x}) = 30 THEN timezone('UTC', try_strptime({x}, '%a %b %d %H:%M:%S %z %Y')) END)"


def _bad_time(raw: str, parsed: str) -> str:
    """True when an optional v1.1 time is present but not one (the Python reader would coerce or reject)."""
    return f"({raw} IS NOT NULL AND {raw} <> '' AND {parsed} IS NULL)"


def _padded(x: str) -> str:
    """SQL: an id that is missing, empty or has surrounding whitespace (the lenient reader's business).

    An id is digits, so one that starts or ends with anything but printable ASCII goes to the
    Python readers too: they strip every Unicode space (an id of one no-break space is empty
    there, and the line is rejected), which DuckDB's trim does not."""
    return (
        f"(CASE WHEN {x} IS NULL OR {x} = '' THEN true "
        f"WHEN ascii({x}) BETWEEN 33 AND 126 AND ascii(right({x}, 1)) BETWEEN 33 AND 126 THEN false "
        "ELSE true END)"
    )


def _profile(prefix: str, created: str) -> str:
    """A user object as a struct of snapshot fields, by `v1_fields.PROFILE` and `EXTRA` (same
    rules as `twitter_v1_fast._snapshot`).

    Its leaves are the decoded columns named `prefix` + leaf; `created` is the account's creation
    time, already parsed (it is also checked in `bad`)."""
    def read(leaf: str, kind: str) -> str:
        col = prefix + leaf
        if kind == TIME:
            return created
        if kind == WEB:  # `fields.web_address`: NULL (no text) is no address
            return f"coalesce(regexp_matches(lower(left({_s(col)}, 8)), '^https?://'), FALSE)"
        return _s(col) if kind == STR else col  # counts and flags are typed already (`_value`)

    values = [read(leaf, leaf_kind(USER, leaf)) for leaf in PROFILE.values()]
    # `twitter_v1.profile_extra` writes the same JSON text (same keys, order and nulls).
    extra = ", ".join(f"'{key}', {read(leaf, kind)}" for key, (leaf, kind) in EXTRA.items())
    values.append(f"json_object({extra})::VARCHAR")
    return "{" + ", ".join([f"'id': {prefix}id_str"] + [f"'{k}': {v}" for k, v in zip(PROFILE_COLUMNS, values)]) + "}"


def _content(field: str) -> str:
    """SQL for one part of the post's content: a retweet's comes from the retweeted status, and an
    extended tweet's full text brings its own entities (as in `twitter_v1_fast.fast_status`).

    Each column picks its own field rather than through an intermediate struct: copying whole
    entity structs per row cost more than the parse of them."""
    rt = "retweeted_status"
    if field == "text":
        return """(CASE WHEN kind = 'retweet' THEN coalesce(rt_x_full_text, rt_full_text, rt_text)
                         ELSE coalesce(x_full_text, full_text, text) END)"""
    return f"""(CASE WHEN kind = 'retweet' THEN
                        (CASE WHEN rt_x_full_text IS NOT NULL THEN {rt}.extended_tweet.entities.{field} ELSE {rt}.entities.{field} END)
                     WHEN x_full_text IS NOT NULL THEN extended_tweet.entities.{field}
                     ELSE entities.{field} END)"""


def _decoded() -> str:
    """Select list: every scalar leaf decoded to its type under a flat name, plus `wrong_type`.

    The nested objects pass through for their presence and their entity lists. An embedded
    status's leaves are only checked where it is there (a CASE evaluates its branch on those
    rows alone), which spares most rows most of the checks."""
    values = ", ".join(f"{_value(path, typ)} AS {name}" for path, typ, name, _ in _LEAVES)
    groups: dict[str, list[str]] = {}
    for path, typ, _, owner in _LEAVES:
        groups.setdefault(owner, []).append(_wrong_type(path, typ))
    wrong = " OR ".join(
        f"({' OR '.join(checks)})" if not owner else f"(CASE WHEN {owner} IS NULL THEN false ELSE ({' OR '.join(checks)}) END)"
        for owner, checks in groups.items()
    )
    return f"""extended_tweet, entities, retweeted_status, quoted_status, "user", "delete", "limit", "warning",
               {values}, ({wrong}) AS wrong_type"""


def flat_select(path: str, compressed: bool, max_record_bytes: int, link_told: bool = False) -> str:
    """SELECT over `read_json` giving one `_flat` row per line: post columns, profiles, a `bad` flag.

    `link_told` (`lacks_profile_link`): the file has user objects without a `url` field, which
    `read_json` cannot tell from a null one; every line with a user object whose `url` is NULL is
    then flagged, so that the Python readers say per user object whether the link is unknown."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    target = path.replace("'", "''")
    raw = (
        f"read_json('{target}', format='newline_delimited', records=true, columns={cols}, ignore_errors=true, "
        f"compression='{'gzip' if compressed else 'none'}', maximum_object_size={int(max_record_bytes) + 1024})"
    )
    kind = """CASE WHEN retweeted_status IS NOT NULL THEN 'retweet'
                   WHEN coalesce(is_quote_status, false) AND (coalesce(quoted_status_id_str, '') <> '' OR quoted_status IS NOT NULL) THEN 'quote'
                   WHEN coalesce(in_reply_to_status_id_str, '') <> '' OR coalesce(in_reply_to_user_id_str, '') <> '' THEN 'reply'
                   ELSE 'original' END"""
    parsed = f"""{_v1_time('created_at')} AS ts, {_v1_time(f'{_U}created_at')} AS u_created,
                 CASE WHEN retweeted_status IS NOT NULL THEN {_v1_time(f'{_RU}created_at')} END AS rt_created,
                 CASE WHEN quoted_status IS NOT NULL THEN {_v1_time(f'{_QU}created_at')} END AS qt_created"""
    # The referenced account of a retweet or quote, when the embedded status names one.
    rt_ok = f"(kind = 'retweet' AND coalesce({_RU}id_str, '') <> '')"
    qt_ok = f"(kind = 'quote' AND coalesce({_QU}id_str, '') <> '')"
    entity_lists_wrong = " OR ".join(_list_wrong(f"{k}_raw", list(spec[0].fields)) for k, spec in ENTITIES.fields.items() if isinstance(spec, list))
    link_doubt = (f""" OR {_U}url IS NULL OR (retweeted_status IS NOT NULL AND {_RU}url IS NULL)
               OR (quoted_status IS NOT NULL AND {_QU}url IS NULL)""" if link_told else "")
    bad = f"""({_padded('post_id')} OR ts IS NULL OR "user" IS NULL OR {_padded('account_id')}
               OR {_bad_time(f'{_U}created_at', 'u_created')}
               OR (retweeted_status IS NOT NULL AND {_bad_time(f'{_RU}created_at', 'rt_created')})
               OR (quoted_status IS NOT NULL AND {_bad_time(f'{_QU}created_at', 'qt_created')})
               OR "delete" IS NOT NULL OR "limit" IS NOT NULL OR "warning" IS NOT NULL OR post_text IS NULL OR wrong_type
               -- A quoted status that came back empty may have been text: DuckDB would still call
               -- the post a quote, the Python readers would not. (An empty user, retweet, extended
               -- tweet or entities already ends as on the Python path, or is flagged above.)
               OR (quoted_status IS NOT NULL AND qt_id_str IS NULL AND {_QU}id_str IS NULL)
               OR {entity_lists_wrong}{link_doubt})"""
    url = "coalesce(nullif(e.expanded_url, ''), nullif(e.url, ''))"
    return f"""
        SELECT post_id, account_id, ts, {decode_sql('post_text')} AS text, post_lang AS lang, kind, ref_post_id, ref_account_id, ref_handle,
               {_list_strings('hashtags_raw', 'text')} AS hashtags, {_list_strings('user_mentions_raw', 'screen_name')} AS mentions,
               coalesce(list_filter(list_transform(urls_raw, lambda e: {url}), lambda x: x IS NOT NULL), []) AS urls,
               client_raw, a, r, {bad} AS bad
        FROM (
        SELECT *, id_str AS post_id, {_U}id_str AS account_id, {_content('text')} AS post_text, {_s('lang')} AS post_lang,
               CASE kind WHEN 'retweet' THEN rt_id_str
                         WHEN 'quote' THEN coalesce(nullif(quoted_status_id_str, ''), qt_id_str)
                         WHEN 'reply' THEN {_s('in_reply_to_status_id_str')} END AS ref_post_id,
               CASE WHEN {rt_ok} THEN {_RU}id_str WHEN {qt_ok} THEN {_QU}id_str
                    WHEN kind = 'reply' THEN {_s('in_reply_to_user_id_str')} END AS ref_account_id,
               CASE WHEN {rt_ok} THEN {_s(_RU + 'screen_name')} WHEN {qt_ok} THEN {_s(_QU + 'screen_name')}
                    WHEN kind = 'reply' THEN {_s('in_reply_to_screen_name')} END AS ref_handle,
               {_content('hashtags')} AS hashtags_raw, {_content('user_mentions')} AS user_mentions_raw, {_content('urls')} AS urls_raw,
               source AS client_raw,
               {_profile(_U, 'u_created')} AS a,
               CASE WHEN {rt_ok} THEN {_profile(_RU, 'rt_created')} WHEN {qt_ok} THEN {_profile(_QU, 'qt_created')} END AS r
        FROM (SELECT *, {kind} AS kind, {parsed} FROM (SELECT {_decoded()} FROM {raw})))"""


@dataclass(frozen=True)
class NativeLoad:
    """A file parsed into `_flat`: its rows, the rowid of its first line, how many rows the
    Python readers must decide (`bad`), and whether blank lines sit between rows (then the
    temp table `_lines` maps each row to its line)."""

    rows: int
    base: int
    bad: int
    blanks: bool = False

    def numbered(self) -> str:
        """SQL: `_flat` with each row's 1-based line number as `line`."""
        if not self.blanks:
            return f"(SELECT *, rowid - {self.base} + 1 AS line FROM _flat)"
        return "(SELECT f.*, l.line FROM _flat f JOIN _lines l ON l.rid = f.rowid)"


def _map_lines(study: Study, base: int, blank: tuple[int, ...]) -> None:
    """The temp table `_lines` (rid, line): DuckDB skipped the blank lines, so row i (0-based)
    is line i + 1 plus the number of blank lines before it.

    Blank line j (0-based, in file order) comes after `b_j - 1 - j` rows and shifts every later
    row by j + 1; an ASOF join finds, for each row, the last blank line before it."""
    b = np.asarray(blank, dtype=np.int64)
    j = np.arange(len(b), dtype=np.int64)
    shifts = pa.table({"after_rows": b - 1 - j, "shift": j + 1})
    study.con.register("_blank_shifts", shifts)
    try:
        study.sql(
            f"""CREATE OR REPLACE TEMP TABLE _lines AS
                SELECT f.rid, f.rid - {base} + 1 + coalesce(s.shift, 0) AS line
                FROM (SELECT rowid AS rid FROM _flat) f
                ASOF LEFT JOIN (SELECT after_rows, max(shift) AS shift FROM _blank_shifts GROUP BY after_rows) s
                  ON f.rid - {base} >= s.after_rows"""
        )
    finally:
        study.con.unregister("_blank_shifts")


@contextmanager
def _query_progress(study: Study, progress: Callable[[int], None] | None, size: int) -> Iterator[None]:
    """While the block runs one long query, report its progress as bytes of the file (polled in a thread)."""
    if progress is None or not size:
        yield
        return
    study.sql("SET enable_progress_bar = true")  # progress tracking only; printing stays off
    study.sql("SET enable_progress_bar_print = false")
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            share = study.con.query_progress()
            if share >= 0:
                progress(int(size * min(share, 100.0) / 100))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        done.set()
        poller.join()
        study.sql("SET enable_progress_bar = false")


LINK_PROBE_LINES = 1000  # lines read to tell whether a file's user objects carry `url` at all


def lacks_profile_link(study: Study, path: str, compressed: bool, max_record_bytes: int) -> bool:
    """Whether any of the file's first `LINK_PROBE_LINES` statuses has a user object (its own, a
    retweeted or a quoted status's) without a `url` field.

    Why: `read_json` reads an absent `url` and a null one alike as NULL, but they mean different
    things (`v1_fields.USER.absent_told`): null is "no website", absent (an archive that trimmed
    the field) is unknown. The Python readers tell them apart per user object, so in such a file
    every line with a NULL `url` goes to them (`flat_select`'s `link_told`; a file of mostly such
    lines is then declined and read by them whole), and nothing is stored as "no website" that the
    file never said. A file whose first lines all carry the field is read natively with a NULL
    `url` as "no website": the lines after those are not probed (docs/model-card-bot.md, 2026-12-07)."""
    target = path.replace("'", "''")
    lacks = " OR ".join(f"(json_type(json, '{p}') = 'OBJECT' AND NOT json_exists(json, '{p}.url'))"
                        for p in ("$.user", "$.retweeted_status.user", "$.quoted_status.user"))
    sql = (f"SELECT count(*) FILTER (WHERE {lacks}) "
           f"FROM (SELECT json FROM read_ndjson_objects('{target}', compression='{'gzip' if compressed else 'none'}', "
           f"ignore_errors=true, maximum_object_size={int(max_record_bytes) + 1024}) LIMIT {LINK_PROBE_LINES})")
    try:
        return bool(study.sql(sql)[0][0])
    except duckdb.Error:
        return False  # unreadable here: the parse below declines or flags the lines as it would


def load_native(
    study: Study, path: str, compressed: bool, max_record_bytes: int, scan: BackgroundScan,
    progress: Callable[[int], None] | None = None, size: int = 0,
) -> NativeLoad | None:
    """Parse a v1.1 file into the temp table `_flat`, or return None to decline.

    `scan` counts the file's lines in the background meanwhile; `progress`, if given, hears how
    far the parse is (in bytes of the file's `size`). Runs outside the file's transaction: a
    DuckDB error here must not abort it.
    """
    q = study.sql
    link_told = lacks_profile_link(study, path, compressed, max_record_bytes)
    try:
        with _query_progress(study, progress, size):
            q(f"CREATE OR REPLACE TEMP TABLE _flat AS {flat_select(path, compressed, max_record_bytes, link_told)}")
        rows, bad, base, top = q("SELECT count(*), count(*) FILTER (WHERE bad), min(rowid), max(rowid) FROM _flat")[0]
    except duckdb.Error:
        rows = None
    try:
        counted = scan.result()
    except OSError:  # the caller asks the scan again and reports the error
        rows = None
    if rows is None:
        drop_native(study)
        return None
    # Row ids follow insertion (= file) order: one row per line that is not blank. A file that
    # is mostly not v1.1 statuses is the Python readers' job from the start.
    if not counted.clean or rows != counted.lines - len(counted.blank) or rows == 0 or top - base + 1 != rows or bad > rows // 2:
        drop_native(study)
        return None
    if counted.blank:
        _map_lines(study, int(base), counted.blank)
    return NativeLoad(int(rows), int(base), int(bad), blanks=bool(counted.blank))


def drop_native(study: Study) -> None:
    study.sql("DROP TABLE IF EXISTS _flat")
    study.sql("DROP TABLE IF EXISTS _lines")


def bad_lines(study: Study, loaded: NativeLoad) -> list[int]:
    """The 1-based numbers of the lines SQL could not take as they are, in file order."""
    return [n for (n,) in study.sql(f"SELECT line FROM {loaded.numbered()} WHERE bad ORDER BY line")]


def pick_lines(stream: BinaryIO, wanted: list[int]) -> Iterator[Line]:
    """The lines numbered `wanted` (sorted, 1-based) of a byte stream, as `InputSource.lines` gives them.

    Finds line ends with numpy a block at a time, so skipping a million good lines to reach a
    few bad ones costs a fraction of a second per gigabyte. Lines are known to be within the
    record limit (the line scan checked), so none is cut.
    """
    i, line, carry = 0, 1, b""  # `line`: the number of the line that ends at the block's first newline
    while i < len(wanted) and (block := stream.read(1 << 22)):
        ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
        while i < len(wanted) and (j := wanted[i] - line) < len(ends):
            data = (carry if j == 0 else b"") + block[(int(ends[j - 1]) + 1 if j else 0) : int(ends[j])]
            yield Line(wanted[i], data.rstrip(b"\r\n"), False, len(data) + 1)
            i += 1
        if len(ends):
            carry, line = block[int(ends[-1]) + 1 :], line + len(ends)
        else:
            carry += block
    if i < len(wanted) and wanted[i] == line and carry:  # a last line without a newline
        yield Line(line, carry.rstrip(b"\r\n"), False, len(carry))


def _staged_line() -> str:
    """SQL: the line number at the end of a staged row's 'file:line' source."""
    return "CAST(regexp_extract(source, ':([0-9]+)$', 1) AS BIGINT)"


def store_native_posts(study: Study, loaded: NativeLoad, source_name: str) -> tuple[int, int]:
    """Inside the file's transaction: insert the file's new posts; returns (stored, read as posts).

    The posts are `_flat`'s good rows plus whatever the Python readers made of its bad lines
    (`_stage_posts`); of a repeated id the first in the file wins, as on the Python path.
    """
    q = study.sql
    clients = q("SELECT DISTINCT client_raw FROM _flat WHERE client_raw IS NOT NULL AND client_raw <> '' AND NOT bad")
    mapping = pa.table({"raw": [c for (c,) in clients], "client": [client_name(c) for (c,) in clients]}, schema=pa.schema([("raw", pa.string()), ("client", pa.string())]))
    study.con.register("_clients", mapping)
    src = source_name.replace("'", "''")
    staged = q("SELECT count(*) FROM _stage_posts")[0][0]
    good = f"""SELECT f.post_id, 'twitter' AS platform, f.account_id, f.ts, f.text, f.lang, f.kind, f.ref_post_id, f.ref_account_id,
                      f.ref_handle, f.hashtags, f.mentions, f.urls, c.client, '{src}:' || f.line AS source,
                      '{FORMAT}' AS source_format, CAST(NULL AS VARCHAR) AS warning, f.line
               FROM {loaded.numbered()} f LEFT JOIN _clients c ON c.raw = f.client_raw WHERE NOT f.bad"""
    candidates = f"({good} UNION ALL SELECT * EXCLUDE (_seq), {_staged_line()} FROM _stage_posts)"
    total = loaded.rows - loaded.bad + staged
    unique = q(f"SELECT count(DISTINCT post_id) FROM {candidates}")[0][0] == total
    first_only = "" if unique else "QUALIFY row_number() OVER (PARTITION BY u.post_id ORDER BY u.line) = 1"
    before = q("SELECT count(*) FROM posts")[0][0]
    try:
        q(
            f"""INSERT INTO posts SELECT * EXCLUDE (line) FROM {candidates} u
            WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.platform = u.platform AND p.post_id = u.post_id) {first_only}"""
        )
    finally:
        study.con.unregister("_clients")
    return int(q("SELECT count(*) FROM posts")[0][0] - before), int(total)


def reduce_native_snapshots(study: Study, loaded: NativeLoad, source_name: str) -> None:
    """The file's account snapshots reduced to one row per account, into the temp table `_reduced`,
    by `canonical.reduce_snapshots` (the rule the Python path and Spark use).

    Snapshots come from `_flat`'s good rows and from the bad lines the Python readers took
    (`_stage_snapshots`, unfolded, so each row is one line's). Their `_seq` orders them as the
    Python path would have read them: by line, and within a line the retweet's or quote's
    original author before its retweeter (`line * 3`, `line * 3 + 1`).
    """
    src = source_name.replace("'", "''")
    numbered = loaded.numbered()
    profile = ", ".join(f"prof.{c} AS {c}" for c in PROFILE_COLUMNS)
    native = f"""SELECT prof.id AS account_id, 'twitter' AS platform, {profile}, ts AS observed_at, ts AS first_seen, ts AS last_seen,
                        '{src}:' || line AS source, seq AS _seq
                 FROM (SELECT a AS prof, ts, line, line * 3 + 1 AS seq FROM {numbered} WHERE NOT bad
                       UNION ALL
                       SELECT r, ts, line, line * 3 FROM {numbered} WHERE r IS NOT NULL AND NOT bad)"""
    # A staged line's snapshots in the order the reader gave them: referenced author, then author.
    staged = f"""SELECT * EXCLUDE (_seq, line), line * 3 + row_number() OVER (PARTITION BY line ORDER BY _seq) - 1 AS _seq
                 FROM (SELECT *, {_staged_line()} AS line FROM _stage_snapshots)"""
    study.sql(f"CREATE OR REPLACE TEMP VIEW _native_snapshots AS {native} UNION ALL BY NAME {staged}")
    try:
        study.sql(f"CREATE OR REPLACE TEMP TABLE _reduced AS {reduce_snapshots_sql('_native_snapshots')}")
    finally:
        study.sql("DROP VIEW IF EXISTS _native_snapshots")
