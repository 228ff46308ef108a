"""Waiting on what a test can observe, instead of sleeping a fixed time.

A fixed sleep is too long on a quick machine (the collect tests spent about 17 s in them) and too
short on a loaded one (a 2-core CI runner under another job): the test then checks a state that has
not come yet, and fails, or passes without testing what it was written for. These poll the state
itself (a file, a fake server's counters, a child process) often, and fail loudly, saying what
never came, after a timeout generous enough for the slowest machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PROC_CHILDREN = Path("/proc/self/task").is_dir()  # whether child_pids can see anything (Linux)


def _poll(predicate: Callable[[], T], deadline: float, timeout: float, what: str) -> T | None:
    """`predicate()` when it is true; None while time is left; past `deadline`, an AssertionError
    naming `what` (the one check both waits make, the sleeping one and the awaiting one)."""
    got = predicate()
    if got:
        return got
    if time.monotonic() >= deadline:
        raise AssertionError(f"waited {timeout:g} s for {what}; it never came")
    return None


def wait_until(predicate: Callable[[], T], timeout: float = 30.0, what: str = "the condition", every: float = 0.02) -> T:
    """Poll `predicate` every `every` seconds until it returns something true, and return that;
    an AssertionError naming `what` once `timeout` seconds pass without it."""
    deadline = time.monotonic() + timeout
    while not (got := _poll(predicate, deadline, timeout, what)):
        time.sleep(every)
    return got


async def async_wait_until(predicate: Callable[[], T], timeout: float = 30.0, what: str = "the condition", every: float = 0.01) -> T:
    """`wait_until` for a coroutine: the event loop (a follower's batch) runs while it waits."""
    deadline = time.monotonic() + timeout
    while not (got := _poll(predicate, deadline, timeout, what)):
        await asyncio.sleep(every)
    return got


def child_pids(parent: int, cmd_has: bytes = b"") -> list[int]:
    """The child processes of `parent` whose command line holds `cmd_has`, from /proc (Linux;
    none elsewhere, see PROC_CHILDREN). A child that has exited but is not yet reaped is left out."""
    out = []
    for task in Path(f"/proc/{parent}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            try:
                cmd = Path(f"/proc/{kid}/cmdline").read_bytes()
                state = Path(f"/proc/{kid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if cmd_has in cmd and state != b"Z":
                out.append(int(kid))
    return sorted(set(out))


def blocked_reading_a_pipe(pid: int) -> bool:
    """Whether process `pid`'s main thread sleeps in a read of a pipe or FIFO (its kernel wait
    channel, /proc/PID/wchan: "pipe_read", "pipe_wait" or "anon_pipe_read" by kernel version).
    A reader given all its input through a FIFO is then done with everything written so far.
    False where the kernel does not say (no /proc, or a hidden wait channel reads "0")."""
    try:
        return "pipe" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def stream_until(stream: Callable[[Any], Awaitable[None]], done: Callable[[], object], every: float = 0.02) -> Callable[[Any], Awaitable[None]]:
    """A collector's stream (what `run_capture` runs) that ends, as `--max-posts` ends one, once
    `done()` holds: a run lasts as long as the state a test checks takes to come, not a fixed
    `duration` (keep one, generous, as the bound: the test then asserts the state came). The
    stream's own ending or error is the run's, as before."""

    async def run(capture: Any) -> None:
        inner = asyncio.ensure_future(stream(capture))
        try:
            while not inner.done() and not done():
                await asyncio.sleep(every)
        finally:
            if not inner.done():
                inner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await inner

    return run


def _tcp_queues() -> dict[tuple[str, str], tuple[int, int]] | None:
    """Each IPv4 TCP socket's (sent but not acknowledged, received but not read) bytes, keyed by its
    (local, remote) address as /proc/net/tcp writes them ("0100007F:1F90"); None without that file."""
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    out = {}
    for line in lines:
        f = line.split()
        if len(f) > 4:
            tx, _, rx = f[4].partition(":")
            out[(f[1], f[2])] = (int(tx, 16), int(rx, 16))
    return out


def _proc_address(addr: Any) -> str:
    host, port = addr[0], addr[1]
    return "".join(f"{int(p):02X}" for p in reversed(host.split("."))) + f":{port:04X}"


def unread_by_peer(writer: asyncio.StreamWriter) -> int | None:
    """Bytes a loopback server wrote on `writer`'s connection that its client (in this process or a
    child) has not yet read: asyncio's own buffer, what the kernel has not yet handed over, and what
    waits in the client's receive queue (/proc/net/tcp, Linux). None where the kernel does not say
    (no /proc, another address family): the caller then waits as it would without knowing."""
    here, there = writer.get_extra_info("sockname"), writer.get_extra_info("peername")
    if not (isinstance(here, tuple) and isinstance(there, tuple) and len(here) == 2 and here[0] == "127.0.0.1"):
        return None
    queues = _tcp_queues()
    if queues is None:
        return None
    ours, theirs = (_proc_address(here), _proc_address(there)), (_proc_address(there), _proc_address(here))
    if ours not in queues or theirs not in queues:
        return None
    return writer.transport.get_write_buffer_size() + queues[ours][0] + queues[theirs][1]


async def read_by_peer(writer: asyncio.StreamWriter, timeout: float = 10.0, every: float = 0.01) -> bool:
    """Wait until the client has read everything written on `writer` (`unread_by_peer` is 0): True
    then; False at once where that cannot be known, or after `timeout` seconds (a stalled reader:
    the caller goes on as it would have without knowing)."""
    deadline = time.monotonic() + timeout
    while (left := unread_by_peer(writer)) is not None:
        if left == 0:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(every)
    return False
