"""`collect x --base-url https://api.x.com/2` asks for /2/2/tweets/...: X answers 404 every time,
which was retried for ever ("answered 404; retrying in 3 s", line after line, with no end unless
--duration was given). A 404 before anything was ever answered is the address: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


@pytest.mark.parametrize("how", [["--search", "#GE2017"], ["--stream", "--hashtag", "GE2017"]])
def test_a_base_url_with_a_path_ends_at_the_first_404(tmp_path: Path, how: list[str]) -> None:
    from botwatch.cli import app

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(404, b'{"title":"Not Found Error","detail":"Sorry, that page does not exist.","status":404}')

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "c"), *how, "--base-url", srv.url + "/2", "--duration", "5s",
                                       "--no-progress", "--backoff-scale", "0.01"], env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
        assert len(srv.requests) == 1
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert "X answered 404 (no such path) to /2/2/tweets/search/" in said and "Check --base-url" in said
