"""Live collection against servers and disks that misbehave: an endless HTTP body, a full disk
under a Jetstream capture, a resume cursor in the far future. Every server is a fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import orjson
import pytest

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event


@pytest.mark.parametrize("code,said", [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")])
def test_a_full_disk_under_a_jetstream_capture_ends_the_run_instead_of_reconnecting(tmp_path: Path, code: int, said: str) -> None:
    """websockets raises OSError for a lost connection, and the collector took the OSError of a
    full disk (raised while writing a post) for one: "Jetstream connection lost (OSError: [Errno 28]
    No space left on device); retrying", for ever."""
    events = [jetstream_event(i) for i in range(3000)]
    with FakeJetstream(events, [{"rate": 2000}]) as srv:
        cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of)
        real_write = cap.writer.write
        written = [0]

        def write(line: bytes) -> None:
            if written[0] >= 100:
                raise OSError(code, said)
            written[0] += 1
            real_write(line)

        cap.writer.write = write  # type: ignore[method-assign]
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=5.0, log=logs.append,
                                       install_signals=False))
        conns = len(srv.connections)
    assert ended == 1, logs
    assert conns == 1, logs  # no reconnect: the server was never the problem
    assert not any("retrying" in m or "connection lost" in m for m in logs), logs
    errors = [m for m in logs if m.startswith("error:")]
    assert errors and f"cannot write to the capture folder {tmp_path / 'capture'} ({said})" in errors[0], logs
    assert "unexpected" not in errors[0]
    # the saved cursor is the last event written, not one the folder refused
    state = orjson.loads((tmp_path / "capture" / ".botwatch" / "bluesky.state.json").read_bytes())
    assert state["cursor"]["time_us"] == orjson.loads(events[99])["time_us"]


def test_a_resume_cursor_in_the_far_future_is_said_and_the_capture_starts_from_now(tmp_path: Path) -> None:
    """A state file edited by hand (or saved on a machine whose clock ran years ahead) held
    time_us in 2100. The collector asked Jetstream for it on every connection: Jetstream live-tails
    a cursor from the future, and since no event is ever newer than it the cursor never moved, so
    every later resume replayed nothing (the posts of a gap were lost) and nothing said so."""
    cap_dir = tmp_path / "capture"
    (cap_dir / ".botwatch").mkdir(parents=True)
    future = 4_102_444_800_000_000  # 2100-01-01
    (cap_dir / ".botwatch" / "bluesky.state.json").write_bytes(orjson.dumps({"cursor": {"time_us": future}}))
    events = [jetstream_event(i) for i in range(100)]
    with FakeJetstream(events) as srv:
        cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=50)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0, log=logs.append,
                                        install_signals=False))
        asked = [c["cursor"] for c in srv.connections]
    assert ended == 0 and cap.stats.kept == 50, logs
    assert asked[0] is None  # from now, not from 2100
    warned = [m for m in logs if "2100-01-01" in m]
    assert len(warned) == 1 and "in the future" in warned[0] and "starting from now" in warned[0], logs
    state = orjson.loads((cap_dir / ".botwatch" / "bluesky.state.json").read_bytes())
    assert state["cursor"]["time_us"] == orjson.loads(events[49])["time_us"]  # it moves again
