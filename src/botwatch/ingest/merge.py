"""Merging one file's rows into the canonical tables, inside that file's transaction.

A reader leaves the file's posts in `_stage_posts` (or, on the native path, already inserted),
its account snapshots reduced to one row per account in `_reduced`, and its bad records in
`_stage_rejected`. The relational rules live in `canonical` (Ibis, shared with Spark); this module
only runs them on the study's DuckDB connection and keeps the work proportional to the file:
accounts the study has never seen are inserted as they are, and only the accounts a file adds
to are recomputed from their snapshots.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from botwatch import canonical
from botwatch.duckdb_sql import reduce_snapshots_sql, to_duckdb_sql
from botwatch.ingest.sink import REPAIRED, note_sql
from botwatch.schema import ACCOUNT_SNAPSHOTS, ACCOUNTS, DELETIONS, REJECTED_EARLIER, STREAM_LIMITS, STREAM_WARNINGS, create_table_sql
from botwatch.study import Study, utcnow


def _sql(expr: object) -> str:
    return to_duckdb_sql(expr)


# Compiled SQL by what it is and the columns (name and type) of the tables it reads: Ibis and the
# rewrite took about half a second a file to compile the same statements again (a folder of 1,000
# small files spent most of its time there). The SQL names tables without a catalog, so it serves
# every study whose tables have those columns.
_COMPILED: dict[tuple[object, ...], str] = {}


def _compiled(study: Study, what: str, tables: tuple[str, ...], build: Callable[[], object]) -> str:
    """The SQL of `build()`, an expression over `tables`, compiled once per process for the
    columns those tables have in this study."""
    columns = study.sql(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE table_name IN (SELECT unnest(?)) "
        "AND database_name IN (current_database(), 'temp') ORDER BY table_name, database_name, column_index", [list(tables)]
    )
    key = (what, *columns)
    if key not in _COMPILED:
        _COMPILED[key] = _sql(build())
    return _COMPILED[key]


def merge_staged_posts(study: Study) -> tuple[int, int]:
    """Insert the staged posts not already stored (the first of repeated ids); returns (stored, read)."""
    db, q = study.ibis, study.sql
    before = q("SELECT count(*) FROM posts")[0][0]
    # Straight into posts: a temp copy of a big file's new posts would double its footprint.
    new = _compiled(study, "new_posts", ("_stage_posts", "posts"),
                    lambda: canonical.new_posts(canonical.first_posts(db.table("_stage_posts")), db.table("posts")))
    q(f"INSERT INTO posts {new}")
    stored = q("SELECT count(*) FROM posts")[0][0] - before
    return int(stored), int(q("SELECT count(*) FROM _stage_posts")[0][0])


def reduce_staged_snapshots(study: Study) -> None:
    """The staged snapshots reduced to one row per account, into the temp table `_reduced`."""
    study.sql(f"CREATE OR REPLACE TEMP TABLE _reduced AS {reduce_snapshots_sql('_stage_snapshots')}")


def merge_accounts(study: Study) -> int:
    """Store `_reduced` as this file's snapshots and bring `accounts` up to date; returns accounts seen."""
    db, q = study.ibis, study.sql
    profile = ", ".join(f'r."{c}"' for c in ACCOUNT_SNAPSHOTS.names)
    q(
        "CREATE OR REPLACE TEMP TABLE _known AS SELECT r.platform, r.account_id FROM _reduced r "
        "SEMI JOIN accounts a ON a.platform = r.platform AND a.account_id = r.account_id"
    )
    # Accounts new to the study: their only snapshot is this file's, and an account built from a
    # single snapshot is that snapshot (every field its own latest non-NULL value).
    q(f"INSERT INTO account_snapshots SELECT {profile} FROM _reduced r ANTI JOIN _known k USING (platform, account_id)")
    accounts_cols = ", ".join(f'r."{c}"' for c in ACCOUNTS.names)
    q(f"INSERT INTO accounts SELECT {accounts_cols} FROM _reduced r ANTI JOIN _known k USING (platform, account_id)")
    if q("SELECT count(*) FROM _known")[0][0]:
        def fresh() -> object:
            seen = db.table("_reduced").semi_join(db.table("_known"), canonical.ACCOUNT_KEY)
            return canonical.new_snapshots(seen, db.table("account_snapshots")).select(*ACCOUNT_SNAPSHOTS.names)

        def affected() -> object:
            return canonical.accounts_from_snapshots(db.table("account_snapshots").semi_join(db.table("_known"), canonical.ACCOUNT_KEY))

        q(f"INSERT INTO account_snapshots {_compiled(study, 'new_snapshots', ('_reduced', '_known', 'account_snapshots'), fresh)}")
        q(f"CREATE OR REPLACE TEMP TABLE _accounts AS {_compiled(study, 'accounts', ('account_snapshots', '_known'), affected)}")
        q("DELETE FROM accounts a USING _known k WHERE a.platform = k.platform AND a.account_id = k.account_id")
        q("INSERT INTO accounts SELECT * FROM _accounts")
        q("DROP TABLE IF EXISTS _accounts")
    n = q("SELECT count(*) FROM _reduced")[0][0]
    q("DROP TABLE IF EXISTS _known")
    q("DROP TABLE IF EXISTS _reduced")
    return int(n)


