"""The first section: what the study holds (coverage, formats, time span, rejected input)."""

from __future__ import annotations

from typing import Any

from botwatch.ingest.cut_short import BREAK_SQL, BROKEN_ROWS_SQL, NOT_A_RECORD_SQL, NOT_POSTS_SQL, RECORDS_REJECTED_SQL, UNREADABLE_ROWS_SQL, not_posts_sql
from botwatch.ingest.rereads import FIRST_READS, RE_READS
from botwatch.ingest.sink import REPAIRED, note_sql
from botwatch.report.sections import Section, render, section
from botwatch.report.svg import MAX_BARS, bar_series, grouped
from botwatch.reshare_words import report_reshare
from botwatch.study import Study


# The bad records `rejected` holds for a file changed and read again since beyond those its latest
# read gave (its `sources` row counts them): an earlier version's, no longer in the file. A lake
# ingested by an earlier version kept every version's in `rejected`; a DuckDB study, and a lake
# now, move them to `rejected_earlier` (`merge.retire_rejected`, `spark_ingest._Merge.retire_rejected`),
# but only after a complete read: a file cut again keeps them. Only paths read with more than one
# content count. Records on both sides, no note (a break's, an unreadable file's: `NOT_A_RECORD_SQL`,
# `RECORDS_REJECTED_SQL`): an earlier version's note counted here was subtracted a second time from
# the records, which leave the notes out, and the overview said 1 rejected record where the latest
# read, as the inputs table shows it, rejected 2.
_LATEST_READS = ("SELECT s.source, coalesce(s.rejected, 0) AS rejected FROM sources s JOIN (SELECT source, max(ingested_at) AS at FROM sources "
                 "WHERE sha256 IS NOT NULL GROUP BY source HAVING count(DISTINCT sha256) > 1) m ON s.source = m.source AND s.ingested_at = m.at "
                 "WHERE s.sha256 IS NOT NULL")
_REPLACED = (f"SELECT coalesce(sum(CASE WHEN h.held > v.latest THEN h.held - v.latest ELSE 0 END), 0) FROM "
             f"(SELECT source, count(*) AS held FROM rejected WHERE NOT {note_sql('error')} AND NOT {NOT_A_RECORD_SQL} GROUP BY source) h JOIN "
             f"(SELECT source, {RECORDS_REJECTED_SQL} AS latest FROM ({_LATEST_READS}) x) v ON h.source = v.source")


