"""A collector's closing summary says the whole run's wall time ("kept N posts in T s").

It counted from the capture folder's opening, after the command's imports (about a second idle,
several on a busy machine): a new user's `collect mastodon`, stopped after about 4 s, read "in
1.3 s". The time now counts from the `botwatch` command's start (`cli.main`)."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

import botwatch.cli as cli
from testsupport.collect_fakes import FakeHttp
from tests.test_collect import MastodonServer

_IMPORTS_S = 2.0  # the seconds the command's imports are made to take here


def test_the_summary_counts_from_the_command_s_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`botwatch collect mastodon --duration 2s` whose imports took 2 s (a dropped first
    connection and reconnects, as the user's walk had) says at least 4 s, not about 2."""
    loads = cli._load_commands

    def slow_imports() -> None:
        time.sleep(_IMPORTS_S)
        loads()

    monkeypatch.setattr(cli, "_load_commands", slow_imports)
    monkeypatch.setattr(cli, "_stops_while_closing", lambda: None)  # leave this test process's signals alone
    with FakeHttp(MastodonServer()) as srv:
        monkeypatch.setattr(sys, "argv", ["botwatch", "collect", "mastodon", str(tmp_path / "c"), "--server", srv.url,
                                          "--hashtag", "GE2017", "--duration", "2s", "--backoff-scale", "0.01"])
        started = time.monotonic()
        with pytest.raises(SystemExit) as done:
            cli.main()
        wall = time.monotonic() - started
    err = capsys.readouterr().err
    assert done.value.code in (0, None), err
    said = float(re.search(r"kept [\d,]+ posts? \(.*?\) in ([\d,.]+) s", " ".join(err.split())).group(1).replace(",", ""))
    assert _IMPORTS_S + 1.9 <= said <= wall + 0.1, (said, wall, err)
