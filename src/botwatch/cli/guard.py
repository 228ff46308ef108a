"""The command line's last guard: whatever escapes a command is one line on stderr, never a traceback.

Commands turn the errors they expect into one red line themselves (`common.fail`). This guard is
for the rest, above all Ctrl-C during Spark work: PySpark's own SIGINT handler cancels the jobs
through the same Py4J connection the interrupted call is reading from, so the interrupt surfaced
as a Py4J "reentrant call" error and a page of tracebacks (py4j also logs each broken call with
its traceback). The command line therefore keeps Python's plain interrupt (`on_interrupt`, which
`engines.lake_files.spark_session` puts back after PySpark replaced it; a notebook keeps
PySpark's) and reports an interrupt, or any failure no command foresaw, as one line.
`BOTWATCH_DEBUG=1` lets the traceback through, for a bug report.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
from types import FrameType
from typing import Any

import typer
from typer.core import TyperGroup

from botwatch.cli.usage_line import CommandTyper

INTERRUPTED = 130  # the shell's exit status for a command stopped by SIGINT
TERMINATED = 143  # … and by SIGTERM (128 + 15), kept for a stop a service manager or `kill` asked for
_state: dict[str, Any] = {"interrupted": False, "nothing_kept": False, "terminated": False, "kept": None, "said": False}


def nothing_kept() -> None:
    """Say, when the interrupt is reported, that the command kept nothing (an ingest that removed
    the study it had just created): the usual line sent the user to `botwatch status`, which then
    said "no study at …"."""
    _state["nothing_kept"] = True


def on_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT in a botwatch command: remember it and raise KeyboardInterrupt where the command is."""
    _state["interrupted"] = True
    raise KeyboardInterrupt


on_interrupt.botwatch_cli = True  # type: ignore[attr-defined]  # what spark_session looks for


def on_terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (`kill`, a service manager, a job scheduler): stopped as Ctrl-C stops a command (the
    file being stored rolled back), said as such, exit 143. It used to end the process at once,
    with no word of what was kept or whether running again was safe."""
    _state["terminated"] = True
    study = _study_module()
    if study is not None:
        study.note_terminated()  # the stage it cuts off is recorded "stopped (SIGTERM)", not "interrupted (Ctrl-C)"
    on_interrupt(signum, frame)


def _study_module() -> Any:
    """`botwatch.study` if this process has imported it, else None. Importing it costs about half a
    CPU-second (duckdb, ibis, pyarrow), which `--help` and `collect` do not otherwise pay; and until
    it is imported there is no stage to record a stop in and no SIGTERM noted to forget."""
    study = sys.modules.get("botwatch.study")
    return study if hasattr(study, "note_terminated") else None  # (not one cut short while importing)


def kept_on_interrupt(line: str | None) -> None:
    """What the command kept, said instead of the general line when it is interrupted or stopped
    (None: the general line again, for a part of the command that says nothing of its own)."""
    _state["kept"] = line


class _DropPy4jTracebacks(logging.Filter):
    """py4j logs a broken call on the root logger with its traceback; the guard says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "py4j" not in (record.pathname or "")


def interrupt_seen() -> bool:
    """Whether this command's SIGINT handler (`on_interrupt`) has run: `cli.main` asks, to tell
    an interrupt before the guard took over (which it reports) from one the guard reports."""
    return _state["interrupted"]


def stopped_status() -> int:
    """The exit status of a command stopped now: 143 once SIGTERM was seen, else 130 (Ctrl-C)."""
    return TERMINATED if _state["terminated"] else INTERRUPTED


