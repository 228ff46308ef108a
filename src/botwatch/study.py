"""A study: one DuckDB file holding the canonical tables, every stage's output and its runs.

The `Study` object is the one door to the data: stages get Ibis tables from it, the CLI and the
Python API get Arrow, pandas or Polars, and every stage run is recorded in `runs` with its
parameters and the botwatch version, so a researcher can see how a table was made.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import ibis
import pyarrow as pa

from botwatch import __version__, sql_cache
from botwatch.code_identity import version_label
from botwatch.library_versions import LIBRARIES_KEY, library_versions
# One test of "is this a DuckDB file" for the study and for the ingest's folder walk, which never
# opens anything but a regular file (a named pipe met there blocked the walk for ever).
from botwatch.ingest.source import DUCKDB_MAGIC, file_head, is_duckdb_file  # noqa: F401
from botwatch.schema import CANONICAL, POSTS, POSTS_ADDED, create_table_sql, duckdb_type
from botwatch.shown_text import name_shown, shell_shown

_T = TypeVar("_T")

MEMORY_ENV = "BOTWATCH_MEMORY"
_MEMORY_SIZE = re.compile(r"\s*\d+(?:\.\d+)?\s*(?:B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*", re.IGNORECASE)


def memory_limit() -> str | None:
    """DuckDB's memory budget for a study's work, from BOTWATCH_MEMORY (e.g. 4GB); None: DuckDB's
    own default (80% of RAM). A shared machine needs a budget: with the default, a big group-by
    grows to most of the machine before it spills, where with a budget it spills to disk."""
    raw = os.environ.get(MEMORY_ENV)
    if raw is None or raw.strip() == "":
        return None
    if _MEMORY_SIZE.fullmatch(raw) is None or float(re.match(r"\s*([\d.]+)", raw).group(1)) <= 0:  # type: ignore[union-attr]
        raise StudyError(f"{MEMORY_ENV}={raw!r} is not a memory size: use a number and a unit, e.g. 4GB or 512MB")
    return raw.strip().upper().replace(" ", "")


# `map_arrow` stages its outputs in ordinary tables named so (a temp table cannot be written from
# its second connection); a process killed mid-run leaves them in the file, and the next open for
# writing drops them (`Study.drop_stale_staging`), except those this process is writing now.
STAGING_PREFIX = "_botwatch_map_"
_STAGING_LIVE: set[str] = set()

# The database `current_database()` names, by identity: a read-only study's kept listing is of the
# database it opened, not of whatever is later attached under that name (`Study._frozen_answer`).
_CURRENT_OID = "SELECT database_oid FROM duckdb_databases() WHERE database_name = current_database()"

EXPORT_FORMATS = {".parquet": "PARQUET", ".csv": "CSV", ".jsonl": "JSON", ".json": "JSON", ".ndjson": "JSON"}


def utcnow() -> datetime:
    """Now, as naive UTC (the study's time convention)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class StudyError(RuntimeError):
    """A request the study cannot satisfy (unknown table, bad export path); the message says why.

    The message is worded for whoever asked, a notebook or script included; where a command would
    say it otherwise ("this command records its results in the study"), `for_command()` says it
    so, as `StudyBusy`'s does: raised from the Python API, those words named a command nobody ran."""

    def __init__(self, message: str = "", command_message: str | None = None) -> None:
        super().__init__(message)
        self.command_message = command_message

    def for_command(self) -> str:
        """The same refusal as a `botwatch` command says it (the message itself where it names no caller)."""
        return self.command_message or str(self)

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        """Rebuilt with both wordings (a pickled exception is remade from `args`, the message only)."""
        return type(self), (str(self), self.command_message)


class NewerLayout(StudyError):
    """A study (a DuckDB file or a lake) whose stored layout is newer than this botwatch writes,
    opened to be written. One class, so both engines refuse it in the same words and a command
    can tell it (a usage error, exit 2) from a write that failed."""

    def __init__(self, path: str | Path, stored: int) -> None:
        from botwatch.exports_typed import SCHEMA_VERSION

        self.path, self.stored = path, stored
        said = (f"{name_shown(path)} was written by a newer botwatch (study layout {stored}; this botwatch {__version__} "
                f"writes layout {SCHEMA_VERSION}), so it is not written here, which would put its tables back in the older "
                f"layout: upgrade botwatch to write to it")
        super().__init__(f"{said} (reading it with botwatch.open_study(path), read-only, still works)",
                         f"{said} (`botwatch status`, `report` and `export` still read it)")

    def __reduce__(self) -> tuple[type, tuple[str | Path, int]]:  # type: ignore[override]
        """Rebuilt from its parts (a pickled exception is remade from `args`, here the message only)."""
        return type(self), (self.path, self.stored)


class StudyBusy(StudyError):
    """The study is held by another process (DuckDB's file lock): it may be in use, not damaged.

    Its message is worded for a notebook or script (`open_study`, `api.analyze`): "so this command
    cannot read it" there named a command nobody ran. The CLI says `for_command()` instead."""

    def __init__(self, path: Path, error: str, read_only: bool) -> None:
        self.path, self.error, self.read_only = path, error, read_only
        super().__init__(lock_message(path, error, read_only, by_command=False))

    def for_command(self) -> str:
        """The same refusal as a `botwatch` command says it ("so this command cannot ...")."""
        return lock_message(self.path, self.error, self.read_only)

    def __reduce__(self) -> tuple[type, tuple[Path, str, bool]]:
        """Rebuilt from its parts (a pickled exception is remade from `args`, here the message only)."""
        return type(self), (self.path, self.error, self.read_only)


def no_table(names: list[str], known: list[str], where: object) -> str:
    """The line for table names a study does not hold, with the nearest one it does for each
    (`export s.duckdb Posts`, `account`: the user typed a table the list below then had to be
    searched for), and the list."""
    import difflib

    near = []
    for n in names:
        same_case = [k for k in known if k.lower() == n.lower()]
        near += same_case[:1] or difflib.get_close_matches(n, known, n=1, cutoff=0.75)
    hint = f" (did you mean {', '.join(repr(k) for k in dict.fromkeys(near))}?)" if near else ""
    return f"no table {', '.join(repr(n) for n in names)} in {name_shown(where)}{hint}; tables: {', '.join(known) or 'none'}"


def not_a_study(path: Path, read_only: bool = False) -> bool:
    """Refuse an existing file that is not a DuckDB database before DuckDB opens it; True when
    `path` is an empty file that is to become a new study (the caller removes it first).

    DuckDB opens such a path (tweets.jsonl, archive.csv) as an *in-memory* database named after
    it, so `botwatch ingest tweets.jsonl more.jsonl` (the study argument forgotten) reported every
    post stored while nothing reached the disk, and `status` said "Cannot launch in-memory
    database". An empty file did the same when named like data (`empty.jsonl`, `.csv`, `.parquet`:
    "stored 6", exit 0, the file still empty), and DuckDB refuses any other empty file ("exists,
    but it is not a valid DuckDB database file", for a `touch study.duckdb`). So an empty file
    named like data is refused as an input named first; any other empty one is a new study when
    writing, and "no study yet" when reading."""
    if path.is_dir():  # DuckDB said "Could not read from file …: Is a directory"
        raise StudyError(f"{name_shown(path)} is a folder: a DuckDB study is a file (e.g. study.duckdb); a lake of Parquet tables is a folder "
                         "`botwatch ingest --engine spark` made")
    head = file_head(path)  # None: empty, not a file or unreadable; DuckDB's own error says why
    if head is not None and head[8:12] != DUCKDB_MAGIC:
        raise StudyError(
            f"{name_shown(path)} is not a study (not a DuckDB file). A study is the .duckdb file `botwatch ingest` writes, "
            f"named before the inputs: `botwatch ingest study.duckdb {shell_shown(path)}`"
        )
    try:
        empty = path.is_file() and path.stat().st_size == 0
    except OSError:
        return False
    if not empty:
        return False
    if any(path.name.lower().endswith(s) for s in _DATA_SUFFIXES):
        raise StudyError(
            f"{name_shown(path)} is an empty {path.suffix} file, not a study. A study is the .duckdb file `botwatch ingest` writes, "
            f"named before the inputs: `botwatch ingest study.duckdb FILES...`"
        )
    if read_only:
        raise StudyError(f"{name_shown(path)} is an empty file, not a study yet: run `botwatch ingest {shell_shown(path)} FILES...` first")
    return True


# Names DuckDB opens as an in-memory database reading the file (a data file), not as a study.
_DATA_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet", ".csv.gz", ".json.gz", ".jsonl.gz", ".ndjson.gz", ".tsv.gz")


def ascii_locale_message(path: Path) -> str | None:
    """Why DuckDB could not open `path`, where its whole message was "std::bad_cast": this Python
    decodes file names as ASCII (a C or POSIX locale with UTF-8 mode off, PYTHONUTF8=0), and the
    name holds other letters, which DuckDB then cannot take. None where that is not the case."""
    import codecs
    import sys

    if str(path).isascii() or codecs.lookup(sys.getfilesystemencoding()).name != "ascii":
        return None
    return (f"cannot open {name_shown(path)} as a study: Python reads file names as ASCII here (a C locale with "
            "PYTHONUTF8=0), and DuckDB cannot open a name with other letters then: run the command again with "
            "PYTHONUTF8=1 (or LC_ALL=C.UTF-8), or give the study an ASCII name")


def lock_message(path: Path, error: str, read_only: bool, *, by_command: bool = True) -> str:
    """DuckDB's lock error, said so that a reader knows who holds the study and what to do.
    `by_command=False` words a lock for a notebook or script (`StudyBusy`), where no command ran."""
    if "lock" not in error.lower():
        said = f"cannot open {name_shown(path)} as a study: {error}"
        # DuckDB's words alone left the user to guess: a study this user may only read, opened by a
        # command that writes to it, and a file cut short (a copy or download stopped early).
        if not path.exists() and not read_only:  # a new study: the fault is the folder it is to be made in
            from botwatch.shown_text import shell_word

            folder = path.parent
            if not folder.exists():  # DuckDB said only "Cannot open file …: No such file or directory"
                return f"cannot create the study {name_shown(path)}: the folder {name_shown(folder)} does not exist; create it first (mkdir -p {shell_word(folder)}) or name a study in an existing folder"
            if "permission denied" in error.lower():
                return f"cannot create the study {name_shown(path)}: this user may not write in the folder {name_shown(folder)}; name a study in a folder you can write to"
            if "read-only file system" in error.lower():  # was DuckDB's "cannot open … as a study: IO Error: …"
                return f"cannot create the study {name_shown(path)}: the folder {name_shown(folder.absolute())} is on a read-only file system; name a study in a folder you can write to"
        if "permission denied" in error.lower():
            records = "this command records its results in the study" if by_command else "it was opened for writing, to record results in it"
            doing = "read it" if read_only else f"write to it ({records})"
            return f"{said}. This user may not {doing}: change the file's permissions (e.g. chmod u+rw) or work on a copy you own"
        if "could not read enough bytes" in error.lower():
            return f"{said}. The file is damaged or cut short (a copy or download stopped early?): use an intact copy, or build the study again with `botwatch ingest`"
        return said
    m = re.search(r"held in (.+?) \(PID (\d+)\)", error)
    holder = f"process {m.group(2)} ({m.group(1)})" if m else "another process"
    want = "read it" if read_only else "write to it"
    # Who is refused, who to wait for, and what to retry: a notebook ran no command to "run again".
    asker, that, again = ("this command", "that command", "run this again") if by_command else ("this process", "that process", "open the study again")
    ours = botwatch_command(int(m.group(2))) if m else None
    if ours:
        # The holder was named by its interpreter alone ("process 4242 (/usr/bin/python3.11)") and
        # the user told to `st.close()` it "in a notebook", when it was their own `botwatch analyze`.
        holds = "for reading" if not read_only and "read-only mode" in error else "for writing"
        return (f"{name_shown(path)} is open in {ours} (process {m.group(2)}), which holds it {holds}, so {asker} cannot {want}. "
                "A study can be open for writing in one process, or for reading in any number. "
                f"Wait for {that} to finish (or stop it), then {again}.")
    if not read_only and "read-only mode" in error:
        # DuckDB adds "you would be able to open this database in read-only mode" only when the
        # holder is itself a reader (a notebook's `open_study(path)`, the documented default):
        # telling that reader to "open it read-only" sent the user in a circle.
        return (
            f"{name_shown(path)} is open for reading in {holder}, so {asker} cannot write to it: writing needs "
            "every other connection closed. Close it there (`st.close()` in a notebook, or leave its "
            f"`with botwatch.open_study(...)` block) or wait for {that} to finish, then {again}."
        )
    return (
        f"{name_shown(path)} is open in {holder}, which holds it for writing, so {asker} cannot {want}. "
        "A study can be open for writing in one process, or for reading in any number. "
        "Close it there (`st.close()` in a notebook; open it with `botwatch.open_study(path)`, which is read-only by default) "
        f"or wait for {that} to finish."
        if not read_only or "Conflicting lock" in error
        else f"{name_shown(path)} is locked by {holder}: {error}"
    )


def botwatch_command(pid: int) -> str | None:
    """The botwatch command process `pid` runs, as said to the user ("`botwatch analyze`" for
    `botwatch analyze …` or `python -m botwatch analyze …`; a `collect --study` batch's ingest
    named as that), else None (a notebook, another program, or a system without /proc)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return None
    for i, arg in enumerate(argv):
        after = None
        if Path(arg).name == "botwatch":
            after = argv[i + 1:]
        elif arg == "-m" and i + 1 < len(argv) and argv[i + 1] in ("botwatch", "botwatch.cli"):
            after = argv[i + 2:]
        elif arg == "-c" and i + 1 < len(argv) and "botwatch.cli" in argv[i + 1]:
            after = argv[i + 2:]
        if after is not None:
            sub = next((a for a in after if a and not a.startswith("-")), None)
            if sub == "ingest" and "--results-json" in after:  # the child `collect --study` starts for each batch
                return "the ingest of a `botwatch collect --study` batch"
            return f"`botwatch {sub}`" if sub and re.fullmatch(r"[a-z][a-z-]{0,30}", sub) else "`botwatch`"
    return None


def unwritable_folder_message(path: Path, *, by_command: bool = True) -> str:
    """The line for a study whose folder this user may not write in (a read-only folder or file
    system): writing needs the folder too, for the journal DuckDB keeps beside the file.
    `by_command=False` words it for a notebook or script, where no command ran."""
    folder = path.absolute().parent
    records = "this command records its results in the study" if by_command else "it was opened for writing, to record results in it"
    reading = ("Commands that only read the study (status, report, accounts, export) work on it as it is; to change it, "
               "copy it into a folder you can write to and run this there") if by_command else \
        ("Reading it (botwatch.open_study(path), read-only by default) works on it as it is; to change it, "
         "copy it into a folder you can write to and open the copy")
    return (f"cannot write to {name_shown(path)}: {records}, and DuckDB writes its journal "
            f"({name_shown(path.name)}.wal) beside it, but this user may not create files in the folder {name_shown(folder)} (read-only?). "
            + reading)


def same_process_message(path: Path, read_only: bool, *, by_command: bool = True) -> str:
    """The line for a study this very process already holds open the other way (read-only against
    writing): DuckDB lets one process hold a file in one mode only. `by_command=False` words it for
    a notebook or script (`api.analyze` under an open `open_study`), as `lock_message` does: there
    is no command to "run again" there."""
    if read_only:
        return (f"{name_shown(path)} is open for writing in this process (a study opened with read_only=False, or one an ingest or "
                "analyze holds): read it through that study object, or close it (st.close()) first")
    return (f"{name_shown(path)} is open for reading in this process (a botwatch.open_study(path) not yet closed), so it cannot be "
            f"opened for writing: close it (st.close(), or leave its `with` block) first, then {'run this' if by_command else 'open the study'} again")


def closed_message(path: Path) -> str:
    """The line for any use of a study after `close()` (or after its `with` block ended)."""
    return f"{name_shown(path)} was closed (st.close(), or its `with` block ended): open it again with botwatch.open_study(path)"


class _ClosedConnection:
    """Stands in for a closed study's DuckDB connection inside its Ibis backend: every use is a
    `StudyError` saying the study is closed, where DuckDB said only "Connection has already been
    closed"."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __getattr__(self, name: str) -> Any:
        raise StudyError(closed_message(self._path))


def read_only_write_message(path: Path) -> str:
    """The line for a statement that would change a study opened for reading only."""
    return (f"{name_shown(path)} is open read-only (botwatch.open_study(path) reads by default), so this statement cannot change it: "
            "close it (st.close()) and open it with botwatch.open_study(path, read_only=False) to write")


INTERRUPTED_MESSAGE = "interrupted (Ctrl-C)"  # the `runs` message of a stage cut off by Ctrl-C, on either engine
# ... and of one cut off by SIGTERM (`kill`, a service manager, a scheduler's time limit), which the
# command line stops the same way: recorded as Ctrl-C, a run no one had interrupted read as if
# someone had pressed a key, and the cause (a job's time limit) was lost.
TERMINATED_MESSAGE = "stopped (SIGTERM)"
STOPPED_MESSAGES = (INTERRUPTED_MESSAGE, TERMINATED_MESSAGE)
# The `runs` status of a run that has started and not yet ended. Seen by any other command, the
# process running it died without a word (SIGKILL, out of memory, a power cut): a DuckDB study is
# held by one writer and read by no one else meanwhile; a lake, read without a lock, tells a live
# run's row apart (`running_now`).
RUNNING = "running"
_RUN_ID = "_run_id"  # the key of `run`'s info dict naming its row (for `record_rows`)


# Why a `RUNNING` row may have been left, guessed: the row cannot say. A full disk is among them: a
# stage whose write the system refuses for room is recorded "failed" with the reason (`run`'s
# `finally`: DuckDB drops the refused commit's journal, and the small update then fits, measured on a
# full 9 MB tmpfs and under `ulimit -f`), but where even that update is refused (likelier on a lake, whose
# `runs` is written again whole: `LakeStudy._record_run`) nothing can record it: a side file would need the
# same full disk, so a reason found there could not be relied on, nor its absence.
NEVER_ENDED_WHY = "its process was killed, the machine stopped, or the disk was too full to record its end?"


def never_finished(started: Any, earlier: Any = None) -> str:
    """What a `RUNNING` row another command reads says: when the run started, that it never
    finished (`NEVER_ENDED_WHY`), and when the complete run before it did (`earlier`; None: there was none)."""
    said = f"started {str(started)[:16]} UTC and never ended ({NEVER_ENDED_WHY})"
    return said + (f"; the complete run before it finished {str(earlier)[:16]} UTC" if earlier is not None else "; no earlier run of it finished")


_stop = {"terminated": False}


def note_terminated(terminated: bool = True) -> None:
    """Record that SIGTERM is stopping this process (`cli.guard.on_terminate`), so that the stage
    it cuts off is recorded with `TERMINATED_MESSAGE`; False forgets it (a new command)."""
    _stop["terminated"] = terminated


def stop_message() -> str:
    """The `runs` message of a stage cut off now: SIGTERM's, once noted, else Ctrl-C's."""
    return TERMINATED_MESSAGE if _stop["terminated"] else INTERRUPTED_MESSAGE


def interrupt_in(exc: BaseException) -> bool:
    """Whether `exc` is Ctrl-C's doing: a KeyboardInterrupt, or an error raised while handling one
    (after Ctrl-C in a Spark call, Py4J's "Answer from Java side is empty")."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        # DuckDB swallows the KeyboardInterrupt of a Ctrl-C during a query and raises its own error,
        # chained to nothing (DuckDB 2.0: a bare RuntimeError): the stage's `runs` row said
        # "failed: RuntimeError: Query interrupted", and the report quoted it as a failure.
        if isinstance(e, getattr(duckdb, "InterruptException", ())) or (type(e) is RuntimeError and str(e) == "Query interrupted"):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


# The posts columns every study has had since its first layout: a `posts` table without them is another program's.
_STUDY_POSTS_CORE = ("post_id", "platform", "account_id", "created_at", "text")


def _nullable_pandas_type(arrow_type: pa.DataType) -> Any:
    """pandas' nullable dtype for an Arrow integer or boolean column (None: the default). Arrow's
    own conversion made an integer column with a NULL float64 (`n_posts` 3.0, NaN) and a boolean
    one with a NULL an object column, on which `scores[scores.likely_automated]` raised "Cannot
    mask with non-boolean array containing NA / NaN values"."""
    import pandas as pd

    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_integer(arrow_type):
        return pd.api.types.pandas_dtype(str(arrow_type).replace("uint", "UInt").replace("int", "Int"))
    return None


class StudyBase:
    """What a DuckDB study and a lake study (`botwatch.engines.lake.LakeStudy`) share, written once
    over the methods each engine provides (`sql`, `arrow`, `tables`, `close`)."""

    engine = "duckdb"

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # type: ignore[attr-defined]

    def pandas(self, name: str) -> Any:
        """Table `name` as a pandas DataFrame (read through Arrow, so no copy warnings). Whole
        numbers and true/false columns keep their type where values are missing (pandas'
        nullable `Int64` and `boolean`, NULL as `pd.NA`), as `query_pandas` gives them."""
        return self.arrow(name).to_pandas(types_mapper=_nullable_pandas_type)  # type: ignore[attr-defined]

    def polars(self, name: str) -> Any:
        """Table `name` as a Polars DataFrame (zero-copy from Arrow where the types allow)."""
        import polars as pl

        return pl.from_arrow(self.arrow(name))  # type: ignore[attr-defined]

    def export(self, name: str, out: str | Path, *, force: bool = True, verbatim: bool = True) -> int:
        """Write a table to .parquet, .csv (lists as JSON text), .jsonl/.ndjson (JSON lines) or .json
        (one JSON array), chosen by the extension; returns rows.

        The Python API writes exact values and replaces an existing file by default; the CLI's
        `export` asks for `--force` and defuses CSV formula cells. One writer for both:
        `botwatch.table_export.export_table`."""
        from botwatch.table_export import export_table

        return export_table(self, name, out, force=force, verbatim=verbatim)

    # -- runs -----------------------------------------------------------------------------------
    def _cancel_work(self) -> None:
        """Stop what the engine still runs for an interrupted stage (nothing to stop on DuckDB:
        the interrupted statement has ended)."""

    @contextmanager
    def run(self, stage: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Record a run in the `runs` table; it runs nothing itself. The block is the run: it is
        recorded "ok" when the block ends, "failed" (with the error) when it raises. Yields a dict
        the block may fill with `rows_written` and `message`. To run analysis stages from Python
        use `botwatch.api.analyze`, which records each stage through this."""
        run_id = uuid.uuid4().hex[:12]
        info: dict[str, Any] = {"rows_written": None, "message": None, _RUN_ID: run_id}
        started = utcnow()
        status = "failed"
        # The libraries that decide its figures, beside the code label (`library_versions`).
        libraries = {LIBRARIES_KEY: library_versions(self.engine)}
        self._record_start([run_id, stage, json.dumps({**params, **libraries}, default=str, sort_keys=True), version_label(), started, None, RUNNING,
                            None, None])
        try:
            yield info
            status = "ok"
        except BaseException as exc:
            if interrupt_in(exc):
                # Ctrl-C or SIGTERM: said as such (it was "KeyboardInterrupt: "), and the engine's work for the
                # stage stopped first: Spark keeps running a job the Python side no longer waits for,
                # and the row below would queue behind it.
                info["message"] = stop_message()
                self._cancel_work()
            else:
                info["message"] = f"{type(exc).__name__}: {exc}"[:1000]
            raise
        finally:
            self._record_run([run_id, stage, json.dumps({**params, **libraries}, default=str, sort_keys=True), version_label(), started, utcnow(),
                              status, info["rows_written"], info["message"]])

    def record_rows(self, info: dict[str, Any]) -> None:
        """Store the `rows_written` the block of `run` has set so far in its run's row now, not only
        when the run ends: what a run commits as it goes (an ingest, file by file) is then counted
        even if its process is killed (no-op where the row is written only at the end: a lake)."""

    def _record_start(self, row: list[Any]) -> None:
        """Record that a run has started (its `runs` row, status `RUNNING`), replaced by the row
        `_record_run` writes when it ends (`Study`, `LakeStudy`)."""

    def running_now(self, started: Any) -> bool:
        """Whether a `RUNNING` row that began at `started` belongs to a run going on now. Never on
        DuckDB: no other command reads the file while it is written, so such a row is a killed
        run's. A lake is read without a lock, and says (`LakeStudy.running_now`)."""
        return False

    def _record_run(self, row: list[Any]) -> None:
        """Append one `runs` row (its columns in order)."""
        self.sql("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


class Study(StudyBase):
    """An open DuckDB study file. Use as a context manager, or call `close()`.

    From a notebook or script, open one with `botwatch.open_study(path)` (read-only, never creates
    a file). The constructor's defaults are the ingest side's: see `__init__`."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True) -> None:
        """Open (and with the defaults, create) the study at `path`.

        The defaults, `read_only=False, create=True`, are what `botwatch ingest` and the internal
        writers need: a missing file becomes a new empty study and this process takes the write
        lock. That is why the documented entry point is `botwatch.open_study(path)`, read-only and
        refusing a missing path: `Study("typo.duckdb")` silently makes an empty study. Pass
        `create=False` (or `read_only=True`) to refuse a missing path. Raises `StudyError` for a
        file that is not a study and, naming the holder's process, for one another process holds."""
        self.path = Path(path)
        self.read_only = read_only
        self._catalog: int | None = None  # set below for a read-only study: see `_frozen_answer`
        self._frozen: dict[tuple[str, ...], tuple[Any, ...]] = {}
        if os.sep == "/" and "\\" in str(self.path):
            # DuckDB reads `\` as a folder separator on every system: `ingest 'a\b.duckdb'` wrote
            # a/b.duckdb (or failed for a missing folder `a`), and `status 'a\b.duckdb'` then said
            # "no study at a\b.duckdb: run botwatch ingest …", which wrote a/b.duckdb again.
            raise StudyError(f"{name_shown(self.path)}: DuckDB reads a backslash in a study's path as a folder separator "
                             f"(it would open {name_shown(str(self.path).replace(chr(92), '/'))}): name the study without one")
        if (read_only or not create) and not self.path.exists():
            # Reading (and analysing) never creates a study: a mistyped path must not become an
            # empty study that every stage then reports as "ok".
            raise StudyError(f"no study at {name_shown(self.path)}: run `botwatch ingest {shell_shown(self.path)} FILES...` first")
        # An empty file becomes a new study only for a writer that may create one (ingest):
        # `analyze` on a `touch`ed file turned it into an empty study, said "holds no posts"
        # (exit 1), and `report` then wrote a report of nothing, exit 0.
        if not_a_study(self.path, read_only or not create):
            self.path.unlink()  # empty: DuckDB makes a new study only where no file is
        held = self.path.exists()  # a database already there (not one DuckDB is about to make)
        if held and not read_only and not os.access(self.path.parent, os.W_OK):
            # DuckDB opened such a study for writing and failed at the first commit, when it could
            # not create its journal (`<study>.wal`) in the folder: `analyze` said "This is a bug
            # in botwatch", `ingest` "free space and run the same command again".
            raise StudyError(unwritable_folder_message(self.path, by_command=False), unwritable_folder_message(self.path))
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StudyBusy(self.path, str(exc), read_only) from None
            raise StudyError(lock_message(self.path, str(exc), read_only, by_command=False), lock_message(self.path, str(exc), read_only)) from None
        except RuntimeError as exc:
            said = ascii_locale_message(self.path) if "bad_cast" in str(exc) else None
            if said is None:
                raise
            raise StudyError(said, said) from None
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise
            # This process already holds the file the other way (a notebook's `open_study(path)`
            # still open, then `api.analyze(path)`): DuckDB said only "Can't open a connection to
            # same database file with a different configuration than existing connections".
            raise StudyError(same_process_message(self.path, read_only, by_command=False), same_process_message(self.path, read_only)) from None
        in_memory = self.con.execute("SELECT path IS NULL, database_oid FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        if in_memory and in_memory[0] and str(path) != ":memory:":  # any other name DuckDB reads as data: nothing would reach the disk
            self.con.close()
            raise StudyError(f"{name_shown(self.path)} cannot be a study: DuckDB opens a file of that name as data, not as a database; "
                             "name the study with .duckdb, e.g. study.duckdb")
        if read_only and in_memory:
            self._catalog = in_memory[1]
        if held and (read_only or not create) and "posts" not in self.tables():
            # Another program's DuckDB (or a bare one): reading it said "Table with name posts does
            # not exist! This is a bug in botwatch", and analysing it wrote a study's tables into it.
            self.con.close()
            raise StudyError(f"{name_shown(self.path)} is a DuckDB database but not a botwatch study (it has no posts table). A study is the "
                             f".duckdb file `botwatch ingest` writes: `botwatch ingest study.duckdb FILES...`")
        lacking = [c for c in _STUDY_POSTS_CORE if c not in self.columns("posts")] if held and "posts" in self.tables() else []
        if lacking:
            # Another program's DuckDB with a `posts` table of its own: `status` and `report` said
            # "Binder Error: Referenced column ... not found. This is a bug in botwatch", and
            # `ingest` wrote a study's other tables into it, then failed the input ("IbisTypeError:
            # Column 'platform' is not found") and said "nothing could be read from the inputs".
            self.con.close()
            raise StudyError(f"{name_shown(self.path)} is a DuckDB database but not a botwatch study (its posts table has no {', '.join(lacking)} "
                             f"column). A study is the .duckdb file `botwatch ingest` writes: `botwatch ingest study.duckdb FILES...`")
        if held and not read_only:
            self._refuse_newer_layout()
        self.sql("SET enable_progress_bar = false")  # our own progress bars speak for long work
        limit = memory_limit()
        if limit is not None:
            self.sql(f"SET memory_limit = '{limit}'")
        if not read_only:
            self.sql("SET TimeZone = 'UTC'")
        if not read_only:
            self.ensure_schema()
            self.drop_stale_staging()
        self._ibis: Any = None

    # -- lifecycle ------------------------------------------------------------------------------
    def _refuse_newer_layout(self) -> None:
        """Refuse to write a study whose stored layout is newer than this botwatch writes. Why: a
        study made by a newer release (`botwatch_meta.schema_version` above `SCHEMA_VERSION`) was
        opened for writing without a word; `ingest` and `analyze` then rewrote its tables in this
        release's older layout while it still claimed the newer one, so the newer release would
        later read columns that are no longer there. Reading it is left alone: nothing changes."""
        from botwatch.exports_typed import SCHEMA_VERSION, stored_schema_version

        stored = stored_schema_version(self)
        if stored is not None and stored > SCHEMA_VERSION:
            self.con.close()
            raise NewerLayout(self.path, stored)

    def ensure_schema(self) -> None:
        for name, schema in CANONICAL.items():
            self.sql(create_table_sql(name, schema))
        from botwatch.exports_typed import ensure_meta, record_schema_version

        ensure_meta(self, __version__)
        # A study made before a posts column was added: the column, NULL for the posts it holds
        # (an analysis reading it otherwise failed with a binder error on that study).
        have = self.columns("posts")
        added = [c for c in POSTS_ADDED if c not in have]
        for c in added:
            self.sql(f'ALTER TABLE posts ADD COLUMN "{c}" {duckdb_type(POSTS.field(c).type)}')
        if added:
            record_schema_version(self)

    def drop_stale_staging(self) -> list[str]:
        """Drop the staging tables of `map_arrow` runs that never finished (a SIGKILL, a power
        cut): half-written outputs no stage reads, which `tables()` would list and the file would
        keep. Only another process's can be stale, and a study open for writing has no other
        writer. Returns the names dropped."""
        stale = [t for t in self._table_names() if t.startswith(STAGING_PREFIX) and t not in _STAGING_LIVE]
        for name in stale:
            self.sql(f'DROP TABLE IF EXISTS "{name}"')
        return stale

    @property
    def schema_version(self) -> int | None:
        """The layout version stored in the study (None: made before versions were stored)."""
        from botwatch.exports_typed import stored_schema_version

        return stored_schema_version(self)

    def close(self) -> None:
        backend, self._ibis = self._ibis, None
        self._closed = True
        self.con.close()
        if backend is not None:
            # Ibis expressions are lazy and stay bound to this backend: one taken inside a `with
            # open_study` block and run in the next notebook cell raised DuckDB's raw
            # ConnectionException, naming no study. Its connection now says the study is closed.
            backend.con = _ClosedConnection(self.path)
            self._ibis = backend

    # -- runs -----------------------------------------------------------------------------------
    def _record_start(self, row: list[Any]) -> None:
        """The run's row, status `RUNNING`, committed before the stage writes anything: a process
        killed mid-stage (SIGKILL, out of memory, a power cut) runs no `finally`, and its run left
        no row at all, so `status` and the report showed the earlier complete run as the latest
        while the tables held part of the killed one's work. No other process can read the file
        while this one holds it for writing, so a `RUNNING` row another command sees is a dead one's."""
        self.sql("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def record_rows(self, info: dict[str, Any]) -> None:
        self.sql("UPDATE runs SET rows_written = ? WHERE run_id = ?", [info["rows_written"], info[_RUN_ID]])

    def _record_run(self, row: list[Any]) -> None:
        """The run's row as it ended, in place of the one `_record_start` wrote (the parameters
        too: a stage may add to them while it runs)."""
        run_id, _stage, params, _version, _started, finished, status, rows, message = row
        self.sql("UPDATE runs SET params = ?, finished_at = ?, status = ?, rows_written = ?, message = ? WHERE run_id = ?",
                 [params, finished, status, rows, message, run_id])

    # -- tables ---------------------------------------------------------------------------------
    @property
    def ibis(self) -> Any:
        """An Ibis backend over this study's connection."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(_ClosedConnection(self.path) if getattr(self, "_closed", False) else self.con)
        return self._ibis

    def tables(self) -> list[str]:
        """Names of the study's tables and views, sorted (internal ones start with `_`). Staging
        tables a killed run left (`drop_stale_staging`) are not the study's: a reader, which may
        not drop them, listed them in `status` and wrote them out in `export --all`, half-written."""
        return [t for t in self._table_names() if not t.startswith(STAGING_PREFIX) or t in _STAGING_LIVE]

    def _frozen_answer(self, key: tuple[str, ...], ask: Callable[[], Sequence[_T]]) -> list[_T]:
        """`ask()`, asked once per `key` while this study is open read-only, for what only a
        writer of the study's own database can change (its tables' names, their columns, the rows of
        its tables: `driver_arrow`).

        Why it cannot go stale: a read-only DuckDB connection can create nothing in its database
        (DuckDB refuses any CREATE, DROP or ALTER there) and holds the file's lock, so no other
        process can open it for writing meanwhile (`StudyBusy`); temp tables, which it may make,
        are not listed. But `USE` can point `current_database()` at another (attached) database,
        and once it has, the study's own may be detached and a file attached under its name,
        read-write even (its own file: `st.sql("ATTACH ...")`): so each answer is checked first
        against the identity (`database_oid`) of the database opened, which a new attachment
        does not share (under 1 ms, against 2–3 ms for a listing; the name alone let the listing of
        the first name tables the second lacked). Elsewhere, or on a writer, `ask()` is asked
        every time. A closed study still fails as before, in that check. A `report` lists the
        tables about two hundred times and a table's columns some fifty (docs/testing.md, "2026-12-07: the study's catalog, listed once per reader")."""
        if self._catalog is None or self.sql(_CURRENT_OID)[0][0] != self._catalog:
            return list(ask())
        if key not in self._frozen:
            self._frozen[key] = tuple(ask())
        return list(self._frozen[key])

    def driver_arrow(self, name: str, columns: list[str], equal: dict[str, Any] | None = None, among: dict[str, Any] | None = None) -> pa.Table:
        """`columns` of table `name` (only rows whose columns equal `equal`'s values, and whose
        columns in `among` hold one of its values; a NULL matches neither) as Arrow, the read a
        lake makes at its driver (`LakeStudy.driver_arrow`). Why: the callers that bring a table's
        rows into Python (`ok_runs`, `members_digest`, the clustering's edges) asked which engine
        they had and read each one its own way; this is the one way for both.

        Asked once per read-only open (`_frozen_answer`: nothing can write to the file while it is
        open so): `runs_table.ok_runs` read and sorted the `runs` table 55 times per `report`
        (docs/testing.md, "2026-12-07: the runs table read once per reader"). An Arrow table
        cannot be changed, so no caller changes what the next one gets; a writer reads every time."""
        query, params = driver_select(name, columns, equal, among)

        def read() -> list[pa.Table]:
            self._check_table(name)  # a missing table said as every reader says it; checked on a read alone (a listing is ~1 ms)
            return [self.query_arrow(query, params)]

        return self._frozen_answer(("arrow", query, repr(params)), read)[0]

    def _table_names(self) -> list[str]:
        """Every table and view in the file, staging tables included (`_frozen_answer`)."""
        return self._frozen_answer(("tables",), self._listed_names)

    def _listed_names(self) -> list[str]:
        """Every table and view in the file, as the file says now.

        Read from `duckdb_tables()` and `duckdb_views()`, the two functions DuckDB's
        `information_schema.tables` view is the union of (the same rows): the view costs about
        2.8 ms a call against 1.8 ms, and a small `analyze` asks about a hundred times, a
        `report` about two hundred (docs/testing.md, "2026-12-07: the study's catalog, listed once per reader")."""
        rows = self.sql(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND database_name = current_database() "
            "ORDER BY table_name"
        )
        return [r[0] for r in rows]

    def columns(self, table: str) -> list[str]:
        """Column names of a table or view, in order ([] when it does not exist; `_frozen_answer`)."""
        return self._frozen_answer(("columns", table), lambda: self._listed_columns(table))

    def _listed_columns(self, table: str) -> list[str]:
        """`columns(table)` as the file says now. From `duckdb_columns()`, which
        `information_schema.columns` is a view over (half the cost)."""
        rows = self.sql(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database() ORDER BY column_index",
            [table],
        )
        return [r[0] for r in rows]

    def _check_table(self, name: str) -> str:
        known = self.tables()
        if name not in known:
            raise StudyError(no_table([name], known, self.path))
        return name

    def table(self, name: str) -> Any:
        """An Ibis table expression (lazy)."""
        name = self._check_table(name)  # first: on a closed study the Ibis backend fails with DuckDB's own error
        return self.ibis.table(name)

    def arrow(self, name: str) -> pa.Table:
        """Table `name` in full as a pyarrow Table (`StudyError` naming the tables if none is so called)."""
        # The relational API streams Arrow batches straight out; an execute() result would be
        # copied once more (and DuckDB warns about it on every call).
        return self.con.sql(f'SELECT * FROM "{self._check_table(name)}"').to_arrow_table()

    def count(self, name: str) -> int:
        """Rows in table `name`."""
        return int(self.sql(f'SELECT count(*) FROM "{self._check_table(name)}"')[0][0])

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a statement and fetch its result fully (DuckDB 2 refuses new work on a connection
        while a result is pending, so every statement here is completed before returning)."""
        try:
            return self.con.execute(query, params or []).fetchall()
        except duckdb.InvalidInputException as exc:
            if not (self.read_only and "read-only mode" in str(exc)):
                raise
            # A notebook's `open_study(path)` (read-only by default) then `st.sql("CREATE ...")`:
            # DuckDB said only that database "study" is "attached in read-only mode", naming
            # neither the file nor how to write to it.
            raise StudyError(read_only_write_message(self.path)) from None
        except duckdb.ConnectionException as exc:
            if "closed" not in str(exc):
                raise
            # A notebook cell run again after `st.close()` (or after its `with` block): DuckDB's
            # "Connection already closed!" from every reader, naming no study.
            raise StudyError(closed_message(self.path)) from None

    @contextmanager
    def temp_view(self, name: str, table: pa.Table) -> Iterator[str]:
        """`table` visible to SQL and Ibis as `name` while the block runs (no copy is made)."""
        self.con.register(name, table)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def map_arrow(self, source: Any, fn: Callable[[pa.RecordBatch], Any], schema: "pa.Schema | dict[str, pa.Schema]", out_name: str | None = None, *,
                  batch_rows: int = 50_000, temp: "bool | Collection[str]" = False,
                  count_as: str | None = None, total: int | None = None) -> dict[str, int]:
        """Run `fn` over `source` (a table name, a SELECT, or an Ibis expression) in Arrow record
        batches, in-process, and store what it returns: with one `schema` `fn` returns a table
        for `out_name`; with `{name: schema, ...}` a tuple of tables in that order. The input
        streams batch by batch (so `fn` must not use the study meanwhile); each output is written
        to a staging table batch by batch and replaces its table at the end, so a failure leaves
        the old table. `temp` (True, or the output names) stores outputs as temp tables, which
        `source` may be too. This is the engine-neutral door for work that is Python by nature: a
        lake study runs the same `fn` on Spark's executors (`mapInArrow`). Returns the rows
        written per table.

        An `fn` with a `drain()` method may answer late (`forkpool.OneBatchLate`): each call
        returns the outputs of an earlier batch, in order, and `drain()`, called once after the
        last batch, returns the outputs still owed as a list. Here that lets `fn` label batch k
        elsewhere while this process inserts batch k - 1 and reads batch k + 1.

        `count_as` (e.g. "posts"): note the input rows read so far, of `total` where the caller
        knows it, for the "still running" lines of a long stage in a log (`ticker.note_done`);
        the count is cleared when the input is done."""
        from botwatch.engines.lake_arrow import answers, map_outputs
        from botwatch.ticker import clear_done, note_done

        outputs = map_outputs(schema, out_name)
        temps = set(outputs) if temp is True else set(temp or ())
        query = self._source_query(source)
        counts = dict.fromkeys(outputs, 0)
        # DuckDB 2 wants every result fetched before the next statement on a connection: the
        # input streams from this connection (which sees its temp tables) and the staging inserts
        # run on a second one, into ordinary tables that both see.
        with self._staging(outputs) as (cur, staging):
            def put(got: Any) -> None:
                got = (got,) if len(outputs) == 1 and not isinstance(got, tuple) else got
                for (name, schema_), part in zip(outputs.items(), got):
                    part = part if isinstance(part, pa.Table) else pa.Table.from_batches([part])
                    _insert(cur, staging[name], part.select(schema_.names).cast(schema_))
                    counts[name] += part.num_rows

            # All the staging inserts in one transaction: each batch committed on its own went
            # through the write-ahead log and was written again at the checkpoint; in one, DuckDB
            # writes the full row groups straight to the file (half the insert CPU: 0.78 against
            # 0.40 CPU-s for the content stage's tables at 200k posts). The same rows, in the
            # same order; a failure rolls them back, and the staging tables are dropped as before.
            cur.execute("BEGIN TRANSACTION")
            try:
                with _closing(self.con.sql(query).to_arrow_reader(batch_rows)) as reader:
                    batches = reader if count_as is None else _counted(reader, count_as, total, note_done)
                    for got in answers(fn, batches):
                        put(got)
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # (a connection already broken: the first error is the one to raise)
                raise
            finally:
                if count_as is not None:
                    clear_done()
            for name in outputs:
                if name in temps:
                    self.sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{staging[name]}"')
                else:  # the staging table becomes the table (a copy cost ~0.5 CPU-s per 100k accounts' rows)
                    self._replace_with(name, staging[name])
        return counts

    def _replace_with(self, name: str, staging: str) -> None:
        """Table `name` replaced by the ordinary table `staging`, renamed, in one transaction."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(f'DROP TABLE IF EXISTS "{name}"')
            self.con.execute(f'ALTER TABLE "{staging}" RENAME TO "{name}"')
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    @contextmanager
    def _staging(self, outputs: "dict[str, pa.Schema]") -> Iterator[tuple[Any, dict[str, str]]]:
        """A second connection and one empty ordinary table per output, dropped afterwards."""
        staging = {name: f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}" for name in outputs}
        _STAGING_LIVE.update(staging.values())
        cur = self.con.cursor()
        try:
            for name, schema_ in outputs.items():
                cur.register("_botwatch_empty", schema_.empty_table())
                cur.execute(f'CREATE TABLE "{staging[name]}" AS SELECT * FROM _botwatch_empty')
                cur.unregister("_botwatch_empty")
            yield cur, staging
        finally:
            for tmp in staging.values():
                cur.execute(f'DROP TABLE IF EXISTS "{tmp}"')
            cur.close()
            _STAGING_LIVE.difference_update(staging.values())

    def _source_query(self, source: Any) -> str:
        """`map_arrow`'s `source` (a table name, a SELECT, or an Ibis expression) as a SELECT."""
        if isinstance(source, str):
            return f'SELECT * FROM "{source}"' if source in self.tables() else source
        return sql_cache.to_sql(source)

    def map_collect(self, source: Any, fn: Callable[[pa.RecordBatch], Any], schema: pa.Schema, *,
                    batch_rows: int = 50_000) -> pa.Table:
        """As `map_arrow` with one output, but what `fn` returns comes back here as one table
        (in `schema`) instead of being stored: for a few rows per batch, such as the study prior's
        sums (`accounts.batches.study_prior`). Stored in a temp table and read back, they were a
        write and a read: two Spark jobs on a lake, where this is one."""
        from botwatch.engines.lake_arrow import answers

        parts = []
        with _closing(self.con.sql(self._source_query(source)).to_arrow_reader(batch_rows)) as reader:
            for got in answers(fn, reader):
                part = got if isinstance(got, pa.Table) else pa.Table.from_batches([got])
                parts.append(part.select(schema.names).cast(schema))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def group_map_to(self, out_name: str, source: str, key: list[str], fn: Callable[[pa.Table], Any], schema: pa.Schema, *,
                     order_by: list[str] | None = None, params: "list[Any] | dict[str, Any] | None" = None,
                     batch_rows: int = 50_000, temp: bool = False) -> int:
        """As `group_map_arrow`, but what `fn` returns is stored as table `out_name` (a temp table
        with `temp`) instead of coming back: for results as long as the groups are many (one row
        per account), which a lake must not collect to its driver. Here the source streams from
        a second connection (so `source` must not read temp tables) and the answers go to a temp
        staging table on this one: a read-only study can store a temp result. Returns the rows
        written."""
        from botwatch.group_map import conform, whole_groups

        query = f'SELECT * FROM "{source}"' if source in self.tables() else source
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in [*key, *(order_by or [])])
        staging = f"_botwatch_group_{uuid.uuid4().hex[:8]}"
        with self.temp_view("_botwatch_empty", schema.empty_table()):
            self.sql(f'CREATE TEMP TABLE "{staging}" AS SELECT * FROM _botwatch_empty')
        rows = 0
        cur = self.con.cursor()
        try:
            with _closing(cur.sql(f"SELECT * FROM ({query}) AS _src ORDER BY {cols}", params=params or None).to_arrow_reader(batch_rows)) as reader:
                for chunk in whole_groups(reader, key, batch_rows):
                    part = conform(fn(chunk), schema)
                    _insert(self.con, staging, part)
                    rows += part.num_rows
            kind = "TEMP TABLE" if temp else "TABLE"
            self.sql(f'CREATE OR REPLACE {kind} "{out_name}" AS SELECT * FROM "{staging}"')
        finally:
            cur.close()
            self.sql(f'DROP TABLE IF EXISTS "{staging}"')
        return rows

    def group_map_arrow(self, source: str, key: list[str], fn: Callable[[pa.Table], Any], schema: pa.Schema, *,
                        order_by: list[str] | None = None, params: "list[Any] | dict[str, Any] | None" = None,
                        batch_rows: int = 50_000) -> pa.Table:
        """`fn` over whole groups of `source` (a table name or a SELECT) by `key`, each group's
        rows in `order_by` order; returns what `fn` returns, as one table of `schema` sorted by
        key (see `botwatch.group_map`). Here the source is sorted and streamed, so only a batch
        and one group are in Python at a time (`fn` must not use the study meanwhile); a lake
        runs `fn` on Spark's executors (`applyInArrow`)."""
        from botwatch.group_map import run_sorted

        query = f'SELECT * FROM "{source}"' if source in self.tables() else source
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in [*key, *(order_by or [])])
        reader = self.con.sql(f"SELECT * FROM ({query}) AS _src ORDER BY {cols}", params=params or None).to_arrow_reader(batch_rows)
        return run_sorted(reader, key, fn, schema, batch_rows)

    def write_expr(self, name: str, expr: Any, *, temp: bool = False) -> None:
        """Store an Ibis expression's result as table `name` (the engine compiles it: a lake
        study runs the same expression on Spark)."""
        kind = "TEMP TABLE" if temp else "TABLE"
        self.sql(f'CREATE OR REPLACE {kind} "{name}" AS {sql_cache.to_sql(expr)}')

    def expr_arrow(self, expr: Any) -> pa.Table:
        """An Ibis expression's whole result as Arrow."""
        return self.con.sql(sql_cache.to_sql(expr)).to_arrow_table()

    def query_arrow(self, query: str, params: list[Any] | None = None) -> pa.Table:
        """A query's whole result as Arrow (for results a stage needs in Python)."""
        return self.con.sql(query, params=params or None).to_arrow_table()

    def query_pandas(self, query: str, params: list[Any] | None = None) -> Any:
        """A query's whole result as pandas, with DuckDB's nullable column types."""
        return self.con.execute(query, params or []).df()

    def write_table(self, name: str, table: pa.Table) -> int:
        """Replace table `name` with an Arrow table (how stages store what Python computed)."""
        view = f"_botwatch_write_{uuid.uuid4().hex[:8]}"
        self.con.register(view, table)
        try:
            self.sql(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "{view}"')
        finally:
            self.con.unregister(view)
        return table.num_rows


def driver_select(name: str, columns: list[str], equal: dict[str, Any] | None = None, among: dict[str, Any] | None = None) -> tuple[str, list[Any]]:
    """The DuckDB SELECT (and its parameters) of `driver_arrow`'s rows: `columns` of table `name`
    where each column of `equal` equals its value and each of `among` holds one of its values (a
    NULL matching neither, as `LakeStudy.driver_arrow` filters). Shared by `Study.driver_arrow` and
    the report's lake view (`LakeReader.driver_arrow`), which holds small tables in DuckDB."""
    wheres, params = [], []
    for col, value in (equal or {}).items():
        wheres.append(f"{_quoted(col)} = ?")
        params.append(value)
    for col, values in (among or {}).items():
        held = sorted(values)
        wheres.append(f"{_quoted(col)} IN ({', '.join('?' * len(held))})" if held else "false")
        params += held
    query = f"SELECT {', '.join(map(_quoted, columns))} FROM {_quoted(name)}"
    return query + (f" WHERE {' AND '.join(wheres)}" if wheres else ""), params


def _quoted(name: str) -> str:
    """A table or column name as a DuckDB identifier (a double quote in it doubled)."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _closing(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatchReader]:
    """The reader, closed however the block ends (a half-read result would hold the connection)."""
    try:
        yield reader
    finally:
        reader.close()


def _counted(batches: Iterable["pa.RecordBatch"], unit: str, total: int | None,
             note: Callable[[int, int | None, str], None]) -> Iterator["pa.RecordBatch"]:
    """`batches` as they are, noting the rows read so far with `note` before each is handed on
    (`Study.map_arrow`'s `count_as`)."""
    done = 0
    for batch in batches:
        done += batch.num_rows
        note(done, total, unit)
        yield batch


def _insert(cur: Any, table: str, part: pa.Table) -> None:
    """Append an Arrow table to `table` through connection `cur`.

    Not register/unregister: in a transaction (`map_arrow`'s) DuckDB keeps an unregistered view,
    and the Arrow table behind it, until COMMIT, so every part written stayed in memory."""
    cur.from_arrow(part).insert_into(table)


def open_study(path: str | Path, *, read_only: bool = True, engine: str | None = None, master: str | None = None, spark: Any = None) -> Any:
    """Open a study: a DuckDB file, or a lake of Parquet tables analysed by Spark. Tables come back
    as Ibis (`.table`), Arrow, pandas or Polars.

    Read-only by default: a notebook reading a study must neither create a file from a mistyped
    path nor hold the write lock that `botwatch analyze` needs. Pass `read_only=False` to write
    (that also creates the study when the file does not exist). `engine="spark"` (or a path that
    is a lake, see `botwatch.engines.lake.is_lake_path`) opens a `LakeStudy` on the running
    SparkSession, or one started on `master` / `$SPARK_MASTER` / `local[*]`."""
    from botwatch.engines.lake import is_lake_path

    if engine not in (None, "duckdb", "spark"):
        raise StudyError(f"unknown engine {engine!r}: use duckdb or spark")
    if engine == "spark" or (engine is None and is_lake_path(str(path))):
        from botwatch.engines.lake import LakeStudy

        return LakeStudy(path, read_only=read_only, master=master, spark=spark)
    return Study(path, read_only=read_only)
