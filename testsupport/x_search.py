"""A fake X recent search on 127.0.0.1 and a collector clock that can be moved days ahead, for the
`collect x --search` tests of positions, gaps and reach (tests/test_collect_x_search_*.py and
test_collect_x_recent_reach.py): one copy of what each of them wrote out or imported from another
test file. Only the loopback fake is spoken to; nothing reaches X."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from testsupport.collect_fakes import HttpRequest, HttpWriter

EPOCH_MS = 1288834974657  # X ids carry milliseconds since this, shifted 22 bits left
ENV = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
REFUSED = b'{"title":"Invalid Request","detail":"One or more parameters to your request was invalid."}'


def id_at(t: datetime) -> str:
    """An X id carrying the time `t`."""
    return str((int(t.timestamp() * 1000) - EPOCH_MS) << 22)


def id_time(tweet_id: str) -> datetime:
    """The time an X id carries."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + EPOCH_MS) / 1000, timezone.utc)


def when(text: str) -> datetime:
    """A time as the manifest, the state or a request writes it ("Z" for UTC)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Clock:
    """How far the collector's clock runs ahead of this machine's (a re-run days later)."""

    shift = timedelta(0)


def shifted_clock(monkeypatch: pytest.MonkeyPatch) -> type[Clock]:
    """The collector's clock (`botwatch.collect.x.datetime.now`) made `Clock.shift` ahead of this
    machine's: 0 now, set by the test to re-run a capture days later, 0 again after the test
    (`monkeypatch` restores both). The `x_clock` fixture of tests/conftest.py."""
    import botwatch.collect.x as xm

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return datetime.now(tz) + Clock.shift

    monkeypatch.setattr(Clock, "shift", timedelta(0))
    monkeypatch.setattr(xm, "datetime", Later)
    return Clock


def beyond_reach(q: dict[str, str]) -> bool:
    """Whether a request asks from more than 7 days back by the shifted clock (X refuses it: 400)."""
    reach = datetime.now(timezone.utc) + Clock.shift - timedelta(days=7)
    return "since_id" in q and id_time(q["since_id"]) < reach or "start_time" in q and when(q["start_time"]) < reach


def recent_server(tweets: list[dict[str, str]], asked: list[tuple[str, dict[str, str]]]):  # type: ignore[no-untyped-def]
    """Recent search over the last 7 days of the shifted clock, one page; no full-archive access (403)."""

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append((req.path, q))
        if req.path.endswith("/search/all"):
            await w.respond(403, b'{"title":"Forbidden","detail":"You are not permitted to use this endpoint."}')
            return
        if beyond_reach(q) or "next_token" in q:
            await w.respond(400, REFUSED)
            return
        page = [t for t in tweets if ("since_id" not in q or int(t["id"]) > int(q["since_id"]))
                and ("start_time" not in q or id_time(t["id"]) >= when(q["start_time"]))]
        meta = {"result_count": len(page), **({"newest_id": page[0]["id"]} if page else {})}
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    return route


def paged_server(pages: dict[str, list[dict[str, str]]], asked: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """Recent search over the shifted clock's last 7 days, paged: `pages[token]` ("" the first page),
    each page pointing to the next by its position in `pages`."""
    order = list(pages)

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append(q)
        if beyond_reach(q):
            await w.respond(400, REFUSED)
            return
        token = q.get("next_token", "")
        page = [t for t in pages[token] if "start_time" not in q or id_time(t["id"]) >= when(q["start_time"])]
        i = order.index(token)
        meta: dict[str, object] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if i + 1 < len(order):
            meta["next_token"] = order[i + 1]
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    return route


def search_args(folder: Path, url: str, since: str) -> list[str]:
    """`collect x --search` of one query from `since`, against the fake at `url`."""
    return ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--base-url", url, "--duration", "5s", "--no-progress"]


def interrupted_beyond_reach(tmp_path: Path) -> tuple[Path, datetime, datetime, datetime]:
    """A capture folder whose saved `#GE2017` search was interrupted mid-sweep with its window
    (10 to 8 days ago) now beyond recent search's reach: its state keeps a `next_token` and the
    position it had reached (9 days ago). (folder, since, until, position reached)."""
    from botwatch.collect.x import search_stream_name, since_spelling

    now = datetime.now(timezone.utc).replace(microsecond=0)
    since, until, lower = now - timedelta(days=10), now - timedelta(days=8), now - timedelta(days=9)
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    (folder / ".botwatch" / f"{stream}.state.json").write_bytes(orjson.dumps(
        {"search_endpoint": "recent", "cursor": {"next_token": "T", "newest_id": id_at(lower), "sweep_since_id": id_at(lower)}}))
    return folder, since, until, lower
