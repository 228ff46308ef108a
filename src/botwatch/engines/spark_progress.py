"""What a command on a lake is doing while Spark works: a line every ~30 s naming the stage, the
step, the Spark tasks and rows done so far and the time spent.

A stage on a lake is a series of Spark jobs (statements, Python over Arrow batches, collects), any
of which can run for minutes on a large study; the per-stage spinner alone left a reviewer ten
minutes without a word. `LakeStudy` names each step as it starts (`step`); a daemon thread wakes
every `interval` seconds and, when a step has run that long, prints one line from what the
driver's status store knows of the running jobs (it is kept whether or not the web UI runs). Each
step's seconds are kept (`timings`), which is how docs/spark.md's profile was measured.

The thread only reads: it never starts a job, and a failure to read the status store leaves the
line without task counts rather than stopping the command.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_INTERVAL = 30.0  # seconds between lines while one step runs; BOTWATCH_PROGRESS_SECONDS overrides


def interval_from_env() -> float:
    """`BOTWATCH_PROGRESS_SECONDS` (a positive number), else 30 s: tests and impatient users lower it."""
    raw = os.environ.get("BOTWATCH_PROGRESS_SECONDS", "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL


@dataclass
class SparkWork:
    """What the running Spark stages have done so far: tasks completed of all, and rows read
    (Parquet input plus shuffle input, as the executors last reported them)."""

    tasks_done: int = 0
    tasks: int = 0
    rows: int | None = None


def spark_work(session: Any) -> SparkWork | None:
    """The running stages' tasks and rows, from the driver's status store; None when nothing runs
    or the store cannot be read (the JVM is going away)."""
    try:
        store = session.sparkContext._jsc.sc().statusStore()
        active = store.activeStages()
        n = active.size()
        if n == 0:
            return None
        work = SparkWork(rows=0)
        for i in range(n):
            s = active.apply(i)
            work.tasks += int(s.numTasks())
            work.tasks_done += int(s.numCompleteTasks())
            work.rows = (work.rows or 0) + int(s.inputRecords()) + int(s.shuffleReadRecords())
        return work
    except Exception:  # noqa: BLE001 - py4j after Ctrl-C, another Spark's API: fall back to task counts
        pass
    try:
        tracker = session.sparkContext.statusTracker()
        work = SparkWork()
        for sid in tracker.getActiveStageIds():
            info = tracker.getStageInfo(sid)
            if info is not None:
                work.tasks += info.numTasks
                work.tasks_done += info.numCompletedTasks
        return work if work.tasks else None
    except Exception:  # noqa: BLE001
        return None


def seconds_text(seconds: float) -> str:
    """`42 s`, `3 min 05 s`: elapsed time as a person reads it."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    m, s = divmod(int(seconds), 60)
    return f"{m} min {s:02d} s"


@dataclass
class _Now:
    stage: str | None = None
    stage_t0: float = 0.0
    step: str | None = None
    step_t0: float = 0.0
    depth: int = 0
    said_at: float = 0.0
    timings: list[tuple[str, str, float]] = field(default_factory=list)


class SparkProgress:
    """Names the stage and step the lake is running and prints a line on `emit` every `interval`
    seconds while a step runs longer than that (see the module docstring). `start()` starts the
    thread, `stop()` ends it; `stage(name)` frames a stage, `step(text)` a step (only the
    outermost step of nested ones counts: a statement's own writes are part of it)."""

    def __init__(self, session: Any, emit: Callable[[str], None], interval: float | None = None,
                 work: Callable[[Any], SparkWork | None] = spark_work) -> None:
        self.session = session
        self.emit = emit
        self.interval = interval if interval is not None else interval_from_env()
        self._work = work
        self._now = _Now()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def timings(self) -> list[tuple[str, str, float]]:
        """(stage, step, seconds) of every finished step, in order."""
        return list(self._now.timings)

    def start(self) -> "SparkProgress":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="botwatch-spark-progress", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def begin_stage(self, name: str) -> None:
        with self._lock:
            self._now.stage, self._now.stage_t0 = name, time.perf_counter()

    def end_stage(self) -> None:
        with self._lock:
            self._now.stage = None

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Frame one step of Spark work: the thread names it while it runs, and its seconds are
        kept; a step that ran past `interval` gets a closing line with its time."""
        with self._lock:
            outer = self._now.depth == 0
            self._now.depth += 1
            if outer:
                self._now.step, self._now.step_t0, self._now.said_at = text, time.perf_counter(), 0.0
        if outer:
            self._describe_jobs(text)
        try:
            yield
        finally:
            with self._lock:
                self._now.depth -= 1
                if outer:
                    took = time.perf_counter() - self._now.step_t0
                    self._now.timings.append((self._now.stage or "", text, took))
                    said = self._now.said_at > 0
                    self._now.step = None
            if outer and said:
                self.emit(f"{self._prefix()}{text}: done in {seconds_text(took)}")

    def _prefix(self) -> str:
        return f"{self._now.stage}: " if self._now.stage else ""

    def _describe_jobs(self, text: str) -> None:
        """Name the step's Spark jobs (seen in the Spark UI on a cluster)."""
        try:
            self.session.sparkContext.setJobDescription(f"botwatch {self._prefix()}{text}"[:200])
        except Exception:  # noqa: BLE001 - a stopped context: the step still runs or fails on its own
            pass

    def line(self) -> str | None:
        """The line to print now, or None when no step has run a full interval since the last."""
        now = time.perf_counter()
        with self._lock:
            step, t0, said = self._now.step, self._now.step_t0, self._now.said_at
            stage, stage_t0 = self._now.stage, self._now.stage_t0
        if step is None or now - max(t0, said) < self.interval:
            return None
        parts = [f"{self._prefix()}{step}"]
        work = self._work(self.session)
        if work is not None:
            if work.tasks:
                parts.append(f"Spark tasks {work.tasks_done:,}/{work.tasks:,}")
            if work.rows:
                parts.append(f"{work.rows:,} rows read")
        timing = f"step {seconds_text(now - t0)}"
        if stage is not None:
            timing += f", stage {seconds_text(now - stage_t0)}"
        parts.append(timing)
        with self._lock:
            if self._now.step == step:
                self._now.said_at = now
        return " · ".join(parts)

    def _run(self) -> None:
        tick = min(self.interval, 1.0)
        while not self._stopped.wait(tick):
            text = self.line()
            if text:
                self.emit(text)
