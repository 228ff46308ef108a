"""The one mechanism behind botwatch's timed progress lines: a daemon thread that wakes while a
piece of work runs and prints a line once it has run `BOTWATCH_PROGRESS_SECONDS` (30 s) since it
began or since its last line.

Two users frame different work and keep their own words: `cli.common.StillRunning` (a stage or
report step on DuckDB, in a pipe or a log: "coordination: still running, 64 s so far") and
`engines.spark_progress.SparkProgress` (a Spark step on a lake, with its task counts). Each had
its own thread, lock, stop event and interval, and they had drifted apart; what they now share,
and so behave alike in:

- The interval (`interval_from_env`): a positive number of seconds ("0.5", "120", "inf" for
  never); anything else ("", "0", "-5", "abc", "nan") is the default 30 s. A progress setting
  never stops a command, so a bad value is not an error.
- The wake-up: every quarter interval, at most 1 s and at least 0.01 s, so a line comes at most a
  quarter interval late, and a tiny interval (the tests' 1e-6 s) does not spin a core. Spark's
  thread woke every `min(interval, 1)` with no floor: "1e-9" busy-looped.
- Starting and stopping (`Ticker`): `start()` on a running ticker does nothing (the DuckDB one
  raised "threads can only be started once"); `start()` after `stop()` ticks again (Spark's
  thread exited at once, silently); `stop()` before `start()` or twice does nothing (the DuckDB
  one raised "cannot join thread before it is started"). `stop()` waits up to 5 s for the
  thread, and no line is printed once it has returned: after Ctrl-C the command's own last line
  is the last one.
- A line that cannot be printed (stderr closed under it, a test's buffer gone) ends the ticking
  quietly: a traceback from the thread ("Exception in thread ...") would reach the user. A line
  that cannot be made (a bug in the caller's `line()`) is said once on stderr, in one line with
  no traceback, and the ticking goes on: it used to end every progress line of the command
  silently, so a log went quiet for the rest of a long run with no word why.
- "Said since" (`Framed`): what runs now, when it began and when a line last said so, under one
  lock; `due` says whether a line is owed and notes it as said, `end` says whether one was (so
  the caller can print the finish of work it said was running).
- A line never follows its work's finish: the thread makes its line and prints it holding
  `_PRINTING`, and `end` clears the work holding it too. A line made as the work ended (`due`
  just before `end`) was printed after the caller's "done in 64 s" when it was made outside
  the lock: now `end` waits for it (and then says it was said), or the thread finds nothing owed.
- Forks (the content and accounts stages fork workers while a ticker runs, `forkpool`): the
  child has no ticker thread (a fork copies only the forking thread), so a worker never prints
  a ticker line, and the child never calls `begin`/`due`/`end` (workers run `forkpool.serve`
  over Arrow batches). A line is made and printed holding `_PRINTING`, which `os.register_at_fork` takes
  before every fork (waiting at most 5 s, so a line stuck on a full pipe cannot stop the fork;
  not at all where the thread printing the line forks: it waited 5 s for its own lock)
  and releases after it (the child gets a fresh one): the ticker is never halfway through a
  write to stderr when a worker is forked, so a worker never inherits stderr's buffer lock held
  or a half-written line it would flush again as it exits. Python 3.12's warning that a
  multi-threaded process forks is `forkpool.forking`'s to silence (DuckDB's threads alone raise
  it); the ticker adds no other.

Nested use: each `Framed` holds one piece of work; `begin` replaces what ran (a stage followed by
the next). Nested steps (a Spark statement's own writes) are the caller's to count, as
`SparkProgress.step` does, so only the outermost is framed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

DEFAULT_INTERVAL = 30.0  # seconds between lines while one piece of work runs; BOTWATCH_PROGRESS_SECONDS overrides
JOIN_SECONDS = 5.0  # how long `stop()` waits for the thread

# Held while a line is printed, and across every fork (see the module docstring).
_PRINTING = threading.Lock()


# Whether `_before_fork` got `_PRINTING`, per forking thread: two threads forking at once (one
# waiting out `JOIN_SECONDS` while the other holds the lock) would otherwise overwrite each other's
# note, and the lock one of them took would stay held, every later line and fork waiting on it.
_fork = threading.local()


# The thread holding `_PRINTING` to make and print a line (its `threading.get_ident()`), else None.
_printer: int | None = None


def _printing_here() -> bool:
    """Whether this thread is the one printing a line: its own fork must not wait for itself."""
    return _printer == threading.get_ident()


def _before_fork() -> None:
    """Wait (up to `JOIN_SECONDS`: a line stuck on a full pipe must not stop the fork) for a
    line being printed to finish, and keep others out until the fork is done. A fork from inside
    the line (`line` or `emit` forking) goes on at once: its thread is the printer, and waiting
    for its own lock took the whole `JOIN_SECONDS`."""
    _fork.held = False if _printing_here() else _PRINTING.acquire(timeout=JOIN_SECONDS)


def _after_fork_in_parent() -> None:
    """Free `_PRINTING` again if this thread's `_before_fork` took it."""
    if getattr(_fork, "held", False):
        _fork.held = False
        _PRINTING.release()


def _after_fork_in_child() -> None:
    """A free `_PRINTING` for the child: no thread of it holds the lock, even where the fork went
    on without it (a parent's line stuck on a full pipe), which would have left it held for good."""
    global _PRINTING, _printer
    _fork.held = False
    _PRINTING, _printer = threading.Lock(), None


if hasattr(os, "register_at_fork"):  # (not on Windows, which does not fork)
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


