"""A Bluesky capture run in-process on a stream function, and what the manifest tests check after
it: the manifest tests (moved away, refused, unreadable) each drive `run_capture` the same way and
check that the run's one post and its cursor are on disk whatever became of the manifest."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from botwatch.collect import jetstream as js
from botwatch.collect import state as st
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from botwatch.collect.writer import read_lines


def manifest_path(folder: Path) -> Path:
    """The capture folder's manifest (`.botwatch/capture.json`)."""
    return st.meta_dir(folder) / st.MANIFEST


def run_stream(folder: Path, stream: Any) -> tuple[int, list[str]]:
    """`run_capture` of a Bluesky capture in `folder` on `stream` (an async function of the
    capture): its exit code and the lines it logged."""
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of)
    lines: list[str] = []
    code = asyncio.run(run_capture(cap, stream, log=lines.append, install_signals=False))
    return code, lines


def one_post_and_cursor_kept(folder: Path) -> None:
    """The run's one post is in its file and its cursor (`time_us` 1) is saved."""
    assert [len(list(read_lines(f))) for f in folder.glob("bluesky-*.jsonl.gz")] == [1]
    assert json.loads((st.meta_dir(folder) / "bluesky.state.json").read_text())["cursor"] == {"time_us": 1}