def merge_rejected(study: Study, store: bool = True) -> int:
    """Store the staged rejects not already recorded (a re-read file's bad lines are kept once).

    A record is the one held when its file, line, reason and text all match: another file saved
    under an old name (read as new, `rereads`) had its bad record dropped when an earlier file's
    record on the same line failed for the same reason. `store=False`: count them, store none
    (content the study already holds under another name: its bad records are kept there)."""
    q = study.sql
    if store:
        q(
            "INSERT INTO rejected SELECT s.source, s.line, s.error, s.raw FROM _stage_rejected s "
            "WHERE NOT EXISTS (SELECT 1 FROM rejected r WHERE r.source = s.source AND r.line = s.line AND r.error = s.error "
            "AND r.raw IS NOT DISTINCT FROM s.raw) ORDER BY s._seq"
        )
    # A repair or edit note stands beside a stored record: it is kept, but not counted as a lost one.
    return int(q(f"SELECT count(*) FROM _stage_rejected WHERE NOT {note_sql('error')}")[0][0])


def merge_deletions(study: Study) -> int:
    """Store the file's staged delete notices (`_stage_deletions`) the study lacks; returns how
    many were new. One row per (platform, post_id): a re-read, a copy or a second capture of the
    same notice adds none, and the first read's row (its time, its place) is the one kept."""
    return _merge_first_notices(study, "deletions", DELETIONS, ("platform", "post_id"))


def merge_stream_limits(study: Study, store: bool = True) -> int:
    """Store the file's staged stream limit notices (`_stage_stream_limits`) the study lacks;
    returns how many were new. One row per (limited_at, track): a notice's time and count name
    it whatever file holds it, so a re-read or a copy adds none and the first read's place is kept.
    A notice without a time (older captures wrote none; `notice_time` takes a bogus one for none)
    is named by its file and line too: keyed by its count alone, a second capture's "track 5" met
    the first's as kept, and its connection's withheld posts left the total. `store=False`: content
    the study holds under another name (a copy, `merge_rejected` alike), whose notices are kept there."""
    if not store:
        return 0
    return _merge_first_notices(study, "stream_limits", STREAM_LIMITS, ("limited_at", "track"), timeless="limited_at")


def _merge_first_notices(study: Study, table: str, schema: pa.Schema, key: tuple[str, ...], timeless: str | None = None) -> int:
    """Append to `table` the staged rows (`_stage_<table>`) whose `key` it lacks, the first staged
    of each key only; returns how many were new. `timeless`: the time column of a key whose rows
    without a time are keyed by their file and line as well. The table is made with the first row,
    so a study whose inputs held no such notice keeps the tables it always had."""
    q = study.sql
    if not q(f"SELECT count(*) FROM _stage_{table}")[0][0]:
        return 0
    q(create_table_sql(table, schema))
    before = q(f"SELECT count(*) FROM {table}")[0][0]
    cols = ", ".join(f's."{c}"' for c in schema.names)

    def keyed(t: str) -> list[str]:
        where = [f"CASE WHEN {t}{timeless} IS NULL THEN {t}{c} END" for c in ("source", "line")] if timeless else []
        return [f"{t}{k}" for k in key] + where

    same = " AND ".join(f"{d} IS NOT DISTINCT FROM {s}" for d, s in zip(keyed("d."), keyed("s.")))
    q(f"""INSERT INTO {table} SELECT {cols} FROM (SELECT *, row_number() OVER (PARTITION BY {', '.join(keyed(''))} ORDER BY _seq) AS _n
              FROM _stage_{table}) s WHERE s._n = 1
              AND NOT EXISTS (SELECT 1 FROM {table} d WHERE {same}) ORDER BY s._seq""")
    return int(q(f"SELECT count(*) FROM {table}")[0][0] - before)


