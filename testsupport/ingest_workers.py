"""Faults for the parallel ingest's worker processes (tests/test_ingest_parallel_workers.py).

The row handlers run in a spawned worker, so they live in an importable module (a test's local
function cannot be sent to one). `worker_pids` finds a running command's parsing workers, to kill
one from outside as the out-of-memory killer would."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from testsupport.waiting import child_pids

FIX = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ingest"


def kill_self_at_die(record: dict[str, str], start: int, sink: Any) -> None:
    """A row handler whose worker is killed (SIGKILL, as the out-of-memory killer sends) when it
    meets a row whose `text` is "die"; other rows are read and dropped."""
    if record.get("text") == "die":
        os.kill(os.getpid(), signal.SIGKILL)


def raise_at_boom(record: dict[str, str], start: int, sink: Any) -> None:
    """A row handler with a bug: it raises on the row whose `text` is "boom"."""
    if record.get("text") == "boom":
        raise ValueError("a bug in this reader")


def text_csv(path: Path, texts: list[str]) -> Path:
    """A two-column CSV (`id,text`) of `texts`."""
    path.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts)), encoding="utf-8")
    return path


def ira_csv(path: Path, copies: int) -> Path:
    """The committed IO-archive slice (`ira_tweets.csv`) with its rows repeated `copies` times: a
    file every ingest reads as that format, as large as a test needs."""
    head, *rows = (FIX / "ira_tweets.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    with path.open("w", encoding="utf-8") as f:
        f.write(head)
        for _ in range(copies):
            f.writelines(rows)
    return path


def worker_pids(parent: int) -> list[int]:
    """The spawned multiprocessing children of process `parent` (its parsing workers; not the
    resource tracker), from /proc (Linux)."""
    return child_pids(parent, b"spawn_main")
