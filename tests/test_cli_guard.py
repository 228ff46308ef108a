"""`cli/guard.py`: what escapes a command reaches the user as one line and an exit status, never
a traceback (the `botwatch` entry point calls the app object, which CliRunner does not)."""

from __future__ import annotations

import logging
import os
import signal

import pytest

from botwatch.cli import guard


def _app(body):  # noqa: ANN001, ANN202 - a one-command app around `body`
    app = guard.GuardedTyper(add_completion=False, pretty_exceptions_enable=False)

    @app.command()
    def run() -> None:
        body()

    @app.command()
    def other() -> None:  # two commands, so `run` is a subcommand as botwatch's are
        pass

    return app


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(guard._state, "interrupted", False)
    monkeypatch.delenv("BOTWATCH_DEBUG", raising=False)
    previous = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, previous)


def _call(app, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:  # noqa: ANN001
    with pytest.raises(SystemExit) as done:
        app(["run"])
    return done.value.code, capsys.readouterr().err


def test_an_unforeseen_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def boom() -> None:
        raise KeyError("no such column 'x'")

    code, err = _call(_app(boom), capsys)
    assert code == 1 and "Traceback" not in err
    assert "error: KeyError" in err and "BOTWATCH_DEBUG=1" in err and len(err.strip().splitlines()) <= 2


def test_ctrl_c_says_what_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> None:
        guard.on_interrupt(signal.SIGINT, None)

    code, err = _call(_app(interrupted), capsys)
    assert code == guard.INTERRUPTED and "interrupted." in err and "run the same command again" in err and "Traceback" not in err


def test_ctrl_c_then_a_failing_cleanup_is_still_an_interrupt(capsys: pytest.CaptureFixture[str]) -> None:
    """The Spark case: the JVM went with the Ctrl-C, so closing the lake fails with a Py4J error."""

    def interrupted_then_broken() -> None:
        try:
            guard.on_interrupt(signal.SIGINT, None)
        finally:
            raise ConnectionError("Answer from Java side is empty")

    code, err = _call(_app(interrupted_then_broken), capsys)
    assert code == guard.INTERRUPTED and "interrupted." in err and "ConnectionError" not in err and "Traceback" not in err


def test_the_command_line_keeps_its_own_interrupt_handler(capsys: pytest.CaptureFixture[str]) -> None:
    seen = []
    _call(_app(lambda: seen.append(signal.getsignal(signal.SIGINT))), capsys)
    assert seen == [guard.on_interrupt] and getattr(seen[0], "botwatch_cli", False)


def test_ctrl_c_then_a_statement_turned_into_an_error_line_is_still_an_interrupt(capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C during a Spark analyze: the stage's cleanup (`DROP TABLE …`) fails on the broken
    Py4J connection, the lake turns that into a StudyError and `analyze` into `fail(...)`, exit 2
    "Spark could not run …". It is the interrupt: exit 130, "interrupted."."""
    from botwatch.cli.common import fail
    from botwatch.study import StudyError

    def interrupted_then_failed() -> None:
        try:
            try:
                raise KeyboardInterrupt
            finally:
                try:
                    raise ConnectionError("Answer from Java side is empty")
                except ConnectionError:
                    raise StudyError("Spark could not run `DROP TABLE IF EXISTS t`: Answer from Java side is empty") from None
        except StudyError as exc:
            fail(str(exc))

    code, err = _call(_app(interrupted_then_failed), capsys)
    assert code == guard.INTERRUPTED and "interrupted." in err and "could not run" not in err


def test_an_error_line_without_an_interrupt_keeps_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    from botwatch.cli.common import fail

    code, err = _call(_app(lambda: fail("no such study")), capsys)
    assert code == 2 and "error: no such study" in err and "interrupted" not in err


def test_ctrl_c_after_an_ingest_removed_its_new_study_says_nothing_was_kept(tmp_path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """Ctrl-C before `ingest NEW.duckdb …` stored a file removes the new study, and then the
    interrupt's line said "What finished before is kept (`botwatch status` lists the stage runs)":
    `botwatch status` answered "no study at …". It now says nothing was kept."""
    from pathlib import Path

    import botwatch.ingest.runner as ingest_runner
    from botwatch.cli import app

    def stopping(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        guard.on_interrupt(signal.SIGINT, None)

    monkeypatch.setattr(ingest_runner, "ingest_file", stopping)
    study = tmp_path / "new.duckdb"
    fixture = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    with pytest.raises(SystemExit) as done:
        app(["ingest", str(study), str(fixture)])
    said = " ".join(capsys.readouterr().err.split())
    assert done.value.code == guard.INTERRUPTED and not study.exists()
    assert "was removed" in said and "Nothing was kept; run the same command again" in said and "botwatch status" not in said, said
    with pytest.raises(SystemExit) as done:  # the next command's interrupt is its own: the usual line
        _app(lambda: guard.on_interrupt(signal.SIGINT, None))(["run"])
    assert "What finished before is kept" in capsys.readouterr().err


def test_an_unforeseen_errors_line_shows_record_text_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """The line quotes the exception's message, which may quote a record (a handle, a value): an
    ESC or right-to-left override there reached the terminal raw."""
    def boom() -> None:
        raise ValueError("cannot read '\x1b[2Jx\u202e'")

    code, err = _call(_app(boom), capsys)
    assert code == 1 and "error: ValueError: cannot read '\\x1b[2Jx\\u202e'" in err, err
    assert "\x1b" not in err and "\u202e" not in err, repr(err)


def test_a_command_after_an_interrupted_one_in_the_same_process_keeps_its_own_status(capsys: pytest.CaptureFixture[str]) -> None:
    """The Python API or a notebook calls the command line twice: the first call's Ctrl-C was
    remembered, so the second call's plain error line (exit 2) became "interrupted." and 130."""
    from botwatch.cli.common import fail

    code, _ = _call(_app(lambda: guard.on_interrupt(signal.SIGINT, None)), capsys)
    assert code == guard.INTERRUPTED
    code, err = _call(_app(lambda: fail("no such study")), capsys)
    assert code == 2 and "error: no such study" in err and "interrupted" not in err, (code, err)


def test_sigterm_the_instant_the_handlers_are_set_is_said_and_143(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """SIGTERM between the guard setting its handlers and calling the command: the handler's
    KeyboardInterrupt left the guard, and `botwatch` ended with 130 and no line."""
    from botwatch.study import note_terminated

    previous = signal.getsignal(signal.SIGTERM)

    class Stopped(logging.Filter):
        def __init__(self) -> None:
            super().__init__()
            guard.on_terminate(signal.SIGTERM, None)

    monkeypatch.setattr(guard, "_DropPy4jTracebacks", Stopped)
    try:
        code, err = _call(_app(lambda: None), capsys)
    except KeyboardInterrupt:
        pytest.fail("the handler's KeyboardInterrupt left the guard")
    finally:
        signal.signal(signal.SIGTERM, previous)
        note_terminated(False)
    assert code == guard.TERMINATED and "stopped (SIGTERM)." in err, (code, err)


_SIGNAL_AFTER_THE_GUARD = """
import os, signal, sys, time
from botwatch.cli import guard, main

called = guard.GuardedTyper.__call__

def call(self, *args, **kwargs):  # the command done, the guard returned: then SIGTERM, as `kill` may
    try:
        return called(self, *args, **kwargs)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

guard.GuardedTyper.__call__ = call
sys.argv = ["botwatch", "elections", "list"]
main()
"""


def test_sigterm_just_past_the_guard_is_said_and_143() -> None:
    """SIGTERM after the guard returned (the command ending) is taken by its handler and raised
    past it into `cli.main`, which exited 143 without a word: the stop's line is said."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    env.pop("BOTWATCH_DEBUG", None)
    r = subprocess.run([sys.executable, "-c", _SIGNAL_AFTER_THE_GUARD], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == guard.TERMINATED, r.stderr
    assert "stopped (SIGTERM)." in r.stderr and "Traceback" not in r.stderr, r.stderr


_SIGNAL_IN_AN_EXIT_HOOK = """
import atexit, os, signal, sys, time
from botwatch.cli import main

finished = sys.argv[1]

def hook():  # an exit hook (workers stopped, a temporary folder removed) when `kill` comes
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)
    open(finished, "w").close()

atexit.register(hook)
sys.argv = ["botwatch", "elections", "list"]
main()
"""


def test_sigterm_while_the_interpreter_closes_prints_no_traceback(tmp_path) -> None:  # noqa: ANN001
    """SIGTERM while an exit hook ran, the command done: the guard's handler raised inside the
    hook, which was cut short, and Python printed "Exception ignored in atexit callback" with a
    traceback. The hook finishes and the command's own status stands."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    env.pop("BOTWATCH_DEBUG", None)
    done = tmp_path / "hook-finished"
    r = subprocess.run([sys.executable, "-c", _SIGNAL_IN_AN_EXIT_HOOK, str(done)], env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
    assert r.returncode == 0 and done.exists(), r.stderr


def test_a_path_the_system_refused_is_named_by_the_rule_of_file_names(capsys: pytest.CaptureFixture[str]) -> None:
    """The line for a refused path (permission denied, read-only disk) named it by `controls_shown`:
    a typed `\\x07` in it read as a BEL and a byte that is not UTF-8 as `\\udcff`; `name_shown`
    writes them `\\\\x07` and `\\xff`, as `ingest` names its inputs."""
    import errno

    def refuse() -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/data/a\\x07\x1b\udcff.csv")

    code, err = _call(_app(refuse), capsys)
    assert code == 2 and "error: /data/a\\\\x07\\x1b\\xff.csv: Permission denied" in err, repr(err)


@pytest.mark.parametrize("existed", [False, True], ids=["new-study", "existing-study"])
def test_ctrl_c_before_an_ingest_reads_says_nothing_was_read(tmp_path, monkeypatch, capsys, existed: bool) -> None:  # noqa: ANN001
    """Walk: `timeout -s INT 8 botwatch ingest new.duckdb ira.csv.gz` stopped the command while it
    listed its inputs, and the line said "What finished before is kept (`botwatch status` lists the
    stage runs) ... On a lake, the lock ...": no study existed, and `status` answered "no study at"."""
    from pathlib import Path

    import botwatch.ingest.runner as ingest_runner
    from botwatch.cli import app

    def stopping(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        guard.on_interrupt(signal.SIGINT, None)

    fixture = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    study = tmp_path / "s.duckdb"
    if existed:
        with pytest.raises(SystemExit):
            app(["ingest", str(study), str(fixture)])
        capsys.readouterr()
    monkeypatch.setattr(ingest_runner, "expand_inputs", stopping)
    with pytest.raises(SystemExit) as done:
        app(["ingest", str(study), str(fixture)])
    said = " ".join(capsys.readouterr().err.split())
    assert done.value.code == guard.INTERRUPTED and study.exists() == existed
    assert "Nothing was read yet" in said and "run the same command again" in said, said
    assert "botwatch status" not in said and "lake" not in said, said


@pytest.mark.parametrize("err", ["ENOSPC", "EFBIG"])
def test_a_study_commit_refused_for_room_is_no_bug(capsys, err: str) -> None:  # noqa: ANN001
    """Measured: `ulimit -f 2000; botwatch analyze` said "TransactionException: … Could not write
    file "s.duckdb.wal": File too large. This is a bug in botwatch": DuckDB raises its own error for
    the refused write, not an OSError. Now the no-room line, exit 1."""
    import errno

    import duckdb

    why = os.strerror(getattr(errno, err))

    def refuse() -> None:
        raise duckdb.TransactionException(f'TransactionContext Error: Failed to commit: Could not write file "s.duckdb.wal": {why}')

    code, said = _call(_app(refuse), capsys)
    said = " ".join(said.split())
    assert code == 1 and "bug" not in said and why in said and "s.duckdb.wal" in said, said
    assert "free space on the disk" in said and "run the same command again" in said, said


def test_an_export_copy_refused_for_room_names_no_study(capsys) -> None:  # noqa: ANN001
    """Walk: `ulimit -f 2; botwatch report` (which only reads the study) said "the study could not
    be written" of DuckDB's COPY of an export: the line says a write was refused, not the study."""
    import duckdb

    def refuse() -> None:
        raise duckdb.IOException('IO Error: Async write failed for range [offset=522, size=1750]: {"exception_type":"IO",'
                                 '"exception_message":"Could not write file \\".r-data.botwatch-tmp-1-2/accounts.csv\\": File too large","errno":"27"}')

    code, said = _call(_app(refuse), capsys)
    said = " ".join(said.split())
    assert code == 1 and "free space on the disk" in said and "study" not in said and "bug" not in said, said


def test_a_conversion_error_quoting_no_room_is_still_a_bug(capsys) -> None:  # noqa: ANN001
    """A conversion error quotes the value it could not read, a record's own text: not a full disk."""
    import duckdb

    def boom() -> None:
        duckdb.sql("SELECT 'No space left on device'::INTEGER").fetchall()

    code, said = _call(_app(boom), capsys)
    assert code == 1 and "This is a bug in botwatch" in said and "free space" not in said, said


def test_another_duckdb_error_is_still_a_bug(capsys) -> None:  # noqa: ANN001
    import duckdb

    def boom() -> None:
        raise duckdb.BinderException("Referenced column \"x\" not found")

    code, said = _call(_app(boom), capsys)
    assert code == 1 and "This is a bug in botwatch" in said, said


@pytest.mark.parametrize("err", ["ENOSPC", "EFBIG"])
def test_a_full_disk_or_a_file_size_limit_is_the_systems_refusal_with_the_next_step(capsys, err: str) -> None:  # noqa: ANN001
    """Walk: `ulimit -f 33000; botwatch analyze` said "OSError: [Errno 27] File too large. This is
    a bug in botwatch": the machine refused the write; the line now says what to do, exit 1."""
    import errno

    def refuse() -> None:
        raise OSError(getattr(errno, err), os.strerror(getattr(errno, err)))

    code, said = _call(_app(refuse), capsys)
    said = " ".join(said.split())
    assert code == 1 and "bug" not in said and os.strerror(getattr(errno, err)) in said, said
    assert "run the same command again" in said, said
