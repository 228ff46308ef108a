"""Follow mode (`collect --study`) when it is stopped, when a file keeps failing, and when a capture
file's name holds characters the older ledger lines could not: a fake Jetstream on 127.0.0.1 and
real `botwatch ingest` children."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import orjson

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.follow import ABORT_GRACE_S, FAILED_BATCHES, Follower, read_ledger
from testsupport.collect_fakes import closed_capture_file, FakeJetstream, jetstream_event
from testsupport.waiting import async_wait_until, child_pids, PROC_CHILDREN, wait_until

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from botwatch.cli import app; app()", *args]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "400", **extra}


def _in_process(*args: str) -> Any:
    """The CLI run in this process, for runs whose child process is not what the test is about: a
    second interpreter only imports botwatch again (its follow-mode `ingest` children stay real).
    A traceback would be an exception other than SystemExit."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res


def _posts(study: Path) -> int:
    """Posts stored; 0 for a study an aborted first batch left before its tables were made (on a
    loaded machine the abort can come while the child is still creating the study)."""
    con = duckdb.connect(str(study), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'posts'").fetchone()[0]:
            return 0
        return con.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        con.close()


class _Lines:
    """A child's stderr read line by line as it comes, each with when it came."""

    def __init__(self, stream: object) -> None:
        self.lines: list[tuple[float, str]] = []
        self._t = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._t.start()

    def _read(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            self.lines.append((time.monotonic(), raw.decode("utf-8", "replace")))

    def wait_for(self, text: str, timeout: float) -> tuple[float, str] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.lines):
                if text in line:
                    return at, line
            time.sleep(0.05)
        return None

    @property
    def text(self) -> str:
        self._t.join(10)
        return "".join(line for _, line in self.lines)


def _wait_for_the_held_study(collector: int, cap_dir: Path) -> None:
    """Until the collector's last batch waits for the study another process holds: its first
    `ingest` child refused by the lock and gone, the batch going on (its pause, or the next child).
    Without /proc (not Linux), until the batch has begun: its results file is made before its child."""
    if not PROC_CHILDREN:
        wait_until(lambda: list((cap_dir / ".botwatch").glob(".bluesky.*.results")), 60, "the last batch")
        return
    first = wait_until(lambda: child_pids(collector, b"ingest"), 60, "the last batch's ingest child")[0]
    wait_until(lambda: first not in child_pids(collector, b"ingest"), 60, "the ingest child refused by the held study")
    assert Path(f"/proc/{collector}").exists(), "the collector ended instead of waiting for the study"


def test_ctrl_c_in_follow_mode_says_what_it_waits_for_and_a_second_one_stops_now(tmp_path: Path) -> None:
    """Ctrl-C in follow mode ingested what was left before exiting, silently: 10-30 s, and up to a
    minute while another process held the study (the last batch waits for it). The first Ctrl-C
    now says at once what it is finishing and how to stop now; the second stops within seconds
    with 130, ingests nothing half way, and the next run ingests the files once."""
    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    n = 300
    events = [jetstream_event(i) for i in range(n)]
    # The server closes the stream after its last event: the collector's reconnect shows it read them all.
    with FakeJetstream(events, [{"rate": 600, "then": "close"}, {"send": 0}]) as srv, contextlib.ExitStack() as stack:
        holder = duckdb.connect(str(study))  # `botwatch status`, a notebook: holds the study through the last batch
        try:
            args = _cli("collect", "bluesky", str(cap_dir), "--endpoint", srv.url, "--backoff-scale", "0.01",
                        "--study", str(study), "--ingest-every", "1h")
            p = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            stack.callback(lambda: p.poll() is None and p.kill())  # a failed assertion leaves no collector behind
            err = _Lines(p.stderr)
            wait_until(lambda: len(srv.connections) >= 2, 60, "the collector's reconnect after the last event")
            p.send_signal(signal.SIGINT)
            sent_at = time.monotonic()
            said = err.wait_for("finishing the ingest", 5)
            assert said is not None, err.lines
            assert said[0] - sent_at < 3, "the first Ctrl-C must say at once what the stop waits for"
            assert "finishing the ingest of 1 file(s)" in said[1] and "Ctrl-C again to stop now" in said[1] and "nothing is lost" in said[1]
            _wait_for_the_held_study(p.pid, cap_dir)
            p.send_signal(signal.SIGINT)
            second = time.monotonic()
            rc = p.wait(timeout=30)
            took = time.monotonic() - second
        finally:
            holder.close()
    text = err.text
    assert rc == 130, text
    assert took < ABORT_GRACE_S + 4, f"the second Ctrl-C took {took:.1f} s"
    assert "Traceback" not in text and "stopping now" in text and "not ingested: 1 closed file(s)" in text, text
    assert "run the same command again to resume" in text
    assert read_ledger(cap_dir / ".botwatch" / "bluesky.ingested") == {}  # nothing claimed that was not stored
    assert not list(cap_dir.glob(".open-*")) and len(list(cap_dir.glob("bluesky-*.jsonl.gz"))) == 1

    # The next run ingests what was left, once. Its stream replays the n posts (dropped by id: one
    # kept would end the run at --max-posts 1 before the new one) and one new post, which ends it.
    # In this process: what is checked here is the ledger and the study, not the interrupted child.
    with FakeJetstream([*events, jetstream_event(n)], [{}]) as srv:
        again = _in_process("collect", "bluesky", str(cap_dir), "--endpoint", srv.url, "--backoff-scale", "0.01",
                            "--study", str(study), "--ingest-every", "1h", "--max-posts", "1", "--duration", "60s")
    assert again.exit_code == 0, again.output
    assert _posts(study) == n + 1
    by_hand = _in_process("ingest", str(study), str(cap_dir))
    assert by_hand.exit_code == 0, by_hand.output
    assert _posts(study) == n + 1  # never twice


_BEGUN_HOOK = '''
import os
if os.environ.get("BOTWATCH_TEST_BEGUN"):
    from botwatch.study import Study

    _sql = Study.sql

    def sql(self, query, params=None):
        out = _sql(self, query, params)
        if query == "BEGIN TRANSACTION":  # a file's transaction is open: say so to the test
            open(os.environ["BOTWATCH_TEST_BEGUN"], "a").close()
        return out

    Study.sql = sql
'''


def test_abort_interrupts_an_ingest_under_way_and_leaves_no_half_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The second Ctrl-C's `abort()` on a batch storing a large file: the batch ends within the
    grace, the study holds the file whole or not at all (one transaction), and nothing is
    ledgered that was not reported; the next batch stores it exactly once. A start-up hook in the
    real ingest child marks when the file's transaction is open, the moment the abort is for."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_BEGUN_HOOK, encoding="utf-8")
    begun = tmp_path / "begun"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), str(REPO / "src")]))
    monkeypatch.setenv("BOTWATCH_TEST_BEGUN", str(begun))
    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    n = 60_000
    big = closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(n)])
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, lambda m: None)

    async def go() -> float:
        batch = asyncio.create_task(follower.batch(attempts=1))
        await async_wait_until(begun.exists, 60, "the ingest child's transaction for the file")
        follower.abort()
        at = time.monotonic()
        await batch
        return time.monotonic() - at

    took = asyncio.run(go())
    assert took < ABORT_GRACE_S + 2, took
    stored = _posts(study) if study.exists() else 0
    assert stored in (0, n)
    if stored == 0:
        assert follower.pending() == [big] and read_ledger(follower.ledger) == {}
    again = Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, lambda m: None)
    asyncio.run(again.batch(attempts=1))
    assert again.pending() == [] and _posts(study) == n


