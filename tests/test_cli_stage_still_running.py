"""`analyze` and `report` in a pipe or a log file (nohup, cron): the spinner is drawn only on a
terminal, so the whole IRA archive's analyze said nothing for the content stage's 50 s and then
for coordination's 65 s. Now a stage or report step that runs past BOTWATCH_PROGRESS_SECONDS says
it is still running, and then that it finished; a quick one adds no line."""

from __future__ import annotations

import io
import threading
import time

import pytest
from rich.console import Console

import botwatch.cli.common as common


def _until_said(buf: io.StringIO, words: str, limit: float = 10.0) -> None:
    """Wait until `words` is printed (at most `limit` s): on a loaded machine the thread may wake late."""
    deadline = time.monotonic() + limit
    while words not in buf.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)


def _piped(monkeypatch: pytest.MonkeyPatch, seconds: str) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=buf, force_terminal=False, width=200))
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", seconds)
    return buf


def test_a_long_stage_in_a_log_says_it_is_still_running_then_done(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = _piped(monkeypatch, "0.05")
    with common.StageProgress() as p:
        p.start("coordination")
        _until_said(buf, "still running")
        p.done("coordination", "ok", 6680, 64.6)
    lines = buf.getvalue().splitlines()
    assert any(x.startswith("coordination: still running, ") and x.endswith(" s so far") for x in lines), lines
    assert lines[-1] == "ok coordination: 6,680 rows, 64.6 s", lines


def test_a_quick_stage_in_a_log_adds_no_line(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = _piped(monkeypatch, "30")
    with common.StageProgress() as p:
        p.start("coverage")
        p.done("coverage", "ok", 3, 0.1)
    assert buf.getvalue() == ""


def test_a_stage_name_is_shown_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = _piped(monkeypatch, "0.05")
    with common.StageProgress() as p:
        p.step("report: [/x] \x1b[2J")
        _until_said(buf, "still running")
    assert "report: [/x] \\x1b[2J: still running" in buf.getvalue()
    assert "\x1b[2J" not in buf.getvalue()


def test_started_twice_or_stopped_before_starting_it_says_nothing_and_does_not_fail() -> None:
    """Its own thread raised "threads can only be started once" and "cannot join thread before it
    is started"; the thread is now `botwatch.ticker`'s, shared with Spark's lines."""
    lines: list[str] = []
    never = common.StillRunning(lines.append, 30.0)
    never.stop()
    still = common.StillRunning(lines.append, 30.0).start().start()
    still.begin("coverage")
    assert still.end() is False
    still.stop()
    still.stop()
    assert lines == []


def test_ctrl_c_during_a_long_stage_stops_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C reaches the main thread only: leaving the block stops the ticker, and no line follows."""
    buf = _piped(monkeypatch, "0.05")
    with pytest.raises(KeyboardInterrupt), common.StageProgress() as p:
        p.start("content")
        _until_said(buf, "still running")
        raise KeyboardInterrupt
    said = buf.getvalue()
    time.sleep(0.2)
    assert "content: still running" in said and buf.getvalue() == said
    assert "botwatch-still-running" not in [t.name for t in threading.enumerate()]
