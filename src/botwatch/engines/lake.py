"""A study stored as a folder of Parquet tables and analysed by Apache Spark (`--engine spark`).

CONTRACT (written first so that the engine, the Spark ingest and the pipeline runner can be built
side by side; the engine branch fills the bodies in). A lake study behaves like `botwatch.study.Study`
for every method a stage, the ingest runner, a command or the report uses, so stage code is
written once:

Layout of a lake at PATH (a local folder, or an `s3a://`, `hdfs://`, `file://` URL):
    PATH/_botwatch_lake.json     {"format": "botwatch-lake/1", "schema_version": N, "created_by": VERSION}
    PATH/<table>/                one folder of Parquet part files per table (Spark's own layout),
                                 replaced whole by `write_*` (mode overwrite), grown by `append_*`
Canonical tables (`botwatch.schema.CANONICAL`: posts, accounts, account_snapshots, rejected,
sources, runs, ...) exist from creation with their schemas, as in a DuckDB study.

Relational statements stages already write in DuckDB's dialect (`study.sql(...)`) are compiled to
Spark SQL by sqlglot (the compiler Ibis itself uses); `CREATE [OR REPLACE] TABLE x AS SELECT`,
`INSERT INTO`, `DELETE FROM`, `DROP TABLE [IF EXISTS]` and `CREATE TABLE IF NOT EXISTS` become
writes of the lake's folders. Ibis expressions (`study.table(name)`, `study.ibis`) run on the
session's Ibis PySpark backend. Work that is Python by nature runs over Arrow batches through
`map_arrow`, which DuckDB runs in-process and Spark runs with `mapInArrow` on the executors.
"""

from __future__ import annotations

LAKE_MARKER = "_botwatch_lake.json"
LAKE_FORMAT = "botwatch-lake/1"


def is_lake_path(path: str) -> bool:
    """True when `path` names a lake: a URL with a scheme, or a folder holding the marker file.

    A plain path that does not exist yet is not a lake (it becomes a DuckDB study) unless the
    caller asked for `--engine spark`."""
    import os

    if "://" in str(path):
        return True
    return os.path.isdir(path) and os.path.exists(os.path.join(path, LAKE_MARKER))


def table_path(lake: str, table: str) -> str:
    """Where a table's Parquet folder lies inside a lake."""
    return str(lake).rstrip("/") + "/" + table
