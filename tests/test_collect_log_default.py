"""`Capture.log` outside `run_capture` (a notebook, a script using the Python API).

It discarded every message, so a capture used from Python never showed its warnings (a manifest
that cannot be updated, a saved cursor dropped as from the future). It now writes them to stderr,
one line each, control characters shown escaped as on the CLI's console."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.collect import jetstream as js
from botwatch.collect import state as st
from botwatch.collect.core import Capture
from testsupport.collect_fakes import jetstream_event


def test_a_capture_used_from_python_says_its_warnings_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        cap.post("a", jetstream_event(1))
        (st.meta_dir(tmp_path) / st.MANIFEST).unlink()
        cap.note_run("gaps", [{"from": "a", "to": "b"}])
    finally:
        cap.close()
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: {st.meta_dir(tmp_path) / st.MANIFEST} was removed during this run"), err


def test_the_default_log_shows_control_characters_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Capture(tmp_path, "bluesky", "bluesky").log("a server said \x1b[2J")
    err = capsys.readouterr().err
    assert "\x1b" not in err and err.startswith("a server said ") and err.endswith("\n"), repr(err)
