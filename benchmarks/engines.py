"""Benchmark: the whole pipeline (ingest, then every analyze stage) on DuckDB and on Spark.

Generates N posts (default 10M) of the crowd with a planted coordinated network
(`testsupport.coordination_synth`), written as Twitter v1.1 JSON lines, one file a day
(`testsupport.crowd_files`): the format a capture comes in and the one both engines ingest
fastest (DuckDB's native JSON path; one Spark task per file). Then, per engine, it runs exactly
what a user runs, each step in its own child process:

    botwatch ingest  [--engine spark] STUDY FILES...
    botwatch analyze [--engine spark] STUDY --only NAME [--election E]      (one child per stage)

and prints per step the wall-clock seconds and peak memory, then a markdown table for the README,
and whether the planted network was recovered (`botwatch export STUDY cluster_members`).

CPU-seconds: user + system time of the command and every process under it (RUSAGE_CHILDREN of
this script around the step), printed beside the wall clock with the load average at the end of
the step. On a shared machine the wall clock mostly measures the neighbours; the CPU-seconds do not.
On Spark they miss the JVM's time, which does not reach RUSAGE_CHILDREN (seen at 1M posts: 1.9
CPU-s for a 111 s ingest): there they count the Python side only.

Memory, and how it is measured:
  * driver: the peak RSS (`ru_maxrss` of RUSAGE_SELF) of the Python process running the command,
    written by that process itself at exit: exact.
  * JVM (Spark only): the peak RSS (`VmHWM` in /proc/PID/status) of the `java` process the driver
    starts, read every 0.2 s while it lives (the last 0.2 s may be missed). In local mode the
    executors run inside this one JVM, so this is driver JVM and executor together.
  * workers: the largest sum of the current RSS of the command's other descendants, sampled
    every 0.2 s: on Spark the Python workers the JVM forks (`mapInArrow`), on DuckDB the forked
    pool of the content model.
Each Spark child starts its own JVM (the "session start" row measures that cost on its own).

Spark runs on `local[2]` with `--spark-driver-memory` (default 3g) through PYSPARK_SUBMIT_ARGS and
SPARK_MASTER, so no engine flag beyond `--engine spark` is assumed. A step that fails prints
"FAILED: <its error line>" and the benchmark goes on with the next.

    python benchmarks/engines.py --posts 50000                       # a few minutes on an idle 2-core machine
    python benchmarks/engines.py --engines duckdb --posts 10000000 --keep /tmp/bw-engines
    python benchmarks/engines.py --engines spark --posts 1000000 --election none

This is a script that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository root, for testsupport/ (not shipped)

POLL_S = 0.2
ENGINES = ("duckdb", "spark")


def crowd_spec(posts: int):  # noqa: ANN201 - testsupport is imported lazily (the parent needs no DuckDB session)
    """The benchmark's crowd: the shape benchmarks/coordination.py uses, so figures compare."""
    from testsupport.coordination_synth import CrowdSpec

    return CrowdSpec(posts=posts, accounts=max(posts // 10, 1000), days=7, planted=50, campaign_posts=60)


# ---------------------------------------------------------------------------------------------
# Children


def child_generate(folder: str, posts: int) -> None:
    """Write the crowd's files (a child, so the parent stays small); prints a JSON summary."""
    from testsupport.crowd_files import write_crowd

    t = time.perf_counter()
    res = write_crowd(folder, crowd_spec(posts))
    print(json.dumps({"seconds": time.perf_counter() - t, "files": [str(p) for p in res.files], "bytes": res.bytes, **res.counts}))


def child_cli(peak_file: str, argv: list[str]) -> None:
    """Run `botwatch ARGV` as the CLI does, writing this process's own peak RSS at exit."""
    import atexit
    import resource

    def write_peak() -> None:
        Path(peak_file).write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))

    atexit.register(write_peak)
    from botwatch.cli import app

    sys.argv = ["botwatch", *argv]
    app()


def child_spark_start(peak_file: str, memory: str) -> None:
    """Start and stop a local Spark session: the fixed cost every Spark command pays."""
    import atexit
    import resource

    atexit.register(lambda: Path(peak_file).write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
    from pyspark.sql import SparkSession

    s = SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]")).config("spark.ui.enabled", "false").getOrCreate()
    s.range(10).count()
    s.stop()


