"""Loopback fake servers that speak the platforms' real protocols and misbehave on purpose.

Used by the tests and `benchmarks/collect.py`; they bind 127.0.0.1 only. Each runs its own event
loop in a thread, so a test (or a collector in a child process) talks to it over real sockets.
Every connection follows the next step of a `script` (a list of dicts), then the last step
forever: drop mid-message after N frames, stall without closing, answer 429/503/401, …
The fake Jetstream and the HTTP server under the HTTP fakes ship in the package
(`botwatch.collect.fake_jetstream`, `botwatch.collect.fake_http`: users run the fake Jetstream and
the fake Mastodon to try collection locally); the misbehaving HTTP routes (Mastodon, X) are the tests' own.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from botwatch.collect.fake_http import FakeHttp, HttpRequest, HttpWriter
from botwatch.collect.fake_jetstream import FakeJetstream, jetstream_event
from botwatch.collect.writer import RotatingWriter

__all__ = ["FakeHttp", "FakeJetstream", "HttpRequest", "HttpWriter", "jetstream_event"]


def read_every_event(jet: FakeJetstream, before: int) -> Callable[[Any], bool]:
    """Whether a capture (`Capture`) has read every event the fake Jetstream sends on the first
    connection opened after the fake's first `before`: those from that connection's cursor on, up
    to its script step's `send`, the connection then held. A test's run ends there (with
    `testsupport.waiting.stream_until`) instead of after a fixed `--duration` chosen to outlast them."""

    def check(cap: Any) -> bool:
        if len(jet.connections) <= before:
            return False
        cursor = jet.connections[before]["cursor"]
        start = bisect.bisect_left(jet.times, cursor) if cursor is not None else 0
        return bool(cap.stats.received >= min(jet.step(jet.script, before).get("send", len(jet.events)), len(jet.events) - start))

    return check


def closed_capture_file(folder: Path, stream: str, lines: list[bytes]) -> Path:
    """A closed capture file of `stream`, written as the collector writes one (for the follow-mode tests)."""
    w = RotatingWriter(folder, stream)
    for line in lines:
        w.write(line)
    path = w.close()
    assert path is not None
    time.sleep(0.002)  # the next file gets a later name
    return path


# An election file whose one party lists an account on each of three platforms (X, Bluesky,
# Mastodon): the collectors must each take only their own platform's handles.
THREE_PLATFORMS_ELECTION = """\
key = "toy"
name = "Toy election"
country = "gb"
timezone = "Europe/London"
trigger_date = 2017-04-18
polling_day = 2017-06-08

[[parties]]
key = "red"
name = "Red"
hashtags_pro = ["#VoteRed"]
official_accounts = ["@RedParty", "red.bsky.social", "@red@server.social"]
"""


def refuse_open_file_sync(monkeypatch: Any) -> None:
    """Make `os.fsync` of a capture's open (`.open-`) file fail as a full disk does, and every other
    sync go through: the close's first step refused, the state and manifest writes not."""
    import errno
    import os

    from botwatch.collect.writer import OPEN_PREFIX

    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if OPEN_PREFIX in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def x_rules_server(added: list[dict[str, Any]], text: str) -> Callable[[HttpRequest, HttpWriter, int], Any]:
    """A fake X's route: it keeps each rule body POSTed to `/rules` in `added` and streams one post
    saying `text`, matched by the first rule."""

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path.endswith("/rules"):
            if req.method == "POST":
                added.append(orjson.loads(req.body))
            await w.respond(200, b'{"data": []}' if req.method == "GET" else b'{"meta": {}}')
            return
        await w.start_stream("application/json")
        await w.chunk(orjson.dumps({"data": {"id": "1", "text": text}, "matching_rules": [{"id": "9", "tag": "botwatch:1"}]}) + b"\r\n")

    return route
