"""Benchmark: the content stage's account prior (and the whole content stage) under two versions of
the code, on a copy of a study: seconds, CPU-seconds and the driver's peak memory.

The prior used to bring every `post_party` row and the retweet graph's edges to the driver and
work in numpy there (`propagate.propagate_stances`); it now runs in the engine
(`content.prior_engine.propagate_in_engine`). Give each version's source folder with `--src`:

    git archive a835ca1~1 src | tar -x -C /tmp/before        # the code before the change
    python benchmarks/content_prior.py STUDY.duckdb --src /tmp/before/src --src src --election us-2016
    python benchmarks/content_prior.py STUDY.duckdb --src /tmp/before/src --src src --engine spark --what prior

STUDY must hold `post_party` (its content stage has run) for `--what prior`. Each measurement is
a child process (PYTHONPATH = that --src) on a fresh copy of the study (with `--engine spark`, a
lake made from it once, copied per run): `prior` runs the prior alone as the stage calls it,
`stage` runs the whole content stage (`run_content`). Printed per run: wall seconds, the child's
CPU-seconds (its own and its forked workers'; on Spark the JVM's are not counted), the child's
own peak RSS (VmHWM, the driver's Python process: what the prior collected lands here) and,
on a lake, the most rows one result brought to the driver (`LakeStudy.collected`). "open" is the
child opening the study and doing nothing, the fixed cost under both. Versions run alternately
(A B A B with --repeat 2), since a shared machine's load moves between runs.

This is a script that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(study: str, what: str, engine: str, election: str) -> None:
    """Run one measurement in this process and print its figures as JSON."""
    from botwatch import open_study

    spark = None
    if engine == "spark":
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the Python workers run this interpreter
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                 .config("spark.driver.memory", "2g").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    st = open_study(study, read_only=False, spark=spark) if spark is not None else open_study(study, read_only=False)
    t, c = time.perf_counter(), _cpu()
    if what == "prior":
        try:
            from botwatch.content.prior_engine import propagate_in_engine

            propagate_in_engine(st)
            path = "engine"
        except ImportError:  # the code before the change: collect, numpy, write back
            from botwatch.content.propagate import propagate_stances

            st.write_table("post_party", propagate_stances(st, st.arrow("post_party")))
            path = "driver"
    elif what == "stage":
        from botwatch.content.stage import run_content
        from botwatch.elections import load_election

        run_content(st, load_election(election), log=lambda m: None)
        path = "stage"
    else:
        st.count("posts")
        path = "open"
    secs, cpu = time.perf_counter() - t, _cpu() - c
    collected = max((n for n, _ in getattr(st, "collected", [])), default=0)
    rows = st.count("post_party") if "post_party" in st.tables() else 0
    st.close()
    if spark is not None:
        spark.stop()
    peak = _hwm_mib()
    print(json.dumps({"path": path, "seconds": secs, "cpu_s": cpu, "peak_mib": peak, "max_collected_rows": collected, "post_party": rows}))


def _hwm_mib() -> float:
    """This process's peak RSS since it started (VmHWM). Not `ru_maxrss`: after fork and exec,
    that keeps the parent's size at the fork (a parent holding a study copy reads as the child's)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """This process's CPU-seconds and its waited-for children's (the content stage's forked pool)."""
    s, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + ch.ru_utime + ch.ru_stime


def run_one(src: str, study: Path, what: str, engine: str, election: str, tmp: Path) -> dict:
    copy = tmp / ("run.duckdb" if engine == "duckdb" else "run-lake")
    if copy.exists():
        shutil.rmtree(copy) if copy.is_dir() else copy.unlink()
    (shutil.copytree if study.is_dir() else shutil.copy)(study, copy)
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    out = subprocess.run([sys.executable, __file__, "--child", str(copy), "--what", what, "--engine", engine, "--election", election],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"path": "FAILED", "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", type=Path)
    ap.add_argument("--src", action="append", help="a version's source folder (repeat: one per version)")
    ap.add_argument("--what", default="prior,stage", help="prior, stage and/or open, comma-separated")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(str(args.study), args.what, args.engine, args.election)
        return
    srcs = args.src or ["src"]
    with tempfile.TemporaryDirectory(prefix="bw-prior-") as tmpdir:
        tmp = Path(tmpdir)
        study = args.study
        if args.engine == "spark":  # one lake made from the DuckDB study (in a child), copied per run
            make = "from botwatch import open_study; from botwatch.engines.lake import lake_from_study; import sys; " \
                   "d = open_study(sys.argv[1]); lake_from_study(d, sys.argv[2]).close(); d.close()"
            subprocess.run([sys.executable, "-c", make, str(study), str(tmp / "lake")], check=True, capture_output=True)
            study = tmp / "lake"
        print(f"{args.study} on {args.engine}; load {os.getloadavg()[0]:.1f}")
        print(f"{'what':6} {'version':40} {'path':7} {'wall s':>7} {'CPU-s':>7} {'peak MiB':>9} {'collected':>10} {'post_party':>11} load")
        for what in args.what.split(","):
            for _ in range(args.repeat):
                for src in srcs:
                    r = run_one(src, study, what, args.engine, args.election, tmp)
                    if r["path"] == "FAILED":
                        print(f"{what:6} {src:40} FAILED: {r['error']}")
                        continue
                    print(f"{what:6} {src:40} {r['path']:7} {r['seconds']:7.1f} {r['cpu_s']:7.1f} {r['peak_mib']:9.0f} {r['max_collected_rows']:10,} "
                          f"{r['post_party']:11,} {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