# ---------------------------------------------------------------------------------------------
# Measuring a child


@dataclass
class Step:
    """One measured step: what ran, how it ended and what it cost."""

    engine: str
    name: str
    status: str = "ok"
    seconds: float = 0.0
    cpu_s: float = 0.0  # CPU-seconds of the command and its children: what a shared machine's load does not inflate
    load: float = 0.0  # the machine's 1-minute load average when the step ended
    driver_mib: float = 0.0
    jvm_mib: float = 0.0
    workers_mib: float = 0.0
    detail: str = ""
    extra: dict = field(default_factory=dict)


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process on the machine (from /proc)."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _descendants(pid: int) -> list[int]:
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_java(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            exe = f.read().split(b"\0", 1)[0]
    except OSError:
        return False
    return os.path.basename(exe) == b"java"


def _children_cpu() -> float:
    """User + system CPU-seconds of every finished descendant of this script (RUSAGE_CHILDREN
    counts a child's own waited-for children too: the content stage's forked pool, a JVM)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(engine: str, name: str, cmd: list[str], env: dict[str, str], log: Path) -> Step:
    """Run `cmd` (a child of this script), sampling its process tree; the child writes its own peak."""
    step = Step(engine, name)
    with tempfile.NamedTemporaryFile(prefix="bw-peak-", delete=False) as tf:
        peak_file = tf.name
    cmd = [c.replace("{PEAK}", peak_file) for c in cmd]
    jvm_peak: dict[int, int] = {}
    workers_peak = 0
    cpu0 = _children_cpu()
    t = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        while proc.poll() is None:
            workers = 0
            for pid in _descendants(proc.pid):
                if _is_java(pid):
                    jvm_peak[pid] = max(jvm_peak.get(pid, 0), _status_kib(pid, "VmHWM"))
                else:
                    workers += _status_kib(pid, "VmRSS")
            workers_peak = max(workers_peak, workers)
            time.sleep(POLL_S)
    step.seconds = time.perf_counter() - t
    step.cpu_s = _children_cpu() - cpu0
    step.load = os.getloadavg()[0]
    try:
        step.driver_mib = int(Path(peak_file).read_text() or 0) / 1024
    except (OSError, ValueError):
        pass
    Path(peak_file).unlink(missing_ok=True)
    step.jvm_mib = sum(jvm_peak.values()) / 1024
    step.workers_mib = workers_peak / 1024
    if proc.returncode != 0:
        tail = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        step.status = "FAILED: " + _reason(tail)
        step.detail = "\n".join(tail[-15:])
    return step


def _reason(lines: list[str]) -> str:
    """The most telling line of a failed command's output: its error, else its last line."""
    for ln in reversed(lines):
        s = ln.strip(" │╭╰─")
        if any(k in s for k in ("Error", "error", "No such option", "not supported", "NotImplemented")):
            return s[:200]
    return (lines[-1].strip(" │╭╰─")[:200]) if lines else "no output"


# ---------------------------------------------------------------------------------------------
# The run


def stage_status(output: str, name: str) -> str:
    """What the runner said of stage `name`: its row of `analyze`'s table (other stages' rows do not count)."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if len(cells) >= 2 and cells[0] == name:
            return cells[1]
    return ""


def _stages() -> list:
    from botwatch import pipeline

    return pipeline.stages()


def stage_plan() -> list[tuple[str, str]]:
    """(stage, label) in the order the declared pipeline runs them."""
    return [(st.name, st.name) for st in _stages()]


def spark_missing() -> str | None:
    """Why Spark cannot run at all here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'botwatch[spark]')"
    return None


