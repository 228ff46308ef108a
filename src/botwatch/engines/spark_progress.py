"""What a command on a lake is doing while Spark works: a line every ~30 s naming the stage, the
step, the Spark tasks and rows done so far and the time spent.

A stage on a lake is a series of Spark jobs (statements, Python over Arrow batches, collects), any
of which can run for minutes on a large study; the per-stage spinner alone left a reviewer ten
minutes without a word. `LakeStudy` names each step as it starts (`step`); a daemon thread wakes
every `interval` seconds and, when a step has run that long, prints one line from what the
driver's status store knows of the running jobs (it is kept whether or not the web UI runs). Each
step's seconds are kept (`timings`), which is how docs/spark.md's profile was measured.

A stage can also be many short steps, none running a full interval (the accounts stage of 10,000
brexit and IRA posts: dozens of statements of a few seconds each under load): its step lines never
came, and a log said nothing for three minutes of a stage. So the stage is framed too: when no
line has been printed for it for an interval, one says it is still running, with the steps done
so far and the one running now.

The thread only reads: it never starts a job, and a failure to read the status store leaves the
line without task counts rather than stopping the command. The thread, its interval
(`BOTWATCH_PROGRESS_SECONDS`), its stopping and what a line owes to the last one are
`botwatch.ticker`'s, shared with the DuckDB stages' "still running" lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botwatch.ticker import DEFAULT_INTERVAL, Framed, Ticker, done_text, interval_from_env

__all__ = ["DEFAULT_INTERVAL", "SparkProgress", "SparkWork", "interval_from_env", "seconds_text", "spark_work"]


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


class SparkProgress:
    """Names the stage and step the lake is running and prints a line on `emit` every `interval`
    seconds while a step runs longer than that (see the module docstring). `start()` starts the
    thread, `stop()` ends it; `stage(name)` frames a stage, `step(text)` a step (only the
    outermost step of nested ones counts: a statement's own writes are part of it).

    Stages and steps are framed from one thread (the command's); the ticker's thread only reads
    the stage (one tuple, replaced whole) and asks the framed step whether a line is due."""

    def __init__(self, session: Any, emit: Callable[[str], None], interval: float | None = None,
                 work: Callable[[Any], SparkWork | None] = spark_work) -> None:
        self.session = session
        self.emit = emit
        self.interval = interval if interval is not None else interval_from_env()
        self._work = work
        self._stage: tuple[str, float] | None = None  # (name, began), monotonic
        self._step = Framed()
        self._stage_said = Framed()  # the stage, for its own line when none of its steps got one
        self._running: tuple[str, float] | None = None  # the outer step running now and its start (read by the thread)
        self._stage_steps = 0  # steps finished in the stage running now
        self._depth = 0
        self._timings: list[tuple[str, str, float]] = []
        self._count: tuple[Callable[[], int], int | None, str] | None = None  # (read so far, total, unit)
        self._ticker = Ticker(self.line, emit, self.interval, name="botwatch-spark-progress")

    @property
    def timings(self) -> list[tuple[str, str, float]]:
        """(stage, step, seconds) of every finished step, in order."""
        return list(self._timings)

    def start(self) -> "SparkProgress":
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._ticker.stop()

    def begin_stage(self, name: str) -> None:
        self._stage_steps = 0
        self._stage = (name, time.monotonic())
        self._stage_said.begin(name)

    def end_stage(self) -> None:
        self._stage = None
        self._stage_said.end()

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Frame one step of Spark work: the thread names it while it runs, and its seconds are
        kept; a step that ran past `interval` gets a closing line with its time."""
        outer = self._depth == 0
        self._depth += 1
        if outer:
            self._running = (text, time.monotonic())
            self._step.begin(text)
            self._describe_jobs(text)
        try:
            yield
        finally:
            self._depth -= 1
            if outer:
                self._running = None
                self._stage_steps += 1
                took, said = self._step.end() or (0.0, False)
                self._timings.append((self._stage[0] if self._stage else "", text, took))
                if said:
                    self.emit(f"{self._prefix()}{text}: done in {seconds_text(took)}")

    @contextmanager
    def counting(self, read: Callable[[], int], total: int | None, unit: str) -> Iterator[None]:
        """While the block runs, the lines say "N of M `unit` read", N from `read()` (a Spark
        accumulator's value, `LakeStudy.map_arrow`'s `count_as`): the long Python-over-Arrow steps
        said only their Spark tasks, where the same stage on DuckDB counts its posts or accounts."""
        self._count = (read, total, unit)
        try:
            yield
        finally:
            self._count = None

    def _prefix(self) -> str:
        stage = self._stage
        return f"{stage[0]}: " if stage else ""

    def _describe_jobs(self, text: str) -> None:
        """Name the step's Spark jobs (seen in the Spark UI on a cluster)."""
        try:
            self.session.sparkContext.setJobDescription(f"botwatch {self._prefix()}{text}"[:200])
        except Exception:  # noqa: BLE001 - a stopped context: the step still runs or fails on its own
            pass

    def line(self) -> str | None:
        """The line to print now, or None when no step has run a full interval since the last."""
        stage = self._stage
        due = self._step.due(self.interval)
        if due is None:
            return self._stage_line()
        self._stage_said.note_said()
        step, step_seconds = due
        parts = [f"{stage[0]}: {step}" if stage else step]
        work = self._work(self.session)
        count = self._count
        if work is not None:
            if work.tasks:
                parts.append(f"Spark tasks {work.tasks_done:,}/{work.tasks:,}")
            if work.rows and count is None:  # a counted step's own count says what was read
                parts.append(f"{work.rows:,} rows read")
        if count is not None:
            said = _count_said(*count)
            if said:
                parts.append(said)
        timing = f"step {seconds_text(step_seconds)}"
        if stage is not None:
            timing += f", stage {seconds_text(time.monotonic() - stage[1])}"
        parts.append(timing)
        return " · ".join(parts)

    def _stage_line(self) -> str | None:
        """"accounts: still running, 1 min 30 s so far; 41 Spark steps done, now: writing
        _botwatch_acc_activity" when the stage has gone an interval without a line (its steps
        all shorter than one), else None. A step that has run half an interval is left to say
        itself (its line, with task counts, is at most half an interval away): the stage's first
        step began with it, and both lines came a few milliseconds apart."""
        running = self._running
        if running is not None and time.monotonic() - running[1] >= self.interval / 2:
            return None
        due = self._stage_said.due(self.interval)
        if due is None:
            return None
        name, seconds = due
        steps = self._stage_steps
        text = f"{name}: still running, {seconds_text(seconds)} so far; {steps:,} Spark step{'' if steps == 1 else 's'} done"
        return f"{text}, now: {running[0]}" if running else text


def _count_said(read: Callable[[], int], total: int | None, unit: str) -> str | None:
    """`ticker.done_text` of what `read()` gives; None where it cannot be read (a stopped context)."""
    try:
        done = int(read())
    except Exception:  # noqa: BLE001 - the line goes without the count rather than stopping the command
        return None
    return done_text(done, total, unit)
