"""Running a collector: Ctrl-C or SIGTERM, `--duration` and `--max-posts` all end it the same way,
with the current file closed, the state saved and a summary printed; no traceback reaches the user.

Only the exit status tells them apart. Ctrl-C (SIGINT) ends with 130, as every botwatch command
and the shell convention have it: a script running `collect ... && ingest ...` must stop when
its user interrupts it, not carry on as if the capture had run its course. The closing line says
the stop was clean and how to resume. SIGTERM, how a service manager (systemd, docker stop) asks a
long-running capture to end, is a requested end and exits 0, as `--duration` does, so the stop is
not logged as a failure.

In follow mode the stop also ingests what is left (the batch under way, the file just closed),
which can take a while (a study another process holds is waited for): the first signal says so at
once, with the number of files, and that a second Ctrl-C stops now. The second interrupts the
ingest (`Follower.abort`: the file being stored is rolled back, nothing else is tried) and the run
ends with 130; the files not ingested stay in the folder and out of the ledger, so the next run
ingests them, and ingest skips by hash any the interrupted batch had stored. A stop (but Ctrl-C's)
that leaves closed files not ingested, the last batch having failed, exits 1: the study lacks them.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from botwatch.collect import state as st
from botwatch.collect.core import Capture, CaptureWriteError, CollectError, StopCapture
from botwatch.collect.follow import FAILED_BATCHES, Follower
from botwatch.shown_text import name_shown, shell_shown
from botwatch.collect.progress import summary
from botwatch.collect.writer import stream_files
from botwatch.userfile import os_error_said

# How long a platform's rate-limit window lasts, for the closing line of a run refused by 429s.
# Bluesky's Jetstream publishes none: said for X and Mastodon only, where the platform documents it.
LIMIT_WINDOW = {"x": " (X's windows are 15 minutes)", "mastodon": " (Mastodon's windows are 5 minutes)"}


async def run_capture(
    capture: Capture,
    stream: Callable[[Capture], Awaitable[None]],
    *,
    duration: float | None = None,
    study: str | Path | None = None,
    ingest_every: float | None = None,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    install_signals: bool = True,
    started: float | None = None,
) -> int:
    """Run `stream` until it ends, fails, or is stopped; always close cleanly. Returns an exit code.

    `started` (the monotonic clock) is when the command began, where that was before the capture
    opened: the summary's "in N s" counts from it. From the opening alone, a run stopped after
    about 4 s said "in 1.3 s", the seconds of imports before it left out. `duration` counts from it
    too (from this call where it is None): the command ends about `duration` after it started. Timed
    from the stream's start, `--duration 4s` ran about 5 s, the imports and the capture's opening
    (a salvage, the dedupe primed from the newest files) on top."""
    deadline = None if duration is None else (started if started is not None else time.monotonic()) + duration
    stop = asyncio.Event()
    stopped_by: list[int] = []  # the signals that asked for the stop, first one first
    loop = asyncio.get_running_loop()
    follower: Follower | None = None
    gap_in_study: bool | None = None  # whether `Follower.record_manifest` put this run's gap in the study (None: not needed)

    def on_signal(sig: int) -> None:
        stopped_by.append(sig)
        if len(stopped_by) == 1:
            stop.set()
            if follower is not None:
                _say_finishing(capture, follower, sig, log)
        elif follower is not None and not follower.aborted:
            capture.progress.clear()
            log("stopping now: the ingest is cut short (a file being stored is rolled back); nothing is lost")
            follower.abort(sig)  # the child is stopped as the collector was: SIGTERM is recorded as such, not as Ctrl-C

    if install_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal, sig)
            except (NotImplementedError, RuntimeError):
                pass
    try:
        capture.log = log
        try:
            capture.open()
        except OSError as exc:
            raise CollectError(f"cannot write the capture folder {name_shown(capture.folder)}: {exc}", 2) from None
        if started is not None:
            capture.stats.started = min(started, capture.stats.started)
        follower = Follower(capture, study, ingest_every or 300.0, log) if study is not None else None
        code, ran_out = await _collect(capture, stream, stop, follower, deadline, log)
        if follower is not None:
            before = follower.ingested_now
            await follower.batch(attempts=10)  # the file just closed, too; a study busy for a while is waited for
            # A gap is noted when a sweep starts, before this run's batches as a rule; a sweep that
            # outlasts recent search's reach restarts and notes one after them. Only the last batch
            # surely carried it into the study.
            if capture.run_notes.get("gaps") and follower.ingested_now == before:
                gap_in_study = await follower.record_manifest()  # so `status` and the report say the gap
    finally:
        if install_signals:  # kept through the last ingest: a second Ctrl-C cuts it short
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.remove_signal_handler(sig)
                except (NotImplementedError, RuntimeError):
                    pass
    # This run's files beside its bytes: a resumed run that kept nothing said "1 closed file(s), 0 B".
    files = len(capture.writer.closed_files)
    # One log call a line: the log escapes control characters, the summary's own line feed included.
    for line in summary(capture.stats, capture.disk_bytes, files, name_shown(capture.folder), len(stream_files(capture.folder, capture.stream))).split("\n"):
        log(line)
    if capture.stats.malformed or capture.stats.unknown:
        log(f"frames kept aside: {name_shown(st.meta_dir(capture.folder) / f'malformed-{capture.stream}.jsonl')}")
    if follower is not None and follower.unreadable:
        log(f"closed files no reader knows: {follower.unreadable}, not ingested; listed with the reasons in {name_shown(follower.refused_ledger)}")
    if follower is not None and follower.set_aside:
        log(f"closed files set aside after failing {FAILED_BATCHES} batches: {follower.set_aside}, not ingested; "
            f"listed with the reasons in {name_shown(follower.failed_ledger)}")
    if follower is not None and follower.cannot_open:
        log(f"closed files that cannot be ingested until fixed (a dangling link, no permission): {follower.cannot_open}, "
            f"not ingested; listed with the reasons in {name_shown(follower.failed_ledger)}")
    if follower is not None and gap_in_study:
        log(f"the gap is recorded in {name_shown(follower.study)} too (its copy of the capture's manifest)")
    elif follower is not None and gap_in_study is False:
        # The study's copy of the manifest is refreshed by an ingest: a run that recorded a gap and
        # ingested no file after it left the study (`status`, the report) without it, in silence.
        # Said where it could not be recorded there (no file of this stream ingested yet, the study busy).
        log(f"the gap is recorded in the capture's manifest but not yet in {name_shown(follower.study)}, as no file was ingested after it: "
            f"`botwatch ingest {shell_shown(follower.study)} {shell_shown(capture.folder)}` records it there (so does the next run that ingests a file)")
    left = follower.pending() if follower is not None else []
    if follower is not None and left:  # a second Ctrl-C, or a study busy (or no study) through the last batch
        log(f"not ingested: {len(left)} closed file(s), left in {name_shown(capture.folder)}; the next run with --study ingests them "
            f"(or `botwatch ingest {shell_shown(follower.study)} {shell_shown(capture.folder)}`)")
    nothing = not (capture.connected or capture.nothing_to_fetch or capture.stats.received or capture.stats.kept)
    if code == 0 and not stopped_by and nothing and ran_out and not capture.last_failure and duration is not None:
        log(f"nothing arrived in the {duration:g} s asked for: {ran_out}; give a longer --duration to capture posts")
    elif code == 0 and not stopped_by and nothing:
        # `--endpoint ws://127.0.0.1:9/x --duration 15s` ended 0 after 15 s of failed connections.
        # Said with the last failure: a server that answered 500 every time was reached, and
        # "check the address and the network" alone sent the user to the wrong place.
        last = f"the last try: {capture.last_failure}; " if capture.last_failure else ""
        if capture.last_failure_limited:  # reached, and told to wait: the address and the network are fine
            log(f"error: never connected to {capture.endpoint or capture.platform}: nothing was captured; {last}"
                f"the server is rate-limiting these requests (429): wait for its limit to lift{LIMIT_WINDOW.get(capture.platform, '')}, "
                "then run the same command again; a --duration longer than that lets one run wait it out")
        else:
            log(f"error: never connected to {capture.endpoint or capture.platform}: nothing was captured; {last}"
                "check the address, the network and the server, then run the same command again")
        code = 1
    if follower is not None and follower.aborted and code == 0:
        code = INTERRUPTED  # a stop cut short by a second signal is an interrupt, whichever signals they were
    if stopped_by and stopped_by[0] == signal.SIGINT and code in (0, INTERRUPTED):
        if not (capture.connected or capture.stats.received or capture.stats.kept):
            # No cursor was ever saved ("last cursor —"): there is nothing to resume from.
            log(f"interrupted: nothing was collected (never connected to {capture.endpoint or capture.platform}); "
                "run the same command again to start")
        else:
            log("interrupted: the capture stopped cleanly (files closed, cursor saved); "
                "run the same command again to resume where it stopped")
        code = INTERRUPTED
    if left and code == 0:
        # Said on the closing line, yet the run ended 0 as a clean end: a scheduled job (cron,
        # systemd) took it for a capture that was in the study. Any file left is a failure to report.
        code = 1
    return code


async def _collect(capture: Capture, stream: Callable[[Capture], Awaitable[None]], stop: asyncio.Event, follower: Follower | None,
                   deadline: float | None, log: Callable[[str], None]) -> tuple[int, str | None]:
    """Run the stream (and the follower's batches) until it ends, fails, `stop` is set or the
    `deadline` (the monotonic clock) comes; close the capture. The exit code so far, and where the
    deadline ended the run before the stream had `FIRST_TRY_S`, what it cut short (see `_ran_out`);
    None where it did not."""
    left = None if deadline is None else deadline - time.monotonic()
    if left is not None and left <= 0:
        return (0 if _close(capture, log) else 1), _ran_out(capture, None)
    code, ran_out, startup = 0, None, time.monotonic() - capture.stats.started
    task = asyncio.create_task(stream(capture))
    follow_stop = asyncio.Event()
    side = asyncio.create_task(follower.loop(follow_stop)) if follower else None
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({task, stopper}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            exc = task.exception()
            if isinstance(exc, CollectError):
                log(f"error: {exc}")
                code = exc.code
            elif exc is not None and not isinstance(exc, StopCapture):
                log(_stopped_on(capture, exc))
                code = 1
        else:
            if stopper not in done and left is not None and left < FIRST_TRY_S:  # given less than a first try's time
                ran_out = _ran_out(capture, startup)
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, StopCapture):
                pass
            except CollectError as exc:
                log(f"error: {exc}")
                code = exc.code
            except Exception as exc:  # noqa: BLE001 - whatever it was, the user gets a line, not a traceback
                log(_stopped_on(capture, exc))
                code = 1
    finally:
        stopper.cancel()
        if side is not None:
            follow_stop.set()
            try:
                await side  # lets a batch in progress finish (or abort() end it): a cancelled child would keep the study locked
            except Exception as exc:  # noqa: BLE001
                log(f"follow: stopped on {type(exc).__name__}: {exc}")
        if not _close(capture, log):
            code = code or 1
    return code, ran_out


def _ran_out(capture: Capture, startup: float | None) -> str:
    """What a `--duration` shorter than the start-up cut short, for the closing line where nothing
    arrived. Such a run ends 0, as any `--duration` end: the user asked for a short capture and got
    it, and "never connected; check the address" (exit 1) sent them to a server that had not failed
    (a retry that did fail is still said as such, exit 1). Timed from the command's start, the
    imports and the capture's opening (a second or more on a busy machine) come first: `startup`
    is how long they took, None where they took it all (the stream never started)."""
    if startup is None:
        spent = time.monotonic() - capture.stats.started
        return f"starting up (imports, opening the capture) took {spent:.1f} s, so no connection was tried"
    return (f"starting up (imports, opening the capture) took {startup:.1f} s, and a connection to "
            f"{capture.endpoint or capture.platform} was not open yet")


def _close(capture: Capture, log: Callable[[str], None]) -> bool:
    """Close the capture; False, said, where the disk refused (full, vanished): never a traceback.
    `Capture.close` raises `CaptureCloseError`, whose message says what was not done, what the next
    start does about it and what to do, so it is said as it is. It is caught as the OSError it is,
    so an error the close did not foresee (a lock it could not release) is one line too, claiming
    nothing about the open file: the close has published it or left it for the salvage."""
    try:
        capture.close()
    except OSError as exc:
        log(f"error: could not close the capture cleanly: {exc}")
        return False
    return True


def _stopped_on(capture: Capture, exc: BaseException) -> str:
    """The error line for a collector that stopped on an exception. A full disk read "the collector
    stopped on an unexpected OSError: [Errno 28] No space left on device", as if botwatch had a
    bug; a file the capture could not write is the folder's problem, and said as such."""
    if isinstance(exc, CaptureWriteError):  # whatever the errno (permission denied too): a write to the folder failed
        exc = exc.error
    elif not (isinstance(exc, OSError) and exc.errno in _DISK_ERRORS):
        return f"error: the collector stopped on an unexpected {type(exc).__name__}: {exc}"
    why = os_error_said(exc)
    return (f"error: cannot write to the capture folder {name_shown(capture.folder)} ({why}): the collector stopped, and the "
            "posts counted below since its last sync (about a second) may not be on disk; "
            "free space (or fix the folder) and run the same command again: the next start salvages what was written")


def _say_finishing(capture: Capture, follower: Follower, sig: int, log: Callable[[str], None]) -> None:
    """At the first signal in follow mode: what the stop still does, so a wait is never silent.
    The files to ingest are the pending closed ones and the open one (closed on the way out)."""
    n = len(follower.pending()) + (1 if capture.writer.open_lines else 0)
    if not n:
        return
    capture.progress.clear()
    again = "Ctrl-C again" if sig == signal.SIGINT else "a second signal"
    log(f"stopping: finishing the ingest of {n} file(s) into {name_shown(follower.study)}; {again} to stop now "
        f"(nothing is lost: the files stay in {name_shown(capture.folder)} and the next run ingests them)")


_DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})

INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C, as `cli.guard` uses
# The seconds a stream is given for its first connection before a run that ended with none is a
# failure (exit 1, "never connected"), not a short capture (exit 0, "nothing arrived"): a reachable
# server answers well within it, even on a busy machine. Without it a `--duration 10s` at a host
# that drops every packet ended 0 (the try's own timeout, 15 s, had not come), telling the user to
# give a longer --duration.
FIRST_TRY_S = 5.0
