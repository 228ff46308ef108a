"""Mastodon: hashtag (or public) streams over Server-Sent Events, with REST paging to fill gaps.

Each hashtag gets its own SSE stream (`/api/v1/streaming/hashtag?tag=`). Every time a stream
(re)opens, the REST timeline is paged forward from the newest status id already seen for that tag
(`min_id`), so what was posted while the collector was away is fetched; overlap between the page
and the stream is dropped by status URI (also the post id at ingest, so a status carrying two
watched tags is stored once). Statuses are written as the server sent them: the `data` of an
`update` event, or one element of a REST page. A `status.update` (an edit) and a `delete` are
written as the WebSocket API sends them, `{"stream": [...], "event": ..., "payload": ...}`, the
envelope ingest reads (`ingest.mastodon_stream`): an SSE event carries no such envelope, and the
bare edited status would read as the post itself, its edit lost (both were counted, not written).
Without hashtags the public stream is read and keywords, if any, filter it client side.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import orjson

from botwatch.collect.core import NOT_JSON, Capture, CollectError, StopCapture, future_words, reached
from botwatch.collect.filters import AskedTags, asked_tags
from botwatch.collect.httpbase import (FAILED_REQUEST, MAX_RESPONSE, NETWORK_ERRORS, TooLarge, Waits, capped_lines, client, fetch, honour_quota, read_capped,
                                       refusal, wait_after, wait_after_failed)
from botwatch.accounts.json_shape import shown_handle
from botwatch.ingest.fields import record_json
from botwatch.ingest.other_platforms import _mentions, account_key, status_home, status_text

DEFAULT_SERVER = "https://mastodon.social"
KNOWN_EVENTS = {"update", "delete", "status.update", "notification", "filters_changed", "conversation", "announcement",
                "announcement.reaction", "announcement.delete", "encrypted_message", "notifications_merged"}
HINT = "Streaming may need an access token: set MASTODON_TOKEN (read scope) for this server."
# With a token given, a refusal is of that token: "may need a token" sent a user whose token had
# expired to set the variable already set.
TOKEN_HINT = ("The token in MASTODON_TOKEN was refused: it may have expired or been revoked, or lack the read scope; "
              "make a new one on this server (Preferences, Development) and set MASTODON_TOKEN to it.")


def server_address(url: str) -> str:
    """The server's address in one spelling: scheme and host lower-cased, a default port (443 for
    https, 80 for http), surrounding blanks and a trailing slash dropped, a path kept as typed.
    The address names the stream, so its state, its files and its dedupe: `https://Mastodon.Social`
    and `https://mastodon.social:443` kept captures apart from `https://mastodon.social`'s and
    did not resume it. An address already in this spelling comes back unchanged."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != {"https": 443, "http": 80}.get(parts.scheme):
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, parts.fragment))


def stream_name(server: str) -> str:
    """The capture's stream name for a server address in `server_address`'s spelling:
    `mastodon-<host>` (a port joined by `_`), and for a server under a path, that path in file-name
    characters and a short hash of it (two paths that read alike stay apart). Named by the host
    alone, `https://host/a` and `https://host/b` shared one state and one dedupe: the second
    resumed the first's cursor, asking its server for another server's status ids."""
    parts = urlsplit(server)
    name = "mastodon-" + parts.netloc.replace(":", "_")
    rest = urlunsplit(("", "", parts.path, parts.query, ""))
    if rest.strip("/"):
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", rest.strip("/"))[:40]
        name += f"-{slug}-{hashlib.sha1(rest.encode()).hexdigest()[:8]}"
    return name


def cursor_name(tag: str | None) -> str:
    """The name a stream's cursor is kept under: `public`, or `tag:` and the tag case-folded, as
    before, but with its ß kept. Why: Mastodon lower-cases a tag and drops its accents but keeps ß
    (its `HashtagNormalizer`; JavaScript's and Ruby's lower case keep it too), so #Straße and
    #Strasse are two streams; case-folded whole ("strasse") they shared one cursor, and each one's
    statuses moved the other's past what it had not read."""
    if tag is None:
        return "public"
    return "tag:" + "ß".join(part.casefold() for part in tag.replace("ẞ", "ß").split("ß"))


