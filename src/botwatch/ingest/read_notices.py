"""Each read's delete and limit notices, stream warnings and edits of posts, kept per read (`schema.SOURCE_NOTICES`).

Why this exists: `sources` keeps a read's records, posts, duplicates and rejected records, but not
its notices or edits, so the report worked them out from the tables that keep them. Those keep one
row per notice (per post deleted, per limit count and time) under the path first read, so a post
deleted twice was one notice and one record "not a post", and a grown file's re-read counted its
new notices as "not posts" (its first read's row had already taken all of the path's). The count
the ingest line said is kept here instead, beside the read's `sources` row, in its transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botwatch.schema import SOURCE_NOTICES, create_table_sql

if TYPE_CHECKING:
    from botwatch.ingest.runner import FileResult
    from botwatch.study import Study

TABLE = "source_notices"


def prepare(study: Study, result: FileResult) -> None:
    """Make the table when this read is the study's first to hold a notice or edit, its earlier
    reads filled in from the rows kept for their paths, as the report counted them till now.
    Called before the read's notices are merged, so none of them is taken for an earlier read's."""
    if TABLE in study.tables() or not (result.deleted or result.limited or result.warned or result.edited):
        return
    from botwatch.ingest.cut_short import NOT_POSTS_SQL, edits_sql, notices_sql

    tables = set(study.tables())
    kept, edits = notices_sql(tables, "s"), edits_sql(tables, "s")
    study.sql(create_table_sql(TABLE, SOURCE_NOTICES))
    study.sql(f"INSERT INTO {TABLE} SELECT source, ingested_at, least({kept}, {NOT_POSTS_SQL}), "
              f"least({edits}, {NOT_POSTS_SQL} - least({kept}, {NOT_POSTS_SQL})) FROM sources s")


def record(study: Study, source: str, ingested_at: object, result: FileResult) -> None:
    """Keep this read's notices and edits beside its `sources` row, once the table is made."""
    if TABLE in study.tables():
        study.sql(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", [source, ingested_at, result.deleted + result.limited + result.warned, result.edited])
