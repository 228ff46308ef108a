"""docs/collect.md's way to try `botwatch collect mastodon` offline: the fake Mastodon the package
ships (`python -m botwatch.collect.fake_mastodon`), collected from, ingested and shown by `status`
as a user would, its edits and delete notices included, and a second run resuming without a
duplicate."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from botwatch.collect.fake_mastodon import FakeMastodon, timeline
from botwatch.collect.mastodon import keys_of
from botwatch.collect.writer import read_lines
from testsupport.terminal import flat, wide_consoles

REPO = Path(__file__).resolve().parents[1]


def _collect(cap: Path, url: str, posts: int) -> str:
    """One `collect mastodon` run as docs/collect.md gives it, ended by `--max-posts` (the runs
    waited out a fixed 3 s and 2 s `--duration`; it is now only the bound of a run whose posts
    never come)."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["collect", "mastodon", str(cap), "--server", url, "--hashtag", "GE2017", "--hashtag", "VoteLabour",
                                   "--max-posts", str(posts), "--duration", "60s", "--no-progress"])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    return res.output


def test_collect_ingest_status_against_the_fake_and_a_resume_without_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app

    wide_consoles(monkeypatch)

    cap = tmp_path / "trial-capture"
    # 500 events a second: each run's posts come within about half a second of its start, and
    # the 3,000 events last 6 s, so the streams never run dry before the runs' `--max-posts`.
    with FakeMastodon(posts=3000, rate=500) as srv:
        assert "kept 100 posts" in _collect(cap, srv.url, 100)  # ended by --max-posts, not by the bound
        first = [orjson.loads(line) for f in sorted(cap.glob("*.jsonl.gz")) for line in read_lines(f)]
        assert "kept 100 posts" in _collect(cap, srv.url, 100)
        asked = [r.query.get("min_id") for _, r in srv.requests if "/timelines/" in r.path]
    lines = [orjson.loads(line) for f in sorted(cap.glob("*.jsonl.gz")) for line in read_lines(f)]
    kinds = Counter(line.get("event", "status") for line in lines)
    assert kinds["status"] > 0 and kinds["status.update"] > 0 and kinds["delete"] > 0, kinds
    assert len(lines) > len(first) and any(asked)  # the second run paged its gap from the first's newest status
    keys = [k for line in lines for k in keys_of(line)]
    assert len(keys) == len(set(keys)) == len(lines)  # each status, edit and delete once across both runs

    study = str(tmp_path / "trial.duckdb")
    res = CliRunner().invoke(app, ["ingest", study, str(cap)])
    assert res.exit_code == 0, res.output
    status = flat(CliRunner().invoke(app, ["status", study]).output)
    assert "Traceback" not in status
    stored = int(re.search(r"posts\s+([\d,]+)", status)[1].replace(",", ""))  # type: ignore[index]
    assert stored == kinds["status"], status
    edits = [int(n) for n in re.findall(r"edited, first text kept: status \S+ │ (\d+) │", status)]
    assert sum(edits) > 0, status  # the edits kept, as notes beside their posts
    assert f"posts named by delete notices: {kinds['delete']:,}" in status, status


def test_the_timeline_is_the_same_for_a_seed_and_holds_edits_and_deletes() -> None:
    events = timeline(300)
    assert events == timeline(300) and events != timeline(300, seed=1)
    kinds = Counter(e for e, _ in events)
    assert kinds["update"] > 0 and kinds["status.update"] > 0 and kinds["delete"] > 0
    accounts = {d["account"]["url"] for e, d in events if e == "update" and isinstance(d, dict)}
    assert 12 <= len(accounts) <= 48 and all(".example/@" in a for a in accounts)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def test_run_as_a_user_runs_it_it_prints_the_server_to_collect_and_ctrl_c_stops_it() -> None:
    srv = subprocess.Popen([sys.executable, "-m", "botwatch.collect.fake_mastodon", "--port", "0"], env=_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = srv.stdout.readline()  # type: ignore[union-attr]
        m = re.search(r"fake Mastodon at (http://127\.0\.0\.1:\d+) ", first)
        assert m, first + srv.stderr.read()  # type: ignore[union-attr]
        try_line = srv.stdout.readline()  # type: ignore[union-attr]
        assert try_line.startswith("try: botwatch collect mastodon ") and f"--server {m[1]} " in try_line
    finally:
        srv.send_signal(signal.SIGINT)
        _, err = srv.communicate(timeout=20)
    assert srv.returncode == 130 and "Traceback" not in err and "stopped" in err, err
