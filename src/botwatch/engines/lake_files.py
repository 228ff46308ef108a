"""The Spark session a lake study runs on, and the lake's folders through Hadoop's FileSystem
(local paths, hdfs:// and s3a:// are one code path)."""

from __future__ import annotations

import os
import sys
from typing import Any

from botwatch.study import StudyError


def spark_session(master: str | None = None) -> Any:
    """The SparkSession a lake study runs on: the one already running (spark-submit, a notebook),
    else a new one on `master`, `$SPARK_MASTER`, or `local[*]`. Errors a user can act on (no
    PySpark, no Java) become `StudyError`."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise StudyError("--engine spark needs PySpark: pip install 'botwatch[spark]' (and Java 17)") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    master = master or os.environ.get("SPARK_MASTER") or "local[*]"
    builder = (
        SparkSession.builder.master(master).appName("botwatch")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, a bad master URL
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = " (is Java 17 installed and JAVA_HOME set?)" if "JAVA" in text.upper() else ""
        raise StudyError(f"Spark could not start on {master}: {text}{hint}") from None
    session.sparkContext.setLogLevel("FATAL")  # errors reach the user as one line, not a JVM log
    return session


class LakeFiles:
    """The lake's folders through Hadoop's FileSystem, so local paths, hdfs:// and s3a:// are one code path."""

    def __init__(self, spark: Any, root: str) -> None:
        jvm = spark._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        self._io = jvm.org.apache.commons.io.IOUtils
        self.fs = self._path(root).getFileSystem(spark._jsc.hadoopConfiguration())

    def exists(self, p: str) -> bool:
        return bool(self.fs.exists(self._path(p)))

    def dirs(self, p: str) -> list[str]:
        if not self.exists(p):
            return []
        return sorted(s.getPath().getName() for s in self.fs.listStatus(self._path(p)) if s.isDirectory())

    def files(self, p: str) -> list[str]:
        if not self.exists(p):
            return []
        return sorted(s.getPath().getName() for s in self.fs.listStatus(self._path(p)) if s.isFile())

    def delete(self, p: str) -> None:
        self.fs.delete(self._path(p), True)

    def rename(self, src: str, dst: str) -> None:
        parent = self._path(dst).getParent()
        if parent is not None:
            self.fs.mkdirs(parent)
        if not self.fs.rename(self._path(src), self._path(dst)):
            raise StudyError(f"could not move {src} to {dst}")

    def read_text(self, p: str) -> str:
        stream = self.fs.open(self._path(p))
        try:
            return str(self._io.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def write_text(self, p: str, text: str) -> None:
        stream = self.fs.create(self._path(p), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()


def _no_active_session() -> bool:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return True
    return SparkSession.getActiveSession() is None