def merge_stream_warnings(study: Study, store: bool = True) -> int:
    """Store the file's staged stream stall warnings (`_stage_stream_warnings`) the study lacks;
    returns how many were new. A warning rarely carries a time, so its file and line join what it
    says to name it: a re-read adds none, and two captures' same warning on the same line are two
    (keyed without the file, the second was dropped, and Methods said "once" beside the ingest
    lines' 2). `store=False`: content the study holds under another name (a copy, `merge_rejected`
    alike), whose warnings are kept there. The table is made with the first warning, as
    `stream_limits` is (`merge_stream_limits`)."""
    if not store:
        return 0
    return _merge_first_notices(study, "stream_warnings", STREAM_WARNINGS, ("source", "line", "warned_at", "code", "message", "percent_full"))


def retire_rejected(study: Study, source: str) -> int:
    """Move the bad records held for `source` that this read of it did not give again (an earlier
    version's: the file was corrected, truncated or replaced since) from `rejected` to
    `rejected_earlier`; returns how many moved. Call only for a complete read of a file on disk,
    before `merge_rejected`. Without it a file replaced by its corrected version kept the old
    version's bad records in `rejected`, and `status` and the report counted them as rejected input."""
    q = study.sql
    gone = ("FROM rejected r WHERE r.source = ? AND NOT EXISTS (SELECT 1 FROM _stage_rejected s WHERE s.source = r.source "
            "AND s.line = r.line AND s.error = r.error AND s.raw IS NOT DISTINCT FROM r.raw)")
    n = int(q(f"SELECT count(*) {gone}", [source])[0][0])
    if n:
        q(create_table_sql("rejected_earlier", REJECTED_EARLIER))
        q(f"INSERT INTO rejected_earlier SELECT r.*, ? {gone} ORDER BY r.line", [utcnow(), source])
        q(f"DELETE {gone}", [source])
    if "rejected_earlier" in study.tables():  # an earlier version put back: its records are current again, not history
        q("DELETE FROM rejected_earlier e WHERE e.source = ? AND EXISTS (SELECT 1 FROM _stage_rejected s WHERE s.source = e.source "
          "AND s.line = e.line AND s.error = e.error AND s.raw IS NOT DISTINCT FROM e.raw)", [source])
    return n


def retire_older(study: Study) -> list[str]:
    """A study written before `retire_rejected` existed kept the bad records of a file's earlier
    versions in `rejected` (`status` counts them apart: `section_overview._REPLACED`), and no read
    moved them unless that path was read again with other content. Where the latest read of the
    path gave no bad record, every one `rejected` holds for it is an earlier version's: moved to
    `rejected_earlier` now, as a lake's next ingest does (`spark_ingest._retire_older`). Where it
    gave some, which are the latest's cannot be told without the file (the rows carry no version):
    those sources are returned. Call after the files' own reads (a complete re-read retires its own
    path's). Only paths read with more than one content are looked at."""
    q = study.sql
    latest = ("SELECT s.source, coalesce(s.rejected, 0) AS latest FROM sources s JOIN (SELECT source, max(ingested_at) AS at FROM sources "
              "WHERE sha256 IS NOT NULL GROUP BY source HAVING count(DISTINCT sha256) > 1) m ON s.source = m.source AND s.ingested_at = m.at "
              "WHERE s.sha256 IS NOT NULL")
    older = q(f"SELECT h.source, v.latest FROM (SELECT source, count(*) AS held FROM rejected WHERE NOT {note_sql('error')} GROUP BY source) h "
              f"JOIN ({latest}) v ON h.source = v.source WHERE h.held > v.latest ORDER BY h.source")
    whole = sorted({src for src, n in older if n == 0})
    if whole:
        ours = f"FROM rejected r WHERE list_contains(?, r.source) AND NOT {note_sql('r.error')}"
        q("BEGIN TRANSACTION")
        try:
            q(create_table_sql("rejected_earlier", REJECTED_EARLIER))
            q(f"INSERT INTO rejected_earlier SELECT r.*, ? {ours} ORDER BY r.source, r.line", [utcnow(), whole])
            q(f"DELETE {ours}", [whole])
            q("COMMIT")
        except BaseException:
            q("ROLLBACK")
            raise
    return sorted({src for src, n in older if n > 0})


def staged_not_utf8(study: Study) -> int:
    """How many of this file's records were rejected for bytes that are not UTF-8 (`sink.not_utf8`)."""
    from botwatch.ingest.sink import not_utf8_sql

    return int(study.sql(f"SELECT count(*) FROM _stage_rejected WHERE {not_utf8_sql('error')}")[0][0])


def staged_repairs(study: Study) -> int:
    """How many of this file's records were stored after a repair (their notes in `_stage_rejected`)."""
    return int(study.sql("SELECT count(*) FROM _stage_rejected WHERE starts_with(error, ?)", [REPAIRED])[0][0])
