"""A read-only view of a lake for the report (and `status`): small tables held at the driver once,
in an in-process DuckDB, so the report's ~130 small statements do not each cost a Spark job.

Why: building the report on a lake ran every `study.sql` as its own Spark job (planning,
scheduling, a Parquet scan), and each export's `DESCRIBE`/`COPY` collected every table it named,
`posts` included, to the driver again, four times per export. On the bundled sample that was
70-115 s of the command on a loaded 2-core machine, almost all of it fixed per-statement cost.

What is held (collected to the driver as Arrow once, on first use, and queried by DuckDB):

* tables small **by construction**, `BOUNDED`: their rows are bounded by stage runs, input files,
  days, hours x groups, parties x windows or the kept coordination network, never by posts or
  accounts (`runs`, `sources`, `coverage_daily`, `timeline`, `bursts`, `estimates`, `clusters`,
  `cluster_members`, ...);
* any other table (or view) with at most `HOLD_ROWS` rows, counted first (a local lake's Parquet
  footers, else a Spark count). On the bundled sample that is every table; on a large study the
  per-post tables (`posts`, `post_labels`, `post_party`) and, past `HOLD_ROWS` accounts, the
  per-account ones stay on Spark.

A statement reading only held tables runs on DuckDB, as the same statement runs on a DuckDB study.
Otherwise each derived table in its FROM/JOIN that reads only tables that are not held (the
accounts export's posts-per-account `(SELECT .. FROM posts GROUP BY ALL)`) runs on Spark and
only its result comes to the driver; when what is left reads held tables only, DuckDB runs it, else
Spark runs the whole statement, as `LakeStudy.sql` did. A `COPY`/`DESCRIBE` (the exports, written
at the driver) that still names a table that is not held collects that table as before, and then
holds it, so the next statement does not collect it again.

The report is the same report: `tests/test_engine_parity.py` builds it from a lake through this
view, with a row limit that keeps the per-post tables on Spark, and compares it with DuckDB's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from botwatch.engines import lake_sql
from botwatch.engines.lake_arrow import naive_utc, spark_struct_of_part

# Tables whose size does not grow with posts or accounts (see the module docstring).
BOUNDED = frozenset({
    "runs", "sources", "captures", "coverage_daily", "timeline", "timeline_notes", "bursts", "event_tests",
    "creation", "creation_batches", "creation_monthly", "impact", "impact_irf", "estimates",
    "clusters", "cluster_members", "coordination_edges", "coordination_evidence", "coordination_null", "coordination_summary",
})
HOLD_ROWS = 200_000  # any other table is held when it has at most this many rows (~1.3 KiB a row at most: account_scores)
_PUSHED = "_bw_spark_result_"


def report_view(study: Any, hold_rows: int = HOLD_ROWS) -> Any:
    """`study` itself for a DuckDB study (or a view already); a `LakeReader` over a lake (close it after use)."""
    if isinstance(study, LakeReader) or getattr(study, "engine", "duckdb") != "spark":
        return study
    return LakeReader(study, hold_rows)


@contextmanager
def reading(study: Any, hold_rows: int = HOLD_ROWS) -> Iterator[Any]:
    """`report_view(study)` for a block; a view made here is closed after it (the study is not)."""
    view = report_view(study, hold_rows)
    try:
        yield view
    finally:
        if view is not study:
            view.close()


class LakeReader:
    """The read methods the report uses (`sql`, `tables`, `columns`, `count`, `arrow`, `driver_arrow`), over a
    `LakeStudy`, with small tables held in an in-process DuckDB (module docstring). Read-only:
    a statement that would write is handed to the lake, which refuses it when opened read-only."""

    engine = "spark"

    def __init__(self, lake: Any, hold_rows: int = HOLD_ROWS) -> None:
        import duckdb

        self.lake = lake
        self.path = lake.path
        self.hold_rows = hold_rows
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        self._tables: list[str] | None = None
        self._columns: dict[str, list[str]] = {}
        self._held: set[str] = set()
        self._spark_only: set[str] = set()  # counted once, too large to hold
        self._pushed: dict[str, str] = {}  # Spark SQL of a derived table -> the name its result is held under

    # -- what the report calls ------------------------------------------------------------------
    @property
    def schema_version(self) -> int | None:
        return self.lake.schema_version

    def tables(self) -> list[str]:
        if self._tables is None:  # a listing of the lake's folders; the report asks ~100 times
            self._tables = self.lake.tables()
        return list(self._tables)

    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            self._columns[table] = self.lake.columns(table)
        return list(self._columns[table])

    def running_now(self, started: Any) -> bool:
        return bool(self.lake.running_now(started))

    def count(self, name: str) -> int:
        if self._hold(name):
            return int(self.con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])  # type: ignore[index]
        return self.lake.count(name)

    def arrow(self, name: str) -> pa.Table:
        if self._hold(name):
            # the relation's `to_arrow_table`, as `Study.arrow`: DuckDB 2.0 took
            # `fetch_arrow_table` off the connection
            return self.con.sql(f"SELECT * FROM {_quote(name)}").to_arrow_table()
        return self.lake.arrow(name)

    def driver_arrow(self, name: str, columns: list[str], equal: dict[str, Any] | None = None, among: dict[str, Any] | None = None) -> pa.Table:
        """`LakeStudy.driver_arrow`'s rows, from the held copy when `name` is held (`ok_runs` reads
        `runs` so, some fifty times a report: each read of a lake behind a URL would be a Spark
        job), else from the lake."""
        if not self._hold(name):
            return self.lake.driver_arrow(name, columns, equal, among)
        from botwatch.study import driver_select

        query, params = driver_select(name, columns, equal, among)
        return self.con.sql(query, params=params or None).to_arrow_table()

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """One DuckDB-dialect statement: on DuckDB when it reads held tables only (after running
        its Spark-only derived tables on Spark), else on Spark (module docstring)."""
        tree = lake_sql.parse(query, params)
        kind = lake_sql.classify(tree).kind
        names = _tables_read(tree)
        known = set(self.tables())
        if kind not in ("select", "copy", "describe") or not names or not names <= known:
            return self.lake.sql(query, params)  # writes, information_schema, temp tables: the lake's own rules
        if all(self._hold(n) for n in names):
            return self.con.execute(query, params or []).fetchall()
        tree = self._push_down(tree, known)
        left = _tables_read(tree) - set(self._pushed.values())
        if kind in ("copy", "describe"):
            for n in left:  # written at the driver: what is not held comes here whole, once
                self._collect(n)
        elif not all(self._hold(n) for n in left):
            return self.lake.sql(query, params)
        return self.con.execute(tree.sql(dialect=lake_sql.READ)).fetchall()

    def close(self) -> None:
        """Drop what is held; the lake stays open (its owner closes it)."""
        self.con.close()

    def __enter__(self) -> "LakeReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- holding --------------------------------------------------------------------------------
    def _hold(self, name: str) -> bool:
        """Whether `name` is held (collecting it now when it should be)."""
        if name in self._held:
            return True
        if name in self._spark_only or name not in set(self.tables()):
            return False
        if name in BOUNDED or self._rows(name) <= self.hold_rows:
            self._collect(name)
            return True
        self._spark_only.add(name)
        return False

    def _collect(self, name: str) -> None:
        if name not in self._held:
            parts = self._local_parts(name)
            self.con.register(name, self._read_parts(name, parts) if parts is not None else self.lake.arrow(name))
            self._held.add(name)

    def _local_parts(self, name: str) -> list[str] | None:
        """The Parquet files of a table of a local lake; None for a view or a lake behind a URL."""
        folder = os.path.join(str(self.lake.root), name)
        if not getattr(self.lake, "_local", False) or not os.path.isdir(folder):
            return None
        return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet") and not f.startswith((".", "_")))

    def _read_parts(self, name: str, parts: list[str]) -> pa.Table:
        """A local table read by Arrow itself, in the types Spark's `toArrow` gives (no Spark job:
        at the driver of a local lake a job per small table was most of the report's time)."""
        import pyarrow.parquet as pq
        from pyspark.sql.pandas.types import to_arrow_schema

        large = bool(self.lake.spark._jconf.arrowUseLargeVarTypes())
        want = spark_schema_of_part(parts[0], large) if parts else None
        if want is None:
            want = to_arrow_schema(self.lake.df(name).schema, prefers_large_types=large)
        if not parts:
            return naive_utc(want.empty_table())
        # Parts of one table may differ in type (Spark writes timestamps as INT96, Arrow as UTC
        # microseconds): each is cast to Spark's view of the table before they are joined.
        return naive_utc(pa.concat_tables([pq.read_table(p, columns=want.names).cast(want) for p in parts]))

    def _rows(self, name: str) -> int:
        """Rows of a table from its Parquet footers on a local lake (no Spark job); else Spark's count."""
        parts = self._local_parts(name)
        if parts is not None:
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
        return self.lake.count(name)  # a view, or a lake behind a URL

    def _push_down(self, tree: Any, known: set[str]) -> Any:
        """`tree` with each FROM/JOIN derived table that reads only tables not held replaced by
        its result, computed on Spark once and held under a name of its own."""
        tree = tree.copy()
        for sub in list(tree.find_all(lake_sql.exp.Subquery)):
            if sub.root() is not tree or not isinstance(sub.parent, (lake_sql.exp.From, lake_sql.exp.Join)):
                continue  # inside a derived table already replaced, or not a derived table (IN, scalar)
            inner = _tables_read(sub.this)
            if not inner or not inner <= known or any(self._hold(n) for n in inner) or _outer_ctes(sub):
                continue
            text = sub.this.sql(dialect=lake_sql.READ)
            name = self._pushed.get(text)
            if name is None:
                name = f"{_PUSHED}{len(self._pushed)}"
                self.con.register(name, naive_utc(self.lake.query_arrow(text)))
                self._pushed[text] = name
            alias = sub.args.get("alias")
            sub.replace(lake_sql.exp.Table(this=lake_sql.exp.to_identifier(name), alias=alias.copy() if alias else None))
        return tree


