"""Follow mode: closed capture files ingested into a study in batches while collecting.

Each batch runs `botwatch ingest` in a child process, so the study is locked only while a batch
is ingested (`status`, `analyze`, `report` can run between batches) and the collector's event loop
never waits on DuckDB. A batch that finds the study busy fails harmlessly and is retried.

The child writes each file's outcome (`ingest --results-json`), because its exit status cannot
tell a file no reader knows from a passing failure: both exit 1. A file ingest refused as
unreadable is refused the same way on every run (a closed capture file never changes), so it is
reported once, listed in `.botwatch/<stream>.unreadable` with ingest's reason, left where it is,
and not offered again; otherwise it, and every file after it, came back with every batch for ever.
A file that failed (rolled back, not opened) or a batch that ended without outcomes (the study
busy or unwritable, the child killed) is offered again at the next batch; a file that ingest
reports failed in `FAILED_BATCHES` batches of one run is set aside like an unreadable one (listed
with its reason in `.botwatch/<stream>.failed`), since a failure that repeats is no passing one
and every batch would otherwise retry it, and log it, for ever. A failure ingest marks lasting (a
dangling link, permission denied: the same answer until a person acts) sets the file aside at once.

The ledgers are JSON lines (`{"name": …, "reason": …}`): a capture file's name comes from the
stream, which holds a Mastodon server's host, and a tab or newline in it broke the older
`name<TAB>reason` lines (read still, so a folder written before keeps its ledgers).

Stopping: `abort()` (a second Ctrl-C or SIGTERM) interrupts the batch under way. The child gets
the stop's own signal (SIGINT, or SIGTERM, so its `runs` row says "stopped (SIGTERM)", not a
Ctrl-C no one pressed), rolls back the file it is storing (each file is one transaction) and exits; after
`ABORT_GRACE_S` it is killed, which DuckDB survives too (an uncommitted transaction is never
durable). Files it stored but did not report are offered again next run and skipped by hash.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from botwatch.collect import state as st
from botwatch.collect.core import Capture
from botwatch.collect.writer import stream_files
from botwatch.shown_text import controls_shown, name_shown, shell_shown, whole_sentences

FAILED_BATCHES = 3  # batches of one run in which ingest reports a file failed before it is set aside
ABORT_GRACE_S = 3.0  # after abort(), how long the ingest child may take to roll back before it is killed


class Follower:
    """Ingests closed files into a study every `every` seconds, each batch in a child process, so
    the study is locked only while a batch is ingested and the collector never waits on DuckDB."""

    def __init__(self, capture: Capture, study: str | Path, every: float, log: Callable[[str], None]) -> None:
        # Kept as given: through Path, `--study hdfs:///lake` reached each batch's ingest as `hdfs:/lake`.
        self.capture, self.study, self.every, self.log = capture, study, every, log
        meta = st.meta_dir(capture.folder)
        # Files already ingested, a JSON line each, appended per batch (a crash between a batch and
        # this note only means the batch's files are offered again; ingest skips them by hash).
        self.ledger = meta / f"{capture.stream}.ingested"
        # Files ingest refused as no format it reads: never offered again.
        self.refused_ledger = meta / f"{capture.stream}.unreadable"
        # Files ingest reported failed in FAILED_BATCHES batches: set aside, never offered again.
        self.failed_ledger = meta / f"{capture.stream}.failed"
        self.done: set[str] = set(read_ledger(self.ledger))
        self.refused: set[str] = set(read_ledger(self.refused_ledger)) | set(read_ledger(self.failed_ledger))
        self.unreadable = 0  # files refused as unreadable during this run (each reported once)
        self.set_aside = 0  # files set aside during this run after failing FAILED_BATCHES batches
        self.cannot_open = 0  # files set aside at their first failure: one that repeats until a person acts
        self.ingested_now = 0  # files ingested by this run's batches (each refreshes the study's copy of the manifest)
        self.failures: dict[str, int] = {}  # name -> batches of this run in which ingest reported it failed
        self.aborted = False
        self._abort_signal = signal.SIGINT  # what interrupts the child: the stop's own signal (`abort`)
        self._proc: asyncio.subprocess.Process | None = None

    def pending(self) -> list[Path]:
        return [p for p in stream_files(self.capture.folder, self.capture.stream) if p.name not in self.done and p.name not in self.refused]

    async def batch(self, attempts: int = 3) -> None:
        """Ingest the closed files not yet ingested. A study busy with another process (`status`,
        `analyze`) is tried again after a pause; `attempts` bounds how often. `abort()` ends it
        promptly: the child is interrupted and nothing more is tried."""
        files = self.pending()
        if not files or self.aborted:
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{self.capture.stream}.", suffix=".results", dir=st.meta_dir(self.capture.folder))
        os.close(fd)
        results = Path(tmp)
        cmd = [sys.executable, "-c", "from botwatch.cli import app; app()", "ingest", str(self.study), *map(str, files),
               "--results-json", str(results)]
        msg = "?"
        try:
            for attempt in range(attempts):
                results.write_bytes(b"")
                code, err = await self._child(cmd)
                outcomes = _outcomes(results)
                if code == 0 or outcomes:
                    self._settle(files, outcomes, code == 0)
                    return
                if self.aborted:
                    return  # the caller says what stays pending
                text = err.decode("utf-8", "replace")
                msg = _said(text)
                if not study_busy(text):
                    break
                if attempt + 1 < attempts and not await self._pause(1.0 + attempt):
                    return
        finally:
            results.unlink(missing_ok=True)
        self._failed(len(files), msg)

    async def _child(self, cmd: list[str]) -> tuple[int | None, bytes]:
        """Run one ingest child to its end: (exit status, its stderr). Its own session: the
        terminal's Ctrl-C reaches the collector only, which lets the child finish (the first
        Ctrl-C) or interrupts it itself (the second, `abort`)."""
        self._proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                                                          start_new_session=True)
        if self.aborted:  # asked to stop while the child was being started
            self._interrupt(self._proc)
        try:
            _, err = await self._proc.communicate()
            return self._proc.returncode, err
        finally:
            self._proc = None

    async def record_manifest(self, attempts: int = 10) -> bool:
        """Refresh the study's copy of the capture manifest where no batch of this run did (a run
        that recorded a gap and ingested no file): `status` and the report read a capture's gaps
        there, and the gap was only said as a warning, lost to a scheduled run's log. Ingest
        records the manifest of the folder of each file it is given, so the newest file of this
        stream already ingested is given again (skipped by hash). True when the study has it.
        Without such a file, or with the study busy through `attempts` tries, False."""
        done = [p for p in stream_files(self.capture.folder, self.capture.stream) if p.name in self.done]
        if not done or self.aborted:
            return False
        cmd = [sys.executable, "-c", "from botwatch.cli import app; app()", "ingest", str(self.study), str(done[-1])]
        for attempt in range(attempts):
            code, err = await self._child(cmd)
            if code == 0:
                return True
            if self.aborted or not study_busy(err.decode("utf-8", "replace")):
                return False
            if attempt + 1 < attempts and not await self._pause(1.0 + attempt):
                return False
        return False

    def abort(self, sig: int = signal.SIGINT) -> None:
        """Stop now (a second Ctrl-C or SIGTERM, `sig`): interrupt the ingest under way with `sig`,
        start no other. The child rolls back the file it is storing; what it committed is skipped
        by hash next time."""
        self._abort_signal = sig
        self.aborted = True
        if self._proc is not None:
            self._interrupt(self._proc)

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds`, in short steps so abort() cuts it short; False when it did."""
        end = asyncio.get_running_loop().time() + seconds
        while not self.aborted and (left := end - asyncio.get_running_loop().time()) > 0:
            await asyncio.sleep(min(left, 0.1))
        return not self.aborted

    def _interrupt(self, proc: asyncio.subprocess.Process) -> None:
        """Signal the child as the stop was (ingest rolls back and exits), SIGKILL it if still there after the grace."""
        def send(sig: int) -> None:
            if proc.returncode is None:
                try:
                    proc.send_signal(sig)
                except ProcessLookupError:
                    pass
        send(self._abort_signal)
        asyncio.get_running_loop().call_later(ABORT_GRACE_S, send, signal.SIGKILL)

    def _settle(self, files: list[Path], outcomes: dict[str, tuple[str, str]], all_ok: bool) -> None:
        """Ledger what ingest stored or skipped, report each unreadable file once, leave the files
        that failed (a passing reason: a rollback, a file that could not be opened) pending, and set
        aside one that ingest reported failed in FAILED_BATCHES batches."""
        ingested, failed = [], []
        for p in files:
            status, why = outcomes.get(p.name, ("ok", "") if all_ok else ("failed", "no outcome reported"))
            if status in ("ok", "skipped", "partial"):  # partial: a cut capture file; what came before the cut is stored
                ingested.append(p)
            elif status == "unreadable":
                self._refuse(p, why)
            elif status == "lasting":  # the same failure on every try until a person acts: named once
                self._set_aside(p, why, at_once=True)
            elif p.name in outcomes and self._count_failure(p) >= FAILED_BATCHES:
                self._set_aside(p, why)  # only ingest's own word counts: a batch cut short is not the file's doing
            else:
                failed.append((p, why))
        if ingested:
            self.ingested_now += len(ingested)
            self.done.update(p.name for p in ingested)
            _append(self.ledger, [{"name": p.name} for p in ingested])
            self.log(f"follow: ingested {len(ingested)} closed file(s) into {name_shown(self.study)}")
        if failed:
            p, why = failed[0]
            tries = f"; failed {self.failures[p.name]} of the {FAILED_BATCHES} batches before it is set aside" if p.name in self.failures else ""
            self._failed(len(failed), f"{name_shown(p.name)}: {shown(why[:200])}{tries}")

    def _count_failure(self, path: Path) -> int:
        self.failures[path.name] = self.failures.get(path.name, 0) + 1
        return self.failures[path.name]

    def _failed(self, n: int, why: str) -> None:
        """The one line for files left pending after a failed ingest (the whole batch, or some)."""
        self.log(f"follow: ingest of {n} file(s) into {name_shown(self.study)} failed ({why}); "
                 f"they stay in {name_shown(self.capture.folder)} for the next batch or "
                 f"`botwatch ingest {shell_shown(self.study)} {shell_shown(self.capture.folder)}`")

    def _refuse(self, path: Path, why: str) -> None:
        """Note and report, once, a closed file no reader knows: it stays where it is, its first
        bytes and the reason are in the study's `rejected` table (when the study was kept)."""
        one_line = " ".join(why.split())[:300]
        self.refused.add(path.name)
        self.unreadable += 1
        _append(self.refused_ledger, [{"name": path.name, "reason": one_line}])
        self.log(f"follow: {name_shown(path)} is not a format botwatch reads ({shown(one_line)}); it is left in place, listed in "
                 f"{name_shown(self.refused_ledger)} and not offered again")

    def _set_aside(self, path: Path, why: str, *, at_once: bool = False) -> None:
        """A file ingest failed in FAILED_BATCHES batches, or once with a failure that repeats until
        a person acts (`at_once`: a dangling link, permission denied; retried, it was logged batch
        after batch): no longer offered, left in place, listed with the reason, and how to retry it said."""
        one_line = " ".join(why.split())[:300]
        self.refused.add(path.name)
        if at_once:
            self.cannot_open += 1
        else:
            self.set_aside += 1
        _append(self.failed_ledger, [{"name": path.name, "reason": one_line, "batches": 1 if at_once else self.failures.get(path.name, 0)}])
        failed = "cannot be ingested" if at_once else f"failed to ingest in {FAILED_BATCHES} batches"
        self.log(f"follow: {name_shown(path)} {failed} ({shown(one_line)}); set aside: left in place, listed in "
                 f"{name_shown(self.failed_ledger)} and not offered again; retry it with `botwatch ingest {shell_shown(self.study)} {shell_shown(path)}`"
                 + (" once it is fixed" if at_once else ""))

    async def loop(self, stop: asyncio.Event) -> None:
        """Every `every` seconds close the open file and ingest; a batch under way is never cut short."""
        while not self.aborted:
            try:
                await asyncio.wait_for(stop.wait(), self.every)
                return
            except asyncio.TimeoutError:
                pass
            self.capture.rotate()
            await self.batch()


