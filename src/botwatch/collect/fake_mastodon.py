"""A fake Mastodon server on 127.0.0.1, to try `botwatch collect mastodon` without the network.

    python -m botwatch.collect.fake_mastodon --port 8766

prints the server address and the command to point at it, then serves made-up statuses until
Ctrl-C. What it serves is fixed by `--seed`: a timeline of statuses by a few dozen made-up
accounts (on *.example domains), each tagged with one or two election hashtags of the uk-ge2017
preset, among them edits (`status.update`) and deletes of earlier statuses. The timeline runs on a
clock started with the server, `--rate` events a second, as a real server's does: the streaming API
(`/api/v1/streaming/hashtag?tag=`, `/public`, over Server-Sent Events) sends what is posted from
the moment a stream opens, and the REST timelines (`/api/v1/timelines/tag/<tag>`, `/public`, paged
by `min_id`) give what was posted before, its latest text, deleted statuses left out; so a stopped
and restarted collector fills its gap as it does against a real server. The instance API
(`/api/v2/instance`, `/api/v1/instance`) names this server as its streaming host. It binds the
loopback address only. The tests start `FakeMastodon` in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import orjson

from botwatch.collect.fake_http import FakeHttp, HttpRequest, HttpWriter
from botwatch.collect.fake_jetstream import FAKE_EPOCH_US, serve_until_ctrl_c

DOMAIN = "fake-mastodon.example"  # the instance's own name: its local accounts' profile URLs and status URIs
_REMOTE = ("town.example", "polls.example", "newsroom.example")
# Election hashtags of the uk-ge2017 preset, so `--election uk-ge2017` streams them too.
HASHTAGS = ("GE2017", "VoteLabour", "VoteConservative", "VoteLibDem", "VoteGreen")
_WORDS = ("quiet", "amber", "north", "paper", "river", "copper", "little", "stone", "velvet", "lantern", "maple", "harbour")
_NOUNS = ("heron", "fox", "kettle", "owl", "badger", "wren", "otter", "teapot", "finch", "lark", "hedgehog", "moth")
_SAYINGS = ("Polling stations open at 7am, remember your polling card", "Just watched the debate, not convinced by anyone",
            "Leaflet number six through the door this week", "Who is standing in our constituency? Found the list",
            "Registered to vote today, took two minutes", "The manifesto costings do not add up",
            "Canvassers knocked while I was cooking dinner", "Turnout will decide this one", "Postal vote sent off this morning")
_CAMPAIGN = "Everyone I know is switching their vote this time. Share before they delete it!"  # the bot accounts' refrain
_STEP_MS = 250  # fake time between two events of the timeline (its ids and dates; not the serving rate)
_HEARTBEAT_S = 10.0  # a comment line on an idle stream, as Mastodon's streaming server sends


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _accounts(rng: random.Random, n: int = 36) -> list[dict[str, Any]]:
    """`n` made-up accounts, most local to `DOMAIN`; the last four are automated (`bot`) and new."""
    out = []
    for k in range(n):
        name = f"{_WORDS[k % len(_WORDS)]}_{_NOUNS[(k * 5) % len(_NOUNS)]}{k}"
        domain = DOMAIN if k % 4 else _REMOTE[k % len(_REMOTE)]
        bot = k >= n - 4
        age_days = rng.randint(2, 30) if bot else rng.randint(200, 900)
        out.append({"id": str(1000 + k), "username": name, "acct": name if domain == DOMAIN else f"{name}@{domain}",
                    "display_name": name.replace("_", " ").title(), "url": f"https://{domain}/@{name}",
                    "uri": f"https://{domain}/users/{name}", "created_at": _iso(FAKE_EPOCH_US // 1000 - age_days * 86_400_000),
                    "note": "<p>Made-up account of a fake server.</p>", "bot": bot, "locked": False,
                    "followers_count": rng.randint(0, 20) if bot else rng.randint(10, 3000), "following_count": rng.randint(0, 900),
                    "statuses_count": rng.randint(50, 5000), "avatar": f"https://{DOMAIN}/avatars/original/missing.png", "fields": [], "emojis": []})
    return out


def _status(i: int, acct: dict[str, Any], tags: list[str], text: str) -> dict[str, Any]:
    """Status of timeline event `i`: its id a Mastodon id of its time (milliseconds << 16)."""
    ms = FAKE_EPOCH_US // 1000 + i * _STEP_MS
    sid = str((ms << 16) + i % 65536)
    links = " ".join(f'<a href="https://{DOMAIN}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}</span></a>' for t in tags)
    return {"id": sid, "uri": f"{acct['uri']}/statuses/{sid}", "url": f"{acct['url']}/{sid}", "created_at": _iso(ms), "edited_at": None,
            "content": f"<p>{text} {links}</p>", "spoiler_text": "", "sensitive": False, "visibility": "public", "language": "en",
            "account": acct, "tags": [{"name": t.lower(), "url": f"https://{DOMAIN}/tags/{t}"} for t in tags], "mentions": [],
            "media_attachments": [], "emojis": [], "reblog": None, "in_reply_to_id": None, "in_reply_to_account_id": None,
            "application": {"name": "Web"}, "card": None, "poll": None, "replies_count": 0, "reblogs_count": 0, "favourites_count": 0}


def timeline(n: int, seed: int = 2017) -> list[tuple[str, dict[str, Any] | str]]:
    """`n` events, the same for a seed: ("update", status), ("status.update", the status edited) or
    ("delete", a status id), an edit or a delete of one of the last 50 statuses still there."""
    rng = random.Random(seed)
    accounts = _accounts(rng)
    events: list[tuple[str, dict[str, Any] | str]] = []
    live: list[dict[str, Any]] = []
    for i in range(n):
        r = rng.random()
        j = rng.randrange(max(0, len(live) - 50), len(live)) if live else -1
        if live and r < 0.06:
            old = live[j]
            live[j] = {**old, "edited_at": _iso(FAKE_EPOCH_US // 1000 + i * _STEP_MS), "content": old["content"].replace("<p>", "<p>(edited) ", 1)}
            events.append(("status.update", live[j]))
        elif live and r < 0.09:
            events.append(("delete", live.pop(j)["id"]))
        else:
            acct = rng.choice(accounts)
            tags = rng.sample(HASHTAGS, rng.choice((1, 1, 2)))
            status = _status(i, acct, tags, _CAMPAIGN if acct["bot"] else rng.choice(_SAYINGS))
            live.append(status)
            events.append(("update", status))
    return events


class FakeMastodon(FakeHttp):
    """A Mastodon server whose timeline (`timeline(posts, seed)`) is posted at `rate` events a
    second from `start()`: streams send what is posted while they are open, REST pages what was."""

    def __init__(self, posts: int = 10_000, rate: float = 20.0, seed: int = 2017, port: int = 0) -> None:
        super().__init__(self._route, port)
        self.rate = rate
        self.events = timeline(posts, seed)
        self.frames = [f"event: {e}\ndata: {d if isinstance(d, str) else orjson.dumps(d).decode()}\n\n".encode() for e, d in self.events]
        tags_of = {d["id"]: {t["name"] for t in d["tags"]} for e, d in self.events if e == "update" and isinstance(d, dict)}
        self.tags = [tags_of[d] if isinstance(d, str) else {t["name"] for t in d["tags"]} for _, d in self.events]
        self.t0 = 0.0

    def start(self) -> "FakeMastodon":
        self.t0 = time.monotonic()
        super().start()
        return self

    def posted(self) -> int:
        """How many events of the timeline have happened by now."""
        return min(len(self.events), int((time.monotonic() - self.t0) * self.rate))

    async def _route(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        """Answer what `collect mastodon` asks (every request alike, whatever its number `n`); 404 else."""
        path = req.path.rstrip("/")
        if req.method != "GET":
            await w.respond(405, b'{"error":"This fake server only answers GET"}')
        elif path in ("/api/v2/instance", "/api/v1/instance"):
            streaming = f"ws://127.0.0.1:{self.port}"
            urls = {"streaming": streaming} if path.endswith("v2/instance") else {"streaming_api": streaming}
            await w.respond(200, orjson.dumps({"domain": DOMAIN, "uri": DOMAIN, "title": "Fake Mastodon (made-up statuses)", "version": "4.3.0",
                                               "description": "A fake server for trying botwatch collect mastodon.",
                                               "configuration": {"urls": urls}, "urls": urls}))
        elif path == "/api/v1/streaming/hashtag" and req.query.get("tag"):
            await self._stream(w, req.query["tag"].casefold())
        elif path == "/api/v1/streaming/public":
            await self._stream(w, None)
        elif path.startswith("/api/v1/timelines/tag/") and len(path) > len("/api/v1/timelines/tag/"):
            await w.respond(200, orjson.dumps(self._page(unquote(path.rsplit("/", 1)[1]).casefold(), req.query)))
        elif path == "/api/v1/timelines/public":
            await w.respond(200, orjson.dumps(self._page(None, req.query)))
        else:
            await w.respond(404, b'{"error":"Record not found"}')

    def _page(self, tag: str | None, query: dict[str, str]) -> list[dict[str, Any]]:
        """A REST timeline page as Mastodon gives it: statuses posted so far (latest text, deleted
        ones left out), newest first; with `min_id` the `limit` just after it, else the newest."""
        current: dict[str, dict[str, Any]] = {}
        for i in range(self.posted()):
            _, data = self.events[i]
            if tag is None or tag in self.tags[i]:
                if isinstance(data, str):
                    current.pop(data, None)
                else:
                    current[data["id"]] = data
        limit = int(query["limit"]) if query.get("limit", "").isdigit() else 20
        limit = max(1, min(limit, 40))
        ids = [sid for sid in current if all(_newer(sid, query.get(k)) for k in ("min_id", "since_id"))
               and (not query.get("max_id", "").isdigit() or _newer(query["max_id"], sid))]
        ids = ids[:limit] if query.get("min_id", "").isdigit() else ids[-limit:]
        return [current[sid] for sid in reversed(ids)]

    async def _stream(self, w: HttpWriter, tag: str | None) -> None:
        """Send each event of the timeline on this stream as it happens, a heartbeat when idle,
        until the collector goes away (or the server stops)."""
        await w.start_stream("text/event-stream")
        await w.chunk(b":)\n\n")
        i = self.posted()
        beat = time.monotonic() + _HEARTBEAT_S
        while True:
            due = self.t0 + i / self.rate if i < len(self.events) else float("inf")
            now = time.monotonic()
            if now >= due:
                if tag is None or tag in self.tags[i]:
                    await w.chunk(self.frames[i])
                i += 1
            elif now >= beat:
                await w.chunk(b":thump\n\n")
                beat = now + _HEARTBEAT_S
            else:
                await asyncio.sleep(min(due, beat) - now)


def _newer(sid: str, than: str | None) -> bool:
    """Whether status id `sid` is newer than `than` (no such bound, or one not a number: True)."""
    return than is None or not than.isdigit() or (len(sid), sid) > (len(than), than)


def main(argv: list[str] | None = None) -> int:
    """`python -m botwatch.collect.fake_mastodon`: serve made-up statuses until Ctrl-C (exit 130)."""
    ap = argparse.ArgumentParser(prog="python -m botwatch.collect.fake_mastodon",
                                 description="A fake Mastodon server on 127.0.0.1 to try `botwatch collect mastodon` against.")
    ap.add_argument("--port", type=int, default=8766, help="port on 127.0.0.1 (0: any free one); default 8766")
    ap.add_argument("--posts", type=int, default=10_000, help="timeline events to serve (statuses, edits, deletes); default 10000")
    ap.add_argument("--rate", type=float, default=20.0, help="events per second, from the server's start; default 20")
    ap.add_argument("--seed", type=int, default=2017, help="what is served: the same seed, the same timeline; default 2017")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535 or args.posts <= 0 or args.rate <= 0:
        print("error: --port must be 0-65535, --posts and --rate positive", file=sys.stderr)
        return 2
    srv = FakeMastodon(args.posts, args.rate, args.seed, port=args.port)
    tags = " ".join(f"#{t}" for t in HASHTAGS)
    return serve_until_ctrl_c(srv, "fake Mastodon", args.port, lambda url: [
        f"fake Mastodon at {url} ({args.posts:,} made-up events on {tags}, {args.rate:g}/s; Ctrl-C stops it)",
        f"try: botwatch collect mastodon trial-capture/ --server {url} --hashtag GE2017 --hashtag VoteLabour --max-posts 100"])

if __name__ == "__main__":
    sys.exit(main())
