"""A collector's closing summary says the whole run's wall time ("kept N posts in T s").

It counted from the capture folder's opening, after the command's imports (about a second idle,
several on a busy machine): a new user's `collect mastodon`, stopped after about 4 s, read "in
1.3 s". The time now counts from the `botwatch` command's start (`cli.main`), and so does
`--duration`: timed from the stream's start, `--duration 4s` ran about 5 s."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path

import pytest

import botwatch.cli as cli
from botwatch.collect import mastodon as md
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from tests.test_collect import MastodonServer

_IMPORTS_S = 2.0  # the seconds the command's imports are made to take here
_DURATION_S = 6.0


def test_the_summary_counts_from_the_command_s_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`botwatch collect mastodon --duration 6s` whose imports took 2 s (a dropped first
    connection and reconnects, as the user's walk had) says about 6 s, not about 4, and ends about
    6 s after it started, not 8."""
    loads = cli._load_commands

    def slow_imports() -> None:
        time.sleep(_IMPORTS_S)
        loads()

    monkeypatch.setattr(cli, "_load_commands", slow_imports)
    monkeypatch.setattr(cli, "_stops_while_closing", lambda: None)  # leave this test process's signals alone
    with FakeHttp(MastodonServer()) as srv:
        monkeypatch.setattr(sys, "argv", ["botwatch", "collect", "mastodon", str(tmp_path / "c"), "--server", srv.url,
                                          "--hashtag", "GE2017", "--duration", f"{_DURATION_S:g}s", "--backoff-scale", "0.01"])
        started = time.monotonic()
        with pytest.raises(SystemExit) as done:
            cli.main()
        wall = time.monotonic() - started
    err = capsys.readouterr().err
    assert done.value.code in (0, None), err
    said = float(re.search(r"kept [\d,]+ posts? \(.*?\) in ([\d,.]+) s", " ".join(err.split())).group(1).replace(",", ""))
    assert _DURATION_S - 0.1 <= said <= wall + 0.1, (said, wall, err)
    assert wall < _IMPORTS_S + _DURATION_S - 0.5, (wall, err)  # the imports were within the duration, not before it
    assert cli.command_started() is None  # a later call of the app in this process counts from its own start


def _capture(tmp_path: Path) -> Capture:
    return Capture(tmp_path / "c", "mastodon", "mastodon-fake", keys_of=md.keys_of)


async def _connected_forever(cap: Capture) -> None:
    cap.connected = True
    await asyncio.sleep(3600)


def test_the_duration_counts_from_the_command_s_start(tmp_path: Path) -> None:
    """A command begun 2 s before the capture opened, with a 3 s duration, stops about 1 s later."""
    began = time.monotonic()
    code = asyncio.run(run_capture(_capture(tmp_path), _connected_forever, duration=3.0, started=began - 2.0, log=lambda m: None,
                                   install_signals=False))
    assert code == 0
    assert time.monotonic() - began < 2.0


def test_a_duration_spent_before_the_capture_opened_says_so(tmp_path: Path) -> None:
    """Nothing is streamed, and the user reads why and what to do, not "never connected". It ends
    0, as any `--duration` end: it exited 1, a failure for the short capture the user asked for."""
    said: list[str] = []
    streamed: list[bool] = []

    async def stream(cap: Capture) -> None:
        streamed.append(True)

    code = asyncio.run(run_capture(_capture(tmp_path), stream, duration=1.0, started=time.monotonic() - 5.0, log=said.append,
                                   install_signals=False))
    assert (code, streamed) == (0, [])
    assert any(line.startswith("nothing arrived in the 1 s asked for: starting up (imports, opening the capture) took 5.") and
               line.endswith("s, so no connection was tried; give a longer --duration to capture posts") for line in said), said
    assert not any("never connected" in line or "error" in line for line in said), said


async def _silent(req: HttpRequest, w: HttpWriter, n: int) -> None:
    """A server that takes every request and never answers (a slow one, or one far away)."""
    await asyncio.Event().wait()


def test_a_duration_that_ends_before_the_server_answers_ends_0_and_says_so(tmp_path: Path) -> None:
    """`collect mastodon --duration 0.5s`, shorter than the start-up and the first connection, ended
    1 with "error: never connected …; check the address, the network and the server": no try had
    failed, the user had asked for half a second. A try that fails is still exit 1 (the tests of
    "never connected")."""
    from typer.testing import CliRunner

    with FakeHttp(_silent) as srv:
        res = CliRunner().invoke(cli.app, ["collect", "mastodon", str(tmp_path / "c"), "--server", srv.url, "--hashtag", "GE2017",
                                           "--duration", "0.5s", "--no-progress"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "nothing arrived in the 0.5 s asked for: starting up (imports, opening the capture) took " in said, said
    assert "give a longer --duration to capture posts" in said and "never connected" not in said and "error" not in said, said


async def _never_answered(cap: Capture) -> None:
    """A first try that hangs (a host that drops every packet, a server that takes the request and
    never answers) and has not failed by the time the run ends."""
    await asyncio.sleep(3600)


def test_a_connection_not_open_after_the_first_try_s_time_is_a_failure_not_a_short_capture(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`collect --duration 10s` at an address that never answers ended 0, "nothing arrived …; give
    a longer --duration", its start-up a second of the ten: a scheduled job took a dead server for a
    quiet stream. The clean end is for a stream given less than `FIRST_TRY_S` (here made 0.2 s)."""
    from botwatch.collect import run

    monkeypatch.setattr(run, "FIRST_TRY_S", 0.2)
    said: list[str] = []
    code = asyncio.run(run_capture(_capture(tmp_path), _never_answered, duration=0.8, log=said.append, install_signals=False))
    assert code == 1, said
    assert any(line.startswith("error: never connected to ") for line in said) and not any("nothing arrived" in line for line in said), said
