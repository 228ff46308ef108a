"""An address holding a user name and password is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.mark.parametrize("args", [
    ["mastodon", "--server", "https://alice:s3cret@127.0.0.1:9", "--hashtag", "GE2017"],
    ["mastodon", "--server", "https://alice:s3cret@127.0.0.1:99999"],  # refused for the password first, which is never echoed
    ["x", "--search", "#GE2017", "--base-url", "https://alice:s3cret@127.0.0.1:9"],
    ["bluesky", "--endpoint", "wss://alice:s3cret@127.0.0.1:9/subscribe"],
])
def test_credentials_in_an_address_are_refused_and_never_written(tmp_path: Path, args: list[str]) -> None:
    """`--server https://user:pass@host` named the stream `mastodon-user_pass@host`: the password
    went into every file name, the state file, the manifest and the console lines."""
    from botwatch.cli import app

    folder = tmp_path / "cap"
    res = CliRunner().invoke(app, ["collect", args[0], str(folder), *args[1:], "--duration", "2s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert "must not hold a user name or password" in res.output and "s3cret" not in res.output, res.output
    assert not folder.exists()