def test_the_ledgers_keep_names_holding_a_tab_or_a_newline(tmp_path: Path) -> None:
    """The ledgers were `name` and `name<TAB>reason` lines: a stream (a Mastodon host) holding a
    tab or newline gave file names that broke them, and a restarted follower offered the
    ingested file again and lost the refused one. They are JSON lines now."""
    import gzip

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    stream = "mastodon-odd\thost\nname"
    good = closed_capture_file(cap_dir, stream, [jetstream_event(i) for i in range(10)])
    bad = cap_dir / good.name.replace(".jsonl.gz", "1.jsonl.gz")
    bad.write_bytes(gzip.compress(b"\x00 not a post\n"))
    logs: list[str] = []
    cap = Capture(cap_dir, "mastodon", stream)
    follower = Follower(cap, study, 60.0, logs.append)
    assert follower.pending() == [good, bad]
    asyncio.run(follower.batch(attempts=1))
    assert follower.pending() == [] and follower.unreadable == 1, logs
    assert all("\n" not in m and "\t" not in m for m in logs), logs  # every line one line
    assert any("odd\\x09host\\x0aname" in m and "not a format botwatch reads" in m for m in logs), logs

    restarted = Follower(cap, study, 60.0, logs.append)
    assert restarted.done == {good.name} and restarted.refused == {bad.name}
    assert restarted.pending() == []
    assert _posts(study) == 10


