"""Bluesky profiles at collection: the accounts whose posts a capture kept, looked up once each.

Jetstream carries posts, not profiles: an account's creation date, follower, follow and post counts
reach a capture only through Bluesky's AppView. Without them the bot and origin models scored a
Bluesky account on its posts alone. So, beside the stream, the collector asks the public AppView
(`app.bsky.actor.getProfiles`, at most 25 accounts a request) for each account it kept a post of
and writes each profile view into the capture as a record ingest reads (`PROFILE_VIEW`).

- **Once per capture.** The accounts asked are listed in `.botwatch/<stream>.profiles` (one DID a
  line), appended only after their records are synced to disk; a restart reads the list and does
  not ask again. An account the AppView does not return (deleted, taken down) is listed too: it was
  asked. The accounts still waiting are kept in `.botwatch/<stream>.profiles-waiting` and asked by
  the next run: each account queued is appended (`did:…`) and each given up too (`-did:…`), synced
  before every state save, so the cursor never passes a post whose account is not on disk; those
  asked leave it through the ledger. Why not the state file: rewritten about once a second with the
  cursor, it carried the whole queue each time, up to 100,000 DIDs (about 4 MB a second through a
  long AppView outage). The file is rewritten whole (atomically) only at the start and end of a run
  and when it holds more than twice the lines the queue needs.
- **Never in the way.** The lookups run beside the stream: a 429 or 5xx is waited out on the
  collector's ladders (the server's `Retry-After` obeyed, up to the ladder's longest wait), a batch
  that fails `TRIES` times, is answered 429 `LIMIT_TRIES` times (or is refused) is counted as
  failed and dropped, and the post capture goes on whatever the AppView does.
- **Bounded.** An answer is read up to `MAX_ANSWER`; the queue holds at most `MAX_PENDING` accounts
  (more are counted as not asked, each account once however often it posts, said in the summary;
  past `MAX_PENDING` accounts turned away, each further turn-away is counted, none remembered).
  An account whose `did` is not of DID syntax is never queued; it is counted as "not a DID", once
  each up to `MAX_PENDING` such accounts (remembered by a 64-bit hash, not the string), so every
  account kept shows in some count.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import orjson

from botwatch.collect import state as st
from botwatch.collect.backoff import server_wait, with_jitter
from botwatch.collect.core import Capture, CaptureWriteError
from botwatch.collect.httpbase import FAILED_REQUEST, Waits, body_excerpt, client, fetch
from botwatch.collect.sampling import id_hash
from botwatch.ingest.fields import record_json
from botwatch.ingest.other_platforms import PROFILE_VIEW  # the `kind` of a profile record: one name for writer and reader

DEFAULT_APPVIEW = "https://public.api.bsky.app"
PATH = "/xrpc/app.bsky.actor.getProfiles"
BATCH = 25  # the most actors getProfiles takes in one request
TRIES = 3  # a batch failing this often (network, 5xx, an answer too large or unreadable) is dropped
# A batch refused with 429 this often is dropped too. Why 6: a rate limit lifts within its window
# (Bluesky's are minutes), so the first tries, 30 s to 8 min apart on the limit ladder or as long as
# `Retry-After` says (at most the ladder's 15 min), outlast one; a batch still refused after 5
# waits (up to about an hour) meets an outage or a ban, and waiting on longer only fills the queue.
LIMIT_TRIES = 6
MAX_ANSWER = 4 << 20  # 25 profile views are a few tens of kB
MAX_PENDING = 100_000
LINGER_S = 2.0  # how long a batch waits to fill before it is sent part-full
PENDING_KEY = "profiles_pending"  # where the state file of an older run kept the queue: read once, then dropped
# atproto's DID syntax (at most 2 KB): the ledger and the waiting file hold one DID a line, so a
# `did` a relay sent with a newline or a leading "-" in it must not reach them (nor a batch, which
# the AppView would refuse whole)
DID = re.compile(r"did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}")
COMPACT_MIN = 10_000  # the waiting file is rewritten whole once it holds more lines than this and twice the queue


def waiting_path(cap: Capture) -> Path:
    """The accounts waiting to be asked: appended as queued (`did:…`) and given up (`-did:…`)."""
    return st.meta_dir(cap.folder) / f"{cap.stream}.profiles-waiting"


def ledger_path(cap: Capture) -> Path:
    """The list of accounts this capture has asked about."""
    return st.meta_dir(cap.folder) / f"{cap.stream}.profiles"


def profile_record(view: dict[str, Any], observed_us: int, appview: str) -> bytes | None:
    """One capture line for a profile view (None when the view names no account). Written by
    `record_json`: a view nested deeper than orjson writes (it reads deeper) raised here, and that
    stopped every profile lookup of the run, each account still waiting given up, for one view."""
    did = view.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        return None
    return record_json({"did": did, "time_us": observed_us, "kind": PROFILE_VIEW, "appview": appview, "profile": view})


K = TypeVar("K")


class CountedOnce(Generic[K]):
    """Keys counted once each, however often met, with at most `bound` of them remembered: past
    that each further one met is only tallied (counted again if met again), so memory stays bounded
    through an outage of a full firehose. `len` is the keys remembered; `count` what the summary says.
    One rule for the accounts a full queue turned away and those whose `did` is not a DID."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._seen: set[K] = set()
        self._more = 0

    def __contains__(self, key: object) -> bool:
        return key in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    @property
    def count(self) -> int:
        return len(self._seen) + self._more

    def add(self, key: K) -> int:
        """Count `key` (once, if remembered); the count after it."""
        if key in self._seen or len(self._seen) < self.bound:
            self._seen.add(key)
        else:
            self._more += 1
        return self.count

    def discard(self, key: K) -> int:
        """No longer count `key` (it was met after all); the count after it."""
        self._seen.discard(key)
        return self.count


