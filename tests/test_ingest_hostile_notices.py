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
        cap, code, lines = collect(folder, jet, srv.url, duration=4.0)
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