def spark_schema_of_part(path: str, large: bool) -> pa.Schema | None:
    """The Arrow schema Spark's `toArrow` gives a table whose first Parquet file is `path`, read
    from that file's footer (`lake_arrow.spark_struct_of_part`): no Spark read, so no view to
    register (on a cold JVM that read cost `botwatch status` several seconds per command).
    Checked equal to Spark's own on every table of an analysed lake (`tests/test_engine_parity.py`
    builds the report through it). None when the footer cannot say: the caller asks Spark."""
    from pyspark.sql.pandas.types import to_arrow_schema

    struct = spark_struct_of_part(path)
    try:
        return None if struct is None else to_arrow_schema(struct, prefers_large_types=large)
    except Exception:  # noqa: BLE001 - a type Arrow cannot hold: Spark says
        return None


def _tables_read(tree: Any) -> set[str]:
    """The table names a statement reads, less the names of its own CTEs."""
    ctes = {c.alias_or_name for c in tree.find_all(lake_sql.exp.CTE)}
    return {t.name for t in tree.find_all(lake_sql.exp.Table) if t.name and t.name not in ctes}


def _outer_ctes(sub: Any) -> bool:
    """Whether a derived table names a CTE of an enclosing query (it cannot run on its own)."""
    root = sub.root()
    names = {c.alias_or_name for c in root.find_all(lake_sql.exp.CTE)} - {c.alias_or_name for c in sub.find_all(lake_sql.exp.CTE)}
    return any(t.name in names for t in sub.find_all(lake_sql.exp.Table))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
