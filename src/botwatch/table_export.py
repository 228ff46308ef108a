"""`botwatch export`: one table to a file, safely.

Posts and profiles are attacker-written and the CSV will be opened in a spreadsheet, so a CSV
text cell that starts with `= + - @`, a tab or a carriage return gets a leading apostrophe
(formula injection), and terminal control characters (ESC and the other C0 and C1 controls but
tab, newline and carriage return; the bidi overrides, embeddings and isolates; the invisible
characters that disguise a name, `CONTROL_CLASS`) are written as visible text, `\\x1b`, `\\u202e`,
so `cat` or `less` of the file cannot be steered by a handle (a backslash is written `\\\\`, so the
text `\\u202e` is not read as the character); `verbatim=True` turns both off. In a CSV every list, struct or map column
(posts' hashtags, mentions, urls; evidence) is JSON text, so one parser reads every table's cells.
`.jsonl` / `.ndjson` write JSON lines (one object a row); `.json` writes one JSON array. A CSV drops NUL characters from text cells
(with or without `verbatim`: CSV readers do not take them). Parquet and JSON lines are always exact.
The file is written beside its target and renamed into place, so a full disk or a failed write
never leaves half a file, and an existing file is only replaced when asked (`force`). Parquet and
JSON lines get typed evidence columns, and every export its schema version (Parquet metadata and
`<file>.schema.json`; see `botwatch.exports_typed`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from botwatch import __version__
from botwatch.exports_typed import TYPED_COLUMNS, describe, parquet_metadata, typed_query, witness_first, write_sidecar
from botwatch.shown_text import FILE_CONTROL_RANGES, FILE_ESCAPED_RANGES, name_shown
from botwatch.study import EXPORT_FORMATS, Study, StudyError, no_table
from botwatch.userfile import os_error_said

if TYPE_CHECKING:
    from botwatch.model_used import ScoredBy

FORMULA_START = "^[=+@\\t\\r-]"  # what a spreadsheet may run as a formula


def _re2_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A character class for DuckDB's regexp functions (RE2: `\\x{202E}`)."""
    return "[" + "".join(f"\\x{{{lo:X}}}" + ("" if lo == hi else f"-\\x{{{hi:X}}}") for lo, hi in ranges) + "]"


# Terminal control and invisible characters a guarded CSV writes as text (`\x1b`, `\u202e`,
# `\U000e0041`): the set the terminal and the report escape (`shown_text.CONTROL_RANGES`) less what
# a file keeps (`shown_text.KEPT_IN_FILES`: NUL, dropped; tab and line breaks, which CSV quoting
# carries and the formula guard catches at the start; the zero-width space and joiners that Thai
# word breaks, Persian words and emoji need; the direction marks). So C0, DEL and C1; the bidi embeddings, overrides and isolates,
# which reorder what `cat` or a spreadsheet shows (`gnp.exe` read as `exe.png`); the soft hyphen,
# the fillers that make a name look blank and the tag characters that hide ASCII text.
# And the backslash, written as two (`shown_text.FILE_ESCAPED_RANGES`), so that the text `\u202e`
# in a handle and the character U+202E do not read alike.
CONTROL_CLASS = _re2_class(FILE_ESCAPED_RANGES)
# Without the backslash: for a cell of JSON text (a list, struct or map column; a column stored as
# JSON text, `JSON_TEXT_COLUMNS`), whose backslashes are JSON's own escapes (`\"`); doubled, the
# cell was no longer the JSON the docs say it is. There the characters are written as JSON escapes
# (`\u202e`, the same value to a JSON parser): `\x9b` is no JSON escape, and DuckDB's `to_json`
# escapes C0 only, so a hashtag's or a mention's U+202E or C1 CSI went into the CSV (and to the
# terminal with `-o - --format csv`) raw.
CONTROL_CLASS_NO_BACKSLASH = _re2_class(FILE_CONTROL_RANGES)
# A subdivision flag (🏴, tag letters, CANCEL TAG: England, Scotland, Wales), whose tag characters
# are kept, as `shown_text.in_flag_sequence` keeps them.
FLAG_SEQUENCE = "\\x{1F3F4}[\\x{E0020}-\\x{E007E}]+\\x{E007F}"


