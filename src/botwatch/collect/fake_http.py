"""A loopback HTTP/1.1 server whose answers a `route` coroutine writes, for the fake HTTP platforms.

`botwatch.collect.fake_mastodon` (which users run to try `botwatch collect mastodon` offline) is
one route over it; the tests' fake Mastodon and X servers (`testsupport.collect_fakes`) are others,
which misbehave on purpose. It binds 127.0.0.1 only and runs its own event loop in a thread (see
`fake_jetstream._Threaded`), so a collector in the same process or a child talks to it over real sockets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botwatch.collect.fake_jetstream import _Threaded


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

    def __init__(self, route: Route, port: int = 0) -> None:
        super().__init__(port)
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
        server = await asyncio.start_server(self._conn, "127.0.0.1", self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
