"""A fake Jetstream on 127.0.0.1, to try `botwatch collect bluesky` without the network.

    python -m botwatch.collect.fake_jetstream --port 8765

prints the endpoint and the command to point at it, then serves made-up posts (each tagged
#GE2017, so `--election uk-ge2017` keeps them) until Ctrl-C. It speaks Jetstream's real protocol
over a real WebSocket: the collector's reconnects, cursor (`?cursor=` replays from that time) and
dedupe all work against it. It binds the loopback address only.

The tests and `benchmarks/collect.py` use `FakeJetstream` too (through `testsupport.collect_fakes`),
with a `script` that makes each connection misbehave on purpose: drop mid-frame after N events,
stall, answer 429/503/401, …
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response


class _Threaded:
    """Runs `self._main()` on a private event loop in a daemon thread."""

    def __init__(self, port: int = 0) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = port  # 0: any free port; the one bound once started
        self._error: BaseException | None = None  # why it did not start (the port taken)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.connections: list[dict[str, Any]] = []  # what each connection asked for, and when

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        except Exception as exc:  # noqa: BLE001 - handed to start(), which raises it in the caller's thread
            self._error = exc
            self._ready.set()
        try:
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for t in pending:
                t.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            self.loop.close()

    async def _main(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self) -> "_Threaded":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake server did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def step(self, script: list[dict[str, Any]], i: int) -> dict[str, Any]:
        return script[min(i, len(script) - 1)] if script else {}


# 2026-11-30T05:00:00Z, the time the other fake platforms' posts claim: a recent date, after the
# fake AppView's account creation dates (2024), so a capture dated by it reads as a real one would.
FAKE_EPOCH_US = 1_796_014_800_000_000
# How long before the relay saw it the fake's client "wrote" each post: a real post's createdAt is
# seconds before its time_us. Ingest dates a post by the relay's time, with a repair note, when the
# two are further apart than Bluesky allows, so they must come from one clock here.
_CLIENT_LAG_US = 1_000_000


def _iso_ms(t_us: int) -> str:
    """`t_us` (microseconds since the epoch, UTC) written as a client writes createdAt: ISO 8601, ms, "Z"."""
    return datetime.fromtimestamp(t_us / 1e6, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def jetstream_event(i: int, t0: int = FAKE_EPOCH_US, text: str | None = None) -> bytes:
    """A Jetstream post-create event whose time_us grows with `i` (1 ms apart), written a second before it was relayed."""
    did = f"did:plc:fake{i % 997:04d}"
    t_us = t0 + i * 1000
    return orjson.dumps({
        "did": did, "time_us": t_us, "kind": "commit",
        "commit": {"rev": f"3l{i:010d}", "operation": "create", "collection": "app.bsky.feed.post", "rkey": f"3k{i:010d}", "cid": f"bafy{i}",
                   "record": {"$type": "app.bsky.feed.post", "createdAt": _iso_ms(t_us - _CLIENT_LAG_US), "langs": ["en"],
                              "text": text if text is not None else f"post number {i} about the election #GE2017 with some padding text to look real"}},
    })


def _text_frame(payload: bytes) -> bytes:
    """One unmasked WebSocket text frame (RFC 6455 section 5.2), as a server sends it."""
    n = len(payload)
    if n < 126:
        head = bytes((0x81, n))
    elif n < 1 << 16:
        head = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return head + payload


class FakeJetstream(_Threaded):
    """Jetstream: `/subscribe?cursor=` replays events with time_us >= cursor, then follows the script.

    Script keys: `status` (answer the handshake with this HTTP status; `retry_after` header),
    `send` (frames to send on this connection, then behave per `then`), `then`: "drop_mid" (half a
    frame, then abort), "stall" (stay open, send nothing), "close" (a clean close), "hold" (stay open
    until the server stops; default). `junk`: {index: frame} extra frames sent before event index.
    `rate`: events per second (None: as fast as possible); `burst`: write pre-framed events straight
    to the socket in batches (for benchmarks: far faster than one `send()` per event), for at most
    `drop_after_s` seconds when given.
    """

    def __init__(self, events: list[bytes], script: list[dict[str, Any]] | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.events = events
        self.times = [orjson.loads(e)["time_us"] for e in events]
        self.script = script or [{}]
        self.sent = 0

    def _process_request(self, connection: Any, request: Any) -> Response | None:
        n = len(self.connections)
        q = parse_qs(urlsplit(request.path).query)
        self.connections.append({"at": time.time(), "path": request.path, "cursor": int(q["cursor"][0]) if "cursor" in q else None})
        s = self.step(self.script, n)
        if s.get("status"):
            headers = Headers()
            if s.get("retry_after") is not None:
                headers["Retry-After"] = str(s["retry_after"])
            return Response(s["status"], "refused", headers, b"refused\n")
        return None

    async def _handler(self, ws: Any) -> None:
        try:
            await self._serve_one(ws)
        except ConnectionClosed:
            pass  # the collector went away: that is its right

    async def _serve_one(self, ws: Any) -> None:
        n = len(self.connections) - 1
        s = self.step(self.script, n)
        cursor = self.connections[n]["cursor"]
        start = bisect.bisect_left(self.times, cursor) if cursor is not None else 0
        limit = s.get("send", len(self.events))
        junk = {int(k): v for k, v in (s.get("junk") or {}).items()}
        rate = s.get("rate")
        sent = 0
        t0 = time.monotonic()
        if s.get("burst"):  # pre-framed bytes straight to the socket: the fastest a server can send
            end = min(len(self.events), start + limit)
            for lo in range(start, end, 512):
                if s.get("drop_after_s") and time.monotonic() - t0 >= s["drop_after_s"]:
                    break
                ws.transport.write(b"".join(_text_frame(e) for e in self.events[lo:min(end, lo + 512)]))
                self.sent += min(end, lo + 512) - lo
                while ws.transport.get_write_buffer_size() > (4 << 20):
                    await asyncio.sleep(0.0005)
            sent = limit
        for idx in range(start if not s.get("burst") else len(self.events), len(self.events)):
            if sent >= limit:
                break
            if idx in junk:
                await ws.send(junk[idx])
            await ws.send(self.events[idx].decode())
            sent += 1
            self.sent += 1
            if rate:
                ahead = sent / rate - (time.monotonic() - t0)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            elif sent % 256 == 0:
                await asyncio.sleep(0)
        then = s.get("then", "hold")
        if then == "drop_mid":
            ws.transport.write(b"\x81\x7e\x01\x00" + b'{"did":"did:plc:torn","time_us":')  # announces 256 bytes, sends 33
            ws.transport.abort()
        elif then == "close":
            await ws.close()
        else:  # "stall" and "hold": send nothing more, stay open until the peer goes
            await ws.wait_closed()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with serve(self._handler, "127.0.0.1", self.port, process_request=self._process_request, compression=None, max_queue=None) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            server.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"


def main(argv: list[str] | None = None) -> int:
    """`python -m botwatch.collect.fake_jetstream`: serve made-up posts until Ctrl-C (exit 130)."""
    ap = argparse.ArgumentParser(prog="python -m botwatch.collect.fake_jetstream",
                                 description="A fake Jetstream on 127.0.0.1 to try `botwatch collect bluesky` against.")
    ap.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free one); default 8765")
    ap.add_argument("--posts", type=int, default=10_000, help="made-up posts to serve (each connection replays from its cursor); default 10000")
    ap.add_argument("--rate", type=float, default=50.0, help="posts per second on each connection; default 50")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535 or args.posts <= 0 or args.rate <= 0:
        print("error: --port must be 0-65535, --posts and --rate positive", file=sys.stderr)
        return 2
    srv = FakeJetstream([jetstream_event(i) for i in range(args.posts)], [{"rate": args.rate}], port=args.port)
    return serve_until_ctrl_c(srv, "fake Jetstream", args.port, lambda url: [
        f"fake Jetstream at {url} ({args.posts:,} made-up posts, {args.rate:g}/s; Ctrl-C stops it)",
        f"try: botwatch collect bluesky trial-capture/ --endpoint {url} --max-posts 100 --no-profiles"])


def serve_until_ctrl_c(srv: Any, name: str, port: int, said: Any) -> int:
    """Start a fake server (`srv`: `start`, `stop`, `url`, `_thread`), print `said(url)`'s lines
    and serve until Ctrl-C (exit 130); a port already taken is one line and exit 2. Shared by the
    fakes a user runs to try a collector (`fake_jetstream`, `fake_mastodon`)."""
    try:
        srv.start()
    except OSError as exc:
        from botwatch.userfile import os_error_said

        print(f"error: cannot listen on 127.0.0.1:{port} ({os_error_said(exc)}); pick another --port, or --port 0 for any free one",
              file=sys.stderr)
        return 2
    try:  # the lines printed too: a Ctrl-C as soon as they are read (as a script may send) stopped with a traceback
        for line in said(srv.url):
            print(line, flush=True)
        while srv._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        srv.stop()
        print(f"{name} stopped", file=sys.stderr)
        return 130
    return 1

if __name__ == "__main__":
    sys.exit(main())