def test_the_older_ledger_lines_are_still_read(tmp_path: Path) -> None:
    """A folder a follower wrote before (`name` and `name<TAB>reason` lines) keeps its ledgers; a
    torn JSON line (a crash mid-append) is skipped, never taken for a name."""
    meta = tmp_path / ".botwatch"
    meta.mkdir()
    (meta / "bluesky.ingested").write_text("bluesky-20260101T000000Z-1.jsonl.gz\n" + '{"name": "bluesky-2026010', encoding="utf-8")
    (meta / "bluesky.unreadable").write_text("bluesky-20260101T000001Z-1.jsonl.gz\tnot JSON: at line 1\n"
                                             '{"name": "bluesky-20260101T000002Z-1.jsonl.gz", "reason": "no reader"}\n', encoding="utf-8")
    f = Follower(Capture(tmp_path, "bluesky", "bluesky"), tmp_path / "s.duckdb", 60.0, lambda m: None)
    assert f.done == {"bluesky-20260101T000000Z-1.jsonl.gz"}
    assert read_ledger(meta / "bluesky.unreadable") == {"bluesky-20260101T000001Z-1.jsonl.gz": "not JSON: at line 1",
                                                        "bluesky-20260101T000002Z-1.jsonl.gz": "no reader"}


_POISON_HOOK = '''
import os
if os.environ.get("BOTWATCH_TEST_POISON"):
    from botwatch.ingest import runner

    _open = runner._open_or_say

    def _open_or_say(path, result):
        if os.environ["BOTWATCH_TEST_POISON"] in os.path.basename(path):
            result.error = "cannot open: [Errno 5] Input/output error"  # as a bad disk sector says it, every time
            return None
        return _open(path, result)

    runner._open_or_say = _open_or_say
'''


def test_a_file_that_fails_every_batch_is_set_aside_after_the_cap(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file ingest reports failed (not unreadable: "worth another try") was offered, and its
    failure logged, with every batch for ever. After FAILED_BATCHES batches it is set aside:
    left in place, listed with its reason in `.botwatch/<stream>.failed`, not offered again, and
    the line says how to retry it. The ingest children are real; a start-up hook makes one file's
    open fail the way a bad sector does."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_POISON_HOOK, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), str(REPO / "src")]))
    monkeypatch.setenv("BOTWATCH_TEST_POISON", "-7.jsonl")
    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    good = closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(5)])
    poisoned = cap_dir / "bluesky-20991231T000000Z-7.jsonl.gz"  # sorts last
    poisoned.write_bytes(good.read_bytes())
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, logs.append)
    for k in range(1, FAILED_BATCHES):
        asyncio.run(follower.batch(attempts=1))
        assert follower.pending() == [poisoned], logs
        assert f"failed {k} of the {FAILED_BATCHES} batches" in logs[-1], logs
    asyncio.run(follower.batch(attempts=1))
    assert follower.pending() == [] and follower.set_aside == 1, logs
    line = logs[-1]
    assert f"failed to ingest in {FAILED_BATCHES} batches" in line and "Input/output error" in line and "set aside" in line
    assert f"retry it with `botwatch ingest {study} {poisoned}`" in line
    assert poisoned.exists()  # never moved or deleted
    ledger = cap_dir / ".botwatch" / "bluesky.failed"
    assert read_ledger(ledger) == {poisoned.name: "cannot open: [Errno 5] Input/output error"}
    assert orjson.loads(ledger.read_text().splitlines()[0])["batches"] == FAILED_BATCHES
    assert Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, logs.append).pending() == []  # across restarts too
    assert _posts(study) == 5


