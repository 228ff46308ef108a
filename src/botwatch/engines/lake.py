"""A study stored as a folder of Parquet tables and analysed by Apache Spark (`--engine spark`).

A lake study behaves like `botwatch.study.Study` for every method a stage, the ingest runner, a
command or the report uses, so stage code is written once (what still collects to the driver:
docs/architecture.md, "Engines"; running on a cluster: docs/spark.md).

Layout of a lake at PATH (a local folder, or an `s3a://`, `hdfs://`, `file://` URL):
    PATH/_botwatch_lake.json     {"format": "botwatch-lake/1", "schema_version": N, "created_by": VERSION}
    PATH/<table>/                one folder of Parquet part files per table (Spark's own layout),
                                 replaced whole by `write_*` (mode overwrite), grown by `append_*`
    PATH/_scratch/<id>/          one command's temp tables and new table versions, its owner in
                                 `_owner.json`; removed by the next command once that owner has
                                 ended (`lake_scratch`)
    PATH/_swap/<table>/          a table's old and new versions while one replaces the other, only
                                 for that moment or after a cut-off command (`lake_swap`)
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

import contextlib
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa

from botwatch import __version__, sql_cache
from botwatch.engines import lake_lock, lake_scratch, lake_sql, lake_swap
from botwatch.engines.lake_arrow import counted_rows, duck_like_pandas, map_batches, map_outputs, naive_utc, plain_parquet_parts, storable, utc_zoned, wide_schema, widen  # noqa: F401 (re-exported)
from botwatch.engines.lake_files import LakeFiles, SparkUnavailable, spark_session  # noqa: F401 (re-exported)
from botwatch.schema import CANONICAL, POSTS, POSTS_ADDED
from botwatch.shown_text import name_shown, shell_shown
from botwatch.study import NewerLayout, StudyBase, StudyError, no_table

LAKE_MARKER = "_botwatch_lake.json"
LAKE_FORMAT = "botwatch-lake/1"


def is_lake_path(path: str) -> bool:
    """True when `path` names a lake: a URL with a scheme, or a folder holding the marker file.

    A plain path that does not exist yet is not a lake (it becomes a DuckDB study) unless the
    caller asked for `--engine spark`."""
    if "://" in str(path):
        return True
    return os.path.isdir(path) and os.path.exists(os.path.join(path, LAKE_MARKER))


def table_path(lake: str, table: str) -> str:
    """Where a table's Parquet folder lies inside a lake."""
    return str(lake).rstrip("/") + "/" + table


GROUP_ROWS = 50_000  # rows `group_map_*` hands `fn` at a time (whole groups), as DuckDB's default batch
VIEWS_DIR = "_views"  # one Spark SQL file per view (DuckDB keeps views in the file; a lake keeps their text)
SCRATCH_DIR = "_scratch"  # temp tables and folders being written before they replace a table
SWAP_DIR = lake_swap.SWAP_DIR  # a table's old and new versions while one replaces the other
_NOT_TABLES = {VIEWS_DIR, SCRATCH_DIR, SWAP_DIR}


def _root(path: str | Path) -> str:
    text = str(path)
    return text.rstrip("/") if "://" in text else os.path.abspath(text)


