"""The progress line of a command on a lake (`engines/spark_progress.py`), without Spark: a fake
session and a fake reading of the status store stand in for the JVM."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from botwatch.engines.spark_progress import SparkProgress, SparkWork, interval_from_env, seconds_text


class _Context:
    def __init__(self) -> None:
        self.descriptions: list[str] = []

    def setJobDescription(self, text: str) -> None:  # noqa: N802 - Spark's name
        self.descriptions.append(text)


class _Session:
    def __init__(self) -> None:
        self.sparkContext = _Context()


def _wait_for(lines: list[str], what: str, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not any(what in x for x in lines):
        time.sleep(0.02)


def test_a_long_step_gets_lines_naming_stage_step_tasks_rows_and_time() -> None:
    lines: list[str] = []
    session = _Session()
    p = SparkProgress(session, lines.append, interval=0.1, work=lambda s: SparkWork(tasks_done=3, tasks=8, rows=12_345)).start()
    try:
        p.begin_stage("content")
        with p.step("writing post_labels"):
            _wait_for(lines, "Spark tasks")
        p.end_stage()
    finally:
        p.stop()
    running = [x for x in lines if "Spark tasks" in x]
    assert running, lines
    assert running[0].startswith("content: writing post_labels · Spark tasks 3/8 · 12,345 rows read · step ")
    assert ", stage " in running[0]
    assert lines[-1].startswith("content: writing post_labels: done in "), lines
    assert session.sparkContext.descriptions == ["botwatch content: writing post_labels"]
    assert [(stage, step) for stage, step, _s in p.timings] == [("content", "writing post_labels")]


def test_short_steps_print_nothing_and_only_the_outer_step_counts() -> None:
    lines: list[str] = []
    p = SparkProgress(_Session(), lines.append, interval=60, work=lambda s: None).start()
    try:
        p.begin_stage("accounts")
        with p.step("writing account_scores"):
            with p.step("writing _tmp"):  # a statement's own write is part of it
                pass
        with p.step("counting account_scores"):
            pass
    finally:
        p.stop()
    assert lines == []
    assert [step for _stage, step, _s in p.timings] == ["writing account_scores", "counting account_scores"]


def test_without_task_counts_the_line_still_names_step_and_time() -> None:
    p = SparkProgress(_Session(), lambda line: None, interval=0.01, work=lambda s: None)
    with p.step("query over posts"):
        time.sleep(0.03)
        text = p.line()
    assert text is not None and text.startswith("query over posts · step ")
    assert p.line() is None  # said just now: the next line waits a full interval


def test_interval_and_seconds_as_read() -> None:
    assert seconds_text(5.4) == "5 s"
    assert seconds_text(185) == "3 min 05 s"
    assert interval_from_env() > 0


def test_restarted_after_a_stop_it_prints_again() -> None:
    """Its stop event stayed set, so a restarted thread ended at once without a word; the thread is
    now `botwatch.ticker`'s, shared with the DuckDB stages' lines."""
    lines: list[str] = []
    p = SparkProgress(_Session(), lines.append, interval=0.05, work=lambda s: None).start()
    p.stop()
    p.start()
    try:
        with p.step("query over posts"):
            _wait_for(lines, "query over posts · step")
    finally:
        p.stop()
    assert any(x.startswith("query over posts · step ") for x in lines), lines


class _Clock:
    """`time.monotonic` for `botwatch.ticker` and `spark_progress`, moved by the test alone: a
    test that slept and then asked for the next line at once failed when a loaded machine woke it
    late (a step that had run half an interval by the sleep had run a whole one by the ask)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    import botwatch.engines.spark_progress as spark_progress
    import botwatch.ticker as ticker

    fake = _Clock()
    for module in (ticker, spark_progress):
        monkeypatch.setattr(module, "time", SimpleNamespace(monotonic=fake))
    return fake


def test_a_stage_of_short_steps_still_gets_a_line_naming_steps_done_and_the_one_running(clock: _Clock) -> None:
    """The accounts stage of a 10,000-post lake ran 203 s in dozens of steps of a few seconds each
    and printed nothing until its one long step: a stage is framed as well as its steps."""
    p = SparkProgress(_Session(), lambda line: None, interval=30, work=lambda s: None)
    p.begin_stage("accounts")
    for name in ("writing _acc_activity", "counting posts"):
        with p.step(name):
            clock.advance(5)
    assert p.line() is None  # the stage has run 10 s of its 30
    clock.advance(21)
    with p.step("writing account_scores"):
        text = p.line()
        assert p.line() is None  # said just now: the next waits a full interval
    p.end_stage()
    assert text == "accounts: still running, 31 s so far; 2 Spark steps done, now: writing account_scores", text
    assert p.line() is None  # no stage runs


def test_a_step_line_counts_as_the_stage_s_line(clock: _Clock) -> None:
    """A stage whose long step was just said is not said again at once in other words."""
    p = SparkProgress(_Session(), lambda line: None, interval=30, work=lambda s: None)
    p.begin_stage("content")
    with p.step("Python over Arrow batches (label)"):
        clock.advance(31)
        step_line = p.line()
        stage_line = p.line()
        clock.advance(20)
        later = p.line()  # the step's next line is 10 s away; the stage's 10 s too
    p.end_stage()
    assert step_line is not None and step_line.startswith("content: Python over Arrow batches (label) · step 31 s, stage 31 s"), step_line
    assert stage_line is None and later is None


def test_a_step_that_has_run_half_an_interval_is_left_to_say_itself(clock: _Clock) -> None:
    """Coverage's one step began with the stage, and the stage's line and the step's came a few
    milliseconds apart: a step that has run half an interval now says itself, with its tasks."""
    p = SparkProgress(_Session(), lambda line: None, interval=30, work=lambda s: None)
    p.begin_stage("coverage")
    clock.advance(15)
    with p.step("writing coverage_daily"):
        clock.advance(16)  # the stage is owed a line; the step has run over half an interval
        stage_line = p.line()
        clock.advance(15)
        step_line = p.line()
    p.end_stage()
    assert stage_line is None
    assert step_line is not None and step_line.startswith("coverage: writing coverage_daily · step 31 s"), step_line
