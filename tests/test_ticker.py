"""The one mechanism behind the timed progress lines (`botwatch/ticker.py`), shared by the DuckDB
stages' "still running" lines and Spark's step lines: the interval, starting and stopping, a line
that cannot be printed, what is owed since the last line, and forks while a ticker runs."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from botwatch import ticker
from botwatch.ticker import Framed, Ticker, interval_from_env, wake_seconds


def _until(check: Callable[[], bool], limit: float = 5.0) -> bool:
    """Wait until `check()` (at most `limit` s: a loaded machine wakes the thread late)."""
    end = time.monotonic() + limit
    while not check() and time.monotonic() < end:
        time.sleep(0.01)
    return check()


@pytest.mark.parametrize("raw", ["", "0", "-5", "abc", "nan", " "])
def test_a_setting_that_is_no_positive_number_is_the_default_30_s(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", raw)
    assert interval_from_env() == 30.0


@pytest.mark.parametrize(("raw", "seconds"), [("0.5", 0.5), ("120", 120.0), ("1e-6", 1e-6), ("inf", float("inf"))])
def test_a_positive_number_is_the_interval(monkeypatch: pytest.MonkeyPatch, raw: str, seconds: float) -> None:
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", raw)
    assert interval_from_env() == seconds


def test_the_thread_wakes_every_quarter_interval_from_10_ms_to_1_s() -> None:
    """Spark's thread woke every min(interval, 1 s) with no floor: a tiny interval spun a core."""
    assert wake_seconds(1e-9) == 0.01
    assert wake_seconds(0.2) == 0.05
    assert wake_seconds(60) == wake_seconds(float("inf")) == 1.0


def test_framed_owes_a_line_once_per_interval_and_says_whether_one_was_printed() -> None:
    f = Framed()
    assert f.due(0.0) is None and f.end() is None  # nothing running
    f.begin("content")
    assert f.due(60) is None
    due = f.due(0.0)
    assert due is not None and due[0] == "content" and due[1] >= 0
    assert f.due(60) is None  # said just now: the next waits a full interval
    ran = f.end()
    assert ran is not None and ran[1] is True
    f.begin("coverage")
    assert f.end() == (pytest.approx(0, abs=1), False)


def test_start_twice_stop_twice_stop_before_start_and_restart() -> None:
    """The DuckDB ticker raised on a second start and on a stop before start; Spark's, restarted
    after a stop, exited at once without a word."""
    lines: list[str] = []
    t = Ticker(lambda: "tick", lines.append, 0.01, name="botwatch-test-ticker")
    t.stop()  # before start: nothing to do
    t.start().start()
    assert [x.name for x in threading.enumerate()].count("botwatch-test-ticker") == 1
    assert _until(lambda: bool(lines))
    t.stop()
    t.stop()
    assert not t.running
    lines.clear()
    t.start()
    try:
        assert _until(lambda: bool(lines)), "a restarted ticker prints again"
    finally:
        t.stop()


def test_no_line_once_stop_has_returned() -> None:
    lines: list[str] = []
    t = Ticker(lambda: "tick", lines.append, 0.01, name="botwatch-test-ticker").start()
    assert _until(lambda: bool(lines))
    t.stop()
    n = len(lines)
    time.sleep(0.1)
    assert len(lines) == n


class _WatchedLock:
    """`_PRINTING` that notes when the thread named `finisher` asks for it (the test can then let
    the ticker's line go on, knowing the finishing side waits for it), and each thread that asks
    for it while holding it (a wait on itself)."""

    def __init__(self, asked: threading.Event | None = None) -> None:
        self._lock, self._asked = threading.Lock(), asked
        self._owner: int | None = None
        self.reentered: list[str] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if threading.current_thread().name == "finisher" and self._asked is not None:
            self._asked.set()
        if self._owner == threading.get_ident():
            self.reentered.append(threading.current_thread().name)
        got = self._lock.acquire(blocking, timeout)
        if got:
            self._owner = threading.get_ident()
        return got

    def release(self) -> None:
        self._owner = None
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_a_line_made_as_its_work_ends_is_printed_before_the_finish_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ticker made "still running" (noting it said) just as the step ended; the step's
    finish ("done") was printed, then the ticker's line after it, as if the step ran on. The
    interleaving is forced: the line is held back until the finishing side has either printed
    its finish (the race) or is waiting for the printing lock (the fix)."""
    finishing = threading.Event()  # the finisher printed its line, or asked for the lock
    monkeypatch.setattr(ticker, "_PRINTING", _WatchedLock(finishing))
    framed, made = Framed(), threading.Event()
    lines: list[str] = []
    framed.begin("coordination")

    def line() -> str | None:
        if framed.due(0.01) is None:
            return None
        made.set()
        assert finishing.wait(5)
        return "coordination: still running"

    def finish() -> None:
        assert made.wait(5)
        ran = framed.end()
        if ran is not None and ran[1]:
            lines.append("coordination: done")
        finishing.set()

    finisher = threading.Thread(target=finish, name="finisher")
    t = Ticker(line, lines.append, 0.01, name="botwatch-test-ticker").start()
    try:
        finisher.start()
        finisher.join(5)
        _until(lambda: len(lines) == 2)  # both lines come, in one order or the other
    finally:
        t.stop()
    assert lines == ["coordination: still running", "coordination: done"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_fork_from_inside_a_line_does_not_wait_for_its_own_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `line` or `emit` that forks runs holding `_PRINTING`: the fork hook waited for that lock,
    held by its own thread, the whole `JOIN_SECONDS` (5 s) before forking anyway."""
    monkeypatch.setattr(ticker, "JOIN_SECONDS", 0.05)  # what the wait on itself costs here, where it happens
    watched = _WatchedLock()
    monkeypatch.setattr(ticker, "_PRINTING", watched)
    statuses: list[int] = []

    def forking_emit(line: str) -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        statuses.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

    t = Ticker(lambda: "tick", forking_emit, 0.01, name="botwatch-test-ticker").start()
    try:
        assert _until(lambda: bool(statuses))
    finally:
        t.stop()
    assert statuses[0] == 0 and watched.reentered == []
    assert not watched.locked()