# How far the work running now has got, where it can count its input (`note_done`): (done,
# total or None, unit). Why: in a log, the content stage of the whole IRA archive (1.74M posts)
# said "still running, N s so far" for nearly four minutes (twenty at 10M posts), and a reader
# could not tell a tenth done from nine tenths. One slot for the process: one stage runs at a time.
_done_lock = threading.Lock()
_done: tuple[int, int | None, str] | None = None


def note_done(done: int, total: int | None, unit: str) -> None:
    """Say that `done` of `total` (None: not known) `unit` of the work running now are read; the
    next "still running" line says so (`done_said`)."""
    global _done
    with _done_lock:
        _done = (done, total, unit)


def clear_done() -> None:
    """Forget the count: the work that counted has finished, or another piece of work begins."""
    global _done
    with _done_lock:
        _done = None


def done_said() -> str:
    """"; 650,000 of 1,741,039 posts read" for the count noted last, "" when none is. A total that
    `done` has passed (a count asked before the input changed) is left out rather than shown
    with more read than there are: never "120%"."""
    with _done_lock:
        got = _done
    if got is None:
        return ""
    return "; " + done_text(*got)


def done_text(done: int, total: int | None, unit: str) -> str:
    """"650,000 of 1,741,039 posts read"; without the total where none is known or `done` has
    passed it. One wording for the DuckDB stages' lines and a lake's (`spark_progress`)."""
    if total is not None and 0 <= done <= total:
        return f"{done:,} of {total:,} {unit} read"
    return f"{done:,} {unit} read"


def interval_from_env() -> float:
    """`BOTWATCH_PROGRESS_SECONDS` when it is a positive number, else 30 s (see the module
    docstring): tests and impatient users lower it."""
    raw = os.environ.get("BOTWATCH_PROGRESS_SECONDS", "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL  # (nan > 0 is False: the default too)


def wake_seconds(interval: float) -> float:
    """How often the thread looks: a quarter interval, from 0.01 s to 1 s."""
    return max(min(interval / 4, 1.0), 0.01)


class Framed:
    """The piece of work running now, when it began and when a line last said so (monotonic
    seconds), under one lock: the caller's thread frames it, the ticker's thread asks `due`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now: tuple[str, float, float] | None = None  # (name, began, last said or began)
        self._said = False

    def begin(self, name: str) -> None:
        """`name` runs from now (replacing what ran)."""
        now = time.monotonic()
        with self._lock:
            self._now, self._said = (name, now, now), False

    def end(self) -> tuple[float, bool] | None:
        """Clear the running work: (seconds it ran, whether a line said it was running), or None
        when nothing ran."""
        now = time.monotonic()
        with _PRINTING, self._lock:  # a line being made for this work is printed first (see the module docstring)
            was, said, self._now, self._said = self._now, self._said, None, False
        return None if was is None else (now - was[1], said)

    def note_said(self) -> None:
        """A line about part of this work was printed (a Spark stage's step, with its own line):
        the next line owed for the whole waits a full interval from now."""
        now = time.monotonic()
        with self._lock:
            if self._now is not None:
                name, began, _ = self._now
                self._now, self._said = (name, began, now), True

    def due(self, interval: float) -> tuple[str, float] | None:
        """(name, seconds it has run) when it has run `interval` since it began or was last said,
        and notes it as said now; None otherwise."""
        now = time.monotonic()
        with self._lock:
            if self._now is None or now - self._now[2] < interval:
                return None
            name, began, _ = self._now
            self._now, self._said = (name, began, now), True
        return name, now - began


class Ticker:
    """A daemon thread that every `wake_seconds(interval)` asks `line()` for a line and prints
    what it returns (None: nothing to say) with `emit`. See the module docstring for starting,
    stopping, failures and forks."""

    def __init__(self, line: Callable[[], str | None], emit: Callable[[str], None], interval: float, name: str) -> None:
        self.line, self.emit, self.interval, self.name = line, emit, interval, name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._told = False  # whether a line that could not be made was said (once per ticker)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "Ticker":
        if not self.running:
            self._stop = threading.Event()  # a fresh one: the old thread, if still winding down, keeps its own
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name=self.name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=JOIN_SECONDS)

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(wake_seconds(self.interval)):
            try:
                with _PRINTING:  # made and printed as one: `Framed.end` cannot slip in between
                    if stop.is_set():  # stopped while waiting for the lock: the command has moved on
                        return
                    self._say()
            except Exception:  # noqa: BLE001 - stderr gone, a failing reader: progress lines end, the command goes on
                return

    def _say(self) -> None:
        """Make and print a line, noted as this thread's (the caller holds `_PRINTING`)."""
        global _printer
        _printer = threading.get_ident()
        try:
            try:
                text = self.line()
            except Exception as exc:  # noqa: BLE001 - one line fails to be made: the next may not
                self._tell(exc)
                return
            if text:
                self.emit(text)
        finally:
            _printer = None

    def _tell(self, exc: Exception) -> None:
        """Say once on stderr that a progress line could not be made, in one line (no traceback);
        a stderr that cannot take it is left alone, as a line that cannot be printed is."""
        if self._told:
            return
        self._told = True
        import sys

        from botwatch.shown_text import controls_shown

        first = next((x.strip() for x in str(exc).splitlines() if x.strip()), "")
        why = controls_shown(f"{type(exc).__name__}: {first}"[:300] if first else type(exc).__name__)
        try:
            print(f"botwatch: a progress line could not be made ({why}); the command goes on, and so do its progress lines",
                  file=sys.stderr, flush=True)
        except Exception:  # noqa: BLE001 - stderr gone: nothing to tell it on
            pass
