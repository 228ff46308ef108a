"""Reconnect waits: exponential backoff with full jitter, and the server's own word when it gives one.

A server that says when to come back (`Retry-After`, in seconds or as an HTTP date; X's
`x-rate-limit-reset`, epoch seconds, or Mastodon's `X-RateLimit-Reset`, an ISO time, when the
remaining quota is 0 or the answer is 429) is obeyed to the second, plus a little jitter so a fleet of collectors does not return at once.
Otherwise the wait doubles from `base` up to `cap` and a random share of it is taken (full
jitter), which keeps a broken server from being hammered and spreads reconnects out. A wait resets
once a connection has delivered data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime


@dataclass
class Backoff:
    """Waits between attempts of one kind (network errors, HTTP errors, rate limits)."""

    base: float  # first wait, seconds
    cap: float  # longest wait, seconds
    scale: float = 1.0  # tests shrink every wait; 1 in real use
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """The next wait: between half and all of base * 2**attempts (capped), times `scale`."""
        top = min(self.cap, self.base * (2 ** self.attempts))
        self.attempts += 1
        return self.scale * self.rng.uniform(top / 2, top)

    def reset(self) -> None:
        self.attempts = 0


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def server_wait(status: int, headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked us to wait before the next request, or None when it did not say.

    `Retry-After` wins; X's reset time counts on a 429 or when the remaining quota is 0.
    """
    now = time.time() if now is None else now
    ra = _header(headers, "retry-after")
    if ra:
        ra = ra.strip()
        if ra.isdigit():
            return float(ra)
        try:
            return max(0.0, parsedate_to_datetime(ra).timestamp() - now)
        except (TypeError, ValueError):
            pass
    # X: x-rate-limit-* with the reset in epoch seconds; Mastodon: x-ratelimit-* with an ISO 8601 reset
    for reset_name, remaining_name in (("x-rate-limit-reset", "x-rate-limit-remaining"), ("x-ratelimit-reset", "x-ratelimit-remaining")):
        reset = _header(headers, reset_name)
        remaining = _header(headers, remaining_name)
        if reset and (status == 429 or (remaining is not None and remaining.strip() == "0")):
            return _until(reset.strip(), now)
    return None


def _until(reset: str, now: float) -> float | None:
    """Seconds from `now` to a reset given as epoch seconds or an ISO 8601 time."""
    try:
        return max(0.0, float(reset) - now)
    except ValueError:
        pass
    try:
        from datetime import datetime, timezone

        t = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        return max(0.0, (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp() - now)
    except ValueError:
        return None


def with_jitter(seconds: float, rng: random.Random | None = None) -> float:
    """A server-given wait plus up to 10% (at most 2 s) more, never less than asked."""
    r = rng or random
    return seconds + r.uniform(0, min(2.0, 0.1 * seconds + 0.05))
