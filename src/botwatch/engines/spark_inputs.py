"""Inputs of `ingest --engine spark` on HDFS or object storage (`hdfs://`, `s3a://`, `file:`).

Why: on a cluster the captures usually lie where the lake does, not on a disk every executor
mounts. The driver lists such URLs through Hadoop's FileSystem (a folder: every file under it,
hidden ones skipped, as `expand_inputs` does on disk; a glob: what it matches), and each file's
bytes reach the executor that reads it through Spark's `binaryFile` source
(`spark_stage.stage_contents`), so no Python process needs the cloud client.

A file is held whole in the executor's memory while it is copied to the task's local disk:
one file must fit in an executor (and under 2 GB, Spark's limit for one binary value). Split
larger captures, as `botwatch collect` does by rotating its files.
"""

from __future__ import annotations

import re
from typing import Any


def is_url(path: str) -> bool:
    """An input named by URL, read through Hadoop rather than the local disk."""
    return "://" in path or path.startswith("file:")


def normal(url: str) -> str:
    """One spelling per file (`file:///x`, `file:/x` → `file:/x`), to match Spark's `path` column."""
    return re.sub(r"^file:/+", "file:/", url)


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def expand_urls(spark: Any, paths: list[str]) -> tuple[list[str], set[str]]:
    """Local paths as given and URLs expanded to their files (sorted); and the URLs that name
    nothing (kept in the list, so the file's result says so, as a missing local file's does)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    out: list[str] = []
    missing: set[str] = set()
    listed: set[str] = set()  # files a URL expanded to, so far

    def add(f: str) -> None:
        # A folder URL and a glob that overlap name a file twice: the file numbers of URL inputs
        # are keyed by the file, so the second mention is dropped, not read again under the
        # first's number. (A local path given twice is kept: its second reading reports
        # "identical content already ingested", as DuckDB's ingest does.)
        if f not in listed:
            listed.add(f)
            out.append(f)

    for p in paths:
        if not is_url(p):
            out.append(p)
            continue
        hp = jvm.org.apache.hadoop.fs.Path(p)
        fs = hp.getFileSystem(conf)
        statuses = fs.globStatus(hp)
        if statuses is None or len(statuses) == 0:
            out.append(p)
            missing.add(p)
            continue
        for st in sorted(statuses, key=lambda s: str(s.getPath().toString())):
            if not st.isDirectory():
                add(str(st.getPath().toString()))
                continue
            base = str(st.getPath().toString()).rstrip("/")
            found = []
            it = fs.listFiles(st.getPath(), True)
            while it.hasNext():
                f = str(it.next().getPath().toString())
                if not any(_hidden(part) for part in f[len(base):].split("/") if part):
                    found.append(f)
            for f in sorted(found):
                add(f)
    return out, missing


_GLOB_CHARS = "\\[]{}*?"


def glob_literal(url: str) -> str:
    """`url` with Hadoop's glob characters escaped: `binaryFile` globs every path it is given
    again, so an expanded file named `a[1].jsonl` would otherwise match nothing and fail the job."""
    return "".join("\\" + c if c in _GLOB_CHARS else c for c in url)
