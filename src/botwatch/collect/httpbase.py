"""What the HTTP collectors (Mastodon, X) share: one client, and how a refused request is waited out.

Waits follow X's published reconnect rules, which are sound for any server: network errors back off
from 0.25 s up to 16 s, HTTP errors from 5 s up to 320 s, rate limits from a minute up to 15 —
unless the server says when to return (`Retry-After`, `x-rate-limit-reset`), which is obeyed.
401 and 403 end the run with a clear message instead of a retry loop.

No answer is read whole without a limit: a page, an error body or one line of a stream over
`MAX_RESPONSE` (32 MiB; a full X search page of 500 tweets with its expansions is a few MB) is
dropped as a failed request, said in one line and retried after the HTTP-error wait, so a broken or
hostile server that sends an endless body cannot fill the memory.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from botwatch import __version__
from botwatch.collect.backoff import Backoff, server_wait, with_jitter
from botwatch.collect.core import Capture, CollectError

USER_AGENT = f"botwatch/{__version__} (research collector)"


@dataclass
class Waits:
    """The three backoff ladders of one collector."""

    scale: float = 1.0
    net: Backoff = field(init=False)
    http: Backoff = field(init=False)
    limit: Backoff = field(init=False)

    def __post_init__(self) -> None:
        self.net = Backoff(0.25, 16.0, self.scale)
        self.http = Backoff(5.0, 320.0, self.scale)
        self.limit = Backoff(60.0, 900.0, self.scale)

    def reset(self) -> None:
        for b in (self.net, self.http, self.limit):
            b.reset()

    def healthy(self, connected_at: float, now: float) -> None:
        """Reset the ladders once a connection has delivered data for a while: a server that
        accepts and drops at once must keep climbing them, not be reconnected to in a tight loop."""
        if now - connected_at >= HEALTHY_AFTER_S:
            self.reset()


HEALTHY_AFTER_S = 10.0


def client(base_url: str, headers: dict[str, str], read_timeout: float) -> httpx.AsyncClient:
    """An HTTP/1.1 client whose read timeout is the stall limit (no bytes for that long: reconnect)."""
    return httpx.AsyncClient(
        base_url=base_url, headers={"User-Agent": USER_AGENT, **headers},
        timeout=httpx.Timeout(15.0, read=read_timeout), follow_redirects=True,
    )


def body_excerpt(body: bytes, limit: int = 300) -> str:
    """The start of an answer's body on one line, for a message that quotes what a server said."""
    return body.decode("utf-8", "replace").strip().replace("\n", " ")[:limit]


def refusal(platform: str, resp: httpx.Response, body: bytes, hint: str, code: int = 3) -> CollectError:
    """The run's end on a request the server refused: exit 3 (credentials) unless `code` says otherwise."""
    detail = body_excerpt(body)
    return CollectError(f"{platform} refused the request to {resp.request.url.path} with {resp.status_code}: {detail or 'no detail'}. {hint}", code)


async def wait_after(cap: Capture, waits: Waits, resp: httpx.Response | None, err: BaseException | None = None) -> None:
    """Sleep as the failed response (or a network error, when None) requires."""
    timed_out = isinstance(err, httpx.TimeoutException)
    if resp is None:
        delay = waits.net.next_delay()
        why = f"connection to {cap.endpoint} failed ({type(err).__name__}: {err})" if err is not None else f"connection to {cap.endpoint} ended"
        if timed_out:  # httpx words a timeout as nothing at all ("ReadTimeout: ")
            why = f"connection to {cap.endpoint} timed out ({type(err).__name__}: no answer in time)"
    else:
        why = f"{resp.request.url.path} answered {resp.status_code}"
        told = server_wait(resp.status_code, resp.headers)
        if told is not None:
            delay = with_jitter(told)
        elif resp.status_code == 429:
            delay = waits.limit.next_delay()
        else:
            delay = waits.http.next_delay()
    await cap.sleep(delay, why, limited=resp is not None and resp.status_code == 429)


async def honour_quota(cap: Capture, resp: httpx.Response) -> None:
    """After a good answer that spent the last request of the window, wait for the reset."""
    told = server_wait(resp.status_code, resp.headers)
    if told:
        await cap.sleep(with_jitter(told))


NETWORK_ERRORS = (httpx.TransportError, httpx.DecodingError)


MAX_RESPONSE = 32 << 20
_EOL = re.compile(rb"\r\n|\r|\n")


class TooLarge(Exception):
    """An answer (or one line of a stream) longer than the collector reads; the message is for the user."""


def _too_large(resp: httpx.Response, limit: int, what: str) -> TooLarge:
    return TooLarge(f"{resp.request.url.path} sent {what} over {limit / (1 << 20):g} MiB, the most botwatch reads of one; dropped as a failed request")


async def read_capped(resp: httpx.Response, limit: int = MAX_RESPONSE, *, head: bool = False) -> bytes:
    """The body of a streamed response, at most `limit` bytes (after decompression): TooLarge past
    it, or with `head` its first `limit` bytes (an error body, only quoted)."""
    declared = resp.headers.get("content-length", "").strip()
    if not head and declared.isdigit() and int(declared) > limit:
        raise _too_large(resp, limit, "an answer")
    buf = bytearray()
    async for chunk in resp.aiter_bytes():
        buf += chunk
        if len(buf) > limit:
            if head:
                return bytes(buf[:limit])
            raise _too_large(resp, limit, "an answer")
    return bytes(buf)


async def fetch(http: httpx.AsyncClient, method: str, path: str, *, limit: int = MAX_RESPONSE, **kw: object) -> tuple[httpx.Response, bytes]:
    """One request and its body read up to `limit` (TooLarge past it)."""
    async with http.stream(method, path, **kw) as resp:  # type: ignore[arg-type]
        return resp, await read_capped(resp, limit)


async def capped_lines(resp: httpx.Response, limit: int = MAX_RESPONSE) -> AsyncIterator[str]:
    """The lines of a streamed response (ended by CR LF, LF or CR, as `aiter_lines`), each at most
    `limit` bytes: TooLarge for a longer one, where `aiter_lines` kept buffering a line without end."""
    pending = bytearray()
    async for chunk in resp.aiter_bytes():
        start = 0
        scan = max(len(pending) - 1, 0)  # what is pending holds no line end (but a last CR): a long line is scanned once
        pending += chunk
        while (m := _EOL.search(pending, scan)) is not None:
            if m.group() == b"\r" and m.end() == len(pending):
                break  # its LF may come in the next chunk
            yield pending[start:m.start()].decode("utf-8", "replace")
            start = scan = m.end()
        del pending[:start]
        if len(pending) > limit:
            raise _too_large(resp, limit, "a line")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", "replace")


FAILED_REQUEST = (*NETWORK_ERRORS, TooLarge)


async def wait_after_failed(cap: Capture, waits: Waits, exc: BaseException) -> None:
    """Wait after a request that brought no answer (one of FAILED_REQUEST): a network error on the
    network ladder, an answer over the limit as after an HTTP error, saying why."""
    if isinstance(exc, TooLarge):
        await cap.sleep(waits.http.next_delay(), str(exc))
    else:
        await wait_after(cap, waits, None, exc)
