"""docs/collect.md's way to try collection without the network: the fake Jetstream the package
ships, run as a user runs it (`python -m botwatch.collect.fake_jetstream`), and `botwatch collect`
pointed at the endpoint it prints."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from botwatch.collect.writer import read_lines

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "400"}


def test_the_fake_server_prints_an_endpoint_that_collect_reads(tmp_path: Path) -> None:
    srv = subprocess.Popen([sys.executable, "-m", "botwatch.collect.fake_jetstream", "--port", "0", "--posts", "500", "--rate", "2000"],
                           env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = srv.stdout.readline()  # type: ignore[union-attr]
        m = re.search(r"(ws://127\.0\.0\.1:\d+/subscribe)", first)
        assert m, first + srv.stderr.read()  # type: ignore[union-attr]
        url = m.group(1)
        try_line = srv.stdout.readline()  # type: ignore[union-attr]
        assert try_line.startswith("try: botwatch collect bluesky ") and f"--endpoint {url}" in try_line
        cap = tmp_path / "trial-capture"
        res = subprocess.run([sys.executable, "-c", "from botwatch.cli import app; app()", "collect", "bluesky", str(cap),
                              "--endpoint", url, "--max-posts", "100", "--election", "uk-ge2017"],
                             env=_env(), capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert "kept 100 posts" in res.stderr and "Traceback" not in res.stderr
        posts = [orjson.loads(line) for f in sorted(cap.glob("bluesky-*.jsonl.gz")) for line in read_lines(f)]
        assert len(posts) == 100 and all("#GE2017" in p["commit"]["record"]["text"] for p in posts)
    finally:
        srv.send_signal(signal.SIGINT)
        _, err = srv.communicate(timeout=20)
    assert srv.returncode == 130 and "Traceback" not in err and "stopped" in err, err


@pytest.mark.parametrize("fake", ["fake_jetstream", "fake_mastodon"])
def test_a_port_in_use_is_one_line(tmp_path: Path, fake: str) -> None:
    """Both fakes a user runs to try a collector (one `serve_until_ctrl_c`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", f"botwatch.collect.{fake}", "--port", str(port)],
                             env=_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in res.stderr and "--port 0" in res.stderr


def _fake_lines(fake: str, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """A fake started as docs/collect.md starts it (any free port), and the two lines it prints."""
    srv = subprocess.Popen([sys.executable, "-m", f"botwatch.collect.{fake}", "--port", "0", *args],
                           env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return srv, [srv.stdout.readline().rstrip("\n") for _ in range(2)]  # type: ignore[union-attr]


def _stop(srv: subprocess.Popen[str]) -> None:
    srv.send_signal(signal.SIGINT)
    srv.communicate(timeout=20)


@pytest.mark.parametrize(("fake", "port"), [("fake_jetstream", 8765), ("fake_mastodon", 8766)])
def test_the_lines_the_doc_shows_are_what_each_fake_prints(fake: str, port: int) -> None:
    """The page quotes each fake's two lines at its default port and settings, and its next block
    runs the `try:` line: a changed banner or command must show on the page a user copies from."""
    srv, lines = _fake_lines(fake)
    _stop(srv)
    at = re.search(r"127\.0\.0\.1:(\d+)", lines[0])
    assert at, lines
    doc = (REPO / "docs" / "collect.md").read_text(encoding="utf-8")
    for line in lines:
        assert f"# {line.replace(f'127.0.0.1:{at.group(1)}', f'127.0.0.1:{port}')}\n" in doc, line
        assert f"\n{line.removeprefix('try: ').replace(f'127.0.0.1:{at.group(1)}', f'127.0.0.1:{port}')}\n" in doc or not line.startswith("try:")


# The fake Mastodon's timeline is posted on a clock from its start, and a fresh run keeps what is
# posted from its own start on: the events must still be coming whenever, within the wait, the
# collector's interpreter is up. Sized by that wait, not by a guess at how fast the collector starts.
_TRY_WAIT_S = 120
_TRY_RATE = 100  # events a second; 100 kept posts of the two tags take about 2 s of them
_TRY_POSTS = _TRY_RATE * (_TRY_WAIT_S + 30)  # still posting after the wait ends, however late the collector came


def test_the_fake_mastodon_try_line_collects(tmp_path: Path) -> None:
    """The `try:` line the fake Mastodon prints, run as printed (but for the folder), keeps its 100 posts.
    At 2,000 events a second its 10,000 were all posted 5 s after the fake started, and at 500 a
    second 20 s after, while a collector on a loaded machine took 7-8 s to start: one slower still
    read nothing and waited for the timeout. Now the events last longer than the test waits."""
    srv, lines = _fake_lines("fake_mastodon", "--posts", str(_TRY_POSTS), "--rate", str(_TRY_RATE))
    try:
        words = lines[1].removeprefix("try: botwatch ").split()
        words[words.index("trial-capture/")] = str(tmp_path / "trial-capture")
        res = subprocess.run([sys.executable, "-c", "from botwatch.cli import app; app()", *words],
                             env=_env(), capture_output=True, text=True, timeout=_TRY_WAIT_S)
    finally:
        _stop(srv)
    assert res.returncode == 0 and "kept 100 posts" in res.stderr and "Traceback" not in res.stderr, res.stderr
