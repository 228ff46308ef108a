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
busy or unwritable, the child killed) is offered again at the next batch.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from botwatch.collect import state as st
from botwatch.collect.core import Capture
from botwatch.collect.writer import stream_files


class Follower:
    """Ingests closed files into a study every `every` seconds, each batch in a child process, so
    the study is locked only while a batch is ingested and the collector never waits on DuckDB."""

    def __init__(self, capture: Capture, study: Path, every: float, log: Callable[[str], None]) -> None:
        self.capture, self.study, self.every, self.log = capture, Path(study), every, log
        # Names of files already ingested, one a line, appended per batch (a crash between a batch
        # and this note only means the batch's files are offered again; ingest skips them by hash).
        self.ledger = st.meta_dir(capture.folder) / f"{capture.stream}.ingested"
        # Files ingest refused as no format it reads: `name<TAB>reason` a line, never offered again.
        self.refused_ledger = st.meta_dir(capture.folder) / f"{capture.stream}.unreadable"
        self.done: set[str] = set(_lines(self.ledger))
        self.refused: set[str] = {line.split("\t", 1)[0] for line in _lines(self.refused_ledger)}
        self.unreadable = 0  # files refused as unreadable during this run (each reported once)

    def pending(self) -> list[Path]:
        return [p for p in stream_files(self.capture.folder, self.capture.stream) if p.name not in self.done and p.name not in self.refused]

    async def batch(self, attempts: int = 3) -> None:
        """Ingest the closed files not yet ingested. A study busy with another process (`status`,
        `analyze`) is tried again after a pause; `attempts` bounds how often."""
        files = self.pending()
        if not files:
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{self.capture.stream}.", suffix=".results", dir=st.meta_dir(self.capture.folder))
        os.close(fd)
        results = Path(tmp)
        cmd = [sys.executable, "-c", "from botwatch.cli import app; app()", "ingest", str(self.study), *map(str, files),
               "--results-json", str(results)]
        try:
            for attempt in range(attempts):
                results.write_bytes(b"")
                proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
                _, err = await proc.communicate()
                outcomes = _outcomes(results)
                if proc.returncode == 0 or outcomes:
                    self._settle(files, outcomes, proc.returncode == 0)
                    return
                text = err.decode("utf-8", "replace")
                msg = (text.strip().splitlines()[-1:] or ["?"])[0][:200]
                if not study_busy(text):
                    break
                await asyncio.sleep(1.0 + attempt)
        finally:
            results.unlink(missing_ok=True)
        self._failed(len(files), msg)

    def _settle(self, files: list[Path], outcomes: dict[str, tuple[str, str]], all_ok: bool) -> None:
        """Ledger what ingest stored or skipped, report each unreadable file once, and leave the
        files that failed (a passing reason: a rollback, a file that could not be opened) pending."""
        ingested, failed = [], []
        for p in files:
            status, why = outcomes.get(p.name, ("ok", "") if all_ok else ("failed", "no outcome reported"))
            if status in ("ok", "skipped"):
                ingested.append(p)
            elif status == "unreadable":
                self._refuse(p, why)
            else:
                failed.append((p, why))
        if ingested:
            self.done.update(p.name for p in ingested)
            with open(self.ledger, "a", encoding="utf-8") as fh:
                fh.write("".join(f"{p.name}\n" for p in ingested))
            self.log(f"follow: ingested {len(ingested)} closed file(s) into {self.study}")
        if failed:
            self._failed(len(failed), f"{failed[0][0].name}: {failed[0][1][:200]}")

    def _failed(self, n: int, why: str) -> None:
        """The one line for files left pending after a failed ingest (the whole batch, or some)."""
        self.log(f"follow: ingest of {n} file(s) into {self.study} failed ({why}); "
                 f"they stay in {self.capture.folder} for the next batch or `botwatch ingest {self.study} {self.capture.folder}`")

    def _refuse(self, path: Path, why: str) -> None:
        """Note and report, once, a closed file no reader knows: it stays where it is, its first
        bytes and the reason are in the study's `rejected` table (when the study was kept)."""
        one_line = " ".join(why.split())[:300]
        self.refused.add(path.name)
        self.unreadable += 1
        with open(self.refused_ledger, "a", encoding="utf-8") as fh:
            fh.write(f"{path.name}\t{one_line}\n")
        self.log(f"follow: {path} is not a format botwatch reads ({one_line}); it is left in place, listed in "
                 f"{self.refused_ledger} and not offered again")

    async def loop(self, stop: asyncio.Event) -> None:
        """Every `every` seconds close the open file and ingest; a batch under way is never cut short."""
        while True:
            try:
                await asyncio.wait_for(stop.wait(), self.every)
                return
            except asyncio.TimeoutError:
                pass
            self.capture.rotate()
            await self.batch()


def _lines(path: Path) -> list[str]:
    """The non-empty lines of a ledger (none when it does not exist yet)."""
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def _outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """{file name: (status, reason)} from `ingest --results-json` ({} when the child wrote none)."""
    out: dict[str, tuple[str, str]] = {}
    for line in _lines(path):
        try:
            row = json.loads(line)
            out[os.path.basename(str(row["source"]))] = (str(row["status"]), str(row.get("reason") or ""))
        except (ValueError, KeyError, TypeError):
            continue  # a torn line (the child killed mid-write): those files are retried
    return out


def study_busy(stderr: str) -> bool:
    """Whether a failed `botwatch ingest` failed only because another process holds the study.
    The whole of stderr is read: the CLI's message may wrap over lines, and says either DuckDB's
    words ("lock") or botwatch's own ("… is open in process N …", study.lock_message)."""
    flat = " ".join(stderr.split()).lower()
    return "lock" in flat or " is open in " in flat
