"""Each read's delete and limit notices, stream warnings and edits of posts, kept per read (`schema.SOURCE_NOTICES`).

Why this exists: `sources` keeps a read's records, posts, duplicates and rejected records, but not
its notices or edits, so the report worked them out from the tables that keep them. Those keep one
row per notice (per post deleted, per limit count and time) under the path first read, so a post
deleted twice was one notice and one record "not a post", and a grown file's re-read counted its
new notices as "not posts" (its first read's row had already taken all of the path's). The count
the ingest line said is kept here instead, beside the read's `sources` row, in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from botwatch.ingest.counts import notices_read
from botwatch.schema import SOURCE_NOTICES, create_table_sql

if TYPE_CHECKING:
    from botwatch.ingest.runner import FileResult
    from botwatch.study import Study

TABLE = "source_notices"


def prepare(study: Study, result: FileResult, this_call: Sequence[tuple[str, object]] = ()) -> None:
    """Make the table when this read is the study's first to hold a notice or edit, its earlier
    reads filled in from the rows kept for their paths, as the report counted them till now.
    Called before the read's notices are merged, so none of them is taken for an earlier read's.

    `this_call`: the (source, ingested_at) keys of the reads this ingest call kept before this one.
    They counted no notice or edit (else they had made the table), so each gets 0 and 0, its own
    count, as a lake writes this call's reads (`spark_ingest`). Filled from the kept rows, a path
    read again with no notice took those its earlier read left, and as many of its own records
    were no longer "not posts". Keys, not the call's start time: a study copied from a machine
    whose clock ran ahead holds earlier reads dated after it, which were taken for this call's."""
    if TABLE in study.tables() or not counts_any(result):
        return
    earlier = earlier_reads_sql(study.tables())
    study.sql(create_table_sql(TABLE, SOURCE_NOTICES))
    if this_call:
        counts = "if(c.source IS NULL, e.notices, 0), if(c.source IS NULL, e.edits, 0)"
        join = ("LEFT JOIN (SELECT DISTINCT unnest(?::VARCHAR[]) AS source, unnest(?::TIMESTAMP[]) AS ingested_at) c "
                "ON c.source = e.source AND c.ingested_at = e.ingested_at")
        params: list[object] = [[k[0] for k in this_call], [k[1] for k in this_call]]
    else:  # the call's first read: every read is an earlier call's (an empty list binds as no type to unnest)
        counts, join, params = "e.notices, e.edits", "", []
    study.sql(f"INSERT INTO {TABLE} SELECT e.source, e.ingested_at, {counts} FROM ({earlier}) e {join}", params)


def counts_any(result: FileResult) -> bool:
    """Whether a read counted a notice or an edit: the first such read makes the table."""
    return bool(notices_read(result) or result.edited)


def earlier_reads_sql(tables: Iterable[str]) -> str:
    """The table's rows for the reads a study kept before it had the table (`tables`: the
    study's), counted from the notices and edits kept for their paths, as the report counted them
    till then, so their figures do not change when it is made. Run before a read's notices are
    merged. Shared with the lake's ingest (`engines/spark_ingest.py`), which runs it on Spark."""
    from botwatch.ingest.cut_short import NOT_POSTS_SQL, edits_sql, notices_sql

    tables = set(tables)
    kept, edits = notices_sql(tables, "s"), edits_sql(tables, "s")
    return (f"SELECT source, ingested_at, least({kept}, {NOT_POSTS_SQL}) AS notices, "
            f"least({edits}, {NOT_POSTS_SQL} - least({kept}, {NOT_POSTS_SQL})) AS edits FROM sources s")


def row(source: str, ingested_at: object, result: FileResult) -> dict[str, object]:
    """A read's row of the table: its notices (delete, limit and stall) and edits, as the ingest line counted them."""
    return {"source": source, "ingested_at": ingested_at, "notices": notices_read(result), "edits": result.edited}


def record(study: Study, source: str, ingested_at: object, result: FileResult) -> None:
    """Keep this read's notices and edits beside its `sources` row, once the table is made."""
    if TABLE in study.tables():
        study.sql(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", list(row(source, ingested_at, result).values()))


def forget_refused(study: Study, source: str, sha: str | None) -> None:
    """Drop the per-read rows of a refused file's earlier `sources` row, which a refusal read again
    replaces (`runner`): each re-run left one more 0/0 row that no `sources` row named."""
    if TABLE in study.tables():
        study.sql(f"DELETE FROM {TABLE} WHERE source = ? AND ingested_at IN (SELECT ingested_at FROM sources WHERE source = ? "
                  "AND sha256 IS NOT DISTINCT FROM ? AND format IS NULL)", [source, source, sha])