def study_summary(study: Study) -> dict[str, Any]:
    """Counts that describe a study; also used by `botwatch status`."""
    q = study.sql
    # Accounts as the accounts table and the headline key them, (platform, account_id): by id alone a
    # `twitter` "42" and an `x` "42" read "2 posts by 1 account" beside 2 accounts in the study.
    posts, accounts_posting, first, last = q("SELECT count(*), count(DISTINCT (platform, account_id)), min(created_at), max(created_at) FROM posts")[0]
    replaced = int(q(_REPLACED)[0][0] or 0)
    # A read that broke off (a cut or corrupt .gz) keeps one `rejected` row for the break: no record,
    # but a note that the file ended early, counted apart. Counted as a rejected record, `status` and
    # the overview said 2 for a cut file of one bad record where ingest and Methods said 1. So is the
    # row that locates a file no reader knew: a failed input (`unreadable_files`), as ingest counts it.
    held = q(f"SELECT count(*) FROM rejected WHERE NOT {note_sql('error')} AND NOT {NOT_A_RECORD_SQL}")[0][0]
    breaks, cut_files = q(f"SELECT count(*), count(DISTINCT source) FROM ({BROKEN_ROWS_SQL})")[0]
    unreadable = q(f"SELECT count(DISTINCT source) FROM ({UNREADABLE_ROWS_SQL})")[0][0]
    return {
        "posts": posts,
        "accounts_posting": accounts_posting,
        "accounts": q("SELECT count(*) FROM accounts")[0][0],
        "first": first,
        "last": last,
        # A repair note (a stored record mended at ingest) is listed with the rejected rows but not counted as lost.
        # Nor is an earlier version's bad record still held in `rejected` (on a lake): `rejected_replaced`.
        "rejected": max(int(held) - replaced, 0),
        "breaks": breaks,
        "unreadable_files": unreadable,
        "cut_files": cut_files if breaks else 0,
        "rejected_replaced": replaced,
        "repaired": q(f"SELECT count(*) FROM rejected WHERE error LIKE '{REPAIRED}%'")[0][0],
        # Bad records of files as they were before a later read of a changed file at the same path
        # (kept as history, `merge.retire_rejected`): not the input's rejected records now. Nor is a
        # break's row moved there when a cut .gz was read whole since: no record (said "2 records" for 1).
        "rejected_earlier": q(f"SELECT count(*) FROM rejected_earlier WHERE NOT {note_sql('error')} AND NOT {NOT_A_RECORD_SQL}")[0][0]
        if "rejected_earlier" in study.tables() else 0,
        # A file read again (`ingest --force`) is not another input: counted apart (ingest/rereads.py).
        "sources": q(f"SELECT count(*) FROM {FIRST_READS}")[0][0],
        "rereads": q(f"SELECT count(*) FROM {RE_READS}")[0][0],
        # A file taken as the text of one read before (a `.gz` of it, or it decompressed): no input,
        # no `sources` row of its own SHA-256; that is kept in `source_copies` (`runner._record_copy`).
        "copies": q("SELECT count(*) FROM source_copies")[0][0] if "source_copies" in study.tables() else 0,
        "by_format": q("SELECT source_format, platform, count(*) FROM posts GROUP BY ALL ORDER BY 3 DESC, 1, 2"),
        "by_kind": q("SELECT kind, count(*) FROM posts GROUP BY ALL ORDER BY 2 DESC, 1"),
        "by_lang": q("SELECT coalesce(lang, 'unknown'), count(*) FROM posts GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 10"),
        "files": file_rows(study),
        "rejected_rows": q("SELECT source, line, error, raw FROM rejected ORDER BY source, line LIMIT 50"),
        "rejected_by_error": q(
            # Messages that differ only in their numbers (line, offset) are one reason; one real message is
            # shown, so "UTF-8" or "bzip2" in it stay as written. The notes kept beside stored posts
            # (repaired or edited records) are no rejected record: listed apart (`notes_by_kind`), the
            # table read "Rejected, by error" under "rejected records 0".
            f"SELECT min(error) AS e, count(*) FROM rejected WHERE NOT {note_sql('error')} GROUP BY regexp_replace(error, '[0-9]+', 'N', 'g') "
            "ORDER BY 2 DESC, 1 LIMIT 10"
        ),
        # A note names its post (a status URI holding the author's name, a DID with its rkey): those
        # are taken out with the numbers, or each author's edits were a reason of their own.
        "notes_by_kind": q(
            f"SELECT min(error) AS e, count(*) FROM rejected WHERE {note_sql('error')} "
            "GROUP BY regexp_replace(error, '(https?://[^ ]+|did:[^ ]+|[0-9]+)', 'N', 'g') "
            "ORDER BY 2 DESC, 1 LIMIT 10"
        ),
    }


