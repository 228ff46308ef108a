"""`collect mastodon --keyword` (the public stream, filtered here): a status is matched on its
text as ingest reads it, content warning included. A keyword in the warning alone ("UK
politics", above a body that does not name it) was no match, and the status was not kept."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


def _status(i: int, cw: str, body: str) -> dict:
    acct = {"id": "1", "acct": "u1", "url": "https://fake.social/@u1", "username": "u1"}
    return {"id": str(100 + i), "uri": f"https://fake.social/users/u1/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "spoiler_text": cw, "content": body, "tags": [], "account": acct}


def test_a_keyword_in_the_content_warning_alone_keeps_the_status(tmp_path: Path) -> None:
    from botwatch.cli import app

    statuses = [_status(0, "UK politics", "<p>a long thread</p>"), _status(1, "", "<p>cats</p>"), _status(2, "uk politics", "")]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if "streaming" not in req.path:
            await w.respond(404 if req.path == "/api/v2/instance" else 200, b"[]" if req.path != "/api/v2/instance" else b"{}")
            return
        await w.start_stream("text/event-stream")
        for s in statuses:
            await w.chunk(f"event: update\ndata: {orjson.dumps(s).decode()}\n\n".encode())

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "mastodon", str(tmp_path / "cap"), "--server", srv.url, "--keyword", "uk politics",
                                       "--max-posts", "2", "--duration", "10s", "--no-progress", "--backoff-scale", "0.01"])
    assert res.exit_code == 0, res.output
    kept = [orjson.loads(line)["id"] for f in sorted((tmp_path / "cap").glob("*.jsonl.gz")) for line in read_lines(f)]
    assert kept == ["100", "102"]
