"""Count the Spark jobs of `ingest --engine spark` per calling line, on a slice of the real data.

    python benchmarks/spark_ingest_jobs.py [--data ../shared/data] [--json jobs.json]

Four ingests into one new lake (in a temporary folder), with the tests' session settings
(local[2], four shuffle partitions): a new lake (the first 4,000 IRA tweets, three twarc2 files
and the IRA authors), the same files again with `--force` (a re-read), three other files (IRA
tweets 3,001-7,000, two twarc2 files: new files into a lake holding rows), and those again
(skipped as identical). Each py4j call that ran jobs is listed with the botwatch lines that
called it; last, each table's rows and an MD5 of them (sorted; times of the run left out), to
compare the lake before and after a change (docs/performance.md, "Spark jobs of an ingest").
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

# Columns that say when or by which run, not what was read.
_WHEN = {"ingested_at", "seen_at", "replaced_at", "started_at", "finished_at", "run_id", "params", "version"}


def _slice(src: Path, out: Path, first: int, last: int) -> str:
    """Rows `first`..`last` of a gzipped CSV (its header kept) written to `out`."""
    import io

    # No time in the gzip header (`mtime=0`): the same bytes, so the same SHA-256 in `sources`, each run.
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh, gzip.GzipFile(out, "wb", mtime=0) as packed, \
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        for i, row in enumerate(csv.reader(fh)):
            if i > last:
                break
            if i == 0 or i >= first:
                writer.writerow(row)
    return str(out)


def _count_calls(spark: Any, sites: list[tuple[int, str, str]]) -> None:
    """Wrap every py4j call: the jobs it started (the scheduler's next job id before and after)."""
    import py4j.java_gateway as jg

    sched = spark.sparkContext._jsc.sc().dagScheduler()
    plain = jg.JavaMember.__call__
    inner = threading.local()

    def next_id() -> int:
        inner.busy = True
        try:
            return int(str(sched.nextJobId()))
        finally:
            inner.busy = False

    def call(self: Any, *args: Any) -> Any:
        if getattr(inner, "busy", False):
            return plain(self, *args)
        before = next_id()
        try:
            return plain(self, *args)
        finally:
            if (ran := next_id() - before) > 0:
                ours = [f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in traceback.extract_stack()[:-1] if "botwatch" in f.filename]
                sites.append((ran, self.name, " < ".join(reversed(ours[-4:]))))

    jg.JavaMember.__call__ = call


def _digest(lake: str, places: dict[str, str]) -> dict[str, Any]:
    """Each table's rows and an MD5 of them sorted, the folders in `places` named by their keys
    (a file's name holds where it was read from: the temporary folder, the data folder given)."""
    import pyarrow.parquet as pq

    out: dict[str, Any] = {}
    for entry in sorted(os.scandir(lake), key=lambda e: e.name):
        if not entry.is_dir() or entry.name.startswith((".", "_")):
            continue
        table = pq.read_table(entry.path)
        rows = []
        for row in table.drop_columns([c for c in table.column_names if c in _WHEN]).to_pylist():
            text = repr(row)
            for name, folder in places.items():
                text = text.replace(folder, name)
            rows.append(text)
        rows.sort()
        out[entry.name] = [len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest()[:12]]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--json", help="write the counts and the digest here")
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from botwatch.engines.spark_ingest import ingest_lake

    spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    sites: list[tuple[int, str, str]] = []
    _count_calls(spark, sites)
    data, counts = Path(args.data).resolve(), {}
    with tempfile.TemporaryDirectory() as tmp:
        twarc = data / "twarc2"
        first = [_slice(data / "ira" / "tweets.csv.gz", Path(tmp) / "ira_a.csv.gz", 1, 4000), str(twarc / "brexit.jsonl.gz"),
                 str(twarc / "streaming_output_with_error.jsonl.gz"), str(twarc / "users.jsonl.gz"), str(data / "ira" / "authors.csv.gz")]
        other = [_slice(data / "ira" / "tweets.csv.gz", Path(tmp) / "ira_b.csv.gz", 3001, 7000), str(twarc / "kpop.jsonl.gz"),
                 str(twarc / "cotweet.jsonl.gz")]
        lake = str(Path(tmp) / "lake")
        sched = spark.sparkContext._jsc.sc().dagScheduler()
        for label, files, force in (("new lake", first, False), ("re-read --force", first, True), ("new files", other, False),
                                    ("the new files again (skipped)", other, False)):
            sites.clear()
            before = int(str(sched.nextJobId()))
            ingest_lake(spark, lake, files, force=force)
            counts[label] = int(str(sched.nextJobId())) - before
            print(f"{label}: {counts[label]} Spark jobs")
            for ran, method, where in list(sites):
                print(f"  {ran} {method:10s} {where}")
        digest = _digest(lake, {"TMP": tmp, "DATA": str(data)})
    for name, (rows, md5) in digest.items():
        print(f"  {name:20s} {rows:6d} rows  {md5}")
    if args.json:
        Path(args.json).write_text(json.dumps({"jobs": counts, "digest": digest}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