def file_rows(study: Study) -> list[tuple[Any, ...]]:
    """The overview's row of each read, in order: (source, format, records read, not posts,
    posts stored, duplicates, rejected, re-read, broke off, notices and edits).

    Its own function so a caller that needs only these rows (a lake's tests of the per-read
    counts) runs this one query, not the summary's twenty, each Spark jobs on a lake."""
    pages = _pages_in()
    not_posts = not_posts_sql(study.tables(), "s")  # a read's records that were no post, less its notices and edits

    def no_post(expr: str) -> str:  # a count of records that were no post: 0 for response pages (a page holds many posts)
        return f"CASE WHEN format IS NULL OR format IN ({pages}) THEN 0 ELSE {expr} END"

    # Each read in order; a re-read marked (its duplicates are the posts its first read stored).
    # The records that were no post (profile rows, account events: `counts.not_posts`) have their
    # column: an authors file read "61 records, 0 stored", as if all were lost.
    # Last, the delete and limit notices, stall warnings and edits of posts the read gave (what
    # `not_posts_sql` takes out of "not posts"): without a column of their own the row read
    # "Records 156, Not posts 0, Stored 150, Rejected 0", six records unaccounted for.
    return study.sql(f"SELECT source, format, records_read, {no_post(not_posts)}, posts_stored, duplicates, {RECORDS_REJECTED_SQL}, "
                     f"r.source IS NOT NULL, {BREAK_SQL} = 1, {no_post(f'{NOT_POSTS_SQL} - {not_posts}')} FROM sources s "
                     f"LEFT JOIN (SELECT source, ingested_at FROM {RE_READS}) r USING (source, ingested_at) ORDER BY s.ingested_at, s.source")


def posts_over_time(study: Study, max_bars: int = MAX_BARS) -> tuple[str, list[Any], list[int]]:
    """(unit, bucket starts, posts) over the whole span, every bucket from the first post to the
    last with zeros included, so the chart is a time axis: days when they fit in `max_bars`,
    else weeks, else months, else years, else spans of N years (never a selection of the busiest
    days). Why years and beyond: ingest keeps any time from year 1 to 9999, and one post so
    dated made 120,000 monthly bars, a 13 MB report of empty bars."""
    first, last = study.sql("SELECT CAST(min(created_at) AS DATE), CAST(max(created_at) AS DATE) FROM posts")[0]
    if first is None:
        return "day", [], []
    span = (last - first).days + 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    unit = "day" if span <= max_bars else "week" if span / 7 <= max_bars else "month" if months <= max_bars else "year"
    rows = study.sql(
        f"""WITH s AS (SELECT unnest(generate_series(date_trunc('{unit}', CAST(? AS DATE)), date_trunc('{unit}', CAST(? AS DATE)), INTERVAL 1 {unit})) AS t),
        b AS (SELECT CAST(t AS DATE) AS bucket FROM s),
        c AS (SELECT CAST(date_trunc('{unit}', created_at) AS DATE) AS bucket, count(*) AS n FROM posts WHERE created_at IS NOT NULL GROUP BY 1)
        SELECT b.bucket, coalesce(c.n, 0) FROM b LEFT JOIN c USING (bucket) ORDER BY 1""",
        [first, last],
    )
    if len(rows) > max_bars:  # more years than bars: N consecutive years a bar, each labelled by its first
        step, sums = grouped([int(n) for _, n in rows], max_bars)
        rows = list(zip([r[0] for r in rows[::step]], sums))
        unit = f"{step}-year span"
    return unit, [r[0] for r in rows], [int(r[1]) for r in rows]


def _pages_in() -> str:
    """The response-page formats (a page holds many posts) as an SQL list."""
    from botwatch.ingest.formats import PAGE_FORMATS

    return ", ".join("'" + f.replace("'", "''") + "'" for f in sorted(PAGE_FORMATS)) or "NULL"


@section("overview", order=10)
def overview(study: Study, ctx: dict[str, Any]) -> Section:
    s = study_summary(study)
    if ctx.get("paths_relative_to"):  # `report --paths-relative-to`: the input files as the reproduction block shows them
        from botwatch.report.reproduce import RelativePaths

        rel = RelativePaths(ctx["paths_relative_to"])
        s["files"] = [(rel.path(src), *rest) for src, *rest in s["files"]]
        s["rejected_rows"] = [(rel.path(src), *rest) for src, *rest in s["rejected_rows"]]  # the review found them left absolute
    unit, buckets, counts = posts_over_time(study)
    chart = bar_series(buckets, counts, title=f"Posts per {unit} (UTC)", unit=unit)
    html = render("overview.html.j2", s=s, chart=chart, unit=unit, rs=report_reshare(study, ctx))
    return Section("overview", "What the study holds", html, order=10)
