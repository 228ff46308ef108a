"""Bluesky through Jetstream: JSON events over a WebSocket, resumable by a microsecond cursor.

Jetstream's `cursor` is the `time_us` of an event. On every (re)connect the collector asks for
the last durable cursor minus a few seconds (Jetstream's own advice, since events near the cursor
may arrive out of order) and drops the replayed overlap by event id. Posts are filtered client
side (Jetstream filters by collection and account only) on text, tags and facets. Compressed
(zstd) frames need Jetstream's custom dictionary and are not requested.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from botwatch.collect.backoff import Backoff, server_wait, with_jitter
from botwatch.collect.bsky_profiles import ProfileLookups, waiting_path
from botwatch.collect.core import NOT_JSON, Capture, CaptureWriteError, CollectError, StopCapture, future_words, reached
from botwatch.collect.httpbase import HEALTHY_AFTER_S
from botwatch.count_text import counted
from botwatch.shown_text import name_shown
from botwatch.userfile import os_error_said

DEFAULT_ENDPOINT = "wss://jetstream2.us-east.bsky.network/subscribe"
POST_COLLECTIONS = ("app.bsky.feed.post", "app.bsky.feed.repost")
KINDS = ("commit", "identity", "account")
DRAIN_S = 30.0  # at --max-posts, how long the profiles still waiting are asked for before the run ends
# A replay whose first event is this much newer than the cursor asked for did not reach back to it
# (a relay keeps about a day of events): the firehose is never silent for so long.
REPLAY_GAP_S = 600.0


def event_key(obj: dict[str, Any]) -> str | None:
    """A stable id for one Jetstream event: the same when Jetstream replays it after a rewind, and
    when another instance relays it. A commit is keyed by its record's URI (DID, collection, rkey),
    operation, `rev` (the repository's revision that commit made, which every instance relays
    alike) and CID (the record's version), not by `time_us`: each instance stamps its own, so a
    capture resumed against another instance wrote and counted the replayed posts again. Without
    the revision, a record deleted, re-created under its rkey and deleted again had two deletes of
    one key (a delete has no CID): the second was dropped as a replay. A commit without a
    collection and rkey, and an identity or account event, keep the time to tell them apart."""
    did, t = obj.get("did"), obj.get("time_us")
    if not isinstance(did, str) or not isinstance(t, int):
        return None
    c = obj.get("commit")
    if isinstance(c, dict):
        collection, rkey = c.get("collection"), c.get("rkey")
        if isinstance(collection, str) and isinstance(rkey, str) and collection and rkey:
            return f"at://{did}/{collection}/{rkey}|{c.get('operation')}|{c.get('rev') or ''}|{c.get('cid') or ''}"
        return f"{did}|{t}|{collection}|{rkey}|{c.get('operation')}"
    return f"{did}|{t}|{obj.get('kind')}"


def keys_of(obj: Any) -> Iterable[str]:
    k = event_key(obj) if isinstance(obj, dict) else None
    return (k,) if k else ()


def subscribe_url(endpoint: str, cursor: int | None, collections: Iterable[str]) -> str:
    """The subscribe URL with the wanted collections and cursor (an endpoint without a path gets /subscribe)."""
    parts = urlsplit(endpoint)
    path = parts.path if parts.path not in ("", "/") else "/subscribe"
    q = [("wantedCollections", c) for c in collections]
    if cursor is not None:
        q.append(("cursor", str(cursor)))
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(q), ""))


def _tags(record: dict[str, Any]) -> list[str]:
    tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
    for facet in record.get("facets") or []:
        for feat in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feat, dict) and isinstance(feat.get("tag"), str):
                tags.append(feat["tag"])
    return tags


# A frame is refused above FRAME_MAX (no Bluesky post comes near it). One refused frame used to
# block a capture for good: every reconnect replayed from before it and was refused again (close
# 1009) while the run went on saying "retrying". After a 1009 the next connection reads frames up
# to FRAME_MAX_ONCE, keeps the oversized one aside and moves the cursor past it; one larger still
# ends the run with a message that says so, rather than retrying forever.
FRAME_MAX = 8 << 20
FRAME_MAX_ONCE = 64 << 20
MESSAGE_TOO_BIG = 1009

# How long a stopping collector waits for the server to answer its close (`websockets`'
# close_timeout). The wait is spent in full when the run stops with frames still unread: the
# client has paused reading (its queue is full), so the server's answer is never seen. It is a
# wait this side chooses, so `--backoff-scale` shrinks it as it does the others (the tests stop
# most runs with frames unread at `--max-posts`).
CLOSE_TIMEOUT_S = 0.5


def refused_as_too_big(exc: BaseException) -> bool:
    """Whether the connection closed because this side refused a frame over its size limit."""
    sent = getattr(exc, "sent", None)
    return isinstance(exc, ConnectionClosed) and sent is not None and getattr(sent, "code", None) == MESSAGE_TOO_BIG


def drop_future_cursor(cap: Capture, now: float) -> None:
    """Start from now, and say so, when the saved cursor lies in the future (a state file edited
    by hand, or saved on a machine whose clock ran ahead). Jetstream live-tails a cursor from the
    future; no event is newer than it, so the cursor never moved again and every later resume
    replayed nothing, in silence."""
    t = cap.cursor.get("time_us")
    if not isinstance(t, int) or reached(t / 1e6, now):
        return
    when, ahead = future_words(t / 1e6, now)
    cap.log(f"warning: the saved cursor time_us={t} ({when}) is {ahead} in the future by this machine's clock "
            "(a state file edited by hand, or a clock set wrong here or where it was saved): starting from now; "
            "posts sent while no collector ran are not fetched. Check the clock (date -u) if it is this machine's.")
    cap.cursor.pop("time_us")
    cap.stats.cursor = ""


def waiting_not_saved(cap: Capture, error: OSError) -> str:
    """The warning for accounts waiting for a profile lookup that the folder refused to save
    (`profiles_not_saved` of the `profiles_waiting`: those synced earlier are in the file)."""
    why = os_error_said(error)
    lost, waiting = cap.stats.profiles_not_saved, counted(cap.stats.profiles_waiting, "Bluesky account")
    which = f"the {waiting}" if lost == cap.stats.profiles_waiting else f"{lost:,} of the {waiting}"
    return (f"warning: could not save {which} still waiting for a profile lookup to "
            f"{name_shown(waiting_path(cap))} ({why}): {'it is' if lost == 1 else 'they are'} not saved for the next run to ask. "
            "Free space (or fix the folder's permissions) and run the same command again")


class JetstreamCollector:
    """Consumes Jetstream into a `Capture`; reconnects with backoff; watches for stalls."""

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, rewind_s: float = 5.0, stall_s: float = 30.0, backoff_scale: float = 1.0,
                 profiles: ProfileLookups | None = None) -> None:
        self.endpoint = endpoint
        self.profiles = profiles  # looks up the profiles of the accounts whose posts are kept (None: no lookups)
        self.rewind_us = int(rewind_s * 1_000_000)
        self.stall_s = stall_s
        self.net = Backoff(1.0, 60.0, backoff_scale)
        self.close_timeout = CLOSE_TIMEOUT_S * backoff_scale
        self.lived = 0.0  # seconds the current (or last) connection has delivered frames
        self.max_size = FRAME_MAX  # FRAME_MAX_ONCE for the one connection after a frame was refused
        self.future_said = False  # an event from the future, not taken as the cursor, was said this run
        self.asked: int | None = None  # the cursor this connection resumed from, until its first event is seen
        self.gaps: list[dict[str, Any]] = []  # this run's replays that did not reach back to their cursor

    def oversized(self, cap: Capture, msg: str | bytes) -> None:
        """A frame over FRAME_MAX, read by the connection after one was refused: kept aside (its
        first megabyte, with its size) and the cursor moved past it when its time can be read."""
        cap.stats.received += 1
        cap.aside(msg, f"a frame of {len(msg):,} bytes, over the {FRAME_MAX >> 20} MiB a Jetstream event is read up to")
        try:
            t = orjson.loads(msg).get("time_us")
        except (orjson.JSONDecodeError, AttributeError):
            return
        if isinstance(t, int):
            self.advance(cap, t)

    def advance(self, cap: Capture, t: int) -> None:
        """Move the cursor to `t` when it is newer, but never into the future. One event whose
        time_us lay years ahead (a relay's clock set wrong, a hostile relay) became the cursor; the
        next reconnect asked for events after it, Jetstream live-tailed from there and replayed
        nothing, and the posts of the gap were lost with nothing said. Such an event is still
        written (ingest dates it); the cursor stays at the last event from the present, said once."""
        prev = cap.cursor.get("time_us")
        if isinstance(prev, int) and t <= prev:
            return
        now = time.time()
        if reached(t / 1e6, now):
            cap.cursor["time_us"] = t
        elif not self.future_said:
            self.future_said = True
            when, ahead = future_words(t / 1e6, now)
            cap.log(f"warning: Jetstream sent an event with time_us={t} ({when}), {ahead} in the future by this machine's clock: "
                    "it is kept, but the cursor a reconnect or restart resumes from does not move to it (nothing would be replayed "
                    "after it); this run says so once. Check the clock (date -u) if it is this machine's.")

    def replay_reached(self, cap: Capture, t: int) -> None:
        """Record a gap when the first event of a resumed connection (`t`) is far newer than the
        cursor it asked for (`asked`). Jetstream keeps about a day of events: a collector down
        longer resumed from the oldest one it had, and the posts between the cursor and that
        event were lost with nothing said, where an X stream's gaps reach `status` and the report."""
        if not reached(t / 1e6, time.time()):
            return  # an event from the future (`advance`) says nothing of how far back the replay reached
        asked, self.asked = self.asked, None
        if asked is None or t - asked <= REPLAY_GAP_S * 1e6:
            return
        frm = datetime.fromtimestamp(asked // 1_000_000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        to = datetime.fromtimestamp(-(-t // 1_000_000), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.gaps.append({"from": frm, "to": to, "why": "Jetstream's replay did not reach back to the cursor resumed from"
                          "; a relay keeps about a day of events"})
        cap.note_run("gaps", self.gaps)
        cap.log(f"gap: Jetstream's replay did not reach back to the cursor resumed from: the posts from {frm} to {to} were not "
                "received (recorded as a gap in the capture's manifest; `botwatch status` and the report say it)")

    def handle(self, cap: Capture, msg: str | bytes) -> None:
        """One frame: write it, drop it (duplicate, filtered, unsampled) or keep it aside."""
        cap.stats.received += 1
        obj = cap.parse_or_aside(msg)
        if obj is NOT_JSON:
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("did"), str) or not isinstance(obj.get("time_us"), int):
            cap.aside(msg, "not a Jetstream event (needs did and an integer time_us)")
            return
        if self.asked is not None:
            self.replay_reached(cap, obj["time_us"])
        kind = obj.get("kind")
        if kind not in KINDS:
            cap.aside(msg, f"unknown event kind {kind!r}", kind="unknown")
            return
        raw = msg.encode() if isinstance(msg, str) else msg
        t = obj["time_us"]
        key = event_key(obj)
        c = obj.get("commit")
        kept = False  # written, dropped or counted: the cursor may pass it (not when the folder refused the write)
        try:
            if kind == "commit" and isinstance(c, dict) and c.get("collection") in POST_COLLECTIONS:
                post_id = f"{obj['did']}/{c.get('rkey')}"
                if c.get("operation") == "create":
                    rec = c.get("record") if isinstance(c.get("record"), dict) else {}
                    if not cap.filter.empty and not cap.filter.match(rec.get("text"), _tags(rec)):
                        cap.stats.filtered += 1
                    elif cap.sampled(post_id):
                        if self.profiles is not None:
                            self.profiles.want(cap, obj["did"])  # before the write: the post that reaches --max-posts counts too
                        cap.post(key or post_id, raw)
                elif cap.filter.empty and cap.sampled(post_id):
                    cap.event(key, raw)  # deletes and updates of sampled posts
                else:
                    cap.stats.filtered += 1
            elif kind == "commit":
                cap.stats.other += 1  # likes, follows, … (only when no collection filter applies)
            elif cap.filter.empty and cap.sample_rate >= 1:
                cap.event(key, raw)  # identity and account changes (handles over time), in a full capture only
            else:
                cap.stats.other += 1
            kept = True
        except StopCapture:
            kept = True
            raise
        finally:
            if kept:
                self.advance(cap, t)
                cap.tick()

    async def __call__(self, cap: Capture) -> None:
        if self.profiles is None:
            await self._stream(cap)
            return
        self.profiles.load(cap)
        lookups = asyncio.create_task(self.profiles.run(cap))
        try:
            try:
                await self._stream(cap)
            except StopCapture:
                await self._ask_the_rest(cap, lookups)
                raise
        finally:
            lookups.cancel()
            try:
                await lookups
            except asyncio.CancelledError:
                pass
            self._leave_waiting(cap)

    def _leave_waiting(self, cap: Capture) -> None:
        """Save the accounts still waiting for the next run to ask, and count them. The count is
        set first: a save the folder refused (a full disk, no permission) left the summary with no
        word of them. That refusal is said here as a warning, not raised: raised from the run's
        `finally`, it would replace the error that ended the stream (a refused connection), and
        the capture's close, which syncs the same file, ends the run with an error anyway."""
        assert self.profiles is not None
        cap.stats.profiles_waiting = len(self.profiles.pending)
        try:
            self.profiles.save(cap)
        except CaptureWriteError as exc:
            lost = self.profiles.waiting_not_on_disk
            if not lost:
                return  # every account waiting is in the file already (only its compaction failed, or none waits)
            cap.stats.profiles_not_saved = lost
            cap.progress.clear()
            cap.log(waiting_not_saved(cap, exc.error))

    async def _ask_the_rest(self, cap: Capture, lookups: asyncio.Task[None]) -> None:
        """`--max-posts` reached: ask for the accounts still waiting before the run ends, for at
        most `DRAIN_S`. Why: the firehose reaches a few thousand posts in seconds, so at that end
        most kept accounts were still queued and the capture held few profiles until a second run
        (a `--duration` end or a Ctrl-C is a time the user chose: those stop at once, the
        accounts waiting saved for the next run)."""
        assert self.profiles is not None
        waiting = len(self.profiles.pending)
        if not waiting or lookups.done():
            return
        cap.progress.clear()
        cap.log(f"--max-posts reached: looking up the {waiting:,} Bluesky profile(s) still waiting (at most {DRAIN_S:.0f} s; Ctrl-C leaves them to the next run)")
        deadline = time.monotonic() + DRAIN_S
        while self.profiles.pending and not lookups.done() and time.monotonic() < deadline:
            self.profiles.hurry()
            await asyncio.sleep(0.05)

    async def _stream(self, cap: Capture) -> None:
        # reposts carry no text to match, so a filtered capture asks for posts only
        collections = POST_COLLECTIONS if cap.filter.empty else ("app.bsky.feed.post",)
        drop_future_cursor(cap, time.time())
        first = True
        while True:
            t = cap.cursor.get("time_us")
            cursor = max(0, t - self.rewind_us) if isinstance(t, int) else None
            url = subscribe_url(self.endpoint, cursor, collections)
            if not first:
                cap.stats.reconnects += 1
            first = False
            self.lived = 0.0
            self.asked = t if isinstance(t, int) else None
            try:
                await self._session(cap, url)
            except InvalidStatus as exc:
                code = exc.response.status_code
                if code in (401, 403):
                    raise CollectError(f"Jetstream refused the connection ({code}): check --endpoint {self.endpoint}", 3) from None
                wait = server_wait(code, dict(exc.response.headers))
                delay = with_jitter(wait) if wait is not None else self.net.next_delay()
                await cap.sleep(delay, f"Jetstream answered {code}", limited=code == 429)  # a 429 ends "wait", not "check the network"
                continue
            except InvalidURI as exc:
                raise CollectError(f"bad --endpoint: {exc}", 2) from None
            except (OSError, ConnectionClosed, InvalidHandshake, asyncio.TimeoutError, EOFError) as exc:
                why = f"Jetstream connection {'lost' if self.lived else 'failed'} ({type(exc).__name__}: {exc})"
                if refused_as_too_big(exc):
                    if self.max_size >= FRAME_MAX_ONCE:
                        raise CollectError(
                            f"Jetstream sent a frame over {FRAME_MAX_ONCE >> 20} MiB after cursor {cap.cursor.get('time_us')}: it cannot be read "
                            "or kept aside, and every reconnect would replay it; the posts kept so far are in the folder", 1) from None
                    self.max_size = FRAME_MAX_ONCE  # the next connection reads it, keeps it aside and moves past it
                    continue
            else:
                why = "Jetstream connection ended"
            self.max_size = FRAME_MAX
            if self.lived >= HEALTHY_AFTER_S:
                # A connection that lived dropped: come back at once (jittered), the ladder reset.
                # One that accepted and dropped at once keeps climbing it: no tight reconnect loop.
                # Scaled as every other wait (`--backoff-scale`): unscaled, it alone kept its quarter second.
                self.net.reset()
                await cap.sleep(self.net.scale * self.net.rng.uniform(0, 0.25))
            else:
                await cap.sleep(self.net.next_delay(), why)

    async def _session(self, cap: Capture, url: str) -> None:
        """One connection: read frames until it drops or stalls; `self.lived` says for how long."""
        first = 0.0
        async with websockets.connect(url, max_size=self.max_size, open_timeout=15, ping_interval=20, ping_timeout=20,
                                      close_timeout=self.close_timeout) as ws:
            cap.connected = True
            last = time.monotonic()
            refused: list[CaptureWriteError] = []  # the folder refused the watchdog's sync: the session ends with it

            async def watchdog() -> None:
                while True:
                    await asyncio.sleep(min(1.0, self.stall_s / 4))
                    try:
                        cap.tick()
                    except CaptureWriteError as exc:
                        refused.append(exc)
                        ws.transport.abort()
                        return
                    if time.monotonic() - last > self.stall_s:
                        ws.transport.abort()  # a stalled peer gets no close handshake
                        return

            dog = asyncio.create_task(watchdog())
            try:
                async for msg in ws:
                    last = time.monotonic()
                    first = first or last
                    self.lived = last - first
                    if len(msg) > FRAME_MAX:
                        self.oversized(cap, msg)
                    else:
                        self.handle(cap, msg)
            except (asyncio.CancelledError, StopCapture):
                await asyncio.shield(ws.close(1000, "collector stopping"))  # a clean goodbye, not 1011
                raise
            finally:
                dog.cancel()
                if refused:
                    raise refused[0]
