"""Loopback fake servers that speak the platforms' real protocols and misbehave on purpose.

Used by the tests and `benchmarks/collect.py`; they bind 127.0.0.1 only. Each runs its own event
loop in a thread, so a test (or a collector in a child process) talks to it over real sockets.
Every connection follows the next step of a `script` (a list of dicts), then the last step
forever: drop mid-message after N frames, stall without closing, answer 429/503/401, …
The fake Jetstream ships in the package (`botwatch.collect.fake_jetstream`, which users run to try
collection locally); the HTTP fakes (Mastodon, X) are the tests' own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botwatch.collect.fake_jetstream import FakeJetstream, _Threaded, jetstream_event
from botwatch.collect.writer import RotatingWriter

__all__ = ["FakeHttp", "FakeJetstream", "HttpRequest", "HttpWriter", "jetstream_event"]


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