def hashtag_streams(hashtags: Iterable[str]) -> AskedTags:
    """The hashtag streams to read for the listed tags: each tag in every spelling of its umlauts
    and ß that analysis counts as the same tag (`filters.asked_tags`). A stream sends only its own
    tag as the server folds it (lower case, accents dropped: #Grüne's stream sends #Grune, never
    #Gruene), so a capture listing #Grüne missed every #Gruene. Spellings are told apart as a
    stream's cursor is keyed (`cursor_name`): the server keeps ß, so #Straße and #Strasse are two
    streams, and a listed tag without ß keeps the key (and the cursor) it had before."""
    return asked_tags(hashtags, cursor_name)


def status_key(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    uri = obj.get("uri")
    return uri if isinstance(uri, str) and uri else (str(obj["id"]) if obj.get("id") is not None else None)


def edit_key(status: dict[str, Any], key: str) -> str:
    """The dedupe key of one edit of a status: a status edited twice is two edits, and the same
    edit met again (a reconnect's overlap, a resumed capture) is one.

    An edit is told apart by its `edited_at`, the key's spelling unchanged since captures began (a
    resume primes its dedupe from the lines written, `keys_of`). Older servers and some forks send
    no `edited_at`: every edit of the status then had one key, and the second and later were
    dropped as duplicates. Those are told apart by what an edit changes (`edit_digest`)."""
    edited_at = status.get("edited_at")
    if edited_at is not None and edited_at != "":
        return f"edit {key} {edited_at}"
    return f"edit {key} ~{edit_digest(status)}"


def edit_digest(status: dict[str, Any]) -> str:
    """A short digest of what a Mastodon edit can change, as the edit endpoint's parameters name it
    (`PUT /api/v1/statuses/:id`, docs.joinmastodon.org/methods/statuses/#edit): the text, the
    content warning, the sensitive flag, the language, the media (which, their descriptions and
    focal points: `media_attributes[]`), the poll (its options, whether multiple choice, and its
    end: `poll[expires_in]` sets a new `expires_at`) and who may quote it (`quote_approval`, less
    `current_user`, which depends on who asks). Without the focal point, the poll's end and the
    quote policy, an edit changing only those was dropped as a replay of the edit before.
    Counts (favourites, replies, a poll's votes) and `expired` are left out: they move without an
    edit, and the same edit replayed later must give the same digest (`poll[hide_totals]` shows
    only as the votes hidden, so it is left out with them). Fields in the order listed here, their
    insides as the server wrote them. (An edit back to an earlier version's very words reads as
    that version: without `edited_at` nothing else tells them apart.)"""
    media = status.get("media_attachments")
    poll = _dict(status.get("poll"))
    options = poll.get("options")
    quote = _dict(status.get("quote_approval"))
    edited = {
        "content": status.get("content"),
        "spoiler_text": status.get("spoiler_text"),
        "sensitive": status.get("sensitive"),
        "language": status.get("language"),
        "media": [[m.get("id"), m.get("description")] for m in media if isinstance(m, dict)] if isinstance(media, list) else None,
        "poll": [poll.get("multiple"), [o.get("title") for o in options if isinstance(o, dict)] if isinstance(options, list) else None],
    }
    # Each only where the status has it: a status without them keeps the digest it had before.
    focus = [_dict(m.get("meta")).get("focus") for m in media if isinstance(m, dict)] if isinstance(media, list) else []
    if any(f is not None for f in focus):
        edited["focus"] = focus
    if poll.get("expires_at") is not None:
        edited["poll_ends"] = poll.get("expires_at")
    if quote:
        edited["quote_approval"] = [quote.get("automatic"), quote.get("manual")]
    return hashlib.sha1(record_json(edited)).hexdigest()[:12]  # `record_json`: a field nested deeper than orjson writes


def _dict(v: Any) -> dict[str, Any]:
    """`v` where it is an object, else {}: a server's field of another type is not a digest's failure."""
    return v if isinstance(v, dict) else {}


def delete_key(status_id: str) -> str:
    """The dedupe key of a delete notice: its status id is this server's, as are all the stream's."""
    return f"delete {status_id}"


def envelope(stream: str, event: str, payload: str) -> bytes:
    """An SSE event as the WebSocket API sends it, the one shape ingest reads edits and deletes in:
    `stream` is the cursor's name (`public`, `tag:<tag>`), written as the API names the stream."""
    names = ["public"] if stream == "public" else ["hashtag", stream.removeprefix("tag:")]
    return orjson.dumps({"stream": names, "event": event, "payload": payload})


def event_key(obj: dict[str, Any]) -> str | None:
    """The dedupe key of an edit or delete envelope written by `envelope`, or None."""
    payload = obj.get("payload")
    if obj.get("event") == "delete" and isinstance(payload, str):
        return delete_key(payload)
    if obj.get("event") == "status.update" and isinstance(payload, str):
        try:
            status = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
        key = status_key(status)
        return edit_key(status, key) if key else None
    return None


def keys_of(obj: Any) -> Iterable[str]:
    """The keys a written line is remembered by (priming the dedupe on resume): a status's URI, or
    an edit's or delete's own key, so a resumed stream writes neither twice."""
    k = event_key(obj) if isinstance(obj, dict) and "event" in obj else status_key(obj)
    return (k,) if k else ()


def _id_gt(a: str, b: str | None) -> bool:
    return b is None or (len(a), a) > (len(b), b)


def id_time(sid: str) -> float | None:
    """When a Mastodon status id was made, in seconds since 1970 (its milliseconds are the id
    shifted right 16 bits), or None for an id of another scheme (letters: another server's). Digits
    too many for any time (a hostile server's id of hundreds of them) are past every date (inf): the
    division raised OverflowError, which stopped a capture mid-run, and a state file holding such an
    id stopped every later run before it began."""
    if not (sid.isascii() and sid.isdigit()):
        return None
    try:
        return (int(sid) >> 16) / 1000
    except (OverflowError, ValueError):  # ValueError: past int()'s own limit on digits
        return math.inf


def drop_unusable_min_ids(cap: Capture, now: float) -> None:
    """Start a stream from now, and say so, when its saved `min_id` cannot be a status this server
    has reached: an id from the future (a state file edited by hand, a clock set wrong here or on
    the server) or no id at all. The REST timeline has nothing newer than a future id, and the
    stream's statuses, all older, never moved it: every later resume fetched nothing of the gap, in
    silence. A `min_id` that is not one id per stream, or an id that is not text, stopped the run
    as an unexpected error."""
    saved = cap.cursor.get("min_id")
    lost = "statuses posted while no collector ran are not fetched"
    if saved is None:
        return
    if not isinstance(saved, dict):
        cap.log(f"warning: the saved cursor min_id={repr(saved)[:60]} is not one status id per stream (a state file edited by hand): "
                f"every stream starts from now; {lost}.")
        cap.cursor.pop("min_id")
        return
    for stream, sid in list(saved.items()):
        t = id_time(sid) if isinstance(sid, str) else None
        if isinstance(sid, str) and sid and (t is None or reached(t, now)):
            continue
        if t is None:
            cap.log(f"warning: the saved cursor of stream {stream}, min_id={repr(sid)[:60]}, is no status id (a state file edited by hand): "
                    f"this stream starts from now; {lost}.")
        else:
            when, ahead = future_words(t, now)
            cap.log(f"warning: the saved cursor of stream {stream}, min_id={sid[:40]} ({when}), is {ahead} in the future by this machine's "
                    f"clock (a state file edited by hand, or a clock set wrong here or on the server): this stream starts from now; {lost}. "
                    "Check the clock (date -u) if it is this machine's.")
        del saved[stream]
    cap.stats.cursor = ""


class MastodonCollector:
    """Hashtag or public streams of one server into a `Capture`."""

    def __init__(self, server: str, token: str | None, hashtags: Iterable[str], *, stall_s: float = 90.0, backoff_scale: float = 1.0,
                 page_limit: int = 40, max_response: int = MAX_RESPONSE) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.hint = TOKEN_HINT if token else HINT  # what a 401 or 403 tells the user to do
        self.tags = [t.lstrip("#") for t in hashtags]
        self.stall_s = stall_s
        self.scale = backoff_scale
        self.page_limit = page_limit
        self.max_response = max_response  # bytes of one answer, or of one line of a stream
        self.stream_base = ""  # "" = the server itself; set from the instance API on start
        self.future_said = False  # a status id from the future, not taken as a cursor, was said this run

    def handle_status(self, cap: Capture, stream: str, raw: bytes, use_filter: bool) -> None:
        if cap.full:  # another stream wrote the last post: this status is neither counted nor passed by the cursor
            raise StopCapture
        cap.stats.received += 1
        found = self._status(cap, raw)
        if found is None:
            return
        obj, key = found
        sid = str(obj["id"]) if obj.get("id") is not None else None
        if sid and _id_gt(sid, cap.cursor.setdefault("min_id", {}).get(stream)):
            self.advance(cap, stream, sid)
        if self._filtered_out(cap, obj, use_filter):
            return
        if cap.sampled(key):
            cap.post(key, raw)
        cap.tick()

    def advance(self, cap: Capture, stream: str, sid: str) -> None:
        """Move the stream's cursor to the newer id `sid`, but never into the future. A server
        makes a remote status's id from the time its author's server claims, so one status dated
        years ahead (a server's clock set wrong, a hostile server) became the cursor: the REST
        timeline has nothing newer, and every later reconnect and restart fetched nothing of the
        gap, in silence. Such a status is still kept; the cursor stays put, said once a run."""
        t, now = id_time(sid), time.time()
        if t is None or reached(t, now):
            cap.cursor["min_id"][stream] = sid
        elif not self.future_said:
            self.future_said = True
            when, ahead = future_words(t, now)
            cap.log(f"warning: stream {stream} sent status id {sid[:40]} ({when}), {ahead} in the future by this machine's clock: "
                    "it is kept, but the cursor a reconnect or restart pages the timeline from does not move to it (nothing is newer); "
                    "this run says so once. Check the clock (date -u) if it is this machine's.")

    def handle_edit(self, cap: Capture, stream: str, data: str, use_filter: bool) -> None:
        """Keep a `status.update` (an edit) of a status in the sample, filtered as a new status is:
        ingest keeps it beside the post first stored. Dropped, a capture held no edit at all.
        Kept also once `cap.full` (another stream wrote the last of --max-posts), as deletes are:
        `--max-posts` counts posts only, edits and deletes of posts this run did not keep are kept
        before it too, and no resume fetches an event again (the REST backfill reads statuses), so
        one dropped here would be lost; a resume's replay of one is dropped by its key (`keys_of`)."""
        cap.stats.received += 1
        found = self._status(cap, data.encode())
        if found is None or self._filtered_out(cap, found[0], use_filter):
            return
        obj, key = found
        if cap.sampled(key):
            cap.event(edit_key(obj, key), envelope(stream, "status.update", data))
        cap.tick()

    def handle_delete(self, cap: Capture, stream: str, data: str, use_filter: bool) -> None:
        """Keep a `delete` notice (its data the status id on this server) where no keyword filter
        applies: the id alone cannot say whether the status deleted matched the keywords. (Nor
        whether it is in a `--sample`: a sampled capture keeps every notice, a few bytes each.)"""
        cap.stats.received += 1
        sid = data.strip()
        if not sid or len(sid) > 200 or any(c.isspace() for c in sid):
            cap.aside(f"event: delete\ndata: {data}", "delete event without a status id")
            return
        if use_filter and not cap.filter.empty:
            cap.stats.filtered += 1
            return
        cap.event(delete_key(sid), envelope(stream, "delete", sid))
        cap.tick()

    def _status(self, cap: Capture, raw: bytes) -> tuple[dict[str, Any], str] | None:
        """The status in `raw` and its key, or None once it is set aside as unreadable."""
        obj = cap.parse_or_aside(raw, "status")
        if obj is NOT_JSON:
            return None
        key = status_key(obj)
        if key is None or not isinstance(obj.get("account"), dict):
            cap.aside(raw, "not a Mastodon status (needs id and account)")
            return None
        return obj, key

    def _filtered_out(self, cap: Capture, obj: dict[str, Any], use_filter: bool) -> bool:
        """Whether the public stream's keyword filter drops this status (counted as filtered)."""
        if not use_filter or cap.filter.empty:
            return False
        content = obj.get("reblog") if isinstance(obj.get("reblog"), dict) else obj
        # its text as ingest reads it, content warning and body: a keyword in the warning alone
        # ("uspol", "UK politics") was no match, and the status was not kept
        text = status_text(content) if isinstance(content.get("content"), str) else ""
        tags = [t.get("name") for t in content.get("tags") or [] if isinstance(t, dict)]
        # A mention shows as "@name" in the text, never "@name@server": a listed Mastodon handle
        # is matched on the status's author and mentions, with their instance as ingest keeps them.
        author = content.get("account") if isinstance(content.get("account"), dict) else {}
        # Its instance as ingest keys it (`account_key`): a profile URL off the instance its status
        # names lent a sender's local "alice" a listed "alice@a.social".
        accounts = [shown_handle("mastodon", author.get("acct"), account_key(author, status_home(content))[0]), *_mentions(content.get("mentions"))]
        if cap.filter.match(text, tags, accounts):
            return False
        cap.stats.filtered += 1
        return True

    async def backfill(self, http: httpx.AsyncClient, cap: Capture, stream: str, path: str, waits: Waits, use_filter: bool) -> None:
        """Page the REST timeline forward from the newest id seen on this stream."""
        while True:
            since = (cap.cursor.get("min_id") or {}).get(stream)
            if since is None:
                return  # a stream seen for the first time starts from now
            try:
                r, body = await fetch(http, "GET", path, params={"min_id": since, "limit": str(self.page_limit)}, limit=self.max_response)
            except FAILED_REQUEST as exc:
                await wait_after_failed(cap, waits, exc)
                continue
            if r.status_code in (401, 403):
                raise refusal("Mastodon", r, body, self.hint)
            if r.status_code != 200:
                await wait_after(cap, waits, r)
                continue
            page = cap.parse_or_aside(body, "timeline page")
            if page is NOT_JSON:
                return
            if not isinstance(page, list) or not page:
                return
            ordered = sorted((s for s in page if isinstance(s, dict) and s.get("id") is not None), key=lambda s: (len(str(s["id"])), str(s["id"])))
            for s in ordered:  # `record_json`: one status nested deeper than orjson writes (it reads deeper) raised, ending the run
                self.handle_status(cap, stream, record_json(s), use_filter)
            if len(ordered) < len(page):
                cap.aside(body, "timeline page with entries that are not statuses")
            if not ordered:
                return
            if (cap.cursor.get("min_id") or {}).get(stream) == since:
                # Nothing newer than the cursor: a server (or a cache) that ignores min_id sends the
                # same page again, and asking on would loop without a pause, never reading the stream.
                return
            await honour_quota(cap, r)

    async def follow(self, http: httpx.AsyncClient, cap: Capture, tag: str | None) -> None:
        """One stream, forever: open, fill the gap, read; reconnect with backoff."""
        stream = cursor_name(tag)
        saved = cap.cursor.get("min_id")
        if tag is not None and isinstance(saved, dict) and stream not in saved and f"tag:{tag.casefold()}" in saved:
            # A capture begun before ß was kept in the key saved #Straße's cursor as "tag:strasse":
            # its stream resumes from there (so does #Strasse's, whose key that is now) rather than
            # from now, which left the time since the last run unread.
            saved[stream] = saved[f"tag:{tag.casefold()}"]
        spath, sparams = ("/api/v1/streaming/hashtag", {"tag": tag}) if tag else ("/api/v1/streaming/public", {})
        rpath = f"/api/v1/timelines/tag/{quote(tag, safe='')}" if tag else "/api/v1/timelines/public"
        use_filter = tag is None
        waits = Waits(self.scale)
        first = True
        while True:
            if not first:
                cap.stats.reconnects += 1
            first = False
            try:
                async with http.stream("GET", self.stream_base + spath, params=sparams, headers={"Accept": "text/event-stream"}) as r:
                    if r.status_code != 200:
                        body = await read_capped(r, self.max_response, head=True)
                        if r.status_code in (401, 403):
                            raise refusal("Mastodon", r, body, self.hint)
                        await wait_after(cap, waits, r)
                        continue
                    cap.connected = True
                    await self.backfill(http, cap, stream, rpath, waits, use_filter)
                    event, data, size = None, [], 0
                    opened = time.monotonic()
                    async for line in capped_lines(r, self.max_response):
                        waits.healthy(opened, time.monotonic())
                        if line == "":
                            if data:
                                self.dispatch(cap, stream, event, "\n".join(data), use_filter)
                            event, data, size = None, [], 0
                        elif line.startswith(":"):
                            cap.tick()  # heartbeat
                        else:
                            name, _, value = line.partition(":")
                            value = value[1:] if value.startswith(" ") else value
                            if name == "event":
                                event = value
                            elif name == "data":
                                data.append(value)
                                size += len(value)  # (summed anew at each line, many short lines cost their square)
                                if size > self.max_response:  # an event of endless data lines
                                    raise TooLarge(f"{spath} sent an event over {self.max_response / (1 << 20):g} MiB, the most botwatch "
                                                   "reads of one; dropped as a failed request")
            except FAILED_REQUEST as exc:
                await wait_after_failed(cap, waits, exc)
                continue
            await wait_after(cap, waits, None)

    def dispatch(self, cap: Capture, stream: str, event: str | None, data: str, use_filter: bool) -> None:
        if event == "update":
            self.handle_status(cap, stream, data.encode(), use_filter)
        elif event == "status.update":
            self.handle_edit(cap, stream, data, use_filter)
        elif event == "delete":
            self.handle_delete(cap, stream, data, use_filter)
        elif event in KNOWN_EVENTS:
            cap.stats.received += 1
            cap.stats.other += 1
        else:
            cap.stats.received += 1
            cap.aside(f"event: {event}\ndata: {data}", f"unknown event type {event!r}", kind="unknown")

    async def discover(self, http: httpx.AsyncClient) -> str:
        """The server's streaming base URL (Mastodon 4 may serve streaming from another host), or
        the server itself when the instance API does not say."""
        try:
            r, body = await fetch(http, "GET", "/api/v2/instance", timeout=15.0, limit=self.max_response)
            url = orjson.loads(body).get("configuration", {}).get("urls", {}).get("streaming") if r.status_code == 200 else None
        except (*NETWORK_ERRORS, TooLarge, ValueError, AttributeError):
            url = None
        if not isinstance(url, str) or not url.startswith(("wss://", "ws://", "https://", "http://")):
            return ""
        return url.replace("wss://", "https://", 1).replace("ws://", "http://", 1).rstrip("/")

    async def __call__(self, cap: Capture) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        drop_unusable_min_ids(cap, time.time())
        async with client(self.server, headers, self.stall_s) as http:
            self.stream_base = await self.discover(http)
            try:
                async with asyncio.TaskGroup() as tg:  # one stream failing for good ends them all
                    for t in self.tags or [None]:
                        tg.create_task(self.follow(http, cap, t))
            except BaseExceptionGroup as eg:
                first = next((e for e in eg.exceptions if isinstance(e, (CollectError, StopCapture))), eg.exceptions[0])
                raise first from None
