"""`--backoff-scale` scales every reconnect wait of `collect bluesky`, the short one too.

After a connection that had lived dropped, the collector came back after `random.uniform(0,
0.25)` seconds, the one wait `--backoff-scale` did not scale: a test (or a user) asking for waits
a millionth as long still waited up to a quarter second on each such drop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event
from testsupport.waiting import stream_until

SCALE = 1e-6


def test_the_wait_after_a_healthy_connection_drops_is_scaled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every connection counts as one that lived (its ten seconds, `HEALTHY_AFTER_S`, are not waited out here).
    monkeypatch.setattr(js, "HEALTHY_AFTER_S", 0.0)
    waits: list[float] = []
    with FakeJetstream([jetstream_event(i) for i in range(50)], [{"send": 2, "then": "drop_mid"}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
        real_sleep = cap.sleep

        async def sleep(seconds: float, why: str | None = None, **kw: object) -> None:
            waits.append(seconds)
            await real_sleep(seconds, why, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(cap, "sleep", sleep)
        stream = stream_until(js.JetstreamCollector(srv.url, backoff_scale=SCALE), lambda: len(srv.connections) >= 4)
        code = asyncio.run(run_capture(cap, stream, duration=30.0, log=lambda m: None, install_signals=False))
    assert code == 0
    assert len(waits) >= 3, waits  # one wait before each reconnect
    assert all(0 <= w <= 0.25 * SCALE for w in waits), waits
