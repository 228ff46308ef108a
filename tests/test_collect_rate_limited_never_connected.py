"""A run whose every try was answered 429 (a rate limit) ended "never connected …; check the
address, the network and the server": the server was reached and said to wait, so that sent the
user to the wrong place. The closing line now says the server is rate-limiting and to wait for the
limit to lift; a server that fails otherwise keeps the old advice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from testsupport.x_search import ENV


@pytest.mark.parametrize(("status", "limited"), [(429, True), (503, False)])
def test_a_search_refused_by_rate_limits_only_says_to_wait_not_to_check_the_network(tmp_path: Path, status: int, limited: bool) -> None:
    from botwatch.cli import app

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(status, b'{"title":"Too Many Requests"}')

    since = (datetime.now(timezone.utc) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--search", "#GE2017", "--since", since, "--base-url", srv.url,
                                       "--duration", "2s", "--no-progress", "--backoff-scale", "0.001"], env=ENV)
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "Traceback" not in res.output, said
    assert f"the last try: /2/tweets/search/recent answered {status}" in said, said
    assert ("rate-limiting these requests (429): wait for its limit to lift" in said) is limited, said
    assert ("check the address, the network and the server" in said) is not limited, said
    assert "reconnects 0" not in said and "reconnects " in said, said  # each request asked again is counted


def test_a_jetstream_refused_by_rate_limits_also_says_to_wait(tmp_path: Path) -> None:
    """The docs say a run that never connected, its last try a 429, says the server is rate-limiting:
    Jetstream's 429 was said as any failure ("check the address, the network"), and with no window
    of X's or Mastodon's named, which are not Bluesky's."""
    from botwatch.cli import app
    from botwatch.collect.fake_jetstream import FakeJetstream

    with FakeJetstream([], script=[{"status": 429, "retry_after": 0}]) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", srv.url, "--duration", "2s", "--no-progress",
                                       "--backoff-scale", "0.001"])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "Traceback" not in res.output, said
    assert "the last try: Jetstream answered 429" in said and "rate-limiting these requests (429): wait for its limit to lift" in said, said
    assert "check the address" not in said and "X's windows" not in said, said
