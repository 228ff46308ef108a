"""`forkpool.forking()`: Python 3.12's warning that a multi-threaded process forks is silenced
around our own forks only; other DeprecationWarnings, and the same warning outside the block,
still show. `forkpool.fork_map`, the small pools' replacement for `multiprocessing.Pool.map`
(which waited for ever when a worker was killed): order kept, a killed or failing worker is
`WorkerFailed` at once, and no worker is left behind."""

from __future__ import annotations

import os
import signal
import sys
import time
import threading
import warnings
from pathlib import Path

import pytest

from botwatch.forkpool import WorkerFailed, fork_map, forking

THE_WARNING = "This process (pid=4321) is multi-threaded, use of fork() may lead to deadlocks in the child."


def _shown(fn) -> list[str]:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        fn()
    return [f"{w.category.__name__}: {w.message}" for w in got]


def test_only_that_warning_and_only_inside_the_block() -> None:
    def inside() -> None:
        with forking():
            warnings.warn(THE_WARNING, DeprecationWarning, stacklevel=1)
            warnings.warn("something else is deprecated", DeprecationWarning, stacklevel=1)
            warnings.warn(THE_WARNING, UserWarning, stacklevel=1)  # same words, another category

    assert _shown(inside) == ["DeprecationWarning: something else is deprecated", f"UserWarning: {THE_WARNING}"]
    assert _shown(lambda: warnings.warn(THE_WARNING, DeprecationWarning, stacklevel=1)) == [f"DeprecationWarning: {THE_WARNING}"]


@pytest.mark.skipif(sys.version_info < (3, 12) or not hasattr(os, "fork"), reason="Python warns of fork() in a threaded process from 3.12")
def test_a_real_fork_beside_a_thread_is_silent_inside_and_warns_outside() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        def fork() -> None:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)

        def fork_inside() -> None:
            with forking():
                fork()

        assert not _shown(fork_inside)
        assert any("multi-threaded" in s for s in _shown(fork))
    finally:
        stop.set()
        t.join()


def _children() -> set[int]:
    """This process's child processes (Linux; none elsewhere)."""
    try:
        return {int(k) for t in Path(f"/proc/{os.getpid()}/task").iterdir() for k in (t / "children").read_text().split()}
    except OSError:
        return set()


def test_fork_map_keeps_the_order_and_sees_what_the_parent_holds() -> None:
    table = {i: i * i for i in range(50)}  # inherited by the fork, never sent
    assert fork_map(lambda i: table[i], list(range(50)), 3, "test") == [i * i for i in range(50)]
    assert fork_map(lambda i: i, [], 3, "test") == []
    assert fork_map(lambda i: -i, [7], 4, "test") == [-7]  # one item: one worker


def test_fork_map_says_a_killed_worker_at_once() -> None:
    before = _children()

    def die_at_5(i: int) -> int:
        if i == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        if i % 2:
            time.sleep(0.2)  # the other worker is still busy when it happens
        return i

    t0 = time.monotonic()
    with pytest.raises(WorkerFailed, match=r"test worker 1 of 2 died \(killed by SIGKILL"):
        fork_map(die_at_5, list(range(10)), 2, "test")
    assert time.monotonic() - t0 < 60
    assert _children() <= before  # none left running


def test_fork_map_says_a_failing_worker_with_its_traceback() -> None:
    def boom(i: int) -> int:
        if i == 4:
            raise ValueError("a bug")
        return i

    with pytest.raises(WorkerFailed, match=r"test worker 0 of 2 failed: ValueError: a bug") as got:
        fork_map(boom, list(range(6)), 2, "test")
    assert got.value.detail is not None and "Traceback" in got.value.detail


def test_fork_map_says_the_exceptions_first_line_not_its_messages_last() -> None:
    """A message over several lines (DuckDB's binder errors end "Candidate bindings: …") read as
    its last line: the reason a user was shown named no error at all."""
    def boom(i: int) -> int:
        if i == 1:
            raise ValueError("Binder Error: no column x\nLINE 1: SELECT x\nCandidate bindings: \"range\"")
        return i

    with pytest.raises(WorkerFailed, match=r"test worker 1 of 2 failed: ValueError: Binder Error: no column x$"):
        fork_map(boom, list(range(4)), 2, "test")


def test_fork_map_ctrl_c_stops_the_workers_silently(capfd: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C reaches every process of the group: here a worker sends SIGINT to itself and to
    the parent. The workers ignore it, the parent's wait ends with KeyboardInterrupt, and no worker
    is left running or prints a traceback."""
    before = _children()

    def interrupt_at_3(i: int) -> int:
        if i == 3:
            os.kill(os.getpid(), signal.SIGINT)  # ignored here
            os.kill(os.getppid(), signal.SIGINT)
            time.sleep(30)  # still working when the parent stops it
        return i

    was = signal.signal(signal.SIGINT, signal.default_int_handler)  # as a command has it (a test runner's worker may not)
    try:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            fork_map(interrupt_at_3, list(range(8)), 2, "test")  # (it cannot end before worker 1's sleep)
        assert time.monotonic() - t0 < 25
    finally:
        signal.signal(signal.SIGINT, was)
    assert _children() <= before
    assert "Traceback" not in capfd.readouterr().err


_FORK_TERM: list[bool] = []  # armed by the test below; an at-fork hook cannot be taken back


def _sigterm_while_forking() -> None:
    if _FORK_TERM and _FORK_TERM.pop():
        os.kill(os.getpid(), signal.SIGTERM)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_sigterm_while_forking)


def test_sigterm_during_a_fork_stops_the_command_and_the_workers_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    """SIGTERM arriving while a worker is forked: the command line's handler ran inside the fork's
    hooks, where Python drops the KeyboardInterrupt it raises ("Exception ignored in …" and a
    traceback) and the command went on as if never stopped. It is held back like Ctrl-C and acted
    on as the fork ends; the workers, which would run the parent's handler, die of SIGTERM as
    `terminate()` expects, without a traceback."""
    from botwatch.cli import guard
    from botwatch.study import note_terminated

    before = _children()
    was = signal.signal(signal.SIGTERM, guard.on_terminate)
    _FORK_TERM.append(True)
    try:
        with pytest.raises(KeyboardInterrupt):
            fork_map(lambda i: i, list(range(8)), 2, "test")
    finally:
        _FORK_TERM.clear()
        signal.signal(signal.SIGTERM, was)
        note_terminated(False)
        guard._state.update(interrupted=False, terminated=False)
    assert _children() <= before
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "Traceback" not in err, err
