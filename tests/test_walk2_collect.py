"""A new user's second walk through `botwatch collect`: what the terminal shows at the end of a
run, and how a run against a local test server (127.0.0.1) behaves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from botwatch.cli import collect as cli_collect
from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event


def test_the_closing_summary_keeps_its_own_line_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary is two lines, handed to the log as one string: the log escapes every control
    character (rightly, for text from outside), so the user saw `...reconnects 0\\x0athis run:
    ...` on one line. Each line is logged on its own."""
    events = [jetstream_event(i) for i in range(20)]
    with FakeJetstream(events, [{"send": 20, "then": "hold"}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=20)
        rc = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0,
                                     log=cli_collect.say, install_signals=False))
    assert rc == 0
    err = capsys.readouterr().err
    assert "\\x0a" not in err
    kept = [line for line in err.splitlines() if line.startswith("kept 20 posts")]
    assert len(kept) == 1 and kept[0].endswith("reconnects 0")
    assert any(line.startswith("this run: 1 closed file(s)") for line in err.splitlines())
