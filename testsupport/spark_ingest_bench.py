"""What a small `ingest --engine spark` costs on a warm JVM: CPU-seconds (this Python, the JVM and
everything below it), Spark jobs and py4j round trips, for comparing two versions of the engine
side by side on the shared machine (docs/testing.md). Not a test.

    PYTHONPATH=src .venv/bin/python testsupport/spark_ingest_bench.py [FILE,FILE...] [--pairs N]

The session is built as `tests/conftest.py` builds the tests' one. After a warm-up, each pair is
an ingest into a new lake and the same files again with `--force` into that lake (both paths of
the merge). To compare an older `src`, unpack it (`git archive REV src | tar -x -C DIR`) and run
this file with `PYTHONPATH=DIR/src`, the two runs one after the other at the same load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testsupport.per_test_cost import tree_cpu  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "ingest")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="?", default=f"{FIX}/twarc2_flat.jsonl,{FIX}/v1_uklabour.jsonl")
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import py4j.clientserver as cs
    from pyspark.sql import SparkSession

    calls = [0]
    send = cs.ClientServerConnection.send_command

    def counted(self, command, *a, **k):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return send(self, command, *a, **k)

    cs.ClientServerConnection.send_command = counted  # type: ignore[method-assign]
    spark = (SparkSession.builder.master("local[2]").appName("bench").config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "2g")
             .config("spark.sql.codegen.cache.maxEntries", "2000")
             .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    from botwatch.engines.spark_ingest import ingest_lake

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    files = args.files.split(",")
    work = tempfile.mkdtemp(prefix="botwatch-bench-")
    try:
        ingest_lake(spark, f"{work}/warm", files)
        ingest_lake(spark, f"{work}/warm", files, force=True)
        cpu0, jobs0, calls0, wall0 = tree_cpu(), jobs(), calls[0], time.time()
        for i in range(args.pairs):
            ingest_lake(spark, f"{work}/l{i}", files)
            ingest_lake(spark, f"{work}/l{i}", files, force=True)
        n = 2 * args.pairs
        print(f"{n} ingests: CPU {tree_cpu() - cpu0:.1f} s, Spark jobs {jobs() - jobs0}, py4j calls {calls[0] - calls0}, "
              f"wall {time.time() - wall0:.1f} s, load {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        spark.stop()


if __name__ == "__main__":
    main()
