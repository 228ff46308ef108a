#!/usr/bin/env python
"""Sustained write rate of one Jetstream collector against a local fake sending as fast as it can.

    PYTHONPATH=src .venv/bin/python benchmarks/collect.py                 # 1,000,000 events
    PYTHONPATH=src .venv/bin/python benchmarks/collect.py --events 100000 --sample 0.01 --drop-after 2

The fake Jetstream (testsupport.collect_fakes) runs in its own process and sends Jetstream-sized post
events (~450 bytes) with no pause. Its first connection is dropped mid-frame after `--drop-after`
seconds (11: a connection that lived 10 s or more is re-opened at once; a younger one waits its
backoff, 0.5-1 s and climbing, so a flapping server is never hammered); the collector reconnects from its cursor (rewound 5 s, the overlap dropped by id) and
reads the rest. Printed: posts written per second (wall clock, first to last post), CPU seconds and
share of one core used by the collector process, its peak resident memory, bytes on disk, and the
recovery time (from the drop to the first event of the new connection, as the collector saw it),
and the collector's ceiling with the network taken out (frames handed to it in a loop).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.httpbase import HEALTHY_AFTER_S
from botwatch.collect.run import run_capture

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)


def serve(n: int, drop_after_s: float, q: "mp.Queue[int]", stop: "mp.Event") -> None:  # type: ignore[type-arg]
    from testsupport.collect_fakes import FakeJetstream, jetstream_event

    events = [jetstream_event(i) for i in range(n)]
    first = {"send": n * 9 // 10, "drop_after_s": drop_after_s, "then": "drop_mid", "burst": True}
    srv = FakeJetstream(events, [first, {"then": "hold", "burst": True}]).start()
    q.put(srv.port)
    stop.wait()
    srv.stop()


class Timed(js.JetstreamCollector):
    """The real collector, noting when frames arrive and when connections end."""

    def __init__(self, *a, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **kw)
        self.first = self.last = 0.0
        self.dropped_at = 0.0
        self.resumed_at = 0.0
        self.first_lived = 0.0

    def handle(self, cap, msg):  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        if not self.first:
            self.first = now
        if self.dropped_at and not self.resumed_at:
            self.resumed_at = now
        self.last = now
        super().handle(cap, msg)

    async def _session(self, cap, url):  # type: ignore[no-untyped-def]
        try:
            return await super()._session(cap, url)
        finally:
            if not self.dropped_at:
                self.dropped_at = time.perf_counter()
                self.first_lived = self.lived


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--drop-after", type=float, default=11.0, help="seconds the first connection lives (>= 10: the collector reconnects at once)")
    ap.add_argument("--sample", type=float, default=1.0)
    args = ap.parse_args()
    q: mp.Queue[int] = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=serve, args=(args.events, args.drop_after, q, stop), daemon=True)
    server.start()
    port = q.get(timeout=120)
    folder = Path(tempfile.mkdtemp(prefix="bw-collect-bench-"))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        coll = Timed(f"ws://127.0.0.1:{port}/subscribe")
        expect = args.events if args.sample >= 1 else None
        cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=args.sample, max_posts=expect)
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()

        last_us = 1_700_000_000_000_000 + (args.events - 1) * 1000  # jetstream_event's clock

        async def go() -> None:
            task = asyncio.create_task(run_capture(cap, coll, log=lambda m: None, install_signals=False))
            if expect is None:  # sampled: no post count to stop at, so stop once the last event was read
                while cap.cursor.get("time_us") != last_us:
                    await asyncio.sleep(0.05)
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(go())
        wall = time.perf_counter() - t0
        u1 = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        stop.set()
        server.join(10)
    cpu = (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime)
    disk = sum(p.stat().st_size for p in folder.glob("*.jsonl.gz"))
    busy = coll.last - coll.first
    print(f"events sent: {args.events:,} (+ the 5 s rewind replayed after the drop); sample rate {args.sample:g}")
    print(f"posts written: {cap.stats.kept:,}; duplicates dropped: {cap.stats.duplicates:,}; not sampled: {cap.stats.unsampled:,}")
    print(f"sustained: {cap.stats.received / busy:,.0f} frames/s read, {cap.stats.kept / busy:,.0f} posts/s written (first to last frame {busy:.2f} s)")
    print(f"collector CPU: {cpu:.2f} s in {wall:.2f} s wall = {cpu / wall:.0%} of one core")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB (before the run: {rss0 / 1024:,.0f} MiB, imports included)")
    print(f"on disk: {disk / 1e6:,.1f} MB gzip in {len(list(folder.glob('*.jsonl.gz')))} file(s), {disk / max(cap.stats.kept, 1):,.0f} B/post")
    print(f"recovery after the dropped connection (it had lived {coll.first_lived:.1f} s): {(coll.resumed_at - coll.dropped_at) * 1000:,.0f} ms "
          "to the first event of the new connection")
    if coll.first_lived < HEALTHY_AFTER_S <= args.drop_after:
        print(f"  (the fake ran out of events before {args.drop_after:g} s: the young-connection backoff applied; give more --events)")
    shutil.rmtree(folder, ignore_errors=True)
    print(f"without the network (frames handed straight to the collector): {offline(min(args.events, 100_000), args.sample):,.0f} frames/s")


def offline(n: int, sample: float) -> float:
    """Frames/s through parse, filter, sample, dedupe and gzip writing alone: the collector's ceiling."""
    from testsupport.collect_fakes import jetstream_event

    frames = [jetstream_event(i).decode() for i in range(n)]
    folder = Path(tempfile.mkdtemp(prefix="bw-collect-bench-"))
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=sample).open()
    coll = js.JetstreamCollector("ws://unused")
    t = time.perf_counter()
    for f in frames:
        coll.handle(cap, f)
    cap.close()
    rate = n / (time.perf_counter() - t)
    shutil.rmtree(folder, ignore_errors=True)
    return rate


if __name__ == "__main__":
    main()
