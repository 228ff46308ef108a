"""`collect x --search ""` is refused up front, before anything is written or sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_an_empty_search_query_is_a_usage_error_before_anything_is_written(tmp_path: Path, query: str) -> None:
    """It was sent to X, refused there (exit 2 with X's "Invalid query"), after the capture
    folder, its manifest and a run record were written."""
    from botwatch.cli import app

    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        asked.append(req.target)
        await w.respond(400, b'{"errors":[{"message":"Invalid query"}]}')

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", query, "--base-url", srv.url, "--duration", "3s", "--no-progress"],
                                 env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert "--search is empty" in res.output and res.output.count("error:") == 1, res.output
    assert not asked and not folder.exists()
