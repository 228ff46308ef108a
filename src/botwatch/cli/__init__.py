"""The `botwatch` command line: thin wrappers that call the library and print what happened.

One module per command group (`study`, `ingest`, `analyze`, `elections`, `accounts`, `collect`,
`content`, `coordination`, `estimates`, `timeline`), each adding its commands to the shared Typer
`app` of `common` when imported; `common` also holds the shared arguments and error helpers. A new
group is a module here and a line in `COMMAND_MODULES`.

The command modules are imported the first time `app` (or another of this package's names) is
asked for (PEP 562 `__getattr__`), not when the package is: `main`, the `botwatch` entry point,
must be running before they are, since importing them takes seconds and Ctrl-C in that time
printed a KeyboardInterrupt traceback (`main` says one line and exits 130 instead).

Every command imports every command module, so what those modules import at their top is paid by
`botwatch --help`, `ingest` and `collect` too. scipy.stats (about 0.7 CPU-s, half of `--help`'s
1.5) is therefore imported where a function first needs it, not at a module's top, and so are
`botwatch.study`, `estimates`, `content` and whatever else brings pandas, ibis, pyarrow or duckdb
(about 0.9 CPU-s more): a name wanted only for a type hint is imported under `TYPE_CHECKING`, and
one wanted for an option's default or help (`estimates.defaults`, `coordination.behaviour_names`)
lives in a module that imports none of them (`tests/test_cli_imports.py` holds all of that).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botwatch.cli.analyze import sample_files
    from botwatch.cli.common import app, console, out

COMMAND_MODULES: list[str] = [
    "botwatch.cli.study",
    "botwatch.cli.ingest",
    "botwatch.cli.analyze",
    "botwatch.cli.elections",
    "botwatch.cli.accounts",
    "botwatch.cli.accounts_evaluate",
    "botwatch.cli.collect",
    "botwatch.cli.coordination",
    "botwatch.cli.estimates",
    "botwatch.cli.timeline",
    "botwatch.cli.content",
    "botwatch.cli.stages",
]

__all__ = ["COMMAND_MODULES", "app", "command_started", "console", "main", "out", "sample_files"]

_LOADED = {"app": "botwatch.cli.common", "console": "botwatch.cli.common", "out": "botwatch.cli.common",
           "sample_files": "botwatch.cli.analyze"}  # (benchmarks and notebooks use sample_files)


def _load_commands() -> None:
    for mod in COMMAND_MODULES:
        importlib.import_module(mod)


def __getattr__(name: str) -> Any:
    """`app` with every command group added (and the other names the package exports)."""
    home = _LOADED.get(name)
    if home is None:
        raise AttributeError(f"module 'botwatch.cli' has no attribute {name!r}")
    _load_commands()
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


INTERRUPTED_AT_START = "interrupted before the command started; nothing was done."

_STARTED: list[float] = []  # when `main` began, on the monotonic clock (empty: not run from `main`)


def command_started() -> float | None:
    """When the `botwatch` command began (`main`'s first line, before the seconds of imports), so
    a closing summary can say the whole run's wall time; None when the app was called otherwise
    (tests, notebooks), where the caller's own start is all there is to go by."""
    return _STARTED[0] if _STARTED else None


def main() -> None:
    """The `botwatch` entry point: Ctrl-C from the first line on is one line and exit 130.

    The command's own guard (`cli.guard`) takes over once the app is called; before it, while the
    commands are imported (about three seconds), an interrupt is this function's to report. Nothing
    has been written by then, so the line says so. `BOTWATCH_DEBUG=1` lets the traceback through."""
    import time

    _STARTED[:] = [time.monotonic()]
    from botwatch.cli.streams import tolerant_streams

    tolerant_streams()  # a terminal that is not UTF-8 gets escapes, not "UnicodeEncodeError ... a bug"
    try:
        from botwatch.cli.common import app as the_app

        _load_commands()
    except KeyboardInterrupt:
        if os.environ.get("BOTWATCH_DEBUG"):
            raise
        _say_interrupted_at_start()
        # Straight out, not through the interpreter's shutdown: nothing has been written yet, and
        # after an import cut short by the interrupt CPython's exit sometimes reported death by
        # SIGINT (status -2) instead of 130 (seen once in a CI run, line printed, 8/8 passes here).
        os._exit(130)
    try:
        sys.exit(the_app())
    except KeyboardInterrupt:
        if os.environ.get("BOTWATCH_DEBUG"):
            raise
        from botwatch.cli.guard import interrupt_seen, say_stopped_unless_said, stopped_status

        if not interrupt_seen():  # in the instant before the app's own guard took SIGINT
            _say_interrupted_at_start()
        else:  # taken by the guard's handler, raised past it: said now unless the guard said it
            say_stopped_unless_said()
        _exit_stopped(stopped_status())  # (else a second Ctrl-C while the guard was saying its line); 143 for SIGTERM
    except SystemExit as done:
        from botwatch.cli.guard import INTERRUPTED, TERMINATED, interrupt_seen

        if done.code in (INTERRUPTED, TERMINATED) and interrupt_seen() and not os.environ.get("BOTWATCH_DEBUG"):
            _exit_stopped(done.code)
        raise
    finally:
        # Left set, the app called later in this process without `main` (tests, a notebook) read
        # this command's start: its summary's time and its `--duration` counted from then.
        _STARTED.clear()
        _stops_while_closing()


def _stops_while_closing() -> None:
    """From the command's end on, SIGINT and SIGTERM no longer raise KeyboardInterrupt.

    The guard's handlers stayed through the interpreter's shutdown, so a stop that came while an
    exit hook ran (worker processes stopped, temporary folders removed) raised inside that hook,
    cut it short, and Python printed "Exception ignored in atexit callback" with a traceback. The
    command has ended, so its exit status stands and the clean-up goes on; a second signal ends
    the process at once. `BOTWATCH_DEBUG=1` keeps Python's own handling."""
    if os.environ.get("BOTWATCH_DEBUG"):
        return
    import signal

    def closing(signum: int, frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)  # the second one ends it

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, closing)
    except ValueError:  # not the main thread: leave signals alone
        pass


def _exit_stopped(code: int) -> None:
    """End a command the guard reported stopped with `code` (130, 143), whatever CPython noted.

    A KeyboardInterrupt raised in code a C extension ran through `PyRun_String` (Cython modules do
    while they are imported: cydifflib when the accounts stage starts) is noted by CPython as
    unhandled even when the guard handled it, and `python -m botwatch` then ended by SIGINT after
    the guard's line: a command stopped by SIGTERM reported 130 (-2 to Python), not 143. So the exit
    hooks run here and the process ends with the status said, as `sys.exit` would have."""
    import atexit

    _stops_while_closing()
    try:
        atexit._run_exitfuncs()  # (worker processes stopped, temporary folders removed, logs flushed)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):  # closed or gone: the status says it
                pass
        os._exit(code)


def _say_interrupted_at_start() -> None:
    """The one line, written plainly (Rich may be what was being imported)."""
    try:
        sys.stderr.write(INTERRUPTED_AT_START + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the exit status says it
        pass