def interrupted_now() -> bool:
    """Whether this command was stopped by Ctrl-C: SIGINT arrived, or the error being handled
    comes from a KeyboardInterrupt. A command that turns its errors into one line (`common.fail`)
    asks first: after Ctrl-C during Spark work the cleanup's Py4J error ("Answer from Java side is
    empty", then "Spark could not run `DROP TABLE …`") is the interrupt's doing, not a failure to
    report with exit 2."""
    current = sys.exc_info()[1]
    if current is not None and _interrupted(current):
        _state["interrupted"] = True  # so the guard says "interrupted." on the way out
    return _state["interrupted"]


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C's doing (`study.interrupt_in`: the interrupt in the exception's chain), or an error
    after the guard already saw an interrupt."""
    if _state["interrupted"]:  # asked first: a command stopped by a signal need not import the study module
        return True
    from botwatch.study import interrupt_in

    return interrupt_in(exc)


def _line(exc: BaseException) -> str:
    from botwatch.engines.lake_files import first_line

    return f"{type(exc).__name__}: {first_line(exc)}"


try:  # Typer 0.20 and later carry their own copy of Click; earlier ones use Click itself
    from typer._click.exceptions import ClickException, UsageError  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - typer < 0.20
    from click.exceptions import ClickException, UsageError  # type: ignore[import-not-found,no-redef]


def say_usage_error(exc: ClickException) -> int:
    """A command line Click refused (a missing argument, an unknown option or command, a value of
    the wrong type) as botwatch says every error, `error: …` in one line, then the command's usage
    and where its help is; returns the exit status (2 for a usage error). Typer drew a red box
    around the message instead, between two lines of usage text."""
    from rich.markup import escape

    from botwatch.cli.common import console
    from botwatch.shown_text import controls_shown

    # The message quotes what was typed (an unknown option, an extra argument): a right-to-left
    # override or other control in it is shown escaped, as in every other error line.
    console.print(f"[red]error:[/red] {escape(controls_shown(' '.join(exc.format_message().split()) + _dash_file_hint(exc)))}", highlight=False)
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UsageError) and ctx is not None:
        usage = " ".join(ctx.get_usage().split())
        console.print(escape(controls_shown(f"{usage}   (see {ctx.command_path} --help)")), highlight=False, soft_wrap=True)
    return exc.exit_code


_TYPED: list[str] = []  # the words the root group was given: what a usage error's hint looks through


def _dash_file_hint(exc: ClickException) -> str:
    """For "No such option: -é" where the user named a file starting with `-` (`botwatch ingest
    -étude.duckdb in.csv`, as a shell completes it), how to name that file; else "". The refusal
    alone quoted one letter of the name (Click reads `-étude` as the short options -é -t ...) and
    left a student to guess that the study name was the problem."""
    if type(exc).__name__ != "NoSuchOption":
        return ""
    from botwatch.shown_text import name_shown, shell_word

    refused = getattr(exc, "option_name", None) or "-"
    for word in _TYPED:
        if word.startswith(refused) and not word.startswith("--") and len(word) > 2 and (
                os.path.lexists(word) or any(c in word for c in "./ ")):
            return (f"; to name the file {name_shown(word)}, write it as {shell_word(word)} "
                    f"or put it after `--`, which ends the options")
    return ""


class UsageLineGroup(TyperGroup):
    """The root command group: whatever Click refuses about the command line, at this level or in
    any command or sub-group under it (they are parsed inside this group's `invoke`), is said by
    `say_usage_error`. Help asked for by giving a group no arguments (`botwatch elections`) is left
    as Typer shows it."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        given = args[1] if len(args) > 1 else kwargs.get("args")
        _TYPED[:] = [w for w in given if isinstance(w, str)] if isinstance(given, (list, tuple)) else []
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:
            raise _said(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            raise _said(exc) from None


def _said(exc: ClickException) -> BaseException:
    """`exc` said in botwatch's words, as the exit that ends the command; help is passed on."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # Typer printed the help; it ends with status 2
        return exc
    return typer.Exit(say_usage_error(exc))


class GuardedTyper(CommandTyper):
    """`typer.Typer` (usage lines as `usage_line` writes them) whose call (the `botwatch` entry point) reports what escapes a command in one
    line, and whose command group says a refused command line in one line (`UsageLineGroup`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", UsageLineGroup)
        super().__init__(*args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get("BOTWATCH_DEBUG"):
            return super().__call__(*args, **kwargs)
        # One command's word: the API, a notebook or the tests call the app many times in one
        # process, and an earlier call's interrupt made a later call's error line "interrupted.".
        _state.update(interrupted=False, nothing_kept=False, terminated=False, kept=None, said=False)
        study = _study_module()
        if study is not None:
            study.note_terminated(False)
        try:  # the handlers are set inside the guard: a signal the instant after is said, not a KeyboardInterrupt let out
            try:
                signal.signal(signal.SIGINT, on_interrupt)
                signal.signal(signal.SIGTERM, on_terminate)
            except ValueError:  # not the main thread: leave signals alone
                pass
            logging.getLogger().addFilter(_DropPy4jTracebacks())
            logging.getLogger("py4j").setLevel(logging.CRITICAL)
            return super().__call__(*args, **kwargs)
        except SystemExit as done:
            if _state["interrupted"] and done.code == INTERRUPTED:  # Typer ends a clean Ctrl-C silently
                _say_interrupted()
                if _state["terminated"]:
                    sys.exit(TERMINATED)
            raise
        except BaseException as exc:  # noqa: BLE001 - the guard: one line, never a traceback
            if _interrupted(exc):  # Ctrl-C, and then the cleanup failed too (the JVM had gone)
                _say_interrupted()
                sys.exit(stopped_status())
            from rich.markup import escape

            from botwatch.cli.common import console
            from botwatch.shown_text import controls_shown

            refused = _refused_by_the_system(exc) or _study_out_of_room(exc)
            if refused is not None:
                console.print(f"[red]error:[/red] {escape(refused[0])}", highlight=False)
                sys.exit(refused[1])

            console.print(f"[red]error:[/red] {escape(controls_shown(_line(exc)))}. This is a bug in botwatch: please report it "
                          "with the output of the same command run with BOTWATCH_DEBUG=1.", highlight=False)
            sys.exit(1)


# What the system refuses (a read-only or full disk, a folder without permission) is about the
# paths the user gave or the machine, not a bug: one line, exit 2 for the path, 1 for a full disk.
# A name too long (`-o` with a part over 255 bytes) ended in "OSError: File name too long ... This
# is a bug" from the first look at it (`output.is_dir()` in train-bot-model, report, coordination),
# quoting the whole name: said here once for every command, the name cut short (`_name_cut`).
_USER_ERRNOS = {errno.EACCES: 2, errno.EPERM: 2, errno.EROFS: 2, errno.ENOSPC: 1, errno.EDQUOT: 1, errno.EFBIG: 1, errno.ENAMETOOLONG: 2}
# Out of room (a full disk, a quota, `ulimit -f`): "the system refused: File too large" alone left the
# user to guess the next step, and EFBIG was "This is a bug in botwatch".
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
# DuckDB's errors that a refused write raises: IOException (a write, an export's COPY),
# TransactionException (a commit), FatalException (a database invalidated by an earlier such error).
_DUCKDB_WRITE_ERRORS = frozenset({"IOException", "TransactionException", "FatalException"})


def _name_cut(shown: str, head: int = 60, tail: int = 20) -> str:
    """A shown file name of more than `head + tail` characters as its start, "…" and its end, with
    its length: enough to tell which argument it was, never a screenful."""
    if len(shown) <= head + tail:
        return shown
    return f"{shown[:head]}…{shown[-tail:]} ({len(shown):,} characters)"


def _refused_by_the_system(exc: BaseException) -> tuple[str, int] | None:
    """The line and exit status for an OSError the system raised about a path (permission denied,
    read-only file system, disk full) that no command caught; None for anything else."""
    if not isinstance(exc, OSError) or exc.errno not in _USER_ERRNOS:
        return None
    from botwatch.shown_text import name_shown
    from botwatch.userfile import os_error_said

    why = os_error_said(exc)
    if exc.errno == errno.ENAMETOOLONG:
        why += " (each part of a path may hold at most 255 bytes on most systems): name a shorter file"
    said = f"{_name_cut(name_shown(exc.filename))}: {why}" if exc.filename is not None else f"the system refused: {why}"
    if exc.errno in _NO_ROOM:
        said += "; free space on the disk (or raise the file-size limit, `ulimit -f`) and run the same command again"
    return said, _USER_ERRNOS[exc.errno]


def _study_out_of_room(exc: BaseException) -> tuple[str, int] | None:
    """The no-room line (`_refused_by_the_system`'s) for a DuckDB error whose commit the system
    refused for room (`_NO_ROOM`'s reasons in its text: DuckDB raises its own error, not an
    OSError); None for anything else. Measured: `ulimit -f 2000; botwatch analyze` on the bundled
    sample's study said "TransactionException: … Could not write file "s.duckdb.wal": File too
    large. This is a bug in botwatch". The stage's `runs` row says why it failed where the study
    could still take it (`Study.run`); where it could not, `status` can only guess (`never_finished`).
    Only DuckDB's errors of a write (`_DUCKDB_WRITE_ERRORS`) are read so: a conversion or binder
    error quotes a record's or a header's own text ("Could not convert string 'No space left on
    device'"), a bug it would have said was a full disk. The file refused is not always the study:
    `report` and `export` write their files with DuckDB's COPY, and `report` on a full disk was told
    "the study could not be written" of a study it only read, so the line says a write, not which."""
    if not type(exc).__module__.lstrip("_").startswith("duckdb") or type(exc).__name__ not in _DUCKDB_WRITE_ERRORS:
        return None
    said = str(exc)
    if not any(os.strerror(e) in said for e in _NO_ROOM):
        return None
    from botwatch.engines.lake_files import first_line
    from botwatch.shown_text import controls_shown

    return (f"the system refused a write for room ({controls_shown(first_line(exc))}); free space on the disk (or raise the file-size limit, `ulimit -f`) "
            "and run the same command again"), 1


def say_stopped_unless_said() -> None:
    """The stop's line, for a signal this command's handlers took that reached `cli.main` past the
    guard (the command ending, the guard between two of its lines): 143 came without a word."""
    if not _state["said"]:
        _say_interrupted()


def _say_interrupted() -> None:
    from rich.markup import escape

    from botwatch.cli.common import console

    _state["said"] = True  # (before the line: a second signal while it is written must not say it twice)
    head = "stopped (SIGTERM)." if _state["terminated"] else "interrupted."
    if _state["nothing_kept"]:
        console.print(f"[red]{head}[/red] Nothing was kept; run the same command again to start over.", highlight=False)
        return
    if _state["kept"]:
        console.print(f"[red]{head}[/red] {escape(_state['kept'])}", highlight=False)
        return
    console.print(
        f"[red]{head}[/red] What finished before is kept (`botwatch status` lists the stage runs); run the "
        "same command again to finish. On a lake, the lock this command held is taken over by the next one.",
        highlight=False,
    )