_TEXT_ESCAPE = ("CASE WHEN ch = '\\' THEN '\\\\' WHEN ord(ch) > 65535 THEN '\\U' || lpad(format('{:x}', ord(ch)), 8, '0') "
                "WHEN ord(ch) > 255 THEN '\\u' || lpad(format('{:x}', ord(ch)), 4, '0') ELSE '\\x' || lpad(format('{:x}', ord(ch)), 2, '0') END")
# A JSON escape: `\uXXXX`, a character above U+FFFF as its UTF-16 surrogate pair (as `shown_text.json_shown`).
_JSON_ESCAPE = ("CASE WHEN ord(ch) > 65535 THEN '\\u' || lpad(format('{:x}', 55296 + (ord(ch) - 65536) // 1024), 4, '0') || "
                "'\\u' || lpad(format('{:x}', 56320 + (ord(ch) - 65536) % 1024), 4, '0') ELSE '\\u' || lpad(format('{:x}', ord(ch)), 4, '0') END")


def _each_shown_sql(expr: str, json_text: bool = False) -> str:
    """DuckDB SQL: `expr` with every character of `CONTROL_CLASS` written as text (`json_text`:
    of `CONTROL_CLASS_NO_BACKSLASH`, as JSON escapes)."""
    cls, escape = (CONTROL_CLASS_NO_BACKSLASH, _JSON_ESCAPE) if json_text else (CONTROL_CLASS, _TEXT_ESCAPE)
    return f"array_to_string(list_transform(string_split({expr}, ''), lambda ch: CASE WHEN regexp_matches(ch, '{cls}') THEN {escape} ELSE ch END), '')"


def visible_controls_sql(expr: str, json_text: bool = False) -> str:
    """DuckDB SQL: the text `expr` with each control character of `CONTROL_CLASS` written as
    `\\xNN` and each backslash as two (as the GraphML export writes them; `shown_text.file_shown`), but the
    tag characters of a subdivision flag; rows without one are left as they are. One lambda over
    the characters, not a replace() per character: the lake's report reader parses each statement,
    and 61 nested calls ran its parser out of recursion depth. Text holding a flag is cut at the
    flags, each part between them shown, and the flags put back. `json_text`: `expr` is JSON text,
    whose backslashes are left as they are and whose characters are written as JSON escapes."""
    cls = CONTROL_CLASS_NO_BACKSLASH if json_text else CONTROL_CLASS
    between = (f"array_to_string(list_transform(regexp_split_to_array({expr}, '{FLAG_SEQUENCE}'), lambda part, i: "
               f"{_each_shown_sql('part', json_text)} || coalesce(regexp_extract_all({expr}, '{FLAG_SEQUENCE}')[i], '')), '')")
    return (f"CASE WHEN regexp_matches({expr}, '{cls}') THEN CASE WHEN regexp_matches({expr}, '{FLAG_SEQUENCE}') "
            f"THEN {between} ELSE {_each_shown_sql(expr, json_text)} END ELSE {expr} END")


# Text columns the stages store as JSON (the evidence, `accounts.extra`, `clusters.top_amplified`,
# `runs.params`, ...), which a CSV reader parses with a JSON parser (docs/exports.md): a cell of
# one that is valid JSON is shown as JSON text (`visible_controls_sql(json_text=True)`).
JSON_TEXT_COLUMNS = frozenset(TYPED_COLUMNS) | {"extra", "bot_kinds", "top_amplified", "summary", "params"}


def is_nested(ctype: str) -> bool:
    """Whether a DuckDB type is a list, array, struct, map or union (what CSV writes as JSON text)."""
    t = ctype.upper()
    return t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION"))