# Spark temp views are session-wide: a lake's tables are views under their bare names, so two
# lakes open on one session would read each other's tables. The session's conf says which lake's
# views are registered now (`_OWNER_KEY`); `_NAMES` holds the names each lake registered, so the
# next lake drops them before registering its own, and a lake takes the session back (dropping
# the other's) when it is not the owner. A table becomes a view the first time a statement names
# it (`LakeStudy._ensure_views`), not when the lake opens: registering is a Parquet listing and
# footer read per table, 4-18 s for the 31 tables of an analysed lake, most of the time of a
# `botwatch status` that reads five of them (docs/performance.md).
_OWNER_KEY = "botwatch.lake.views"
_NAMES: dict[str, set[str]] = {}


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class LakeStudy(StudyBase):
    """A study stored as a lake of Parquet folders, analysed by Spark (see the module docstring).

    Each table is registered as a Spark temp view of its name, the first time a statement, an
    Ibis table or a DataFrame names it, so statements join across tables; a write replaces the
    folder (written beside it first: Spark cannot overwrite a folder it is reading) and drops the
    view, registered again when next named."""

    engine = "spark"

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True, spark: Any = None, master: str | None = None) -> None:
        self.path = path if "://" in str(path) else Path(path)
        self.root = _root(path)
        if "://" not in str(path) and (read_only or not create) and not os.path.exists(os.path.join(self.root, LAKE_MARKER)):
            # Said before Spark starts: a mistyped path costs no JVM start-up.
            raise StudyError(f"no lake study at {name_shown(path)}: run `botwatch ingest --engine spark {shell_shown(path)} FILES...` first")
        self.read_only = read_only
        # The ingest's helper: under spark-submit or beside a running session it starts nothing;
        # `_own_session` is whether we started one (then `close` stops it).
        self.spark, self._own_session = (spark, False) if spark is not None else spark_session(master)
        self.files = LakeFiles(self.spark, self.root)
        self._local = "://" not in str(path)
        self._ibis: Any = None
        self._temp: set[str] = set()
        self._started_runs: set[str] = set()  # runs whose `RUNNING` row this lake wrote (`_record_start`)
        self._temp_dirs: dict[str, str] = {}  # a temp table -> the scratch folder its Parquet files are in
        self._views: set[str] = set()  # the lake's views (one Spark SQL file each in VIEWS_DIR)
        self._deps: dict[str, set[str]] = {}  # a registered view -> the lake tables and views its text reads
        self._token = uuid.uuid4().hex  # names this lake's views in the session (`_OWNER_KEY`)
        # Every result this lake brought to the driver, as (rows, columns): what a test reads to
        # prove a stage collected nothing as long as the data (see `_collect`).
        self.collected: list[tuple[int, tuple[str, ...]]] = []
        # Set by a command that shows progress (`spark_progress`): each Spark step is named there.
        self.progress: Any = None
        # This command's scratch folder; its owner record is written when it is first used
        # (`_scratch`), so a reader on a read-only store writes nothing.
        self._scratch_dir = f"{self.root}/{SCRATCH_DIR}/{uuid.uuid4().hex[:12]}"
        self._scratch_claimed = False
        marker = f"{self.root}/{LAKE_MARKER}"
        self._locked = False
        try:
            if not self.files.exists(marker):
                if read_only or not create:
                    raise StudyError(f"no lake study at {name_shown(path)}: run `botwatch ingest --engine spark {shell_shown(path)} FILES...` first")
            if not read_only:  # one writer at a time (`lake_lock`); readers take no lock
                lake_lock.acquire(self.files, self.root)
                self._locked = True
            if not read_only and self.files.exists(marker):
                self._refuse_newer_layout(json.loads(self.files.read_text(marker)))
            if not read_only:  # holding the lock, so no table is being replaced: finish what a cut-off command left
                lake_swap.recover(self.files, self.root)
            if not self.files.exists(marker):
                self._create()
            self._clean_scratch()
            self._meta = json.loads(self.files.read_text(marker))
            if self._meta.get("format") != LAKE_FORMAT:
                raise StudyError(f"{name_shown(path)} is not a botwatch lake ({LAKE_MARKER} says {self._meta.get('format')!r})")
            self._views = {f[:-4] for f in self.files.files(f"{self.root}/{VIEWS_DIR}") if f.endswith(".sql")}
            if not read_only:
                self._add_posts_columns(marker)
        except BaseException:
            self._unlock()
            self._stop()
            raise

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def _scratch(self) -> str:
        """This command's scratch folder, its owner recorded before the first use, so the next
        command can tell it from a folder a crashed command left (`lake_scratch`)."""
        if not self._scratch_claimed:
            lake_scratch.claim(self.files, self._scratch_dir)
            self._scratch_claimed = True
        return self._scratch_dir

    def _clean_scratch(self) -> None:
        """Remove the scratch folders of commands that have ended without removing theirs. A
        reader that may not write the lake's folder leaves them to the next writer."""
        try:
            lake_scratch.clean(self.files, f"{self.root}/{SCRATCH_DIR}", keep=self._scratch_dir)
        except Exception:  # noqa: BLE001 - a read-only store: nothing is lost by leaving them
            if not self.read_only:
                raise

    def _refuse_newer_layout(self, meta: dict[str, Any]) -> None:
        """Refuse to write a lake whose marker names a layout newer than this botwatch writes, in
        the words a DuckDB study gets (`Study._refuse_newer_layout`). Why: a lake made by a newer
        release was opened for writing without a word, and `ingest` and `analyze` rewrote its
        tables in this release's older layout while its marker still claimed the newer one.
        Checked before anything is written (a cut-off swap's recovery included)."""
        from botwatch.exports_typed import SCHEMA_VERSION

        stored = meta.get("schema_version")
        if isinstance(stored, int) and stored > SCHEMA_VERSION:
            raise NewerLayout(self.path, stored)

    def _create(self) -> None:
        from botwatch.exports_typed import SCHEMA_VERSION

        for name, schema in CANONICAL.items():
            if not self.files.exists(table_path(self.root, name)):
                self.write_table(name, schema.empty_table())
        self.files.write_text(
            f"{self.root}/{LAKE_MARKER}",
            json.dumps({"format": LAKE_FORMAT, "schema_version": SCHEMA_VERSION, "created_by": __version__}),
        )

    def _add_posts_columns(self, marker: str) -> None:
        """A lake made before a posts column was added (`schema.POSTS_ADDED`): posts rewritten with
        it, NULL for the posts it holds, as a DuckDB study gets it (`Study.ensure_schema`). Its
        parts would otherwise differ from the new ones appended, and Spark reads a folder by one
        part's schema."""
        if "posts" not in self._table_dirs():
            return
        # From the first part's footer on a local lake: `columns` registers posts as a view, so
        # every writable open of a lake registered one that no statement had named.
        stored = self._footer_schema(self._folders()["posts"]) if self._local and "posts" in self._folders() else None
        have = stored.names if stored is not None else self.columns("posts")
        added = [c for c in POSTS_ADDED if c not in have]
        if not added:
            return
        from pyspark.sql.pandas.types import from_arrow_type

        from botwatch.exports_typed import SCHEMA_VERSION

        df = self.df("posts")
        df = df.select(*df.columns, *[_null().cast(from_arrow_type(POSTS.field(c).type)).alias(c) for c in added])
        self.write_df("posts", df)
        self._meta["schema_version"] = SCHEMA_VERSION
        self.files.write_text(marker, json.dumps(self._meta))

    @property
    def schema_version(self) -> int | None:
        v = self._meta.get("schema_version")
        return int(v) if v is not None else None

    def close(self) -> None:
        self._ibis = None
        try:
            for name in list(self._temp):
                self.spark.catalog.dropTempView(name)
            mine = _NAMES.pop(self._token, set())
            if self._owns_views():  # else the lake registered since has dropped them already
                for name in mine:
                    self.spark.catalog.dropTempView(name)
                self.spark.conf.unset(_OWNER_KEY)
            self.files.delete(self._scratch_dir)
            # `_scratch/` itself goes too once no other command (a reader's temp tables, another
            # session) has its folder in it: an empty folder was left in every lake after each command.
            self.files.remove_if_empty(f"{self.root}/{SCRATCH_DIR}")
        finally:
            self._unlock()
            self._stop()

    def _record_start(self, row: list[Any]) -> None:
        """The run's row, status `RUNNING`, appended before the stage writes anything, as on DuckDB:
        a command killed mid-stage (SIGKILL, out of memory) runs no `finally`, and a lake, which
        recorded a run only when it ended, kept no trace of it: `status` and the report showed the
        earlier complete run as the latest while the tables held part of the killed one's work.
        `_record_run` replaces it with the row as the run ended. A reader that finds it while the
        lake's writer still runs (readers take no lock) is told so (`running_now`)."""
        from botwatch.schema import RUNS

        self.append_arrow("runs", pa.Table.from_pylist([dict(zip(RUNS.names, row))], schema=RUNS))
        self._started_runs.add(row[0])

    def _record_run(self, row: list[Any]) -> None:
        """A stage's `runs` row as it ended, appended as Arrow: a local lake takes it as one
        Parquet file written here, where the INSERT ran a Spark write job per stage (3-4 s each on
        a busy 2-core machine; after Ctrl-C it took 24 s, the JVM's first write). Where
        `_record_start` wrote the run's `RUNNING` row, the (small) table is written again without
        it (a swap: a cut leaves either version whole), so each run has one row, as on DuckDB."""
        import pyarrow.compute as pc

        from botwatch.schema import RUNS

        final = pa.Table.from_pylist([dict(zip(RUNS.names, row))], schema=RUNS)
        if row[0] not in self._started_runs:
            self.append_arrow("runs", final)
            return
        self._started_runs.discard(row[0])
        held = self.driver_arrow("runs", RUNS.names)
        others = held.filter(pc.fill_null(pc.not_equal(held["run_id"], row[0]), True)).cast(RUNS)
        self.write_table("runs", pa.concat_tables([others, final]))

    def running_now(self, started: Any) -> bool:
        """Whether a `RUNNING` row that began at `started` is the run of the command writing the
        lake now, not a killed one's: readers take no lock, so they can see a live run's row
        (DuckDB lets no one read while it writes). True when the lake's lock is held by a holder
        not known to have ended, which took it no later than the run began."""
        from datetime import datetime

        info = lake_lock._read(self.files, f"{self.root}/{lake_lock.LOCK_FILE}")
        if info is None or lake_lock.gone_because(info) is not None or not isinstance(started, datetime):
            return False
        try:
            since = datetime.strptime(str(info.get("since")), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return False
        return started.replace(tzinfo=None) >= since

    def _cancel_work(self) -> None:
        """Cancel the session's running jobs after Ctrl-C cut a stage off: the Python side stopped
        waiting, but the JVM ran the job on, so the stage's `runs` row (a Spark job of its own)
        waited behind it, and a job appending to a table could still add its rows. PySpark's own
        Ctrl-C handler (a notebook's) cancels all jobs the same way."""
        with contextlib.suppress(Exception):  # the JVM may be gone with the interrupt
            self.spark.sparkContext.cancelAllJobs()

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            lake_lock.release(self.files, self.root)

    def _stop(self) -> None:
        if self._own_session:
            self.spark.stop()

    def _writable(self, what: str) -> None:
        """Refuse a write to a lake opened read-only (as DuckDB refuses one to a read-only file):
        `open_study` opens read-only by default, so a notebook cannot rewrite a table by mistake."""
        if self.read_only:
            raise StudyError(
                f"{name_shown(self.path)} was opened read-only: cannot {what}; open it with read_only=False "
                "(botwatch.open_study(path, read_only=False)) to write"
            )

    def _step(self, text: str) -> Any:
        """Frame one step of Spark work for the command's progress line (a no-op without one)."""
        return self.progress.step(text) if self.progress is not None else contextlib.nullcontext()

    # -- tables ---------------------------------------------------------------------------------
    def _owns_views(self) -> bool:
        return self.spark.conf.get(_OWNER_KEY, None) == self._token

    def _ensure_views(self, names: Iterable[str] = ()) -> None:
        """Make the lake tables and views among `names` Spark views of this lake before a statement
        that reads them runs: the session is taken back first when another lake registered its own
        since, and each table is registered the first time it is named (names that are not the
        lake's, such as temp tables and CTEs, are left alone). A view's own inputs are ensured with
        it, every time: Spark resolves a view's text when it is read."""
        if not self._owns_views():
            self._take_session()
        mine = _NAMES[self._token]
        todo = list(names)
        dirs: set[str] | None = None
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self._temp:  # the session's own; a temp view still needs the tables it reads
                todo.extend(self._deps.get(name, ()))
                continue
            if name in self._views:
                if name not in mine:
                    self._register_view(name)
                todo.extend(self._deps.get(name, ()))
                continue
            if name in mine:
                continue
            if dirs is None:  # every table folder: hidden ones too (`_tl_offsets`, which a stage names itself)
                dirs = self._folders()
            if name in dirs:
                self._read_folder(dirs[name]).createOrReplaceTempView(name)
                mine.add(name)

    def _read_folder(self, folder: str) -> Any:
        """A folder of Parquet files as a DataFrame. Spark infers a folder's schema from one file's
        footer in a Spark job of its own (0.1 CPU-s and a scheduling round each, on every table a
        command names and again after each write: 6 of the 34 jobs of a one-file ingest); a local
        lake's footer is read here instead and given to Spark as the schema, the same one Spark
        would infer (`lake_arrow.spark_struct_of_part`). A partitioned folder, a lake behind a
        URL, or a footer that cannot say is left to Spark's inference, as before."""
        schema = self._footer_schema(folder) if self._local else None
        reader = self.spark.read if schema is None else self.spark.read.schema(schema)
        return reader.parquet(folder)

    @staticmethod
    def _footer_schema(folder: str) -> Any:
        """The Spark schema of a local folder of plain Parquet parts from its first part's footer;
        None for anything else (no part, a sub-folder such as a partition, an unknown type)."""
        from botwatch.engines.lake_arrow import plain_parquet_parts, spark_struct_of_part

        parts = plain_parquet_parts(folder)
        return None if parts is None else spark_struct_of_part(parts[0])

    def _take_session(self) -> None:
        """Become the lake whose views the session holds: drop the previous owner's views."""
        previous = self.spark.conf.get(_OWNER_KEY, None)
        if previous and previous != self._token:
            for name in _NAMES.get(previous, set()):
                self.spark.catalog.dropTempView(name)
        self.spark.conf.set(_OWNER_KEY, self._token)
        _NAMES[self._token] = set()

    def _register_view(self, name: str) -> None:
        """One of the lake's views, from its stored Spark SQL, after the tables it reads."""
        text = self.files.read_text(f"{self.root}/{VIEWS_DIR}/{name}.sql")
        deps = lake_sql.table_names(lake_sql.sqlglot.parse_one(text, read=lake_sql.WRITE)) - {name}
        self._deps[name] = deps
        self._ensure_views(deps)
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {_quote(name)} AS {text}")
        _NAMES[self._token].add(name)

    def _refresh(self, name: str) -> None:
        """After `name`'s folder was replaced or grown: its view (which lists the old files) is
        dropped, to be registered again when next named."""
        mine = _NAMES.get(self._token)
        if mine is not None and name in mine and self._owns_views():
            self.spark.catalog.dropTempView(name)
            mine.discard(name)

    def _folders(self) -> dict[str, str]:
        """Every table of the lake (hidden ones too) and the folder it is read from: its own, or,
        while a writer is between moving its old version aside and its new one in, the new one
        (`lake_swap.locate`: a reader never finds the table missing)."""
        names = self.files.dirs(self.root)
        found = {d: table_path(self.root, d) for d in names if d not in _NOT_TABLES}
        if SWAP_DIR in names:
            for name, where in lake_swap.half_swapped(self.files, self.root).items():
                found.setdefault(name, where)
        return found

    def _table_dirs(self) -> list[str]:
        return sorted(d for d in self._folders() if not d.startswith(("_", ".")))

    @property
    def ibis(self) -> Any:
        """An Ibis backend (PySpark) over the session where this lake's tables are views."""
        if self._ibis is None:
            from botwatch.engines.spark import spark_backend

            self._ibis = _RegisteringBackend(self, spark_backend(self.spark))
        return self._ibis

    def tables(self) -> list[str]:
        return sorted(set(self._table_dirs()) | self._views)

    def columns(self, table: str) -> list[str]:
        if table not in self.tables() and table not in self._temp:
            return []
        self._ensure_views([table])
        return list(self.spark.table(_quote(table)).columns)

    def _check_table(self, name: str) -> str:
        known = self.tables()
        if name not in known and name not in self._temp:
            raise StudyError(no_table([name], known, self.path))
        return name

    def table(self, name: str) -> Any:
        return self.ibis.table(self._check_table(name))

    def df(self, name: str) -> Any:
        """The table as a Spark DataFrame (lazy)."""
        self._ensure_views([name])
        return self.spark.table(_quote(self._check_table(name)))

    def _collect(self, df: Any) -> pa.Table:
        """A Spark DataFrame's whole result at the driver, as Arrow with naive UTC timestamps.
        The one way results reach the driver here, so each is counted in `collected`."""
        table = naive_utc(df.toArrow())
        self.collected.append((table.num_rows, tuple(table.column_names)))
        return table

    def arrow(self, name: str) -> pa.Table:
        """The whole table at the driver, as Arrow (naive UTC timestamps, like a DuckDB study)."""
        with self._step(f"reading {name}"):
            return self._collect(self.df(name))

    def driver_arrow(self, name: str, columns: list[str], equal: dict[str, Any] | None = None, among: dict[str, Any] | None = None) -> pa.Table:
        """`columns` of table `name` at the driver (rows whose columns equal `equal`'s values
        only, and whose columns in `among` hold one of its values), as Arrow with naive UTC timestamps. For the small reads an ingest makes before it
        reads a file (`sources`, `runs`, `rejected`'s broken-off notes): on a local lake the
        Parquet parts are read by Arrow here, with no Spark job (four of a one-file ingest's 27
        jobs were these reads); a lake behind a URL, a partitioned or unreadable folder, is read
        by Spark as before. The same rows either way (`tests/test_lake_driver_reads.py`)."""
        from botwatch.engines.lake_arrow import read_local_parts

        folder = self._folders().get(name) if self._local else None
        table = read_local_parts(folder, columns, equal or {}, among) if folder is not None else None
        if table is not None:
            return table
        df = self.df(name)
        for col, value in (equal or {}).items():
            df = df.where(df[col] == value)
        for col, values in (among or {}).items():
            df = df.where(df[col].isin(sorted(values)))
        return self._collect(df.select(*columns))

    def count(self, name: str) -> int:
        with self._step(f"counting {name}"):
            stored = self._stored_rows(name)
            return stored if stored is not None else int(self.df(name).count())

    def _stored_rows(self, name: str) -> int | None:
        """The rows of a table kept as Parquet files on a local disk, summed from the files'
        footers; None where Spark must count (a view, a lake behind a URL). A count was a Spark
        job (0.2-0.8 s on a busy two-core machine), run after every output of `map_arrow` and
        `group_map_to`; the footers are what Spark's own count of a Parquet folder reads."""
        if not self._local:
            return None
        if name in self._temp:
            folder = self._temp_dirs.get(name)
        elif name in self._views:
            return None
        else:
            folder = self._folders().get(name)
        if folder is None or not os.path.isdir(folder):
            return None
        import pyarrow.parquet as pq

        total = 0
        try:
            for entry in os.scandir(folder):
                if entry.name.startswith(("_", ".")):  # what Spark skips too (_SUCCESS, .crc, a part being written)
                    continue
                if not entry.is_file():  # not the flat folder a lake writes: let Spark read it
                    return None
                total += pq.read_metadata(entry.path).num_rows
        except (OSError, pa.ArrowException):
            return None
        return total

    # -- writing --------------------------------------------------------------------------------
    def write_df(self, name: str, df: Any, mode: str = "overwrite") -> int | None:
        """Store a Spark DataFrame as table `name` (mode overwrite or append). An overwrite is
        written beside the table and then swapped in (`lake_swap`: a cut at any step leaves the
        table whole), so a DataFrame that reads `name` itself can replace it."""
        self._writable(f"write table {name!r}")
        target = table_path(self.root, name)
        with self._step(f"writing {name}"):
            if mode == "append" and self.files.exists(target):
                df.write.mode("append").parquet(target)
            else:
                new = lake_swap.staging(self.files, self.root, name)
                df.write.mode("overwrite").parquet(new)
                lake_swap.replace(self.files, self.root, name, new)
        self._drop_view_file(name)
        self._refresh(name)
        return None

    def _to_df(self, table: pa.Table) -> Any:
        table = storable(table)
        from pyspark.sql.pandas.types import from_arrow_schema

        schema = from_arrow_schema(table.schema)
        return self.spark.createDataFrame(table, schema=schema) if table.num_rows else self.spark.createDataFrame([], schema)

    def write_table(self, name: str, table: pa.Table) -> int:
        """Replace table `name` with an Arrow table computed at the driver."""
        self._writable(f"write table {name!r}")
        if self._local:
            # Already at the driver and the lake is a local folder: one Parquet file written by
            # Arrow is the same table to Spark, without a Spark job per small result.
            new = lake_swap.staging(self.files, self.root, name)
            self._write_part(new, table)
            lake_swap.replace(self.files, self.root, name, new)
            self._drop_view_file(name)
            self._refresh(name)
        else:
            self.write_df(name, self._to_df(table))
        return table.num_rows

    def _write_part(self, folder: str, table: pa.Table) -> None:
        """One Parquet file in a local folder, written under a hidden name (which Spark and Arrow
        skip) and renamed when complete: an append to a table (each stage's `runs` row) cut off
        half-way left a truncated part that made the whole table unreadable."""
        import pyarrow.parquet as pq

        os.makedirs(folder, exist_ok=True)
        name = f"part-{uuid.uuid4().hex}.parquet"
        hidden = os.path.join(folder, f".{name}.writing")
        try:
            pq.write_table(utc_zoned(storable(table)), hidden)
            os.replace(hidden, os.path.join(folder, name))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(hidden)

    def append_arrow(self, name: str, table: pa.Table) -> int:
        """Add rows to table `name` (created when absent), cast to its stored schema."""
        self._writable(f"append to table {name!r}")
        if name in self._table_dirs():
            cols = self.df(name).schema
            if self._local and sorted(f.name for f in cols.fields) == sorted(table.column_names):
                # A part of another type (int32 beside int64) is a folder Spark cannot read as one
                # table: cast to the stored schema first, as the Spark path below does.
                from pyspark.sql.pandas.types import to_arrow_schema

                stored = naive_utc(to_arrow_schema(cols).empty_table()).schema
                self._write_part(table_path(self.root, name), storable(table).select(stored.names).cast(stored))
                self._refresh(name)
                return table.num_rows
            df = self._to_df(table)
            df = df.select(*[(df[f.name] if f.name in df.columns else _null()).cast(f.dataType).alias(f.name) for f in cols.fields])
            self.write_df(name, df, "append")
        else:
            self.write_table(name, table)
        return table.num_rows

    @contextmanager
    def temp_view(self, name: str, table: pa.Table) -> Iterator[str]:
        """`table` visible to SQL and Ibis as `name` while the block runs."""
        self._to_df(table).createOrReplaceTempView(name)
        try:
            yield name
        finally:
            self.spark.catalog.dropTempView(name)

    def _drop_view_file(self, name: str) -> None:
        if name in self._views:
            self.files.delete(f"{self.root}/{VIEWS_DIR}/{name}.sql")
            self._views.discard(name)
            self._deps.pop(name, None)

    # -- SQL --------------------------------------------------------------------------------------
    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one DuckDB-dialect statement on Spark (see `botwatch.engines.lake_sql`)."""
        stmt = lake_sql.classify(lake_sql.parse(query, params))
        if self.read_only and not self._reads_only(stmt):
            self._writable(f"run `{' '.join(query.split())[:120]}`")
        handler = getattr(self, f"_sql_{stmt.kind}")
        try:
            with self._step(_step_text(stmt)):
                self._ensure_views(lake_sql.table_names(stmt.tree))
                return handler(stmt)
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                # Spark's message is a page of plan; its first line says what went wrong.
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise StudyError(f"Spark could not run `{' '.join(query.split())[:160]}`: {first[:400]}") from None
            raise

    _READS = frozenset({"select", "set", "info_schema", "describe", "copy"})

    def _reads_only(self, stmt: lake_sql.Statement) -> bool:
        """Whether a statement leaves the lake's tables as they are: a read, or a write of a
        temp table or view (session-only, as DuckDB allows on a read-only file)."""
        if stmt.kind in self._READS:
            return True
        if stmt.kind in ("create_as", "create_empty", "create_view"):
            return stmt.temp or stmt.name in self._temp
        return stmt.kind in ("insert", "delete", "drop") and stmt.name in self._temp

    def query_df(self, query: str, params: list[Any] | None = None) -> Any:
        """A DuckDB-dialect SELECT as a lazy Spark DataFrame."""
        stmt = lake_sql.classify(lake_sql.parse(query, params))
        if stmt.kind != "select":
            raise StudyError(f"not a query: {query[:80]}")
        self._ensure_views(lake_sql.table_names(stmt.tree))
        return self.spark.sql(lake_sql.spark_sql(stmt.tree))

    def _compiled(self, expr: Any) -> str:
        """`expr` as Spark SQL, compiled by Ibis once per shape in this process (`sql_cache`)."""
        return sql_cache.to_sql(expr, "pyspark", pretty=False, compile=self.ibis.compile)

    def write_expr(self, name: str, expr: Any, *, temp: bool = False) -> None:
        """Store an Ibis expression's result as table `name` (compiled to Spark SQL by Ibis)."""
        if not (temp or name in self._temp):
            self._writable(f"write table {name!r}")
        with self._step(f"writing {name}"):
            self._ensure_views(_expr_tables(expr))
            self._store(name, self.spark.sql(self._compiled(expr)), temp)

    def expr_arrow(self, expr: Any) -> pa.Table:
        """An Ibis expression's whole result at the driver, as Arrow."""
        tables = _expr_tables(expr)
        with self._step(f"query over {', '.join(sorted(tables)) or 'values'}"):
            self._ensure_views(tables)
            return self._collect(self.spark.sql(self._compiled(expr)))

    def query_arrow(self, query: str, params: list[Any] | None = None) -> pa.Table:
        """A DuckDB-dialect query's whole result, collected to the driver as Arrow."""
        with self._step(_query_text(query, params)):
            return self._collect(self.query_df(query, params))

    def query_pandas(self, query: str, params: list[Any] | None = None) -> Any:
        """As `query_arrow`, in pandas with the nullable types DuckDB's `.df()` gives (nullable
        booleans; integers nullable where they hold a NULL), so Python after it sees the same."""
        return duck_like_pandas(self.query_arrow(query, params))

    def _rows(self, df: Any) -> list[tuple[Any, ...]]:
        t = self._collect(df)
        cols = [c.to_pylist() for c in t.columns]
        return list(zip(*cols)) if cols else []

    def _sql_select(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        name = lake_sql.counted_table(stmt.tree)
        if name is not None and (stored := self._stored_rows(name)) is not None:
            # `SELECT count(*) FROM t` of a table kept as local Parquet files: its footers' row
            # counts, as `count` reads them, not a Spark job (two under adaptive execution; the
            # coordination stage asked this of two tables it had just written).
            return [(stored,)]
        distinct = lake_sql.distinct_column(stmt.tree)
        if distinct is not None and (values := self._one_stored_value(*distinct)) is not None:
            # `SELECT DISTINCT election FROM post_labels LIMIT 3`, which five stages ask before
            # they run (`timeline.labelled`): two Spark jobs each, where the parts' footers say it.
            return [(v,) for v in values]
        return self._rows(self.spark.sql(lake_sql.spark_sql(stmt.tree)))

    def _footer_stats(self, name: str, column: str) -> list[tuple[int, Any]] | None:
        """(rows, statistics or None) of `column` in each non-empty row group of a table kept as
        local Parquet files, read from the footers (no Spark job). None where the footers cannot be
        read for every part (a view, a lake behind a URL, parts that are not plain Parquet files, an
        unreadable footer): the callers (`_one_stored_value`, `stored_time_ranges`) then ask Spark."""
        if not self._local or name in self._views:
            return None
        # A temp table written by a statement is a scratch folder of Spark's Parquet parts (a
        # temp view has none, so it is left to Spark).
        folder = self._temp_dirs.get(name) if name in self._temp else self._folders().get(name)
        parts = plain_parquet_parts(folder) if folder is not None else None
        if parts is None:
            return None
        import pyarrow.parquet as pq

        groups: list[tuple[int, Any]] = []
        try:
            for part in parts:
                meta = pq.read_metadata(part)
                for g in range(meta.num_row_groups):
                    group = meta.row_group(g)
                    if group.num_rows == 0:
                        continue
                    col = next((group.column(i) for i in range(group.num_columns) if group.column(i).path_in_schema == column), None)
                    groups.append((group.num_rows, col.statistics if col is not None else None))
        except (OSError, ValueError, pa.ArrowException):
            return None
        return groups

    def _one_stored_value(self, name: str, column: str) -> list[str] | None:
        """The distinct values of text column `column` of a table kept as local Parquet files, from
        the footers' statistics, when they settle it: [] for no rows, [v] when every row group's
        minimum and maximum are v and it holds no NULL. None in every other case (several values,
        a NULL, no statistics, a view, a lake behind a URL): Spark answers."""
        groups = self._footer_stats(name, column)
        if groups is None:
            return None
        seen: set[str] = set()
        try:
            for _rows, stats in groups:
                if (stats is None or not stats.has_min_max or not stats.has_null_count or stats.null_count
                        or not isinstance(stats.min, str) or stats.min != stats.max):
                    return None
                seen.add(stats.min)
        except (ValueError, pa.ArrowException):
            return None
        return sorted(seen) if len(seen) <= 1 else None

    def stored_count_min(self, name: str, column: str) -> tuple[int, int | None] | None:
        """(rows, minimum of integer `column`, None when it holds no value) of a table or temp
        table kept as local Parquet files, from the footers' row counts and statistics: what
        `SELECT count(*), min(column)` gives, without its two Spark jobs (the coordination stage
        asks it of the kept pairs it has just written). None where the footers cannot say it
        for every row group (no statistics, a non-integer column, a view, a lake behind a URL):
        the caller asks Spark."""
        groups = self._footer_stats(name, column)
        if groups is None:
            return None
        rows, low = 0, None
        try:
            for n, stats in groups:
                rows += n
                if stats is None or not stats.has_null_count:
                    return None
                if stats.num_values == 0 and stats.null_count == n:
                    continue  # only NULLs: nothing min() sees
                if not stats.has_min_max or type(stats.min) is not int:
                    return None
                low = stats.min if low is None else min(low, stats.min)
        except (ValueError, pa.ArrowException):
            return None
        return rows, low

    def stored_time_ranges(self, name: str, column: str) -> list[tuple[datetime, datetime]] | None:
        """The (minimum, maximum) of timestamp `column` in each row group of a table kept as local
        Parquet files, as naive UTC, from the footers' statistics (no Spark job); row groups with
        no non-NULL value are left out. None where the footers cannot say it for every row group
        (a Spark-written INT96 part keeps no statistics, a view, a lake behind a URL): the caller
        asks Spark."""
        groups = self._footer_stats(name, column)
        if groups is None:
            return None
        ranges: list[tuple[datetime, datetime]] = []
        try:
            for rows, stats in groups:
                if stats is None or not stats.has_null_count:
                    return None
                if stats.num_values == 0 and stats.null_count == rows:
                    continue  # only NULLs: nothing a min() or a comparison sees
                if not stats.has_min_max or not isinstance(stats.min, datetime) or not isinstance(stats.max, datetime):
                    return None
                lo, hi = (v.astimezone(timezone.utc).replace(tzinfo=None) if v.tzinfo else v for v in (stats.min, stats.max))
                ranges.append((lo, hi))
        except (ValueError, OverflowError, pa.ArrowException):
            return None
        return ranges

    def _sql_set(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        return []  # DuckDB settings (memory limit, progress bar) mean nothing to Spark

    def _exists(self, name: str) -> bool:
        return name in self._temp or name in self.tables() or self._hidden_table(name)

    def _hidden_table(self, name: str) -> bool:
        """Whether `name` is a table a stage keeps to itself (`_tl_offsets`): a folder whose name
        starts with "_", which `tables()` leaves out as a DuckDB listing would never show it, but
        which DROP TABLE must still remove (it stayed in the lake after every timeline run)."""
        return name.startswith("_") and name not in _NOT_TABLES and name in self._folders()

    def _sql_create_as(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name and stmt.source is not None
        if stmt.if_not_exists and self._exists(stmt.name):
            return []
        df = self.spark.sql(lake_sql.spark_sql(stmt.source))
        self._store(stmt.name, df, stmt.temp)
        return []

    def _store(self, name: str, df: Any, temp: bool) -> None:
        if temp or name in self._temp:
            path = f"{self._scratch}/temp/{name}-{uuid.uuid4().hex[:8]}"
            df.write.mode("overwrite").parquet(path)
            self._read_folder(path).createOrReplaceTempView(name)
            self._temp.add(name)
            self._temp_dirs[name] = path
        else:
            self.write_df(name, df)

    def _sql_create_empty(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name
        if stmt.if_not_exists and self._exists(stmt.name):
            return []
        df = self.spark.createDataFrame([], lake_sql.column_defs(stmt))
        empty = self._empty_arrow(df.schema) if self._local and not (stmt.temp or stmt.name in self._temp) else None
        if empty is not None:
            # A local lake's new empty table is one Parquet file Arrow writes, where Spark's
            # write of an empty DataFrame was a job of its own (timeline_groups, impact and
            # impact_irf each analyze); Spark reads the same schema from its footer.
            self.write_table(stmt.name, empty)
            return []
        self._store(stmt.name, df, stmt.temp)
        return []

    @staticmethod
    def _empty_arrow(struct: Any) -> pa.Table | None:
        """An empty Arrow table Spark reads back as `struct` (a Spark schema), or None where the
        Arrow form would not say the same to Spark (a TIMESTAMP_NTZ, a type Arrow cannot hold)."""
        from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

        try:
            schema = utc_zoned(to_arrow_schema(struct).empty_table()).schema
            return schema.empty_table() if from_arrow_schema(schema) == struct else None
        except Exception:  # noqa: BLE001 - a type the Arrow path does not know: Spark writes it
            return None

    def _sql_create_view(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name and stmt.source is not None
        if stmt.if_not_exists and self._exists(stmt.name):
            return []
        text = lake_sql.spark_sql(stmt.source)
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {_quote(stmt.name)} AS {text}")
        self._deps[stmt.name] = lake_sql.table_names(stmt.source) - {stmt.name}
        if stmt.temp:
            self._temp.add(stmt.name)
            self._temp_dirs.pop(stmt.name, None)  # a view now, not those files
            return []
        if stmt.name in self._table_dirs():
            self._discard(table_path(self.root, stmt.name))
        self.files.write_text(f"{self.root}/{VIEWS_DIR}/{stmt.name}.sql", text)
        self._views.add(stmt.name)
        _NAMES.setdefault(self._token, set()).add(stmt.name)
        return []

    def _sql_insert(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name and stmt.source is not None
        target = self.df(stmt.name).schema
        src = self.spark.sql(lake_sql.spark_sql(stmt.source))
        given = stmt.columns or [f.name for f in target.fields][: len(src.columns)]
        if len(given) != len(src.columns):
            raise StudyError(f"INSERT INTO {stmt.name}: {len(src.columns)} values for {len(given)} columns")
        by_name = dict(zip(given, src.columns))
        from pyspark.sql import functions as F

        df = src.select(*[(F.col(_quote(by_name[f.name])) if f.name in by_name else _null()).cast(f.dataType).alias(f.name) for f in target.fields])
        if stmt.name in self._temp:
            self._store(stmt.name, self.spark.table(_quote(stmt.name)).unionByName(df), True)
        else:
            self.write_df(stmt.name, df, "append")
        return []

    def _sql_delete(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name
        self._check_table(stmt.name)
        keep = self.spark.sql(lake_sql.delete_keep_query(stmt))
        self._store(stmt.name, keep, stmt.name in self._temp)
        return []

    def _sql_drop(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        assert stmt.name
        if not self._exists(stmt.name):
            if stmt.if_exists:
                return []
            raise StudyError(f"no table {stmt.name!r} in {name_shown(self.path)}")
        self.spark.catalog.dropTempView(stmt.name)
        _NAMES.get(self._token, set()).discard(stmt.name)
        if stmt.name in self._temp:
            self._temp.discard(stmt.name)
            self._temp_dirs.pop(stmt.name, None)
        elif stmt.name in self._views:
            self._drop_view_file(stmt.name)
        else:
            self._discard(table_path(self.root, stmt.name))
        return []

    def _discard(self, folder: str) -> None:
        """Remove a table's folder: where a rename is one step (a local disk, HDFS), first moved
        into this command's scratch, then deleted, so a cut-off delete leaves the table whole or
        gone, never a part of its files (what is left in scratch goes with it, `lake_scratch`).
        On an object store a rename is a copy of the table and no safer: deleted in place."""
        if not lake_swap.renames_in_one_step(self.root):
            self.files.delete(folder)
            return
        aside = f"{self._scratch}/dropped-{uuid.uuid4().hex[:8]}"
        self.files.rename(folder, aside)
        self.files.delete(aside)

    # Statements answered by DuckDB over Arrow the lake hands it: information_schema (the lake's
    # own listing) and COPY/DESCRIBE (exports write a file at the driver, so the rows come there).
    def _sql_info_schema(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect()
        try:
            db = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            names = self.tables()
            tables = pa.table({
                "table_catalog": [db] * len(names), "table_schema": ["main"] * len(names), "table_name": names,
                "table_type": ["VIEW" if n in self._views else "BASE TABLE" for n in names],
            })
            rows: dict[str, list[Any]] = {"table_catalog": [], "table_schema": [], "table_name": [], "column_name": [], "ordinal_position": [], "data_type": []}
            if any(t.name.lower() == "columns" for t in stmt.tree.find_all(lake_sql.exp.Table)):
                for n in names:
                    for i, f in enumerate(self.df(n).schema.fields, 1):
                        for k, v in zip(rows, (db, "main", n, f.name, i, f.dataType.simpleString().upper())):
                            rows[k].append(v)
            con.register("_lake_tables", tables)
            con.register("_lake_columns", pa.table(rows, schema=pa.schema([(k, pa.int64() if k == "ordinal_position" else pa.string()) for k in rows])))
            tree = lake_sql.rename_info_schema(stmt.tree, "_lake_tables", "_lake_columns")
            return con.execute(tree.sql(dialect="duckdb")).fetchall()
        finally:
            con.close()

    def _duckdb_over(self, stmt: lake_sql.Statement) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            for t in {t.name for t in stmt.tree.find_all(lake_sql.exp.Table)}:
                if self._exists(t):
                    con.register(t, self.arrow(t))
            return con.execute(stmt.tree.sql(dialect="duckdb")).fetchall()
        finally:
            con.close()

    _sql_copy = _duckdb_over
    _sql_describe = _duckdb_over

    def export(self, name: str, out: str | Path, *, force: bool = True, verbatim: bool = True) -> int:
        """Write a table to a local .parquet, .csv or .jsonl file with the same writer as a DuckDB
        study (`botwatch.table_export`): the table is collected to the driver, where the file is
        written, into an in-memory DuckDB study."""
        from botwatch.study import Study
        from botwatch.model_used import bot_model_scored_by
        from botwatch.table_export import PLATFORM_SEEN_TABLE, export_table, with_handle

        self._check_table(name)
        mem = Study(":memory:")
        try:
            # The lake's own layout version in the sidecar, not the new in-memory study's (always the
            # current one): a lake made by an older botwatch, read as it is, said the current version.
            mem.sql("DELETE FROM botwatch_meta WHERE key = 'schema_version'")
            if self.schema_version is not None:
                mem.sql("INSERT INTO botwatch_meta VALUES ('schema_version', ?)", [str(self.schema_version)])
            with self._step(f"exporting {name}"):
                mem.write_table(name, self.arrow(name))
            if with_handle(self, name):  # the handles the export joins in, as on a DuckDB study
                mem.write_table("accounts", self.query_arrow("SELECT platform, account_id, handle FROM accounts"))
            # Which bot model scored the lake is in its `runs`, which the in-memory copy lacks.
            scored_by = bot_model_scored_by(self) if name == PLATFORM_SEEN_TABLE else None
            return export_table(mem, name, out, force=force, verbatim=verbatim, scored_by=scored_by)
        finally:
            mem.close()

    # -- Python over Arrow batches --------------------------------------------------------------
    def _source_df(self, source: Any) -> Any:
        if isinstance(source, str):
            return self.df(source) if source in self.tables() or source in self._temp else self.query_df(source)
        self._ensure_views(_expr_tables(source))
        return self.spark.sql(self._compiled(source))  # an Ibis expression

    def map_arrow(self, source: Any, fn: Callable[[pa.RecordBatch], Any], schema: pa.Schema | dict[str, pa.Schema], out_name: str | None = None, *,
                  batch_rows: int | None = None, temp: "bool | Collection[str]" = False,
                  count_as: str | None = None, total: int | None = None) -> dict[str, int]:
        """Run `fn` over the rows of `source` (table name, DuckDB SELECT or Ibis expression) in
        Arrow batches on the executors (`mapInArrow`) and store what it returns; see
        `botwatch.study.Study.map_arrow` for `schema`/`out_name`/`temp`. Nothing but the row
        counts reaches the driver. Returns rows per written table. An `fn` that answers late
        (with `drain()`) is drained at the end of each partition (`lake_arrow.map_batches`).

        `count_as` (e.g. "posts"), `total`: the progress line says "N of M posts read" while the
        step runs, as the DuckDB stages' lines do; N is a Spark accumulator the executors add each
        batch's rows to, which reaches the driver as each task ends (a partition at a time). A
        task Spark runs again adds its rows again: a count past `total` is said without it."""
        outputs = map_outputs(schema, out_name)
        temps = set(outputs) if temp is True else set(temp or ())
        if set(outputs) - temps:
            self._writable(f"write {', '.join(repr(n) for n in outputs if n not in temps)}")
        read = self.spark.sparkContext.accumulator(0) if count_as and self.progress is not None else None
        mapped = self._mapped(source, fn, outputs, read)
        with self._step(f"Python over Arrow batches ({getattr(fn, '__name__', 'map')}) -> {', '.join(outputs)}"), \
                (self.progress.counting(lambda: read.value, total, str(count_as)) if read is not None else contextlib.nullcontext()):
            return self._map_stored(mapped, outputs, temps, batch_rows)

    def _mapped(self, source: Any, fn: Callable[[pa.RecordBatch], Any], outputs: dict[str, pa.Schema], read: Any = None) -> Any:
        """The rows of `source` mapped by `fn` on the executors (`mapInArrow`), in the wide layout of
        `outputs` (`lake_arrow.wide_schema`): the one way `map_arrow` and `map_collect` run `fn`.
        Lazy: nothing runs until the result is written or collected. `read`: a Spark accumulator
        that counts the input rows (`lake_arrow.counted_rows`), or None."""
        from pyspark.sql.pandas.types import from_arrow_schema

        wide = wide_schema(outputs)
        self._ensure_views()
        df = self._source_df(source)

        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            if read is not None:
                batches = counted_rows(batches, read)
            return map_batches(fn, outputs, wide, batches)  # drains an `fn` that answers late

        return df.mapInArrow(run, from_arrow_schema(wide))

    @staticmethod
    def _output(mapped: Any, k: int, schema: pa.Schema) -> Any:
        """The `k`-th output's columns of `_mapped`'s wide rows, under their own names."""
        from pyspark.sql import functions as F

        return mapped.select(*[F.col(f"o{k}__{f.name}").alias(f.name) for f in schema])

    def _map_stored(self, mapped: Any, outputs: dict[str, Any], temps: set[str], batch_rows: int | None) -> dict[str, int]:
        """`map_arrow`'s Spark side: the mapped rows written once to scratch, then each output stored."""
        from pyspark.sql import functions as F

        names = list(outputs)
        tmp = f"{self._scratch}/map-{uuid.uuid4().hex[:8]}"
        with self._arrow_batch_rows(batch_rows):
            if len(names) == 1:
                # One output: every mapped row is its row (`_out` = 0), so it is stored as it is
                # mapped, where writing the mapped rows to scratch and then storing them again
                # was one more Spark job (and Parquet pass) for the same table.
                name = names[0]
                self._store(name, self._output(mapped, 0, outputs[name]), name in temps)
                return {name: self.count(name)}
            mapped.write.mode("overwrite").parquet(tmp)
        stored = self._read_folder(tmp)
        counts: dict[str, int] = {}
        for k, name in enumerate(names):
            self._store(name, self._output(stored.where(F.col("_out") == k), k, outputs[name]), name in temps)
            counts[name] = self.count(name)
        self.files.delete(tmp)
        return counts

    @contextmanager
    def _arrow_batch_rows(self, batch_rows: int | None) -> Iterator[None]:
        """Spark's Arrow batches of `batch_rows` rows (None: as configured) while the block runs."""
        conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
        before = self.spark.conf.get(conf)
        if batch_rows:
            self.spark.conf.set(conf, str(batch_rows))
        try:
            yield
        finally:
            self.spark.conf.set(conf, before)

    def map_collect(self, source: Any, fn: Callable[[pa.RecordBatch], Any], schema: pa.Schema, *,
                    batch_rows: int | None = None) -> pa.Table:
        """`fn` over the rows of `source` on the executors, as `map_arrow` runs it, and what it
        returns collected here (see `botwatch.study.Study.map_collect`): one Spark job, where a
        temp table written and read back was two."""
        mapped = self._mapped(source, fn, {"collected": schema})
        with self._step(f"Python over Arrow batches ({getattr(fn, '__name__', 'map')}), collected"), self._arrow_batch_rows(batch_rows):
            got = self._collect(self._output(mapped, 0, schema))
        return got.select(schema.names).cast(schema)

    def group_map_arrow(self, source: str, key: list[str], fn: Callable[[pa.Table], Any], schema: pa.Schema, *,
                        order_by: list[str] | None = None, params: list[Any] | None = None,
                        batch_rows: int | None = None) -> pa.Table:
        """`fn` over whole groups of `source` (table name or DuckDB SELECT) by `key`, on the
        executors: partitioned by `key`, sorted by (key, order_by) and cut into tables of whole
        groups (`_group_mapped`). Only what `fn` returns reaches the driver, sorted by key (see
        `botwatch.group_map`)."""
        from botwatch.group_map import sort_by_key

        with self._step(f"Python per group of {', '.join(key)} ({getattr(fn, '__name__', 'fn')})"):
            out = self._group_mapped(source, key, fn, schema, order_by, params, batch_rows)
            return sort_by_key(self._collect(out).select(schema.names).cast(schema), key)

    def group_map_to(self, out_name: str, source: str, key: list[str], fn: Callable[[pa.Table], Any], schema: pa.Schema, *,
                     order_by: list[str] | None = None, params: list[Any] | None = None,
                     batch_rows: int | None = None, temp: bool = False) -> int:
        """As `group_map_arrow`, but the result is stored as table `out_name` (temp with `temp`)
        where the executors wrote it: nothing but its row count reaches the driver."""
        if not temp:
            self._writable(f"write table {out_name!r}")
        with self._step(f"Python per group of {', '.join(key)} ({getattr(fn, '__name__', 'fn')}) -> {out_name}"):
            self._store(out_name, self._group_mapped(source, key, fn, schema, order_by, params, batch_rows), temp)
            return self.count(out_name)

    def _group_mapped(self, source: str, key: list[str], fn: Callable[[pa.Table], Any], schema: pa.Schema,
                      order_by: list[str] | None, params: list[Any] | None, batch_rows: int | None = None) -> Any:
        """`fn` over whole groups of `source`, lazily (a Spark DataFrame of `schema`), as DuckDB
        runs it (`botwatch.group_map`): the rows hash-partitioned by `key`, sorted by (key,
        order_by) within each partition (ascending, NULLs last, as DuckDB's ORDER BY), and handed
        to `fn` in tables of whole groups of at least `batch_rows` rows (`whole_groups`) through
        `mapInArrow`. It was `groupBy(key).applyInArrow`: a Python call and an Arrow stream per
        group, 32 s for the 5,602 accounts of a 20,000-post lake where DuckDB took 2 s."""
        from pyspark.sql.pandas.types import from_arrow_schema

        from botwatch.group_map import conform, whole_groups

        self._ensure_views()
        df = self.df(source) if source in self.tables() or source in self._temp else self.query_df(source, params)
        zoned = any(pa.types.is_timestamp(f.type) for f in schema)  # Spark reads TIMESTAMP as UTC-zoned Arrow
        keys, min_rows = list(key), batch_rows or GROUP_ROWS

        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for chunk in whole_groups(batches, keys, min_rows):
                out = conform(fn(naive_utc(chunk)), schema)
                yield from (utc_zoned(out) if zoned else out).to_batches()

        ordered = df.repartition(*[df[k] for k in keys]).sortWithinPartitions(*[df[c].asc_nulls_last() for c in [*keys, *(order_by or [])]])
        return ordered.mapInArrow(run, from_arrow_schema(schema))

    def __repr__(self) -> str:
        return f"LakeStudy({self.root!r})"


class _RegisteringBackend:
    """The session's Ibis backend, registering a lake table as a view when `table(name)` names it
    (stages call `study.ibis.table(name)` as well as `study.table(name)`); everything else is the
    backend's own."""

    def __init__(self, lake: LakeStudy, backend: Any) -> None:
        self._lake = lake
        self._backend = backend

    def table(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._lake._ensure_views([name])
        return self._backend.table(name, *args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._backend, attr)


def _expr_tables(expr: Any) -> set[str]:
    """The names of the tables an Ibis expression reads."""
    import ibis.expr.operations as ops

    return {t.name for t in expr.op().find(ops.PhysicalTable)}


def _step_text(stmt: lake_sql.Statement) -> str:
    """A statement as a progress line names it: what it writes, or what a query reads."""
    temp = "temp table " if stmt.temp else ""
    verbs = {"create_as": f"writing {temp}", "create_empty": f"creating {temp}", "create_view": "view ", "insert": "adding rows to ",
             "delete": "deleting rows of ", "drop": "dropping "}
    if stmt.kind in verbs and stmt.name:
        return f"{verbs[stmt.kind]}{stmt.name}"
    tables = sorted(lake_sql.table_names(stmt.tree))
    return f"query over {', '.join(tables)}" if tables else "query"


def _query_text(query: str, params: list[Any] | None) -> str:
    try:
        return _step_text(lake_sql.classify(lake_sql.parse(query, params)))
    except Exception:  # noqa: BLE001 - the query itself will say what is wrong with it
        return "query"


def _null() -> Any:
    from pyspark.sql import functions as F

    return F.lit(None)


def lake_from_study(study: Any, path: str | Path, *, spark: Any = None) -> "LakeStudy":
    """A lake holding a copy of every table of a DuckDB study (views as tables), for trying the
    Spark engine before the Spark ingest exists. The returned lake is open for writing."""
    lake = LakeStudy(path, create=True, spark=spark)
    for name in study.tables():
        lake.write_table(name, study.arrow(name))
    return lake
