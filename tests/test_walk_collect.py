"""A user stopping a live collection (Ctrl-C, `--max-posts`) and reading what the run recorded:
the summary and the manifest must say where the run really ended. Fake server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event
from testsupport.waiting import stream_until


def test_the_cursor_a_stopped_run_reports_is_the_one_it_saved(tmp_path: Path) -> None:
    """The summary line and capture.json's run record quoted the cursor of the last once-a-second
    tick: a run stopped between ticks reported a point up to a second of posts before where its
    closed file and state file ended, so the record of where a run stopped was wrong."""
    events = [jetstream_event(i) for i in range(600)]
    with FakeJetstream(events, [{"send": 600, "then": "hold"}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=500, sync_seconds=3600.0)  # no tick after the first: only closing can update the cursor
        rc = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0, log=lambda m: None, install_signals=False))
    assert rc == 0
    saved = orjson.loads((tmp_path / ".botwatch" / "bluesky.state.json").read_bytes())["cursor"]["time_us"]
    assert saved == orjson.loads(events[499])["time_us"]
    assert cap.stats.cursor == f"time_us={saved}"
    run = orjson.loads((tmp_path / ".botwatch" / "capture.json").read_bytes())["runs"][-1]
    assert run["cursor"] == f"time_us={saved}" and run["kept"] == 500


def test_the_summary_counts_this_runs_files_beside_this_runs_bytes(tmp_path: Path) -> None:
    """A resumed run that kept nothing printed "1 closed file(s), 0 B": the file count was the
    folder's (an earlier run's file) and the bytes this run's, so the line contradicted itself."""
    events = [jetstream_event(i) for i in range(50)]
    lines: list[str] = []
    with FakeJetstream(events, [{"send": 50, "then": "hold"}]) as srv:
        first = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=50)
        asyncio.run(run_capture(first, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0, log=lines.append, install_signals=False))
        again = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)  # everything replayed is a duplicate
        replayed = stream_until(js.JetstreamCollector(srv.url, backoff_scale=0.01), lambda: again.stats.duplicates >= 50)  # then it stops
        asyncio.run(run_capture(again, replayed, duration=30.0, log=lines.append, install_signals=False))
    assert again.stats.duplicates == 50 and again.stats.kept == 0
    first_summary, second_summary = [line for line in lines if "closed file(s)" in line]
    assert "this run: 1 closed file(s)" in first_summary and "(it holds 1 closed file(s) of this stream in all)" in first_summary
    assert "this run: 0 closed file(s), 0 B" in second_summary and "(it holds 1 closed file(s) of this stream in all)" in second_summary
