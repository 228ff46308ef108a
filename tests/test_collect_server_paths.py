"""Two Mastodon servers behind one host, told apart by their paths (`https://host/a` and
`https://host/b`), are two captures: the path is part of the stream's name, so one never resumes
the other's state, nor drops the other's statuses as already seen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


def _status(server: str, i: int) -> dict:
    return {"id": str(100 + i), "uri": f"https://host/{server}/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": "<p>#GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"}}


def test_two_servers_behind_one_host_keep_two_captures(tmp_path: Path) -> None:
    """Both were named `mastodon-127.0.0.1_P`: the second run resumed the first's cursor (its
    min_id asked of the other server) and wrote into the first's stream."""
    from botwatch.cli import app

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        server = req.path.split("/")[1]
        if req.path.endswith("/api/v2/instance"):
            await w.respond(404, b"{}")
        elif "/api/v1/timelines/tag/" in req.path:
            await w.respond(200, b"[]")
        else:
            await w.start_stream("text/event-stream")
            for i in range(3):
                await w.chunk(f"event: update\ndata: {orjson.dumps(_status(server, i)).decode()}\n\n".encode())
            await asyncio.sleep(30)

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        for path in ("a", "b"):
            res = CliRunner().invoke(app, ["collect", "mastodon", str(folder), "--server", f"{srv.url}/{path}", "--hashtag", "GE2017",
                                           "--max-posts", "3", "--backoff-scale", "0.01", "--duration", "5s", "--no-progress"])
            assert res.exit_code == 0, res.output
        paged = [r.path for _, r in srv.requests if "timelines" in r.path]
    states = sorted(p.name for p in (folder / ".botwatch").glob("*.state.json"))
    assert len(states) == 2, states
    assert paged == []  # each server's stream seen for the first time starts from now: no cursor of the other's
