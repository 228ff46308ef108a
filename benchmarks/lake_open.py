"""Seconds to open a lake, and to answer `botwatch status` on it, in one running Spark session.

    PYTHONPATH=src .venv/bin/python benchmarks/lake_open.py LAKE [--repeat 3]

`time botwatch status LAKE` mostly measures the JVM's start (and, on a shared machine, the
neighbours); this separates what opening the lake itself costs: before lazy registration every
table folder became a Spark view at open (a Parquet listing and footer read each), so the cost
grew with the number of tables even when a command read three of them. Printed per repeat: the
open alone (read-only, as `status` opens it), the status summary on the opened lake, and how
many tables the lake holds and how many were registered as views by the end.
"""

from __future__ import annotations

import argparse
import os
import time

from botwatch.engines.lake import _NAMES, LakeStudy
from botwatch.engines.lake_files import spark_session
from botwatch.engines.lake_report import reading
from botwatch.report.section_overview import study_summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lake")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    spark, own = spark_session(os.environ.get("SPARK_MASTER"))
    print(f"spark session started in {time.perf_counter() - t0:.1f} s (not counted below)")
    try:
        for i in range(args.repeat):
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            lake = LakeStudy(args.lake, read_only=True, spark=spark)
            opened = time.perf_counter() - t0
            try:
                t1 = time.perf_counter()
                with reading(lake) as st:
                    s = study_summary(st)
                    st.sql("SELECT stage, status FROM runs")
                summary = time.perf_counter() - t1
                views = len(_NAMES.get(lake._token, set()))
                print(f"run {i + 1}: open {opened:.2f} s, status summary {summary:.2f} s ({s['posts']:,} posts); "
                      f"{len(lake.tables())} tables, {views} registered as views; load {load:.1f}")
            finally:
                lake.close()
    finally:
        if own:
            spark.stop()


if __name__ == "__main__":
    main()
