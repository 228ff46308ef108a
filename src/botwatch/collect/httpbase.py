"""What the HTTP collectors (Mastodon, X) share: one client, and how a refused request is waited out.

Waits follow X's published reconnect rules, which are sound for any server: network errors back off
from 0.25 s up to 16 s, HTTP errors from 5 s up to 320 s, rate limits from a minute up to 15 —
unless the server says when to return (`Retry-After`, `x-rate-limit-reset`), which is obeyed.
401 and 403 end the run with a clear message instead of a retry loop.
"""

from __future__ import annotations

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


def refusal(platform: str, resp: httpx.Response, body: bytes, hint: str) -> CollectError:
    detail = body.decode("utf-8", "replace").strip().replace("\n", " ")[:300]
    return CollectError(f"{platform} refused the request to {resp.request.url.path} with {resp.status_code}: {detail or 'no detail'}. {hint}", 3)


async def wait_after(cap: Capture, waits: Waits, resp: httpx.Response | None, err: BaseException | None = None) -> None:
    """Sleep as the failed response (or a network error, when None) requires."""
    if resp is None:
        delay = waits.net.next_delay()
        why = f"connection to {cap.endpoint} failed ({type(err).__name__}: {err})" if err is not None else f"connection to {cap.endpoint} ended"
    else:
        why = f"{resp.request.url.path} answered {resp.status_code}"
        told = server_wait(resp.status_code, resp.headers)
        if told is not None:
            delay = with_jitter(told)
        elif resp.status_code == 429:
            delay = waits.limit.next_delay()
        else:
            delay = waits.http.next_delay()
    await cap.sleep(delay, why)


async def honour_quota(cap: Capture, resp: httpx.Response) -> None:
    """After a good answer that spent the last request of the window, wait for the reset."""
    told = server_wait(resp.status_code, resp.headers)
    if told:
        await cap.sleep(with_jitter(told))


NETWORK_ERRORS = (httpx.TransportError, httpx.DecodingError)