def _lines(path: Path) -> list[str]:
    """The non-empty lines of a file (none when it does not exist yet). Split on newlines only:
    `str.splitlines` also splits on \x0b, \x1c, U+2028 …, which a name may hold."""
    try:
        return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    except FileNotFoundError:
        return []


def read_ledger(path: Path) -> dict[str, str]:
    """{name: reason} from a ledger: JSON lines `{"name": …, "reason": …}`, or the older lines
    (`name` in `.ingested`, `name<TAB>reason` in `.unreadable`). A torn JSON line (a crash
    mid-append) is skipped: that file is offered again, and ingest skips it by hash."""
    out: dict[str, str] = {}
    for line in _lines(path):
        if line.startswith("{"):  # a capture file's name never does: it starts with its stream
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("name"), str):
                out[row["name"]] = str(row.get("reason") or "")
            continue
        name, _, why = line.partition("\t")
        out[name] = why
    return out


def _append(path: Path, rows: list[dict[str, object]]) -> None:
    """Append rows to a ledger as JSON lines; ASCII-escaped, so a name holding a tab, a newline or
    any other line break stays on its one line."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(row, ensure_ascii=True) + "\n" for row in rows))


def _said(stderr: str, limit: int = 200) -> str:
    """The child's last line, short: its first sentence whole, then as many whole sentences as fit
    in `limit` characters. Cut at the limit, the held-study message ended "A study can be open
    for writing in one process, or)"."""
    line = " ".join((stderr.strip().splitlines()[-1:] or ["?"])[0].split())
    if len(line) <= limit:
        return line
    first = line.find(". ")
    return whole_sentences(line, limit) or (line if first < 0 else line[: first + 1])


def shown(text: object) -> str:
    """`text` on one line: control characters (a tab or newline in a file name) as `\\x09`
    (`botwatch.shown_text.controls_shown`, the one helper every printed line uses)."""
    return controls_shown(text)


def _outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """{file name: (status, reason)} from `ingest --results-json` ({} when the child wrote none).
    A failure ingest marks lasting (a dangling link, permission denied) has the status `lasting`."""
    out: dict[str, tuple[str, str]] = {}
    for line in _lines(path):
        try:
            row = json.loads(line)
            status = "lasting" if row["status"] == "failed" and row.get("lasting") is True else str(row["status"])
            out[os.path.basename(str(row["source"]))] = (status, str(row.get("reason") or ""))
        except (ValueError, KeyError, TypeError):
            continue  # a torn line (the child killed mid-write): those files are retried
    return out


def study_busy(stderr: str) -> bool:
    """Whether a failed `botwatch ingest` failed only because another process holds the study.
    The whole of stderr is read: the CLI's message may wrap over lines, and says either DuckDB's
    words ("lock") or botwatch's own ("… is open in process N …", study.lock_message)."""
    flat = " ".join(stderr.split()).lower()
    return "lock" in flat or " is open in " in flat or " is open for reading in " in flat