def defused_query(study: Study, query: str, *, defuse: bool = True) -> str:
    """`query` as a CSV gets it: NUL characters dropped from every text cell (a CSV cannot carry
    them: Python's csv module stops with "line contains NUL", spreadsheets cut the cell there;
    they come from hostile or broken captures, and Parquet / JSON lines keep them exactly), and,
    with `defuse`, control characters written as text (`visible_controls_sql`) and formula-like
    cells prefixed by an apostrophe."""
    parts, inner = [], []
    for name, ctype, *_ in study.sql(f"DESCRIBE {query}"):
        q = '"' + name.replace('"', '""') + '"'
        if not is_nested(ctype):
            inner.append(q)
        if is_nested(ctype):
            # A list, struct or map as JSON text, as the evidence columns are stored: DuckDB's CSV
            # writer printed `[a, b]` unquoted (and `['x']` for some), which no CSV reader parses
            # back. A JSON cell starts with [ or {, never a formula character.
            # Made once in the inner query: the guard below reads the cell several times.
            inner.append(f"CAST(to_json({q}) AS VARCHAR) AS {q}")
            parts.append(f"{visible_controls_sql(q, json_text=True) if defuse else q} AS {q}")
            continue
        elif ctype == "VARCHAR":
            clean = f"replace({q}, chr(0), '')"
            if defuse:
                shown = visible_controls_sql(clean)
                if name in JSON_TEXT_COLUMNS:
                    shown = f"CASE WHEN json_valid({clean}) THEN {visible_controls_sql(clean, json_text=True)} ELSE {shown} END"
                clean = shown
                parts.append(f"CASE WHEN regexp_matches({clean}, '{FORMULA_START}') THEN '''' || {clean} ELSE {clean} END AS {q}")
            else:
                parts.append(f"{clean} AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(inner)} FROM ({query}))"


FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def finite_json_query(study: Study, query: str) -> str:
    """`query` as a JSON export gets it: a NaN or infinite float as NULL. DuckDB's JSON writer
    printed them as bare `NaN` / `Infinity`, which JSON has no word for: `jq`, `json.loads` with
    strict readers, JavaScript and R's jsonlite refused the whole file (the `creation` table of a
    group with no accounts holds NaN shares). Parquet and CSV keep them as they are."""
    cols = [(name, ctype) for name, ctype, *_ in study.sql(f"DESCRIBE {query}")]
    if not any(ctype.upper() in FLOAT_TYPES for _name, ctype in cols):
        return query
    parts = []
    for name, ctype in cols:
        q = '"' + name.replace('"', '""') + '"'
        parts.append(f"CASE WHEN isfinite({q}) THEN {q} END AS {q}" if ctype.upper() in FLOAT_TYPES else q)
    return f"SELECT {', '.join(parts)} FROM ({query}) AS _finite"


# Tables keyed by account alone whose export also names the account: `account_scores` is keyed by
# (platform, account_id), and a reader of its export had to join `accounts` to know who scored what
# (the `accounts_scored` view has the handle; the export of the table did not).
WITH_HANDLE = ("account_scores",)


def with_handle(study: Study, name: str) -> bool:
    """Whether the export of `name` gets a `handle` column (third, after the account key) from
    `accounts`: `name` is in `WITH_HANDLE`, has no handle of its own, and `accounts` has one."""
    if name not in WITH_HANDLE:
        return False
    tables = set(study.tables())
    return "accounts" in tables and "handle" in study.columns("accounts") and "handle" not in study.columns(name)


# The export of `accounts_scored` adds the account JSON's `bot.model_platform_seen` as its last
# column: only `accounts --json` and `explain --json` said that the shipped bot model never saw a
# Bluesky or Mastodon account, and a spreadsheet of the export read its 0.99 as a measured figure.
PLATFORM_SEEN_TABLE = "accounts_scored"
PLATFORM_SEEN = "model_platform_seen"


def _adds(cols: set[str], needs: set[str], column: str) -> bool:
    """Whether the export adds `column`: the scored table has every column in `needs` (the platform
    and the figure the column qualifies) and no `column` of its own."""
    return needs <= cols and column not in cols


def platform_seen_sql(scored_by: ScoredBy, alias: str = "") -> str:
    """The `model_platform_seen` column: whether the bot model that gave the row's probability
    learned from accounts of its platform (`platform_names.shipped_bot_model_saw`, the JSON's rule).
    `scored_by` (`model_used.bot_model_scored_by`, the rule the account JSON and the report's
    explorer read): only "shipped" gives values; a user's model ("own": it may have learned from any
    platform) and a study that does not record its model ("unrecorded") give NULL, unknown, not a
    guess. NULL without a probability too. `alias`: the scored table's alias in a query that joins
    others (the report's accounts export)."""
    from botwatch.platform_names import shipped_bot_model_saw_sql

    if scored_by != "shipped":
        return f"CAST(NULL AS BOOLEAN) AS {PLATFORM_SEEN}"
    at = f"{alias}." if alias else ""
    return f"CASE WHEN {at}bot_probability IS NOT NULL THEN coalesce({shipped_bot_model_saw_sql(at + 'platform')}, false) END AS {PLATFORM_SEEN}"


# The origin model's like column, after it: the origin model too learned from (and was measured on)
# Twitter accounts alone, and the JSON's `origin.model_platform_seen` said so where the export did not.
ORIGIN_PLATFORM_SEEN = "origin_model_platform_seen"


def origin_platform_seen_sql(alias: str = "") -> str:
    """The `origin_model_platform_seen` column, the account JSON's `origin.model_platform_seen`:
    whether the origin model learned from accounts of the row's platform, NULL without an origin.
    No `scored_by`: every study's origins are the shipped model's (the JSON's rule)."""
    from botwatch.platform_names import shipped_bot_model_saw_sql

    at = f"{alias}." if alias else ""
    return f"CASE WHEN {at}origin_country IS NOT NULL THEN coalesce({shipped_bot_model_saw_sql(at + 'platform')}, false) END AS {ORIGIN_PLATFORM_SEEN}"


def platform_seen_columns(study: Study, name: str, scored_by: ScoredBy | None = None, alias: str = "") -> str:
    """", model_platform_seen, origin_model_platform_seen" as the export of `name` adds them (each
    where it applies, in that order, last), or "". `scored_by` None: read from `study`."""
    if name != PLATFORM_SEEN_TABLE or name not in study.tables():
        return ""
    cols, out = set(study.columns(name)), []
    if _adds(cols, {"platform", "bot_probability"}, PLATFORM_SEEN):
        from botwatch.model_used import bot_model_scored_by

        out.append(platform_seen_sql(bot_model_scored_by(study) if scored_by is None else scored_by, alias))
    if _adds(cols, {"platform", "origin_country"}, ORIGIN_PLATFORM_SEEN):
        out.append(origin_platform_seen_sql(alias))
    return "".join(f", {c}" for c in out)


# Tables an export leaves in the order they were written. The study's log (what ran, what was read,
# what was kept aside, the study's own layout record) reads in the order things happened, which a
# sort on its random run ids would scramble; the per-post tables (a `post_id` column) are as large
# as the archive, where a sort would cost more than the export: compare those as sets of rows.
STORED_ORDER = ("runs", "sources", "rejected", "botwatch_meta")


def sorted_rows(study: Study, name: str, query: str) -> str:
    """`query` with its rows sorted on every column, left to right, unless `name` is kept in
    stored order (`STORED_ORDER`, per-post tables). Why: a table's stored order is whatever the
    engine's threads wrote, so the same analysis run twice (a researcher re-running a study from its
    report) exported the same accounts, timeline and evidence in another order, and two files that
    held the same answer differed line by line."""
    if name in STORED_ORDER or "post_id" in study.columns(name):
        return query
    return f"SELECT * FROM ({query}) ORDER BY ALL"


def source_query(study: Study, name: str, scored_by: ScoredBy | None = None) -> str:
    """The SELECT an export of table `name` writes (`sorted_rows`' order): the table as stored, or,
    for `WITH_HANDLE` tables, with each account's handle (NULL where `accounts` lacks the account)
    after its key, one row per row of the table; `accounts_scored` with `model_platform_seen` and `origin_model_platform_seen` last.
    `scored_by`: which bot model scored the study (`model_used.bot_model_scored_by`; None: read from
    `study`; a lake's export passes its own, as its rows reach `study`, an in-memory copy, without `runs`)."""
    return sorted_rows(study, name, _source_query(study, name, scored_by))


def _source_query(study: Study, name: str, scored_by: ScoredBy | None) -> str:
    """`source_query`'s SELECT before its rows are sorted."""
    q = f'"{name.replace(chr(34), chr(34) * 2)}"'
    if seen := platform_seen_columns(study, name, scored_by):
        return f"SELECT *{seen} FROM {q}"
    if not with_handle(study, name):
        return f"SELECT * FROM {q}"
    # One handle per account even if `accounts` held a key twice: the export keeps the table's rows.
    return (f"SELECT s.platform, s.account_id, h.handle, s.* EXCLUDE (platform, account_id) FROM {q} s "
            "LEFT JOIN (SELECT platform, account_id, min(handle) AS handle FROM accounts GROUP BY ALL) h "
            "ON h.platform = s.platform AND h.account_id = s.account_id")


def export_table(study: Study, name: str, out: str | Path, *, force: bool = False, verbatim: bool = False,
                 scored_by: ScoredBy | None = None) -> int:
    """Write table `name` to `out` (.parquet, .csv, .jsonl/.ndjson lines, .json array); returns the rows written.
    `scored_by`: as `source_query` takes it.

    Raises `StudyError` with a message for the user for every failure (unknown table or format,
    existing file without `force`, a directory, an unwritable folder, a full disk).
    """
    if getattr(study, "engine", "duckdb") != "duckdb":
        return study.export(name, out, force=force, verbatim=verbatim)  # a lake hands the table to DuckDB
    known = study.tables()
    if name not in known:
        raise StudyError(no_table([name], known, study.path))
    out = Path(out)
    if out.is_dir():  # said before the suffix: "cannot export to out: use one of .csv, …" named no folder
        raise StudyError(f"{name_shown(out)} is a folder: name the file, e.g. {name_shown(out / name)}.parquet; several tables (or --all) go into a folder, one file each")
    fmt = EXPORT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise StudyError(f"cannot export to {name_shown(out.name)}: use one of {', '.join(sorted(EXPORT_FORMATS))}")
    if out.exists() and not force:
        raise StudyError(f"{name_shown(out)} already exists: pass --force to replace it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from botwatch.out_path import in_the_way_said

        raise StudyError(in_the_way_said(out) or f"cannot create the folder {name_shown(out.parent)}: {os_error_said(exc)}") from None
    query = source_query(study, name, scored_by)
    if fmt != "CSV":  # Parquet and JSON lines carry evidence as real lists/structs
        query = typed_query(study, query)
    if fmt == "JSON":
        query = witness_first(study, finite_json_query(study, query))
    if fmt == "CSV":
        query = defused_query(study, query, defuse=not verbatim)
    options = {
        "PARQUET": f"FORMAT PARQUET, {parquet_metadata(name, study.schema_version)}",
        "CSV": "FORMAT CSV, HEADER",
        "JSON": "FORMAT JSON",
    }[fmt]
    if fmt == "JSON" and out.suffix.lower() == ".json":
        options += ", ARRAY true"  # .json is one JSON array, as json.load expects; .jsonl/.ndjson are lines
    part = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    target = str(part).replace("'", "''")
    try:
        study.sql(f"COPY ({query}) TO '{target}' ({options})")
        os.replace(part, out)
        rows = study.count(name)
        write_sidecar(out, name, describe(study, query), study.schema_version, rows, __version__)
    except (duckdb.Error, OSError) as exc:
        raise StudyError(f"could not write {name_shown(out)}: {_reason(exc, part)}") from None
    finally:
        try:
            part.unlink(missing_ok=True)
        except OSError:  # a read-only file system refuses even removing nothing (EROFS, not ENOENT): the error above is the one to tell
            pass
    return rows


def _reason(exc: BaseException, part: Path | None = None) -> str:
    """The first line of a DuckDB or OS error, which is the part a user can act on. DuckDB's own
    words name the hidden `.part` file the export writes first (`IO Error: Cannot open file
    "/out/.p.csv.72aa4575.part": Permission denied`), a name the user never gave: such a line is
    cut to its reason (the line says which file could not be written)."""
    text = getattr(exc, "strerror", None) or str(exc)
    first = text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__
    if part is not None and part.name in first:
        return first.rsplit(": ", 1)[-1] if '": ' in first else f"the folder {name_shown(part.parent)} could not be written"
    return first
