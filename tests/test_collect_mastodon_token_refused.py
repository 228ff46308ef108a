"""`collect mastodon` against a server that refuses its token (401): the line said "Streaming may
need an access token: set MASTODON_TOKEN", also to a user whose MASTODON_TOKEN was set and had
expired, sending them to set what was set. With a token given, the line now says the token was
refused and how to make a new one; the token itself is never written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

SECRET = "expired-token-5f2c"


@pytest.mark.parametrize("token", [SECRET, None], ids=["token-set", "no-token"])
def test_a_refused_token_is_said_as_refused_not_as_missing(tmp_path: Path, token: str | None) -> None:
    from botwatch.cli import app

    async def refuse(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(401, b'{"error":"The access token is invalid"}')

    folder = tmp_path / "cap"
    with FakeHttp(refuse) as srv:
        res = CliRunner().invoke(app, ["collect", "mastodon", str(folder), "--server", srv.url, "--hashtag", "GE2017", "--duration", "10s",
                                       "--no-progress"], env={"MASTODON_TOKEN": token or "", "COLUMNS": "300"})
    said = " ".join(res.output.split())
    assert res.exit_code == 3 and "Traceback" not in res.output, said
    assert ("The token in MASTODON_TOKEN was refused" in said) is (token is not None), said
    assert ("may need an access token" in said) is (token is None), said
    on_disk = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert SECRET not in said and SECRET.encode() not in on_disk
