"""Follow mode: closed capture files ingested into a study in batches while collecting.

Each batch runs `botwatch ingest` in a child process, so the study is locked only while a batch
is ingested (`status`, `analyze`, `report` can run between batches) and the collector's event loop
never waits on DuckDB. A batch that finds the study busy fails harmlessly and is retried.
"""

from __future__ import annotations

import asyncio
import sys
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
        try:
            self.done: set[str] = set(self.ledger.read_text(encoding="utf-8").split())
        except FileNotFoundError:
            self.done = set()

    def pending(self) -> list[Path]:
        return [p for p in stream_files(self.capture.folder, self.capture.stream) if p.name not in self.done]

    async def batch(self, attempts: int = 3) -> None:
        """Ingest the closed files not yet ingested. A study busy with another process (`status`,
        `analyze`) is tried again after a pause; `attempts` bounds how often."""
        files = self.pending()
        if not files:
            return
        cmd = [sys.executable, "-c", "from botwatch.cli import app; app()", "ingest", str(self.study), *map(str, files)]
        for attempt in range(attempts):
            proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate()
            if proc.returncode == 0:
                self.done.update(p.name for p in files)
                with open(self.ledger, "a", encoding="utf-8") as fh:
                    fh.write("".join(f"{p.name}\n" for p in files))
                self.log(f"follow: ingested {len(files)} closed file(s) into {self.study}")
                return
            text = err.decode("utf-8", "replace")
            msg = (text.strip().splitlines()[-1:] or ["?"])[0][:200]
            if not study_busy(text):
                break
            await asyncio.sleep(1.0 + attempt)
        self.log(f"follow: ingest of {len(files)} file(s) into {self.study} failed ({msg}); "
                 f"they stay in {self.capture.folder} for the next batch or `botwatch ingest {self.study} {self.capture.folder}`")

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


def study_busy(stderr: str) -> bool:
    """Whether a failed `botwatch ingest` failed only because another process holds the study.
    The whole of stderr is read: the CLI's message may wrap over lines, and says either DuckDB's
    words ("lock") or botwatch's own ("… is open in process N …", study.lock_message)."""
    flat = " ".join(stderr.split()).lower()
    return "lock" in flat or " is open in " in flat