def test_a_line_that_cannot_be_printed_ends_the_ticking_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr closed under the command: an exception leaving the thread printed "Exception in
    thread ..." and a traceback."""
    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    calls: list[str] = []

    def broken(line: str) -> None:
        calls.append(line)
        raise BrokenPipeError(32, "Broken pipe")

    t = Ticker(lambda: "tick", broken, 0.01, name="botwatch-test-ticker").start()
    try:
        assert _until(lambda: not t.running)
    finally:
        t.stop()
    assert calls == ["tick"] and escaped == []


def test_a_line_that_cannot_be_made_is_said_once_and_the_ticking_goes_on(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A bug in `line()` ended every progress line of the command without a word: a log went
    quiet for the rest of a long run. Now one line on stderr says so, and the lines go on."""
    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    calls: list[int] = []
    lines: list[str] = []

    def line() -> str:
        calls.append(1)
        if len(calls) <= 3:
            raise ValueError("bad count\x1b[31m\nsecond line")
        return f"tick {len(calls)}"

    t = Ticker(line, lines.append, 0.01, name="botwatch-test-ticker").start()
    try:
        assert _until(lambda: len(lines) >= 2)
    finally:
        t.stop()
    assert escaped == [] and lines[:2] == ["tick 4", "tick 5"]
    err = capsys.readouterr().err.splitlines()
    assert err == ["botwatch: a progress line could not be made (ValueError: bad count\\x1b[31m); "
                   "the command goes on, and so do its progress lines"], err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_fork_waits_for_a_line_being_printed_and_the_child_inherits_no_held_lock() -> None:
    """A worker forked while the ticker writes a line would inherit the write half done (and
    stderr's buffer lock held): the fork waits for the line, and the child's printing lock is free."""
    writing, wrote = threading.Event(), threading.Event()

    def slow(line: str) -> None:  # a write to a slow stderr
        writing.set()
        time.sleep(0.3)
        wrote.set()

    t = Ticker(lambda: "tick", slow, 0.01, name="botwatch-test-ticker").start()
    try:
        assert writing.wait(5)
        pid = os.fork()
        if pid == 0:  # the child: no ticker thread, the lock free
            alive = any(x.name == "botwatch-test-ticker" and x.is_alive() for x in threading.enumerate())
            os._exit(0 if not ticker._PRINTING.locked() and not alive else 1)
        forked_after_the_line = wrote.is_set()
        _, status = os.waitpid(pid, 0)
    finally:
        t.stop()
    assert os.waitstatus_to_exitcode(status) == 0
    assert forked_after_the_line
    assert not ticker._PRINTING.locked()


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_forked_workers_never_print_the_tickers_line(tmp_path: Path) -> None:
    """The content and accounts stages fork workers while a ticker runs: only the parent prints
    (each line goes to a shared file with the printer's process id, as stderr is shared)."""
    from botwatch.forkpool import fork_map

    log = tmp_path / "lines"

    def emit(line: str) -> None:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")

    t = Ticker(lambda: "tick", emit, 0.01, name="botwatch-test-ticker").start()
    try:
        workers = fork_map(_pid_after, [0.2, 0.2], workers=2, name="test")
        time.sleep(0.05)
    finally:
        t.stop()
    assert {int(x) for x in log.read_text().split()} == {os.getpid()}
    assert os.getpid() not in workers


def test_two_threads_forking_at_once_leave_the_printing_lock_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """One thread's fork holds the lock while another's waits it out (`JOIN_SECONDS`) and forks
    without it: the note of who took it was one for the process, the second overwrote the first,
    and the lock stayed held, so every later line and fork waited on it."""
    monkeypatch.setattr(ticker, "JOIN_SECONDS", 0.05)
    took, done = threading.Event(), threading.Event()

    def first_fork() -> None:  # the hooks around a fork that takes a while, in another thread
        ticker._before_fork()
        took.set()
        done.wait(5)
        ticker._after_fork_in_parent()

    other = threading.Thread(target=first_fork)
    other.start()
    try:
        assert took.wait(5)
        ticker._before_fork()  # this thread's fork: waits 0.05 s, goes on without the lock
        ticker._after_fork_in_parent()
    finally:
        done.set()
        other.join(5)
    assert not ticker._PRINTING.locked()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_child_forked_while_a_line_is_stuck_has_a_free_printing_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line stuck on a full pipe holds the lock past `JOIN_SECONDS`: the fork goes on without
    it, and the child's copy was held by a thread the child does not have, for good."""
    monkeypatch.setattr(ticker, "JOIN_SECONDS", 0.05)
    held, free = threading.Event(), threading.Event()

    def stuck_line() -> None:
        with ticker._PRINTING:
            held.set()
            free.wait(5)

    printer = threading.Thread(target=stuck_line)
    printer.start()
    try:
        assert held.wait(5)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if ticker._PRINTING.acquire(timeout=1) else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        free.set()
        printer.join(5)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not ticker._PRINTING.locked()
