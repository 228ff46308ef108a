"""A compressed input whose earlier read broke off (cut or corrupt), met again unchanged.

Why this exists: an identical file (same SHA-256) is skipped unread on a re-run. For a `.gz` cut
short that skip said "already ingested" and the command exited 0, although the file still holds
only part of its records: the break was recorded once (a `rejected` row at line 0) and never said
again. So before an identical compressed file is skipped, a study that recorded a break at its
path (or at the path its identical content was read from) has the file's stream checked to its
end: still cut, it is read again (nothing is stored twice: posts are keyed by id and a reject is
kept once), and the command says "cut short" and exits 1 as on the first run. A file at that path
that is whole now (it grew, or was fetched again) is skipped as usual, so only the files that
broke before pay for the check. Both engines use these helpers (DuckDB's runner and the Spark
executors' `stage_one`).
"""

from __future__ import annotations

from collections.abc import Iterable

from botwatch.ingest.source import InputSource

# The start of the `rejected` row (line 0) that records a break (`runner._stream_broke` writes it).
BROKE_OFF = "compressed stream is corrupt or truncated after"
BROKEN_ROWS_SQL = f"SELECT source FROM rejected WHERE line = 0 AND starts_with(error, '{BROKE_OFF}')"
BROKEN_SOURCES_SQL = f"SELECT DISTINCT source FROM ({BROKEN_ROWS_SQL})"
# The start of the `rejected` row (line 0) that locates a file no reader knew (`runner._read_with_python`
# writes it): a failed input, not a rejected record (`counts.records_rejected` at ingest).
UNREADABLE = "unreadable input: "
UNREADABLE_ROWS_SQL = f"SELECT source FROM rejected WHERE line = 0 AND starts_with(error, '{UNREADABLE}')"
# The one rule, in SQL, for which `rejected` rows are no record: a break's note and an unreadable
# file's note. Every count of rejected records (the overview, Methods, `status` and its JSON, on both
# engines) takes it from here, as the ingest summary's `counts.records_rejected` does: counted as a
# record, a junk file beside a good one read "rejected 0, failed 1" at ingest but "rejected records 1" in `status`.
NOT_A_RECORD_SQL = f"(line = 0 AND (starts_with(error, '{BROKE_OFF}') OR starts_with(error, '{UNREADABLE}')))"
# A `sources` row's records that were no post (`counts.not_posts`, as the command counts them): its
# `rejected` holds the row recording a break, which is no record read, where the read broke off (a
# break for its source still in `rejected`). Without it a cut .gz with 2 records no post had Methods
# and the overview's inputs table say 1 where the command said 2.
BREAK_SQL = f"CASE WHEN rejected > 0 AND source IN ({BROKEN_SOURCES_SQL}) THEN 1 ELSE 0 END"
# A `sources` row's `rejected` count less its note that is no record (`NOT_A_RECORD_SQL`): a break's or an unreadable file's.
NOTE_ROW_SQL = f"CASE WHEN rejected > 0 AND source IN (SELECT DISTINCT source FROM rejected WHERE {NOT_A_RECORD_SQL}) THEN 1 ELSE 0 END"
NOT_POSTS_SQL = f"greatest(records_read - posts_stored - duplicates - rejected + {NOTE_ROW_SQL}, 0)"
# The notice tables a `sources` row's notices are kept in, with how a kept notice's `source` names
# its file: `deletions` as "<file>:<line>", `stream_limits` and `stream_warnings` as the file (its line apart).
_NOTICE_FILES = {"deletions": "regexp_replace(n.source, ':[0-9]+$', '')", "stream_limits": "n.source", "stream_warnings": "n.source"}


def _per_read(column: str, row: str) -> str:
    """A `sources` row's `column` of `source_notices` (`read_notices`): 0 for a read without one.
    `max` of the read's one row: Spark before 4.0 refuses a correlated scalar subquery that is not
    an aggregate, and a lake's report runs this on Spark (`pyspark>=3.5` is allowed)."""
    return (f"coalesce((SELECT max(n.{column}) FROM source_notices n WHERE n.source = {row}.source "
            f"AND n.ingested_at = {row}.ingested_at), 0)")


def notices_sql(tables: Iterable[str], row: str) -> str:
    """The delete and limit notices and stream warnings a `sources` row read (`tables`: the study's; `row`: the alias
    of the row's table): as its read counted them (`source_notices`), where the study keeps that;
    else counted from the tables that keep the notices ("0" for a study made before them). Those
    keep a notice once (per post, per limit count), so one read twice, in one file or also in
    another, is counted there where it was first kept, and every read of a path takes all of them."""
    tables = set(tables)
    if "source_notices" in tables:
        return _per_read("notices", row)
    kept = [f"(SELECT count(*) FROM {table} n WHERE {file} = {row}.source)" for table, file in _NOTICE_FILES.items() if table in set(tables)]
    return "(" + " + ".join(kept) + ")" if kept else "0"


def edits_sql(tables: Iterable[str], row: str) -> str:
    """The edits of posts a `sources` row read: its `rejected` rows that keep an edit beside the
    first text (`sink.EDITED`), neither rejected nor repaired records; as its read counted them
    (`source_notices`) where the study keeps that. "0" without either table."""
    from botwatch.ingest.sink import EDITED

    tables = set(tables)
    if "source_notices" in tables:
        return _per_read("edits", row)
    if "rejected" not in set(tables):
        return "0"
    return f"(SELECT count(*) FROM rejected n WHERE n.source = {row}.source AND starts_with(n.error, '{EDITED}'))"


def not_posts_sql(tables: Iterable[str], row: str) -> str:
    """`NOT_POSTS_SQL` less the `sources` row's delete and limit notices (`notices_sql`) and edits
    of posts (`edits_sql`), as `counts.not_posts` counts them at ingest.

    Why: `sources` has no column for either, so "read 9, stored 5, delete notices 2, limit notices
    2" at ingest became "4 were not posts (profile rows, account events and the like)" in Methods
    and the overview's inputs table."""
    tables = set(tables)
    return f"greatest(records_read - posts_stored - duplicates - rejected + {NOTE_ROW_SQL} - {notices_sql(tables, row)} - {edits_sql(tables, row)}, 0)"


# A `sources` row's rejected records: its `rejected` count without the break's row (a note that the
# file ended early) or an unreadable file's row (a failed input), neither a record (`NOT_A_RECORD_SQL`),
# as `counts.records_rejected` counts them at ingest.
RECORDS_REJECTED_SQL = f"rejected - {NOTE_ROW_SQL}"


def still_cut(path: str) -> bool:
    """Whether the compressed file at `path` still breaks off before its end-of-stream marker
    (False for an uncompressed file, or one that cannot be opened: its read says why)."""
    try:
        src = InputSource.open(path)
    except OSError:
        return False
    try:
        if not src.compressed:
            return False
        while src.stream.read(1 << 20):
            pass
        return src.error is not None
    except OSError:
        return True
    finally:
        src.close()


def read_again(path: str, names: Iterable[str], broken: Iterable[str]) -> bool:
    """Whether an input identical to an earlier read is read again rather than skipped: a break
    was recorded at one of `names` (this input's source, the earlier read's) and the file is still
    cut (`still_cut`)."""
    return bool(set(names) & set(broken)) and still_cut(path)
