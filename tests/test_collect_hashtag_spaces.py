"""A `--hashtag` holding a space is refused: no hashtag has one, and X read it as two terms."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.mark.parametrize("platform", [["bluesky", "--endpoint", "ws://127.0.0.1:9/subscribe"],
                                      ["mastodon", "--server", "http://127.0.0.1:9"],
                                      ["x", "--stream", "--base-url", "http://127.0.0.1:9"]])
def test_a_hashtag_with_a_space_is_a_usage_error_before_anything_is_written(tmp_path: Path, platform: list[str]) -> None:
    """`--hashtag "Vote Labour"` became the X rule `#Vote Labour` (#Vote AND the word Labour)."""
    from botwatch.cli import app

    folder = tmp_path / "cap"
    res = CliRunner().invoke(app, ["collect", platform[0], str(folder), *platform[1:], "--hashtag", "Vote Labour", "--hashtag", "GE2017",
                                   "--duration", "2s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert "holds a space" in res.output and res.output.count("error:") == 1, res.output
    assert not folder.exists()
