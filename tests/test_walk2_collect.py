"""A new user's second walk through `botwatch collect`: what the terminal shows at the end of a
run, and how a run against a local test server (127.0.0.1) behaves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

import pytest

from botwatch.cli import collect as cli_collect
from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event


def test_the_closing_summary_keeps_its_own_line_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary is two lines, handed to the log as one string: the log escapes every control
    character (rightly, for text from outside), so the user saw `...reconnects 0\\x0athis run:
    ...` on one line. Each line is logged on its own."""
    events = [jetstream_event(i) for i in range(20)]
    with FakeJetstream(events, [{"send": 20, "then": "hold"}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=20)
        rc = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0,
                                     log=cli_collect.say, install_signals=False))
    assert rc == 0
    err = capsys.readouterr().err
    assert "\\x0a" not in err
    kept = [line for line in err.splitlines() if line.startswith("kept 20 posts")]
    assert len(kept) == 1 and kept[0].endswith("reconnects 0")
    assert any(line.startswith("this run: 1 closed file(s)") for line in err.splitlines())


def test_quick_restarts_write_no_post_twice(tmp_path: Path) -> None:
    """A collector restarted several times within its rewind (a service manager's restart loop;
    the fake Jetstream of docs/collect.md, whose events are 1 ms apart, with `--ingest-every`
    closing a file every few seconds): the resumed stream replays events of files older than the
    newest two, and only the newest two primed the dedupe memory, so the fourth run wrote the
    first run's posts again ("kept 30" of which none new). Every file closed in the last minutes
    primes it."""
    from botwatch.collect.writer import read_lines

    events = [jetstream_event(i) for i in range(200)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        kept = []
        for _ in range(4):
            cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=30)
            assert asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0,
                                           log=lambda m: None, install_signals=False)) == 0
            kept.append(cap.stats.kept)
    ids = [orjson.loads(line)["commit"]["rkey"] for f in sorted(tmp_path.glob("*.jsonl.gz")) for line in read_lines(f)]
    assert len(ids) == len(set(ids)) == 120, kept


@pytest.mark.parametrize("args", [
    ["bluesky", "--endpoint", "notaurl"],
    ["bluesky", "--endpoint", "http://127.0.0.1:8765/subscribe"],
    ["x", "--search", "#GE2017", "--base-url", "notaurl"],
    ["x", "--search", "#GE2017", "--base-url", "https://"],
    ["mastodon", "--server", "https://"],
    # a port out of range or not a number: urlsplit finds the host and raises only when the port
    # is read, so the collector met it first ("stopped on an unexpected ValueError", or on
    # Mastodon and X "an unexpected ExceptionGroup"), exit 1, with the capture folder created
    ["bluesky", "--endpoint", "ws://127.0.0.1:99999/subscribe"],
    ["bluesky", "--endpoint", "ws://127.0.0.1:abc/subscribe"],
    ["mastodon", "--server", "http://127.0.0.1:70000", "--hashtag", "GE2017"],
    ["x", "--search", "#GE2017", "--base-url", "https://127.0.0.1:70000"],
])
def test_a_malformed_address_is_a_usage_error_before_anything_is_written(tmp_path: Path, args: list[str]) -> None:
    """`--endpoint notaurl` opened the capture (folder, manifest, a recorded run) before the URL
    was refused, and printed a run summary after the error; `--base-url notaurl` was retried
    forever as a network failure ("retrying in 1.3 s", then "never connected"). A malformed
    address is the user's typo: one line, exit 2, nothing created."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    folder = tmp_path / "cap"
    res = CliRunner().invoke(app, ["collect", args[0], str(folder), *args[1:], "--duration", "5s"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert res.output.count("error:") == 1 and "kept 0 posts" not in res.output, res.output
    assert not folder.exists()
    if ":99999" in args[2] or ":70000" in args[-1] or ":abc" in args[2]:
        assert "bad port" in res.output, res.output


@pytest.mark.parametrize("option", [["--hashtag", ""], ["--hashtag", "#"], ["--keyword", " "]])
def test_an_empty_filter_term_is_a_usage_error_not_the_whole_stream(tmp_path: Path, option: list[str]) -> None:
    """`--hashtag "$TAG"` with TAG unset: the empty term was dropped and, no other term left, the
    capture kept every post the stream sent (the whole Bluesky firehose, a disk filled), recorded
    as a filter "from the command line". One line, exit 2, nothing created."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    folder = tmp_path / "capture"
    with FakeJetstream([jetstream_event(i) for i in range(20)], [{}]) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--endpoint", srv.url, *option, "--max-posts", "3", "--no-progress"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert f"{option[0]} is empty (an unset shell variable?)" in said
    assert not folder.exists()