class ProfileLookups:
    """Looks up the profiles of the accounts `want` is given, in batches, once per capture."""

    def __init__(self, appview: str = DEFAULT_APPVIEW, *, backoff_scale: float = 1.0, linger_s: float = LINGER_S) -> None:
        self.appview = appview.rstrip("/")
        self.waits = Waits(backoff_scale)
        self.linger_s = linger_s
        self.asked: set[str] = set()
        self.pending: dict[str, None] = {}  # in the order queued
        self._unsaved: list[str] = []  # lines for the waiting file, written before the next state save
        self._saved_lines = 0  # lines in the waiting file
        # Turned away by a full queue this run, each counted once; at most MAX_PENDING remembered,
        # as the queue: past that a turn-away is only tallied (an account posting again is counted
        # again), or a long outage of a full firehose grew it by every account that posted.
        self.not_asked: CountedOnce[str] = CountedOnce(MAX_PENDING)
        # Accounts whose `did` is not of DID syntax (never queued: see `DID`), each counted once, so
        # the summary accounts for every account kept. Held as 64-bit hashes, not the strings (such
        # a `did` may be megabytes long), bounded as `not_asked`.
        self.not_did: CountedOnce[int] = CountedOnce(MAX_PENDING)
        self._wake = asyncio.Event()
        self.stopped_on = ""  # why the lookups stopped early (an unexpected error), said in a warning

    # -- the queue ------------------------------------------------------------------------------
    def load(self, cap: Capture) -> None:
        """Read the accounts asked before (the ledger) and those a stopped run left waiting."""
        try:
            with open(ledger_path(cap), encoding="utf-8") as fh:
                self.asked = {line.strip() for line in fh if line.strip()}
        except FileNotFoundError:
            self.asked = set()
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        left = cap.state.pop(PENDING_KEY, None)  # an older run's queue, from now on in the waiting file
        for did in [*(left if isinstance(left, (list, dict)) else ()), *_replay(waiting_path(cap))]:
            if isinstance(did, str) and DID.fullmatch(did):  # `want` counts the others as this run's posts' accounts
                self.want(cap, did)
        self._rewrite(cap)
        cap.before_state_save = lambda: self.flush(cap)

    def save(self, cap: Capture) -> None:
        """Leave the accounts still waiting, in as few lines as they take, for the next run to ask.
        Raises CaptureWriteError when the folder refuses; `waiting_not_on_disk` then says how many of
        the accounts waiting did not reach the file (none where only the compacting rewrite failed)."""
        self.flush(cap)
        self._rewrite(cap)

    def flush(self, cap: Capture) -> None:
        """Sync the accounts queued and given up since the last call (before the state, so the
        cursor never passes a post whose account is not on disk); nothing when nothing changed."""
        if not self._unsaved:
            return
        if self._saved_lines + len(self._unsaved) > max(COMPACT_MIN, 2 * len(self.pending)):
            self._rewrite(cap)
            return
        try:
            with open(waiting_path(cap), "a", encoding="utf-8") as fh:
                fh.write("".join(f"{line}\n" for line in self._unsaved))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self._saved_lines += len(self._unsaved)
        self._unsaved.clear()

    def _rewrite(self, cap: Capture) -> None:
        """Replace the waiting file with the queue, one line an account (none waiting: no file)."""
        path = waiting_path(cap)
        try:
            if not self.pending:
                path.unlink(missing_ok=True)
            else:
                st.write_text_atomic(path, "".join(f"{did}\n" for did in self.pending))
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self._saved_lines = len(self.pending)
        self._unsaved.clear()

    def want(self, cap: Capture, did: str) -> None:
        """Queue an account whose post was kept, unless it was asked or is queued already."""
        if not DID.fullmatch(did):
            self._count_not_did(cap, did)
            return
        if did in self.asked or did in self.pending:
            return
        if len(self.pending) >= MAX_PENDING:
            # a set, not a tally: an account posting again while the queue is full is one account
            cap.stats.profiles_not_asked = self.not_asked.add(did)
            return
        if did in self.not_asked:  # queued after all, once there was room: asked, so no longer "not asked"
            cap.stats.profiles_not_asked = self.not_asked.discard(did)
        self.pending[did] = None
        self._unsaved.append(did)
        if len(self.pending) >= BATCH:
            self._wake.set()

    def _count_not_did(self, cap: Capture, did: str) -> None:
        """Count an account whose `did` cannot be looked up, once however often it posts (up to the bound)."""
        cap.stats.profiles_not_did = self.not_did.add(id_hash(did))

    @property
    def waiting_not_on_disk(self) -> int:
        """How many accounts still waiting are not in the waiting file yet (queued since its last
        sync), which a failed `save` leaves unknown to the next run. Those synced before stay in
        the file (a failed compaction keeps the old one), an account asked since it was queued
        waits no longer, and an unsynced give-up only means the next run asks it again."""
        queued = {line for line in self._unsaved if not line.startswith("-")}
        return sum(1 for did in self.pending if did in queued)

    def hurry(self) -> None:
        """Send the next batch now, part-full if need be (the run is about to end)."""
        self._wake.set()

    # -- the loop -------------------------------------------------------------------------------
    async def run(self, cap: Capture) -> None:
        """Ask for queued accounts until cancelled; never raises but for a folder that refuses a write."""
        self._wake = asyncio.Event()  # of this run's event loop
        async with client(self.appview, {"Accept": "application/json"}, 30.0) as http:
            while True:
                if len(self.pending) < BATCH:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.linger_s)
                    except asyncio.TimeoutError:
                        pass
                if not self.pending:
                    continue
                batch = list(self.pending)[:BATCH]
                try:
                    await self._ask(cap, http, batch)
                except (asyncio.CancelledError, CaptureWriteError):
                    raise
                except Exception as exc:  # noqa: BLE001 - a lookup never ends the capture
                    self.stopped_on = f"{type(exc).__name__}: {exc}"
                    cap.stats.profile_failures += len(self.pending)
                    self._give_up(list(self.pending))
                    cap.log(f"warning: Bluesky profile lookups stopped on an unexpected {self.stopped_on}; the post capture goes on")
                    return

    async def _ask(self, cap: Capture, http: httpx.AsyncClient, batch: list[str]) -> None:
        """One batch: asked until answered, or dropped as failed after TRIES failures or LIMIT_TRIES 429s."""
        failures = limited = 0
        while True:
            why, delay = "", 0.0
            try:
                resp, body = await fetch(http, "GET", PATH, limit=MAX_ANSWER, params=[("actors", d) for d in batch])
            except FAILED_REQUEST as exc:
                why, delay = f"Bluesky profile lookup at {self.appview} failed ({type(exc).__name__}: {exc})", self.waits.net.next_delay()
            else:
                if resp.status_code == 200:
                    views = _views(body)
                    if views is not None:
                        self.waits.reset()
                        self._keep(cap, batch, views)
                        return
                    why, delay = f"{PATH} answered 200 with no list of profiles ({body_excerpt(body, 120)!r})", self.waits.http.next_delay()
                elif resp.status_code == 429 or resp.status_code >= 500:
                    told = server_wait(resp.status_code, resp.headers)
                    ladder = self.waits.limit if resp.status_code == 429 else self.waits.http
                    # the server's word obeyed, up to the ladder's longest wait: a Retry-After of
                    # days must not hold every lookup of the run on one batch
                    delay = min(with_jitter(told), ladder.cap * ladder.scale) if told is not None else ladder.next_delay()
                    why = f"Bluesky profile lookup: {PATH} answered {resp.status_code}"
                    if resp.status_code == 429:
                        limited += 1
                        if limited >= LIMIT_TRIES:
                            self._drop(cap, batch, f"{why} {LIMIT_TRIES} times")
                            return
                        await self._pause(cap, delay, why)
                        continue  # a rate limit is waited out (up to LIMIT_TRIES), not counted among the TRIES
                else:
                    self._drop(cap, batch, f"{PATH} answered {resp.status_code}: {body_excerpt(body, 200) or 'no detail'}")
                    return
            failures += 1
            if failures >= TRIES:
                self._drop(cap, batch, why)
                return
            await self._pause(cap, delay, why)

    async def _pause(self, cap: Capture, seconds: float, why: str) -> None:
        """Wait before asking again, saying why when the wait is long (not as the stream's last failure)."""
        if seconds >= 1:
            cap.progress.clear()
            cap.log(f"{why}; retrying in {seconds:,.1f} s (the post capture goes on)")
        await asyncio.sleep(seconds)

    def _drop(self, cap: Capture, batch: list[str], why: str) -> None:
        """Give a batch up: counted as failed and said; not listed as asked, so a later run may ask again."""
        self._give_up(batch)
        cap.stats.profile_failures += len(batch)
        cap.progress.clear()
        cap.log(f"warning: could not look up {len(batch)} Bluesky profile(s) ({why}); the post capture goes on without them")

    def _give_up(self, dids: list[str]) -> None:
        """Take accounts off the queue unasked (the waiting file says so at the next flush)."""
        for did in dids:
            if did in self.pending:
                del self.pending[did]
                self._unsaved.append(f"-{did}")

    def _keep(self, cap: Capture, batch: list[str], views: list[Any]) -> None:
        """Write the batch's profile records, sync them, then list the batch as asked."""
        now_us = int(time.time() * 1_000_000)
        wanted = set(batch)
        try:
            for view in views:
                line = profile_record(view, now_us, self.appview) if isinstance(view, dict) else None
                if line is None or view["did"] not in wanted:
                    continue  # an account not asked for is no answer to this batch
                wanted.discard(view["did"])
                cap.writer.write(line)
                cap.stats.profiles += 1
            cap.writer.sync()
            with open(ledger_path(cap), "a", encoding="utf-8") as fh:
                fh.write("".join(f"{did}\n" for did in batch))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        cap.stats.profiles_missing += len(wanted)
        for did in batch:
            self.pending.pop(did, None)
            self.asked.add(did)


def _replay(path: Path) -> list[str]:
    """The accounts a waiting file leaves queued, in the order queued (a line cut by a crash skipped)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [line.rstrip("\n") for line in fh if line.endswith("\n")]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CaptureWriteError(exc) from exc
    waiting: dict[str, None] = {}
    for line in lines:
        if line.startswith("-"):
            waiting.pop(line[1:], None)
        elif line.startswith("did:"):
            waiting[line] = None
    return list(waiting)


def _views(body: bytes) -> list[Any] | None:
    """The `profiles` list of a getProfiles answer, or None when the body is no such answer."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    views = obj.get("profiles") if isinstance(obj, dict) else None
    return views if isinstance(views, list) else None
