"""Reading a file again that a study already holds (`ingest --force`, or a file that has grown),
on both engines.

Why this exists: a study keys posts by id, and a CSV read through a column map gets its post ids
from the map (the `post_id` column, or a stable id built from account, time and text when none is
mapped). Reading the same file again under a map that gives its posts *other* ids stores every row
a second time (9,089 debate tweets became 18,205 posts: once as `csv-…`, once by row id), and every
later count doubles. So a re-read is compared with the map the file was first read with (the
`ingest` run recorded it, `ColumnMap.as_params`) and refused when the ids would differ; the same
map, or one that differs only in fields that do not make the id, reads as before (only posts not
stored yet are added).

Which run read a file: its `sources` row's `ingested_at` lies within that `ingest` run's
`started_at`..`finished_at` (both engines write the row inside the run), so the link holds however
the path was typed.

Which earlier reads are of this file: one of the same content (SHA-256), or any at the same path:
one the file grew from (its first `bytes` bytes are the read recorded), and also one it does not
begin with; the two are not told apart, so neither engine hashes a file's first bytes for it. That
last is either another file saved under an old name or the same file edited in place (a changed
character, rows re-sorted, line ends converted), and the bytes cannot tell which: read as new under a map giving other ids, an
edited file stored every post twice (review, 2026-12-03). So it is refused under another map, and
the message says to give another file a new name; under the same map it is read (ids dedupe).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botwatch.ingest.csv_mapping import ColumnMap

# The columns a derived id (`csv-…`) is built from besides the account key: the time (parsed with
# the time format, naive times read in the map's time zone) and the text.
_DERIVED_FROM = ("created_at", "text")

SourceRow = tuple[Any, Any, Any, Any, Any]  # source, sha256, bytes, format, ingested_at
RunRow = tuple[Any, Any, Any]  # params (JSON), started_at, finished_at (ingest runs only)
Earlier = tuple["ColumnMap | None", tuple[Any, ...]]  # an earlier read's map and the identity of the ids it gave


def identical_said(seen: str, source: str, *, stored: bool = True) -> str:
    """Why an input is skipped as read before: `seen` is the source (as `sources` stores it, or as
    named, `stored=False`) whose read gave the same content, `source` this input's name. Why two
    wordings: a plain re-run of the same command said "identical content already ingested from X"
    of X itself, as if another file held it; the same name is said as the same file read before,
    and only content read from another file (a copy, a `.gz` of it) names that file."""
    from botwatch.ingest.source import shown_name
    from botwatch.shown_text import name_shown

    if seen in (source, shown_name(source)):
        return "identical content already ingested: this same file was read before"
    return f"identical content already ingested from {name_shown(seen, stored=stored)}"


def post_identity(cmap: ColumnMap | None, handles_lowered: bool = True) -> tuple[Any, ...]:
    """What decides the ids a read gives a file's posts: the mapped `post_id` column (the file's
    own ids), else what a derived id is built from: the account key's column and whether it is a
    lower-cased handle (`ColumnMap.handle_keys`), the time column, format and zone, and the text;
    `("sniffed",)` for a format botwatch recognised by itself (its reader's ids do not depend on
    any map). `handles_lowered`: False for a map recorded before handle keys were lower-cased (its
    ids hold the handles as written)."""
    if cmap is None:
        return ("sniffed",)
    own = cmap.column("post_id")
    if own is not None:
        return ("column", cmap.platform, own)
    keys = ("lower" if handles_lowered else "as written") if cmap.handle_keys else "id"
    return ("derived", cmap.platform, cmap.time_format, cmap.time_zone, cmap.key_column, keys,
            *(cmap.column(f) for f in _DERIVED_FROM))


def earlier_maps(sources: Iterable[SourceRow], runs: Iterable[RunRow], source: str, sha: str | None) -> list[Earlier]:
    """The column maps (None: read without one) of the earlier reads of this file, each with the
    identity of the ids it gave: `sources` rows that something was read from, of the same content
    or of the same path (grown from them or not: the module's docstring), each linked to the
    `ingest` run it was written in. A row no run is found for (written by the run now going on) is
    left out: there is nothing to compare it with."""
    from botwatch.ingest.csv_mapping import from_params
    from botwatch.runs_table import parse_params

    spans = [(started, finished, parse_params(params) or {}) for params, started, finished in runs
             if isinstance(started, datetime) and isinstance(finished, datetime)]
    rows = [r for r in sources if r[3] is not None and isinstance(r[4], datetime)]
    out: list[Earlier] = []
    for src, digest, _, _, at in rows:
        if not ((sha is not None and digest == sha) or src == source):
            continue  # (a changed file at the same path counts too: `same_path_changed` below)
        p = next((p for started, finished, p in spans if started <= at <= finished), None)
        if p is not None:
            cmap = from_params(p)
            out.append((cmap, post_identity(cmap, handles_lowered=p.get("handle_keys") == "lower")))
    return out


def map_conflict(earlier: list[Earlier], now: ColumnMap | None) -> str | None:
    """Why reading the file again under `now` would store its posts twice (one line saying what to
    do instead), or None when it gives them the ids they already have."""
    mine = post_identity(now)
    other = next((m for m, ident in earlier if ident != mine), "same")
    if other == "same":
        return None
    before = f"the column map {other.as_option()}" if other is not None else "its own format (no column map)"
    return (f"read before with {before}, whose post ids differ from this {'map' if now is not None else 'reading'}'s: "
            "reading it again would store every post a second time; a study keeps the rows it first read, "
            "so to read this file with another column map, ingest it into a new study "
            "(if it is another file saved under a name read before, give it a new name)")


def study_conflict(study: Any, source: str, sha: str | None, now: ColumnMap | None) -> str | None:
    """`map_conflict` for a DuckDB study (or a lake's held tables): reads its `sources` and
    `ingest` runs (both small: one row per file read, one per command). Any read at the same
    `source` counts, so the file's first bytes are not hashed to learn whether it grew from one:
    that pass hashed a re-read file's bytes a second time for nothing."""
    sources = study.sql("SELECT source, sha256, bytes, format, ingested_at FROM sources WHERE format IS NOT NULL AND (source = ? OR sha256 = ?)",
                        [source, sha])
    if not sources:
        return None
    runs = study.sql("SELECT params, started_at, finished_at FROM runs WHERE stage = 'ingest'")
    return map_conflict(earlier_maps(sources, runs, source, sha), now)


def lake_conflicts(lake: Any, now: ColumnMap | None) -> Callable[[str, str | None], str | None]:
    """`map_conflict` for a lake's files, as a function of (source, sha256): the lake's `sources`
    and `ingest` runs collected to the driver once (both small), each file then checked there.
    Any read at the same path counts, so the executors do not hash a file's first bytes to learn
    whether it grew from one."""
    def rows(table: Any) -> list[tuple[Any, ...]]:
        return list(zip(*(table[c].to_pylist() for c in table.column_names)))

    sources = rows(lake.driver_arrow("sources", ["source", "sha256", "bytes", "format", "ingested_at"]))
    runs = rows(lake.driver_arrow("runs", ["params", "started_at", "finished_at"], {"stage": "ingest"})) if sources else []

    def conflict(source: str, sha: str | None) -> str | None:
        return map_conflict(earlier_maps(sources, runs, source, sha), now) if sources else None

    return conflict


def held_prefixes(sources: Iterable[tuple[Any, Any, Any, Any]]) -> dict[str, list[tuple[int, str]]]:
    """{source: [(bytes, sha256) of each read of it that something was read from]} from
    (source, sha256, bytes, format) rows: what an executor compares a `.gz` (or the text of one)
    with to know it as a read before (`spark_stage.same_text_read`)."""
    out: dict[str, list[tuple[int, str]]] = {}
    for src, digest, n, fmt in sources:
        if fmt is not None and digest is not None and n is not None:
            out.setdefault(str(src), []).append((int(n), str(digest)))
    return out


# The study's inputs without their re-reads. A `sources` row whose content (SHA-256) an earlier row
# already brought in is a re-read (`ingest --force` of a file the study holds): its "duplicates" are
# the posts its first read stored, an artefact of the analyst's re-run, not repeats in the archive,
# and it is not another input file. So is a read of a path read before with other content (a file
# that grew, or was edited in place: `ingest` reads it again and adds only the posts not stored
# yet): it was counted as one more input file, and its first read's posts as the archive's
# duplicates. Every place that counts inputs or the archive's duplicates (status, the report's
# overview, provenance and methods, the reproduction's inputs) reads this. A row of unknown
# content (stdin) and a file no reader knew (format NULL) each stay an input. `nth_path`: the
# read's place among the reads of its path; `prev_records` and `prev_posts`: the records and the
# post records the path's previous read gave (what a grown file's re-read repeats: `GROWN_READS`);
# `prev_not_posts`: the records of that read that were no post (`counts.not_posts`).
def _ordered(tables: Iterable[str] = ()) -> str:
    """`sources` with each read's place among its content's and its path's reads, and the previous
    read of its path's figures. `notices` and `apart`: the delete and limit notices, and those with
    the edits of posts (`counts.KEPT_APART`; `cut_short.notices_sql`, `edits_sql`), a read gave,
    each at most its records that were no post, and `prev_notices`, `prev_apart` the previous
    read's (what a grown file's re-read repeats of them); `tables`: the study's (none: 0)."""
    from botwatch.ingest.cut_short import edits_sql, notices_sql

    tables = set(tables)
    no_post = "greatest(records_read - posts_stored - duplicates - rejected, 0)"
    path = "OVER (PARTITION BY source, format IS NULL ORDER BY ingested_at, sha256)"
    return (f"SELECT source, sha256, bytes, format, records_read, posts_stored, duplicates, rejected, accounts_seen, ingested_at, notices, apart, "
            "row_number() OVER (PARTITION BY sha256, format IS NULL ORDER BY ingested_at, source) AS nth, "
            f"row_number() {path} AS nth_path, lag(records_read) {path} AS prev_records, "
            f"lag(posts_stored + duplicates) {path} AS prev_posts, lag({no_post}) {path} AS prev_not_posts, "
            f"lag(notices) {path} AS prev_notices, lag(apart) {path} AS prev_apart "
            f"FROM (SELECT *, least({notices_sql(tables, 's')}, {no_post}) AS notices, "
            f"least({notices_sql(tables, 's')} + {edits_sql(tables, 's')}, {no_post}) AS apart FROM sources s)")


_ORDERED = _ordered()
FIRST_READS = f"(SELECT * FROM ({_ORDERED}) WHERE sha256 IS NULL OR format IS NULL OR (nth = 1 AND nth_path = 1))"
RE_READS = f"(SELECT * FROM ({_ORDERED}) WHERE sha256 IS NOT NULL AND format IS NOT NULL AND (nth > 1 OR nth_path > 1))"


def grown_reads(tables: Iterable[str] = ()) -> str:
    """What a grown (or edited) file's re-read added beyond its previous read, per row: the
    records, and the duplicates among them (every post record the previous read gave, stored or a
    duplicate, is a duplicate again in this read), and the records that were no post beyond those
    the previous read gave (`not_posts`: a grown Jetstream file's new identity events, notices and
    edits), of them the delete and limit notices (`notices`) and the edits of posts (`edits`)
    beyond the previous read's. With the first reads' figures, each record of a file and each
    repeat in it counted once, and said as a read of the whole file would say it: the new notices
    of a grown file were all "not posts". `tables`: the study's (none: notices and edits 0)."""
    new = "greatest(greatest(records_read - posts_stored - duplicates - rejected, 0) - coalesce(prev_not_posts, 0), 0)"
    new_notices = f"least(greatest(notices - coalesce(prev_notices, 0), 0), {new})"
    new_apart = f"least(greatest(apart - coalesce(prev_apart, 0), 0), {new})"  # notices and edits, so edits = this less the notices
    re_reads = f"SELECT * FROM ({_ordered(tables)}) WHERE sha256 IS NOT NULL AND format IS NOT NULL AND (nth > 1 OR nth_path > 1)"
    return (f"(SELECT format, records, duplicates, not_posts, new_notices AS notices, greatest(new_apart - new_notices, 0) AS edits "
            f"FROM (SELECT format, greatest(records_read - coalesce(prev_records, 0), 0) AS records, "
            f"greatest(duplicates - coalesce(prev_posts, 0), 0) AS duplicates, {new} AS not_posts, {new_notices} AS new_notices, "
            f"{new_apart} AS new_apart FROM ({re_reads}) WHERE nth = 1))")


# Where only the records and duplicates are wanted (the notices and edits 0).
GROWN_READS = grown_reads()
