"""Profile `analyze` on a lake: seconds per stage and per Spark step (docs/spark.md, 3c).

    python benchmarks/spark_steps.py LAKE [--election uk-ge2017] [--json steps.json]

Runs every stage on LAKE (it is written: profile a copy) in this process with the progress
frames of `engines/spark_progress.py` attached, then prints the stages' seconds, the steps that
took longest (summed over steps of the same name) and the time per kind of step. A line every
30 s while a step runs, as `botwatch analyze` prints.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lake")
    ap.add_argument("--election", default="uk-ge2017")
    ap.add_argument("--json", help="write every step's (stage, step, seconds) here")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    t_start = time.perf_counter()
    from botwatch.elections import load_election
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_progress import SparkProgress
    from botwatch.pipeline import Context, analyze

    t0 = time.perf_counter()
    st = LakeStudy(args.lake, create=False)
    opened = time.perf_counter() - t0
    progress = SparkProgress(st.spark, emit=lambda line: print(line, file=sys.stderr, flush=True)).start()
    st.progress = progress
    stages: dict[str, float] = {}

    def done(name: str, _status: str, _rows: object, secs: float) -> None:
        progress.end_stage()
        stages[name] = secs

    ctx = Context(election=load_election(args.election), log=lambda m: print(m, file=sys.stderr), engine="spark")
    try:
        analyze(st, ctx, on_start=progress.begin_stage, on_done=done)
    finally:
        progress.stop()
        st.close()
    steps = progress.timings
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"open_s": opened, "stages": stages, "steps": steps}, f, indent=1)
    print(f"total {time.perf_counter() - t_start:.1f} s, JVM start and lake open {opened:.1f} s, {len(steps)} steps")
    for name, secs in stages.items():
        print(f"  {name:18s} {secs:7.1f} s  {sum(1 for s, *_ in steps if s == name):4d} steps")
    same: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    kinds: dict[str, list[float]] = collections.defaultdict(list)
    for stage, step, secs in steps:
        same[(stage, step.split(" (")[0])].append(secs)
        kinds[step.split(" ")[0]].append(secs)
    print("longest:")
    for (stage, step), secs in sorted(same.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"  {sum(secs):7.1f} s  x{len(secs):<3d} {stage}: {step[:110]}")
    print("by kind: " + ", ".join(f"{k} {len(v)} steps {sum(v):.1f} s" for k, v in sorted(kinds.items(), key=lambda kv: -sum(kv[1]))))


if __name__ == "__main__":
    main()
