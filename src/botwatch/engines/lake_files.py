"""The Spark session a lake study runs on, and the lake's folders through Hadoop's FileSystem
(local paths, hdfs:// and s3a:// are one code path)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from botwatch.study import StudyError


class SparkUnavailable(StudyError):
    """PySpark or Java is missing, or the master cannot be reached; the message says what to do.

    A `StudyError`, so every command that opens a lake or ingests into one turns it into the
    same one red line."""


def spark_session(master: str | None = None) -> tuple[Any, bool]:
    """The session a lake study or the Spark ingest runs on, and whether this call started it
    (then the caller stops it).

    A running session (spark-submit's, a notebook's, a test's) is used as it is; else one on
    `master` (or SPARK_MASTER); else, under spark-submit (PYSPARK_GATEWAY_PORT set), the master
    spark-submit configured; else a local one on every core. Never forcing `local[*]` is what
    lets the same command run on a cluster."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("the Spark engine needs PySpark: pip install 'botwatch[spark]' (and Java 17)") from None
    given = master
    master = master or os.environ.get("SPARK_MASTER") or None
    active = SparkSession.getActiveSession()
    if active is not None:  # its master cannot change; starting "another" would return it and stop it after
        return active, False
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers run this interpreter, with botwatch in it
    # The JVM started below logs errors only (its start-up warnings are not the user's business);
    # an environment variable, so a user's own -Dlog4j2.configurationFile still wins.
    os.environ.setdefault("LOG4J_CONFIGURATION_FILE", str(Path(__file__).with_name("log4j2.properties")))
    builder = SparkSession.builder.appName("botwatch").config("spark.sql.session.timeZone", "UTC")
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit set the master already
    if master is None and not under_submit:
        master = "local[*]"
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        # One machine: Spark's default of 200 shuffle partitions makes each small merge step 200 tasks.
        builder = builder.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
        # Spark makes ./spark-warehouse in the working folder the first time its catalog is used;
        # a lake keeps no tables there, so it goes to the temporary folder instead.
        builder = builder.config("spark.sql.warehouse.dir", os.path.join(tempfile.gettempdir(), "botwatch-spark-warehouse"))
    builder = builder.config("spark.ui.showConsoleProgress", "false")  # our own progress line; Spark's would garble it
    interrupt = signal.getsignal(signal.SIGINT)
    session = _start(builder, master, given, under_submit)
    if getattr(interrupt, "botwatch_cli", False):
        # PySpark installs a SIGINT handler that cancels jobs over the very Py4J connection the
        # interrupted call is using; the command line keeps its own (`cli/guard.py`).
        signal.signal(signal.SIGINT, interrupt)
    return session, True


def _quiet(session: Any) -> None:
    """Errors reach the user as one line (the exception's), not as a JVM log with its stack trace
    (a task's failure, a job cancelled by Ctrl-C); BOTWATCH_DEBUG=1 keeps the JVM's error log.
    Set before the JVM's stderr goes back to the terminal (`jvm_output_to`)."""
    session.sparkContext.setLogLevel("ERROR" if os.environ.get("BOTWATCH_DEBUG") else "FATAL")
    if not os.environ.get("BOTWATCH_DEBUG"):
        _quiet_query_loggers()


def _start(builder: Any, master: str | None, given: str | None, under_submit: bool) -> Any:
    """`builder.getOrCreate()`, or SparkUnavailable saying in one line which setting is wrong.

    What can be checked without a JVM is checked first (`engines/spark_start.py`); the JVM's own
    output while it starts goes to a temporary file (kept, and named in the error, when the start
    fails; shown as it comes with BOTWATCH_DEBUG=1), never over the command's lines; once the
    session is up, to the terminal again, so a later OutOfMemoryError or lost executor is seen."""
    from botwatch.engines import spark_start

    if not under_submit:  # under spark-submit the JVM is already running
        problem = spark_start.java_problem() or spark_start.master_problem(master, given)
        if problem:
            raise SparkUnavailable(problem)
    log = None
    if not os.environ.get("BOTWATCH_DEBUG") and not under_submit:
        fd, log = tempfile.mkstemp(prefix="botwatch-spark-", suffix=".log")
        os.close(fd)
    try:
        with spark_start.jvm_output_to(log):
            session = builder.getOrCreate()
            _quiet(session)
    except Exception as exc:  # noqa: BLE001 - PySparkRuntimeError (gateway exited), Py4J errors, OSError
        said = ""
        if log is not None:
            with open(log, encoding="utf-8", errors="replace") as f:
                said = f.read()
        line = spark_start.explain_failure(master, given, said, exc)
        if log is not None and not said.strip():
            _remove(log)  # nothing to keep
        raise SparkUnavailable(line + (f" (the JVM's output: {log})" if log and said.strip() else "")) from None
    except BaseException:  # Ctrl-C while the JVM starts: nothing to explain, nothing to keep
        if log is not None:
            _remove(log)
        raise
    if log is not None:
        _remove(log)  # the start-up's chatter; what the JVM says from now on reaches the terminal
    return session


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _quiet_query_loggers() -> None:
    """PySpark logs every failed SQL statement as JSON with the JVM's stack trace on stderr, even
    one the caller handles; botwatch reports the error itself, in one line."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # an older PySpark has no such loggers
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def first_line(exc: BaseException) -> str:
    """An exception as one short line (a JVM error carries its whole stack trace in the message)."""
    java = getattr(exc, "java_exception", None)  # Py4J: the Java exception says why, the Python one only "calling o123.parquet"
    text = (str(java.toString()) if java is not None else str(exc)).strip()
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "") or type(exc).__name__
    return line[:300]


def local_path(p: str) -> str | None:
    """The local-disk path of a lake path: a `file:` URL or a path with no scheme; None for any
    other scheme (hdfs://, s3a://), which only Hadoop's FileSystem can reach."""
    if p.startswith("file:"):
        return "/" + p[len("file:"):].lstrip("/")
    return None if "://" in p else p


def create_new_local(path: str, text: str) -> bool:
    """Write `text` to a new local file; False when it exists already. One atomic step
    (O_CREAT | O_EXCL), which is what makes the lake's write lock safe on a local folder; kept
    apart from `LakeFiles` so it is tested without a Spark session."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def _entries(folder: str) -> list[os.DirEntry[str]]:
    """A local folder's entries; none for a path that is missing or not a folder (as Hadoop
    lists a file as itself, which is neither a sub-folder nor, for `files`, a file inside it)."""
    try:
        with os.scandir(folder) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _hadoop_checksum(name: str) -> bool:
    """A checksum file Hadoop's local file system writes beside a file it writes (`.NAME.crc`)."""
    return name.startswith(".") and name.endswith(".crc")


class LakeFiles:
    """The lake's folders through Hadoop's FileSystem, so local paths, hdfs:// and s3a:// are one code path."""

    def __init__(self, spark: Any, root: str) -> None:
        jvm = spark._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        self._io = jvm.org.apache.commons.io.IOUtils
        self.fs = self._path(root).getFileSystem(spark._jsc.hadoopConfiguration())

    # `exists`, `dirs` and `files` answer a local path from the disk: through Hadoop a listing
    # took three py4j round trips per entry, and a lake lists its root (some 30 folders) each
    # time it names a table, about a quarter of a small ingest's py4j calls (docs/testing.md).
    # The same answers: Hadoop's local file system is this disk, and its listing hides the
    # checksum files it writes beside its own (`.NAME.crc`), as `files` does here.
    def exists(self, p: str) -> bool:
        local = local_path(p)
        if local is not None:
            return os.path.exists(local)
        return bool(self.fs.exists(self._path(p)))

    def dirs(self, p: str) -> list[str]:
        local = local_path(p)
        if local is not None:
            return sorted(e.name for e in _entries(local) if e.is_dir())
        if not self.exists(p):
            return []
        return sorted(s.getPath().getName() for s in self.fs.listStatus(self._path(p)) if s.isDirectory())

    def files(self, p: str) -> list[str]:
        local = local_path(p)
        if local is not None:
            if os.path.isfile(local):  # Hadoop lists a file as itself
                return [os.path.basename(local)]
            return sorted(e.name for e in _entries(local) if e.is_file() and not _hadoop_checksum(e.name))
        if not self.exists(p):
            return []
        return sorted(s.getPath().getName() for s in self.fs.listStatus(self._path(p)) if s.isFile())

    def delete(self, p: str) -> None:
        self.fs.delete(self._path(p), True)

    def remove_if_empty(self, p: str) -> None:
        """Remove the folder `p` when it is empty; leave it (and say nothing) when it holds
        anything or is gone. A local folder goes by `rmdir`, which checks and removes in one step:
        Hadoop's local non-recursive delete lists the folder and then deletes it recursively, so
        a folder another command created in it between the two would go with it."""
        local = local_path(p)
        try:
            if local is not None:
                os.rmdir(local)
            else:  # HDFS's namenode refuses a non-empty folder in one step; S3A says it is not empty
                self.fs.delete(self._path(p), False)
        except Exception:  # noqa: BLE001 - OSError, Py4J's PathIsNotEmptyDirectoryException: it stays
            pass

    def rename(self, src: str, dst: str) -> None:
        parent = self._path(dst).getParent()
        if parent is not None:
            self.fs.mkdirs(parent)
        if not self.fs.rename(self._path(src), self._path(dst)):
            raise StudyError(f"could not move {src} to {dst}")

    def mtime(self, p: str) -> float | None:
        """When `p` last changed, in seconds since the epoch; None where it is gone or the store
        keeps no time for it (an S3 "folder")."""
        try:
            stamp = int(self.fs.getFileStatus(self._path(p)).getModificationTime())
        except Exception:  # noqa: BLE001 - Py4J's FileNotFoundException
            return None
        return stamp / 1000 if stamp > 0 else None

    def read_text(self, p: str) -> str:
        stream = self.fs.open(self._path(p))
        try:
            return str(self._io.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def create_new(self, p: str, text: str) -> bool:
        """Write `text` to a new file at `p`; False when the file exists already (one atomic step
        on a local folder and on HDFS; two requests on S3, see `lake_lock`)."""
        local = local_path(p)
        if local is not None:
            return create_new_local(local, text)
        try:
            stream = self.fs.create(self._path(p), False)
        except Exception:  # noqa: BLE001 - Py4J wraps FileAlreadyExistsException
            if self.exists(p):
                return False
            raise
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        return True

    def write_text(self, p: str, text: str) -> None:
        stream = self.fs.create(self._path(p), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