def test_a_dangling_link_is_named_once_and_set_aside_at_once(tmp_path: Path) -> None:
    """A capture file that is a link whose target is gone fails the same way on every batch until
    a person acts: it was offered, and its failure logged, batch after batch (FAILED_BATCHES of
    them) with the good files ingested around it. Ingest marks the failure lasting, so the first
    batch names it once, sets it aside (`.failed`, left in place) and ingests the others; the
    next batch has nothing to offer. A real `botwatch ingest` child."""
    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(3)])
    dangling = cap_dir / "bluesky-20200101T000000Z-1.jsonl.gz"
    dangling.symlink_to(tmp_path / "gone.jsonl.gz")
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky"), study, 60.0, logs.append)
    asyncio.run(follower.batch(attempts=1))
    assert follower.pending() == [] and follower.cannot_open == 1 and follower.set_aside == 0, logs
    named = [line for line in logs if dangling.name in line]
    assert len(named) == 1 and "cannot be ingested (a link whose target is missing" in named[0] and "set aside" in named[0], logs
    assert "retry it with `botwatch ingest" in named[0]
    assert any("ingested 1 closed file(s)" in line for line in logs), logs
    assert read_ledger(cap_dir / ".botwatch" / "bluesky.failed").keys() == {dangling.name}
    assert dangling.is_symlink()  # left in place
    assert _posts(study) == 3
    before = list(logs)
    asyncio.run(follower.batch(attempts=1))  # nothing left to offer: not tried, not logged again
    assert logs == before


def test_a_second_sigterm_asks_the_follower_to_stop_with_sigterm(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`collect --study` stopped by `kill` twice (a service manager, a scheduler): the second
    signal cuts the batch under way short, and which signal it was is passed on."""
    from botwatch.collect.run import run_capture

    asked: list[int] = []
    monkeypatch.setattr(Follower, "abort", lambda self, sig=signal.SIGINT: asked.append(sig))

    async def stopped_twice(cap: Capture) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(30)

    cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of)
    asyncio.run(run_capture(cap, stopped_twice, study=tmp_path / "s.duckdb", ingest_every=60.0, log=lambda m: None))
    assert asked == [signal.SIGTERM]


def test_abort_stops_the_ingest_child_with_the_stops_own_signal(tmp_path: Path) -> None:
    """The batch under way was always interrupted with SIGINT, so after a stop by SIGTERM its
    `runs` row said "interrupted (Ctrl-C)", a key no one pressed. The child now gets the stop's
    signal (SIGTERM: "stopped (SIGTERM)"); a Ctrl-C, or no signal named, still sends SIGINT."""
    sent: list[int] = []

    class Child:
        returncode = None

        def send_signal(self, sig: int) -> None:
            sent.append(sig)

    async def abort(*sig: int) -> None:
        follower = Follower(Capture(tmp_path / "capture", "bluesky", "bluesky"), tmp_path / "s.duckdb", 60.0, lambda m: None)
        follower._proc = Child()  # type: ignore[assignment]
        follower.abort(*sig)

    (tmp_path / "capture" / ".botwatch").mkdir(parents=True)
    for sig in ((signal.SIGTERM,), (signal.SIGINT,), ()):
        asyncio.run(abort(*sig))
    assert sent == [signal.SIGTERM, signal.SIGINT, signal.SIGINT]


def test_a_run_whose_last_batch_left_files_not_ingested_exits_1(tmp_path: Path) -> None:
    """`collect --study` whose last batch could not ingest (here the study is no DuckDB file)
    said `not ingested: 1 closed file(s)` and exited 0, "a clean end": a scheduled job took the
    capture for stored in the study. It exits 1; the file stays for the next run."""
    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    study.write_bytes(b"not a study\n" * 100)
    with FakeJetstream([jetstream_event(i) for i in range(20)], [{}]) as srv:
        r = _in_process("collect", "bluesky", str(cap_dir), "--endpoint", srv.url, "--backoff-scale", "0.01",
                        "--study", str(study), "--ingest-every", "1h", "--max-posts", "5", "--duration", "60s")
    text = r.output
    assert "not ingested: 1 closed file(s)" in text and "Traceback" not in text, text
    assert r.exit_code == 1, text
    assert len(list(cap_dir.glob("bluesky-*.jsonl.gz"))) == 1
