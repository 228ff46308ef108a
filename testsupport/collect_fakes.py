"""Loopback fake servers that speak the platforms' real protocols and misbehave on purpose.

Used by the tests and `benchmarks/collect.py`; they bind 127.0.0.1 only. Each runs its own event
loop in a thread, so a test (or a collector in a child process) talks to it over real sockets.
Every connection follows the next step of a `script` (a list of dicts), then the last step
forever: drop mid-message after N frames, stall without closing, answer 429/503/401, …
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response


class _Threaded:
    """Runs `self._main()` on a private event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.connections: list[dict[str, Any]] = []  # what each connection asked for, and when

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
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
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def step(self, script: list[dict[str, Any]], i: int) -> dict[str, Any]:
        return script[min(i, len(script) - 1)] if script else {}


def jetstream_event(i: int, t0: int = 1_700_000_000_000_000, text: str | None = None) -> bytes:
    """A Jetstream post-create event whose time_us grows with `i` (1 ms apart)."""
    did = f"did:plc:fake{i % 997:04d}"
    return orjson.dumps({
        "did": did, "time_us": t0 + i * 1000, "kind": "commit",
        "commit": {"rev": f"3l{i:010d}", "operation": "create", "collection": "app.bsky.feed.post", "rkey": f"3k{i:010d}", "cid": f"bafy{i}",
                   "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-30T05:00:00.000Z", "langs": ["en"],
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

    def __init__(self, events: list[bytes], script: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
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
        async with serve(self._handler, "127.0.0.1", 0, process_request=self._process_request, compression=None, max_queue=None) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            server.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"


# -- HTTP ----------------------------------------------------------------------------------------
class HttpRequest:
    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.target, self.headers, self.body = method, target, headers, body
        parts = urlsplit(target)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}


class HttpWriter:
    """What a route uses to answer: a whole response, or a chunked stream it controls."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.w = writer

    async def respond(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, ctype: str = "application/json") -> None:
        h = {"Content-Type": ctype, "Content-Length": str(len(body)), **(headers or {})}
        self.w.write(f"HTTP/1.1 {status} X\r\n".encode() + "".join(f"{k}: {v}\r\n" for k, v in h.items()).encode() + b"\r\n" + body)
        await self.w.drain()

    async def start_stream(self, ctype: str, headers: dict[str, str] | None = None) -> None:
        h = {"Content-Type": ctype, "Transfer-Encoding": "chunked", "Cache-Control": "no-cache", **(headers or {})}
        self.w.write(b"HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()).encode() + b"\r\n")
        await self.w.drain()

    async def chunk(self, data: bytes) -> None:
        if data:
            self.w.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await self.w.drain()

    def torn_chunk(self, data: bytes) -> None:
        """Announce a chunk and send only half of it, then drop the connection (a mid-message drop)."""
        self.w.write(f"{len(data):x}\r\n".encode() + data[: len(data) // 2])
        self.w.transport.abort()

    def abort(self) -> None:
        self.w.transport.abort()


Route = Callable[[HttpRequest, HttpWriter, int], Any]


class FakeHttp(_Threaded):
    """An HTTP/1.1 server whose `route(request, writer, n)` coroutine answers request number n."""

    def __init__(self, route: Route) -> None:
        super().__init__()
        self.route = route
        self.requests: list[tuple[float, HttpRequest]] = []

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                req = HttpRequest(method, target, headers, body)
                n = len(self.requests)
                self.requests.append((time.time(), req))
                await self.route(req, HttpWriter(writer), n)
                if writer.transport.is_closing():
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            return  # a cancelled handler (server stopping) ends quietly
        finally:
            if not writer.transport.is_closing():
                writer.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._conn, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
