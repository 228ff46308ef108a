"""Hostile records of the kinds added lately (stream notices, edits, backdated posts, Bluesky
profile views): one bad record is counted, located and kept aside, and the rest goes on.

Each test here is a crafted input that once failed more than its own record."""

from __future__ import annotations

from pathlib import Path

import orjson

from botwatch.collect import bsky_profiles as bp
from botwatch.ingest.other_platforms import handle_jetstream
from testsupport.collect_fakes import FakeHttp, FakeJetstream, HttpRequest, HttpWriter, jetstream_event
from tests.test_collect_bluesky_profiles import GONE, N, actors, collect, records, view

DEEP = 300  # deeper than orjson writes (254 levels), shallower than it reads (1,024)


class DeepAppView:
    """getProfiles answered as Bluesky would, except one account's view holds a field nested
    `DEEP` levels (an AppView, or a relay's record it passes on, is not ours to trust)."""

    def __init__(self, deep_did: str) -> None:
        self.deep_did = deep_did

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        views = [view(d) | ({"labels": "@DEEP@"} if d == self.deep_did else {}) for d in actors(req) if d != GONE]
        body = orjson.dumps({"profiles": views}).replace(b'"@DEEP@"', b"[" * DEEP + b"1" + b"]" * DEEP)
        await w.respond(200, body)


def test_a_profile_view_nested_deeper_than_orjson_writes_is_kept_and_the_lookups_go_on(tmp_path: Path) -> None:
    """Its `orjson.dumps` raised, which stopped every profile lookup of the run ("stopped on an
    unexpected JSONEncodeError") and gave up each account still waiting, for one account's view."""
    deep = "did:plc:fake0003"
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(DeepAppView(deep)) as srv:
        cap, code, lines = collect(folder, jet, srv.url)  # ends once every account is answered
    said = "\n".join(lines)
    assert code == 0 and "stopped on an unexpected" not in said, said
    profiles = {r["did"]: r for r in records(folder) if r["kind"] == bp.PROFILE_VIEW}
    assert len(profiles) == N - 1 and cap.stats.profile_failures == 0, said
    kept = profiles[deep]
    assert kept["profile"]["handle"] == "user3.bsky.social"  # the view is kept, its too-deep part said, not written

    rows: list[dict] = []

    class Sink:
        def account(self, row: dict, line: int) -> None:
            rows.append(row)

    handle_jetstream(kept, 1, Sink())  # and ingest reads it as any other view
    assert rows and rows[0]["handle"] == "user3.bsky.social" and rows[0]["followers"] == 13


def test_a_mastodon_timeline_status_nested_deeper_than_orjson_writes_costs_only_itself(tmp_path: Path) -> None:
    """The catch-up after a reconnect writes each status of a timeline page again; one nested
    deeper than orjson writes raised there and ended the whole run, the page's other statuses lost."""
    import asyncio
    import time

    from botwatch.collect import mastodon as md
    from botwatch.collect.core import Capture
    from botwatch.collect.run import run_capture

    base = int(time.time() * 1000) << 16
    statuses = [{"id": str(base + i), "uri": f"https://fake.social/users/u/statuses/{base + i}", "created_at": "2026-11-30T05:00:00.000Z",
                 "content": f"<p>status {i} #GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"},
                 **({"poll": "@DEEP@"} if i == 2 else {})} for i in range(1, 6)]
    page = orjson.dumps(statuses[::-1]).replace(b'"@DEEP@"', b"[" * DEEP + b"1" + b"]" * DEEP)

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif "timelines" in req.path:
            await w.respond(200, page if req.query.get("min_id") == str(base) else b"[]")
        else:
            await w.start_stream("text/event-stream")
            await asyncio.sleep(30)

    (tmp_path / ".botwatch").mkdir()
    (tmp_path / ".botwatch" / "mastodon-fake.state.json").write_bytes(orjson.dumps({"cursor": {"min_id": {"tag:ge2017": str(base)}}}))
    logs: list[str] = []
    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=5)
        ended = asyncio.run(run_capture(cap, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01), duration=4.0,
                                        log=logs.append, install_signals=False))
    said = "\n".join(logs)
    assert ended == 0 and "Traceback" not in said and "unexpected" not in said, said
    assert cap.stats.kept == 5, said


def test_an_x_search_page_with_a_tweet_nested_deeper_than_orjson_writes_keeps_the_others(tmp_path: Path) -> None:
    """A search page is written again when some of its tweets were seen before (or one has no id,
    which is kept aside): a tweet nested deeper than orjson writes raised there, and the page,
    the others with it, was lost to an unexpected error that ended the run."""
    from botwatch.collect import x
    from botwatch.collect.core import Capture

    tweets = [{"id": str(1000 + i), "text": f"t{i}", **({"geo": "@DEEP@"} if i == 1 else {})} for i in range(3)]
    tweets.append({"text": "no id", "geo": "@DEEP@"})
    raw = orjson.dumps({"data": tweets, "meta": {}}).replace(b'"@DEEP@"', b"[" * DEEP + b"1" + b"]" * DEEP)
    cap = Capture(tmp_path, "x", "x-search", keys_of=x.keys_of).open()
    try:
        cap.first_time("1000")  # seen before: the page is written without it
        out, n, cut = x.XSearch("http://127.0.0.1:9", "t", "q").new_tweets(cap, orjson.loads(raw), raw)
    finally:
        cap.close()
    assert (n, cut) == (2, False) and [t["id"] for t in orjson.loads(out)["data"]] == ["1001", "1002"]
    assert (tmp_path / ".botwatch" / "malformed-x-search.jsonl").read_text().count("\n") == 1  # the tweet without an id, kept aside
