"""A fake X filtered stream on 127.0.0.1 that drops and takes back its connections on cue, for the
`collect x --stream` tests of disconnection gaps (tests/test_collect_x_stream_gaps.py). Only the
loopback fake is spoken to; nothing reaches X."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import orjson

from testsupport.collect_fakes import HttpRequest, HttpWriter
from testsupport.waiting import read_by_peer

# The last connection's keep-alives: this far apart where the collector's reads cannot be seen, and
# this far after the collector has read the one before where they can.
KEEP_ALIVE_S = 0.2
READ_BEAT_S = 0.02


def envelope(i: int, tweet_id: str | None = None) -> bytes:
    """One stream envelope: tweet `10000 + i` (or `tweet_id`), matched by the botwatch rule."""
    return orjson.dumps({"data": {"id": tweet_id or str(10_000 + i), "text": f"vote {i}", "author_id": "1", "created_at": "2026-11-30T05:00:00.000Z"},
                         "includes": {"users": [{"id": "1", "username": "u1", "name": "U"}]},
                         "matching_rules": [{"id": "9", "tag": "botwatch:1"}]})


class DroppingStream:
    """The rules endpoints answer as X does (no rule yet; adds accepted). Stream connection k sends
    `posts[k]` tweets (the last entry for every later one), then drops it, but for the last one, which
    sends keep-alives until the run ends. Before answering connection k (k > 0) it waits
    `pauses[k - 1]` seconds (an outage) and calls `before_answer(k)` when given. `sent_last[k]` is when
    connection k sent its last line; `answered[k]` when it was answered 200 (this machine's clock).
    `notice`, when given, is sent as a connection's last line before each drop (X's disconnect notice).
    `ids`, when given, names connection k's j-th tweet (`ids(k, j)`: a replay's tweets carry times
    before the answer), else tweets are numbered from 10000 (ids that carry no time). `ticking`, when
    given, is called before each of the last connection's keep-alives after its first (a test moves
    the collector's clock on there: a connection that stays quiet a while). `stop_after`, when given,
    ends the run once the script has played: after that many of the last connection's keep-alives
    (the first one's after), the fake asks the in-process collector to stop as a service manager
    does, SIGTERM to this process, a clean end exiting 0 as `--duration` does; the test's run then
    lasts as long as its script, not a fixed `--duration` chosen to outlast it on a loaded machine.
    Each of those keep-alives is sent once the collector has read everything before it
    (`testsupport.waiting.read_by_peer`), `READ_BEAT_S` after that; where the kernel cannot say,
    `KEEP_ALIVE_S` apart, the time a loaded machine's collector was given to read. `past_second`:
    only keep-alives sent once this machine's clock has passed the whole second after the last
    connection's answer count towards `stop_after`, so the run's last data, written to the second
    below, is later than its answer (a test that bounds a gap's start by the answer tells the
    run's end from its start)."""

    def __init__(self, posts: list[int], pauses: list[float] | None = None, before_answer: Callable[[int], None] | None = None,
                 notice: bytes | None = None, ids: Callable[[int, int], str] | None = None,
                 ticking: Callable[[], None] | None = None, stop_after: int | None = None, past_second: bool = False) -> None:
        self.posts, self.pauses, self.before_answer, self.notice, self.ids = posts, pauses or [], before_answer, notice, ids
        self.ticking, self.stop_after, self.past_second = ticking, stop_after, past_second
        self.sent_last: list[float] = []
        self.answered: list[float] = []
        self.asked: list[dict[str, str]] = []
        self.next_id = 0

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path.endswith("/rules"):
            await w.respond(200, b'{"meta":{"result_count":0}}' if req.method == "GET" else b'{"meta":{"summary":{"created":1}}}')
            return
        k = len(self.asked)
        self.asked.append(dict(req.query))
        if k and k - 1 < len(self.pauses):
            await asyncio.sleep(self.pauses[k - 1])
        if self.before_answer is not None:
            self.before_answer(k)
        await w.start_stream("application/json")
        self.answered.append(time.time())
        for j in range(self.posts[min(k, len(self.posts) - 1)]):
            await w.chunk(envelope(self.next_id, self.ids(k, j) if self.ids else None) + b"\r\n")
            self.next_id += 1
        await w.chunk(b"\r\n")  # a keep-alive
        if k + 1 < len(self.posts) and self.notice is not None:
            await w.chunk(self.notice + b"\r\n")
        self.sent_last.append(time.time())
        if k + 1 < len(self.posts):
            w.abort()  # the drop
            return
        kept_alive = 0
        counts_from = math.floor(self.answered[-1]) + 1 if self.past_second else 0.0
        known = await read_by_peer(w.w)
        while True:
            await asyncio.sleep(READ_BEAT_S if known else KEEP_ALIVE_S)
            if self.ticking is not None:
                self.ticking()
            counted = time.time() >= counts_from
            await w.chunk(b"\r\n")
            known = await read_by_peer(w.w)
            kept_alive += counted
            if kept_alive == self.stop_after and signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
                # run_capture's handler takes it while the collector reads this connection; with no
                # handler (a collector that could not set one) SIGTERM would end pytest: --duration ends the run
                os.kill(os.getpid(), signal.SIGTERM)


def stream_args(folder: Path, url: str, *more: str) -> list[str]:
    """`collect x --stream` of one keyword against the fake at `url`, waits shrunk."""
    return ["collect", "x", str(folder), "--stream", "--keyword", "vote", "--base-url", url, "--backoff-scale", "0.01",
            "--no-progress", *more]


def when(text: str) -> float:
    """A time as the manifest writes it ("Z" for UTC), in seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


def status_of_ingested_capture(folder: Path, study: Path) -> tuple[str, str]:
    """Ingest X stream capture `folder` (its manifest and files already written by the test) after
    writing one stream file of one post into it, then run `botwatch status` wide: its output and
    the same with whitespace joined. Tests of what a capture's manifest says once ingested (gaps,
    disconnect notices) each did these steps."""
    import gzip

    from typer.testing import CliRunner

    from botwatch.cli import app

    with gzip.open(folder / "x-stream-20261120T100000Z-1.jsonl.gz", "wb") as fh:
        fh.write(envelope(1) + b"\n")
    assert CliRunner().invoke(app, ["ingest", str(study), str(folder)]).exit_code == 0
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    return res.output, " ".join(res.output.split())
