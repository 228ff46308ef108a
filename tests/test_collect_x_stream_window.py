"""`collect x --stream` cannot start in the past nor stop at a time: `--since` / `--until` given
with it are refused in one line (exit 2) before any request, not ignored in silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.mark.parametrize("window", [["--since", "2017-06-01"], ["--until", "2017-06-09"]])
def test_a_search_window_with_the_stream_is_refused(tmp_path: Path, window: list[str]) -> None:
    """`--stream --since 2017-06-01` read the live stream from now, as if the option were not
    there: the user took the capture for one that went back to the date."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--keyword", "vote", *window,
                                   "--base-url", "http://127.0.0.1:9", "--duration", "1s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert window[0] in res.output and "--search" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "cap").exists()  # nothing created