def run_engine(engine: str, files: list[str], work: Path, election: str | None, driver_memory: str, plan: list[tuple[str, str]],
               only: list[str] | None = None) -> list[Step]:
    """Ingest and analyse on one engine; one Step per command."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    me = [sys.executable, __file__, "--child", "cli", "{PEAK}"]
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    flag: list[str] = []
    if engine == "spark":
        env["SPARK_MASTER"] = "local[2]"
        env["PYSPARK_SUBMIT_ARGS"] = f"--master local[2] --driver-memory {driver_memory} --conf spark.ui.enabled=false pyspark-shell"
        study = work / "spark" / "lake"
        flag = ["--engine", "spark"]
    else:
        study = work / "duckdb" / "study.duckdb"
    if study.exists():
        shutil.rmtree(study) if study.is_dir() else study.unlink()
    Path(str(study) + ".wal").unlink(missing_ok=True)
    study.parent.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    if engine == "spark":
        missing = spark_missing()
        if missing:
            return [_show(Step(engine, n, f"skipped: {missing}")) for n in ["ingest"] + [label for _, label in plan]]
        steps.append(_show(measure(engine, "session start", [sys.executable, __file__, "--child", "spark-start", "{PEAK}", driver_memory], env, logs / "spark-start.log")))
    steps.append(_show(measure(engine, "command start-up (botwatch version)", me + ["version"], env, logs / f"{engine}-version.log")))
    s = measure(engine, "ingest", me + ["ingest", *flag, str(study), *files], env, logs / f"{engine}-ingest.log")
    steps.append(_show(s))
    if s.status != "ok":
        steps += [_show(Step(engine, label, "skipped: ingest did not finish")) for _, label in plan]
        return steps
    if only:
        plan = [(n, label) for n, label in plan if n in only]
    elect = ["--election", election] if election else []
    for i, (name, label) in enumerate(plan):
        log = logs / f"{engine}-{i:02d}-{name}.log"
        s = measure(engine, label, me + ["analyze", *flag, str(study), "--only", name, *elect], env, log)
        said = stage_status(log.read_text(errors="replace"), name)
        if s.status == "ok" and said.startswith("skipped"):
            s.status = said[:160]
        steps.append(_show(s))
    steps.append(_show(recovery(engine, study, flag, env, logs)))
    return steps


def recovery(engine: str, study: Path, flag: list[str], env: dict[str, str], logs: Path) -> Step:
    """Planted network recovered? Exported the way a user would (`botwatch export ... cluster_members`)."""
    import csv

    from testsupport.crowd_files import planted_handles

    out = logs / f"{engine}-cluster_members.csv"
    out.unlink(missing_ok=True)
    step = measure(engine, "export cluster_members", [sys.executable, __file__, "--child", "cli", "{PEAK}", "export", *flag, str(study), "cluster_members", "-o", str(out), "--force"], env, logs / f"{engine}-export.log")
    if step.status != "ok":
        return step
    truth = set(planted_handles(crowd_spec(1)))  # the planted members' handles do not depend on the size
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    found = {r["handle"] for r in rows}
    by_cluster: dict[str, set[str]] = {}
    for r in rows:
        by_cluster.setdefault(r["cluster_id"], set()).add(r["handle"])
    best = max(by_cluster.values(), key=lambda m: len(m & truth), default=set())
    tp = len(found & truth)
    step.extra = {"recall": tp / len(truth), "precision": tp / len(found) if found else 0.0, "clusters": len(by_cluster),
                  "best_cluster_recall": len(best & truth) / len(truth)}
    step.detail = (f"planted network: recall {step.extra['recall']:.2f}, precision {step.extra['precision']:.2f} over "
                   f"{len(by_cluster)} clusters; best cluster holds {step.extra['best_cluster_recall']:.0%} of the planted members")
    return step


def _show(s: Step) -> Step:
    mem = f"driver {s.driver_mib:,.0f} MiB"
    if s.jvm_mib:
        mem += f", JVM {s.jvm_mib:,.0f} MiB"
    if s.workers_mib >= 1:
        mem += f", workers {s.workers_mib:,.0f} MiB"
    if s.status == "ok":
        print(f"{s.engine:7s} {s.name:38s} {s.seconds:8.1f} s {s.cpu_s:8.1f} CPU-s   {mem}   load {s.load:.1f}" + (f"   {s.detail}" if s.detail else ""), flush=True)
    else:
        print(f"{s.engine:7s} {s.name:38s} {s.status}", flush=True)
        if s.detail and s.status.startswith("FAILED"):
            print("        " + s.detail.replace("\n", "\n        "), flush=True)
    return s


def _cell(s: Step | None) -> str:
    if s is None:
        return "—"
    if s.status != "ok":
        return s.status.split(":")[0]  # the reasons are printed above
    mem = f"{s.driver_mib:,.0f}" + (f" + JVM {s.jvm_mib:,.0f}" if s.jvm_mib else "")
    return f"{s.seconds:,.1f} s ({s.cpu_s:,.1f} CPU-s) · {mem} MiB"


OVERHEAD = ("session start", "command start-up (botwatch version)", "export cluster_members")  # measured, not pipeline steps


def table(results: dict[str, list[Step]], posts: int, gen: dict) -> str:
    """The markdown table for the README: one row per step, one column per engine."""
    names: list[str] = []
    for steps in results.values():
        for s in steps:
            if s.name not in names and s.name != "export cluster_members":
                names.append(s.name)
    engines = list(results)
    lines = [f"{posts:,} generated posts ({gen.get('bytes', 0) / 1e9:.1f} GB of v1.1 JSON lines in {len(gen.get('files', []))} files)", "",
             "| step | " + " | ".join(f"{e} (seconds (CPU-seconds) · peak RSS)" for e in engines) + " |",
             "|---|" + "---|" * len(engines)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(_cell(next((s for s in results[e] if s.name == n), None)) for e in engines) + " |")
    totals = []
    for e in engines:
        ok = [s for s in results[e] if s.status == "ok" and s.name not in OVERHEAD]
        totals.append(f"{sum(s.seconds for s in ok):,.1f} s ({sum(s.cpu_s for s in ok):,.1f} CPU-s; {len(ok)} steps)" if ok else "—")
    lines.append("| **total** | " + " | ".join(totals) + " |")
    rec = []
    for e in engines:
        r = next((s for s in results[e] if s.name == "export cluster_members" and s.extra), None)
        rec.append(f"recall {r.extra['recall']:.2f}, precision {r.extra['precision']:.2f}" if r else "—")
    lines.append("| planted network | " + " | ".join(rec) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--election", default="uk-ge2017", help="election preset for the stages that need one ('none': skip them)")
    ap.add_argument("--keep", type=Path, help="folder for the files, studies and logs (kept; generated files are reused)")
    ap.add_argument("--stages", help="comma-separated analyze stages to run (default: all), e.g. coverage to time ingest")
    ap.add_argument("--spark-driver-memory", default="3g", help="the local[2] JVM's heap (driver and executors share it in local mode)")
    a = ap.parse_args()
    engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}; engines: {', '.join(ENGINES)}")
    election = None if a.election.lower() in ("", "none") else a.election
    work = a.keep or Path(tempfile.mkdtemp(prefix="botwatch-engines-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"crowd-{a.posts}"
    summary = data / "summary.json"
    if summary.exists():
        gen = json.loads(summary.read_text())
        print(f"reusing {len(gen['files'])} files in {data}")
    else:
        shutil.rmtree(data, ignore_errors=True)
        out = subprocess.run([sys.executable, __file__, "--child", "generate", str(data), str(a.posts)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            sys.exit(f"generating the crowd failed:\n{out.stderr[-3000:]}")
        gen = json.loads(out.stdout.strip().splitlines()[-1])
        summary.write_text(json.dumps(gen))
        print(f"generated {gen['posts']:,} posts ({gen['retweets']:,} retweets; top post retweeted {gen['mega_retweets']:,} times; "
              f"{gen['planted_actions']:,} planted actions) as {len(gen['files'])} files, {gen['bytes'] / 1e9:.2f} GB, in {gen['seconds']:.1f} s")
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; workdir {work}; election {election or 'none'}", flush=True)
    plan = stage_plan()
    only = [x.strip() for x in a.stages.split(",")] if a.stages else None
    results = {e: run_engine(e, gen["files"], work, election, a.spark_driver_memory, plan, only) for e in engines}
    print()
    print(table(results, gen["posts"], gen))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


def child(kind: str, args: list[str]) -> None:
    """The child processes' entry (before any argument parsing: a CLI child's arguments are botwatch's)."""
    if kind == "generate":
        child_generate(args[0], int(args[1]))
    elif kind == "cli":
        child_cli(args[0], args[1:])
    elif kind == "spark-start":
        child_spark_start(args[0], args[1])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
    else:
        main()
