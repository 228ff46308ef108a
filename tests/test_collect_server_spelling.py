"""One Mastodon server, however its address is typed, is one capture: `--server` is normalised
(scheme and host lower-cased, a default port and a trailing slash dropped) before it names the
stream, so a second spelling resumes the first one's state instead of starting another."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from botwatch.collect.mastodon import server_address
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


@pytest.mark.parametrize(("typed", "normal"), [
    ("https://mastodon.social", "https://mastodon.social"),  # already normal: unchanged, so its stream name is too
    ("https://Mastodon.Social/", "https://mastodon.social"),
    ("HTTPS://mastodon.social:443", "https://mastodon.social"),
    (" https://mastodon.social/ ", "https://mastodon.social"),
    ("http://mastodon.social:80/", "http://mastodon.social"),
    ("http://mastodon.social:443", "http://mastodon.social:443"),  # not the default port of http: kept
    ("https://Example.ORG:8443/Social/", "https://example.org:8443/Social"),  # a path is the server's own: kept as typed
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("http://[FE80::1]:80/", "http://[fe80::1]"),
])
def test_a_server_address_is_normalised(typed: str, normal: str) -> None:
    assert server_address(typed) == normal


def _status(i: int) -> dict:
    return {"id": str(100 + i), "uri": f"https://fake.social/users/u/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": "<p>#GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"}}


def test_two_spellings_of_one_server_resume_one_capture(tmp_path: Path) -> None:
    """`--server http://LOCALHOST:P/` named the stream `mastodon-LOCALHOST_P`: a second state file
    beside `mastodon-localhost_P`'s, so the run did not resume, and the gap was not paged."""
    from botwatch.cli import app

    statuses = [_status(i) for i in range(6)]
    live = {"upto": 3}

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif req.path.startswith("/api/v1/timelines/tag/"):
            after = int(req.query["min_id"])
            await w.respond(200, orjson.dumps([s for s in statuses[: live["upto"]] if int(s["id"]) > after][::-1]))
        else:
            await w.start_stream("text/event-stream")
            if live["upto"] == 3:
                for s in statuses[:3]:
                    await w.chunk(f"event: update\ndata: {orjson.dumps(s).decode()}\n\n".encode())
            await asyncio.sleep(30)

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        port = srv.port
        for server in (f"http://localhost:{port}", f"HTTP://LocalHost:{port}/"):
            res = CliRunner().invoke(app, ["collect", "mastodon", str(folder), "--server", server, "--hashtag", "GE2017", "--max-posts", "3",
                                           "--backoff-scale", "0.01", "--duration", "5s", "--no-progress"])
            assert res.exit_code == 0, res.output
            live["upto"] = 6  # 3..5 posted while no collector ran
        asked = [r.query.get("min_id") for _, r in srv.requests if "timelines" in r.path]
    assert sorted(p.name for p in (folder / ".botwatch").glob("*.state.json")) == [f"mastodon-localhost_{port}.state.json"]
    assert asked == ["102"]  # the second run resumed from the first run's newest status
