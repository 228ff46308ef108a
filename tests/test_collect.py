"""`botwatch collect`: fake platform servers on 127.0.0.1 that misbehave on purpose (dropped
connections mid-message, malformed and unknown frames, 429 with reset headers, 503, stalls, 401),
and the proof that every post they sent is on disk exactly once, after reconnects and after a
kill -9 and restart. No test reaches the internet."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from botwatch.collect import jetstream as js
from botwatch.collect import mastodon as md
from botwatch.collect import x as xm
from botwatch.collect.backoff import server_wait
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import closed_capture_file, FakeHttp, FakeJetstream, HttpRequest, HttpWriter, jetstream_event
from testsupport.waiting import stream_until, wait_until
from botwatch.collect.filters import PostFilter, x_rules
from botwatch.collect.sampling import keep
from botwatch.collect.writer import OPEN_PREFIX, RotatingWriter, read_lines, salvage

REPO = Path(__file__).resolve().parents[1]


def on_disk(folder: Path, pattern: str = "*.jsonl.gz") -> list[dict[str, Any]]:
    """Every record in the closed files of a capture folder."""
    return [orjson.loads(line) for f in sorted(folder.glob(pattern)) for line in read_lines(f)]


def ingested(folder: Path, study: Path) -> dict[str, int]:
    """Ingest a capture folder as `botwatch ingest` would; posts per platform in the study."""
    from botwatch.ingest.runner import ingest
    from botwatch.study import Study

    with Study(study) as st:
        summary = ingest(st, [str(folder)], workers=1)
        assert not any(f.error for f in summary.files) and summary.total("rejected") == 0
        return dict(st.sql("SELECT platform, count(*) FROM posts GROUP BY 1"))


def run(cap: Capture, stream: Any, duration: float = 20.0, **kw: Any) -> int:
    return asyncio.run(run_capture(cap, stream, duration=duration, log=lambda m: None, install_signals=False, **kw))


# -- pieces --------------------------------------------------------------------------------------
def test_sampling_is_deterministic_and_near_the_rate() -> None:
    ids = [f"did:plc:a{i}/3k{i}" for i in range(20000)]
    kept = [i for i in ids if keep(i, 0.1)]
    assert kept == [i for i in ids if keep(i, 0.1)]  # same ids, same decision, any order or machine
    assert 0.09 < len(kept) / len(ids) < 0.11
    assert set(i for i in ids if keep(i, 0.05)) <= set(kept)  # a smaller sample nests in a larger one


def test_filter_matches_whole_words_tags_and_phrases() -> None:
    f = PostFilter.build(hashtags=["GE2017"], keywords=["ukip", "theresa may"])
    assert f.match("Vote #GE2017 today")
    assert f.match("no tag text", tags=["ge2017"])
    assert f.match("Theresa\nMay speaks") and f.match("UKIP!")
    assert not f.match("ukipper and #GE20171") and not f.match(None)
    assert PostFilter.build().match("anything") and PostFilter.build().empty


def test_x_rules_fit_the_tier_and_say_what_did_not(tmp_path: Path) -> None:
    from botwatch.elections import load_election

    f = PostFilter.build(load_election("uk-ge2017"))
    packed = x_rules(f, max_rules=5, max_len=120)
    assert len(packed.rules) == 5 and all(len(v) <= 120 for v, _ in packed.rules)
    assert packed.left_out  # 5 rules of 120 characters cannot hold the whole preset
    everything = x_rules(f)  # the Pro tier holds it all
    assert not everything.left_out
    joined = " ".join(v for v, _ in everything.rules)
    assert "#VoteLabour" in joined and '"jeremy corbyn"' in joined and "from:UKLabour" in joined


def test_server_wait_reads_retry_after_and_x_reset() -> None:
    now = 1_000_000.0
    assert server_wait(503, {"Retry-After": "7"}, now) == 7
    assert server_wait(429, {"x-rate-limit-reset": str(int(now) + 30), "x-rate-limit-remaining": "0"}, now) == 30
    assert server_wait(200, {"x-rate-limit-reset": str(int(now) + 30), "x-rate-limit-remaining": "5"}, now) is None
    assert server_wait(200, {"x-rate-limit-reset": str(int(now) + 30), "x-rate-limit-remaining": "0"}, now) == 30
    assert server_wait(500, {}, now) is None
    assert server_wait(429, {"X-RateLimit-Reset": "1970-01-12T13:47:10Z", "X-RateLimit-Remaining": "0"}, now) == 1_000_030 - now  # Mastodon


def test_progress_line_is_silent_when_not_a_terminal() -> None:
    import io

    from botwatch.collect.progress import ProgressLine, Stats

    buf = io.StringIO()
    ProgressLine(buf).update(Stats(kept=5), 100, force=True)
    assert buf.getvalue() == ""
    ProgressLine(buf, enabled=True).update(Stats(kept=5), 100, force=True)
    assert "kept 5" in buf.getvalue()


def test_writer_publishes_atomically_and_salvage_keeps_synced_lines(tmp_path: Path) -> None:
    other = RotatingWriter(tmp_path, "s-2", max_bytes=1 << 30)  # another stream's live file in the same folder
    other.write(b'{"other": 1}')
    other.sync()
    w = RotatingWriter(tmp_path, "s", max_bytes=1 << 30)
    for i in range(1000):
        w.write(orjson.dumps({"i": i}))
    assert not list(tmp_path.glob("s-*.jsonl.gz"))  # nothing visible to ingest while open
    w.sync()
    for i in range(1000, 1010):
        w.write(orjson.dumps({"i": i}))  # buffered, never synced: may be lost by a crash
    # a kill -9 now: the open file is left behind; the next start salvages it
    out = salvage(tmp_path, "s")
    assert len(out) == 1 and [p.name[len(OPEN_PREFIX):].startswith("s-2-") for p in tmp_path.glob(OPEN_PREFIX + "*")] == [True]
    got = [orjson.loads(x)["i"] for x in read_lines(out[0])]
    assert got[:1000] == list(range(1000)) and got == list(range(len(got)))


def test_a_start_says_and_counts_what_it_recovered_from_a_file_left_open(tmp_path: Path) -> None:
    """A kill -9 left a capture file open with a torn last line: the next start publishes its
    complete lines and drops the torn one, and says so in one line (it did both in silence), and
    the run's manifest entry counts it."""
    import zlib

    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    orphan = tmp_path / f"{OPEN_PREFIX}bluesky-20260101T000000000000Z-1.jsonl.gz"
    orphan.write_bytes(z.compress(b'{"i": 0}\n{"i": 1}\n{"i": 2') + z.flush(zlib.Z_SYNC_FLUSH))
    said: list[str] = []
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
    cap.log = said.append
    cap.open()
    cap.close()
    final = tmp_path / orphan.name[len(OPEN_PREFIX):]
    assert [orjson.loads(x)["i"] for x in read_lines(final)] == [0, 1] and not orphan.exists()
    assert said == [f"Recovered the capture file {orphan} a stopped run left open: 2 complete lines kept in {final}; its torn last line "
                    "(7 bytes) was dropped: the collector fetches it again from the saved cursor."]
    m = orjson.loads((tmp_path / ".botwatch" / "capture.json").read_bytes())
    assert m["runs"][-1]["salvaged"] == [{"file": orphan.name, "lines": 2, "torn_bytes": 7}]
    said.clear()
    again = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
    again.log = said.append
    again.open().close()  # nothing left open: nothing said or counted
    m = orjson.loads((tmp_path / ".botwatch" / "capture.json").read_bytes())
    assert "salvaged" not in m["runs"][-1] and said == []


# -- Jetstream -----------------------------------------------------------------------------------
def test_jetstream_reconnects_and_keeps_every_post_once(tmp_path: Path) -> None:
    events = [jetstream_event(i) for i in range(400)]
    script = [
        {"send": 120, "then": "drop_mid", "junk": {5: "{not json", 7: '{"did":"did:plc:x","time_us":1,"kind":"weird"}'}},
        {"status": 503, "retry_after": 1},
        {"status": 429, "retry_after": 1},
        {"send": 150, "then": "stall"},
        {},
    ]
    with FakeJetstream(events, script) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=400)
        assert run(cap, js.JetstreamCollector(srv.url, stall_s=1.0, backoff_scale=0.01)) == 0
        conns = srv.connections
    ids = [e["commit"]["rkey"] for e in on_disk(tmp_path)]
    assert len(ids) == 400 and len(set(ids)) == 400
    assert cap.stats.malformed == 1 and cap.stats.unknown == 1 and cap.stats.duplicates > 0
    assert (tmp_path / ".botwatch" / "malformed-bluesky.jsonl").read_text().count("\n") == 2
    # 503 and 429 said Retry-After: 1; the next attempt waited for it
    assert conns[2]["at"] - conns[1]["at"] >= 1.0 and conns[3]["at"] - conns[2]["at"] >= 1.0
    # every reconnect resumed from the cursor, rewound: never from the start
    assert all(c["cursor"] is not None for c in conns[1:])
    assert not list(tmp_path.glob(OPEN_PREFIX + "*"))


def test_backoff_scale_shrinks_the_wait_for_the_servers_close_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stopping with frames unread (most `--max-posts` runs) waits websockets' whole
    `close_timeout` for the server's answer to its close, which its paused reading never sees. It is
    a wait this side chooses, which `--backoff-scale` shrinks; it stayed 0.5 s, and the tests' runs
    idled that long at their end. Real use (scale 1) keeps 0.5 s."""
    asked: list[float] = []
    connect = js.websockets.connect

    def recording(*args: Any, **kw: Any) -> Any:
        asked.append(kw["close_timeout"])
        return connect(*args, **kw)

    monkeypatch.setattr(js.websockets, "connect", recording)
    with FakeJetstream([jetstream_event(i) for i in range(40)]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=1)
        assert run(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01)) == 0
    assert asked == [js.CLOSE_TIMEOUT_S * 0.01] and js.CLOSE_TIMEOUT_S == 0.5, asked
    assert js.JetstreamCollector(srv.url).close_timeout == 0.5


def test_jetstream_filter_and_sample_are_recorded(tmp_path: Path) -> None:
    events = [jetstream_event(i, text=("#GE2017 " if i % 2 else "nothing ") + str(i)) for i in range(2000)]
    want = {f"3k{i:010d}" for i in range(1, 2000, 2) if keep(f"did:plc:fake{i % 997:04d}/3k{i:010d}", 0.5)}
    with FakeJetstream(events, [{"send": 2000, "then": "close"}, {"then": "hold", "send": 0}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=0.5, post_filter=PostFilter.build(hashtags=["GE2017"]),
                      max_posts=len(want))
        run(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0)
    rkeys = {e["commit"]["rkey"] for e in on_disk(tmp_path)}
    assert rkeys == want
    m = orjson.loads((tmp_path / ".botwatch" / "capture.json").read_bytes())
    assert m["sample_rate"] == 0.5 and m["runs"][0]["filter"]["hashtags"] == ["GE2017"]


def _cli(*args: str, env: dict[str, str] | None = None) -> list[str]:
    return [sys.executable, "-c", "from botwatch.cli import app; app()", *args]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), **extra}


def test_kill9_and_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    n = 3000
    events = [jetstream_event(i) for i in range(n)]
    cap_dir = tmp_path / "capture"
    # Each connection ends with a clean close after the last event: a collector that reconnects
    # has read every event before it (frames are handled in order), with nothing to wait for.
    with FakeJetstream(events, [{"rate": 1500, "then": "close"}]) as srv:
        args = _cli("collect", "bluesky", str(cap_dir), "--endpoint", srv.url, "--backoff-scale", "0.01")
        p1 = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        state = cap_dir / ".botwatch" / "bluesky.state.json"
        wait_until(lambda: state.exists() and srv.sent > 800, 30, "the first collector's state file and 800 events sent")
        assert srv.sent < n, "the kill should land mid-stream"
        p1.send_signal(signal.SIGKILL)
        p1.wait(10)
        assert list(cap_dir.glob(OPEN_PREFIX + "*")), "a killed collector leaves its open file behind"
        before = len(srv.connections)
        p2 = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until(lambda: len(srv.connections) > before + 1, 40, "the restarted collector's reconnect after the last event")
        p2.send_signal(signal.SIGTERM)
        _, err = p2.communicate(timeout=20)
        assert p2.returncode == 0, err.decode()
        resumed = srv.connections[before]["cursor"]
    assert resumed is not None  # the restart continued from the state file's cursor
    keys = [e["commit"]["rkey"] for e in on_disk(cap_dir)]
    assert len(keys) == n and len(set(keys)) == n
    assert not list(cap_dir.glob(OPEN_PREFIX + "*"))
    assert b"kept" in err  # the summary on exit


def test_ctrl_c_stops_cleanly_exits_130_and_says_how_to_resume(tmp_path: Path) -> None:
    """Ctrl-C is an interrupt, as for every botwatch command (130, so a calling script stops too),
    yet the stop is as clean as SIGTERM's: the file closed, the cursor saved, a restart resumes."""
    events = [jetstream_event(i) for i in range(600)]
    cap_dir = tmp_path / "capture"
    with FakeJetstream(events, [{"rate": 300}]) as srv:
        args = _cli("collect", "bluesky", str(cap_dir), "--endpoint", srv.url, "--backoff-scale", "0.01")
        p = subprocess.Popen(args, env=_env(COLUMNS="300"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Mid-stream: posts written (the open file is made at the first one), 600 at 300 a second still coming.
        wait_until(lambda: list(cap_dir.glob(OPEN_PREFIX + "*")), 30, "the collector's first posts in its open file")
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        before = len(srv.connections)
        p2 = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until(lambda: len(srv.connections) > before, 30, "the restarted collector's connection")
        p2.send_signal(signal.SIGTERM)
        _, err2 = p2.communicate(timeout=20)
    text = err.decode()
    assert p.returncode == 130, text
    assert "run the same command again to resume" in text and "kept" in text and "Traceback" not in text
    assert on_disk(cap_dir) and not list(cap_dir.glob(OPEN_PREFIX + "*"))  # what it had is closed and readable
    assert p2.returncode == 0, err2.decode()  # a service manager's stop is a clean end
    assert srv.connections[before]["cursor"] is not None  # the restart resumed from the saved cursor


# -- Mastodon ------------------------------------------------------------------------------------
def status(i: int, tag: str = "GE2017") -> dict[str, Any]:
    return {"id": str(100 + i), "uri": f"https://fake.social/users/u{i % 7}/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": f"<p>status {i} <a href='#'>#{tag}</a></p>", "language": "en", "tags": [{"name": tag.lower()}],
            "account": {"id": str(i % 7), "acct": f"u{i % 7}", "url": f"https://fake.social/@u{i % 7}", "username": f"u{i % 7}"}}


def sse(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


class MastodonServer:
    """Statuses 0..69 of one tag: the stream misbehaves, REST paging fills the gaps."""

    def __init__(self) -> None:
        self.statuses = [status(i) for i in range(70)]
        self.stream_no = 0

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":  # Mastodon 4 names its streaming host (here: this one, by another URL)
            await w.respond(200, orjson.dumps({"configuration": {"urls": {"streaming": f"ws://{req.headers['host']}"}}}))
            return
        if req.path.startswith("/api/v1/timelines/tag/"):
            after = int(req.query.get("min_id", "0"))
            page = [s for s in self.statuses if int(s["id"]) > after][: int(req.query.get("limit", "40"))]
            await w.respond(200, orjson.dumps(list(reversed(page))))  # newest first, as Mastodon pages
            return
        k = self.stream_no
        self.stream_no += 1
        if k == 0:
            await w.respond(503, b"busy", {"Retry-After": "1"})
        elif k == 1:
            await w.start_stream("text/event-stream")
            await w.chunk(b":)\n\n")
            for s in self.statuses[:30]:
                await w.chunk(sse("update", orjson.dumps(s).decode()))
            await w.chunk(b":thump\n\n" + sse("delete", "123") + sse("mystery", "{}") + sse("update", "{broken"))
            w.torn_chunk(sse("update", orjson.dumps(self.statuses[30]).decode()))
        elif k == 2:  # by now 30..49 were posted; the collector pages them from REST, then the stream overlaps
            await w.start_stream("text/event-stream")
            for s in self.statuses[45:60]:
                await w.chunk(sse("update", orjson.dumps(s).decode()))
            await asyncio.sleep(30)  # stall
        else:
            await w.start_stream("text/event-stream")
            for s in self.statuses[60:]:
                await w.chunk(sse("update", orjson.dumps(s).decode()))
            await asyncio.sleep(30)


def test_mastodon_stream_and_rest_paging_keep_every_status_once(tmp_path: Path) -> None:
    with FakeHttp(MastodonServer()) as srv:
        cap = Capture(tmp_path / "c", "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=70)
        code = run(cap, md.MastodonCollector(srv.url, None, ["GE2017"], stall_s=1.0, backoff_scale=0.01, page_limit=8))
        reqs = srv.requests
    assert code == 0
    lines = on_disk(tmp_path / "c")
    ids = [s["id"] for s in lines if "event" not in s]
    assert sorted(ids) == [str(100 + i) for i in range(70)]
    # the delete is kept as the envelope ingest reads (test_collect_mastodon_edits.py)
    assert [s for s in lines if "event" in s] == [{"stream": ["hashtag", "ge2017"], "event": "delete", "payload": "123"}]
    assert cap.stats.malformed == 1 and cap.stats.unknown == 1 and cap.stats.other == 0 and cap.stats.kept_other == 1
    assert ingested(tmp_path / "c", tmp_path / "s.duckdb") == {"mastodon": 70}  # statuses as sent are what ingest reads
    streams = [t for t, r in reqs if "streaming" in r.path]
    assert streams[1] - streams[0] >= 1.0  # Retry-After honoured after the 503
    assert any("min_id" in r.query for _, r in reqs)


def test_mastodon_restart_pages_what_was_posted_while_away(tmp_path: Path) -> None:
    statuses = [status(i) for i in range(60)]
    live = {"upto": 30}

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif req.path.startswith("/api/v1/timelines/tag/"):
            after = int(req.query["min_id"])
            page = [x for x in statuses[: live["upto"]] if int(x["id"]) > after][:40]
            await w.respond(200, orjson.dumps(page[::-1]))
        else:
            await w.start_stream("text/event-stream")
            start = 0 if live["upto"] == 30 else 50
            for x in statuses[start: start + (30 if start == 0 else 10)]:
                await w.chunk(sse("update", orjson.dumps(x).decode()))
            await asyncio.sleep(30)

    with FakeHttp(route) as srv:
        first = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=30)
        assert run(first, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01)) == 0
        live["upto"] = 50  # 30..49 were posted while the collector was stopped
        second = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=30)
        assert run(second, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01)) == 0
        asked = [r.query.get("min_id") for _, r in srv.requests if "timelines" in r.path]
    assert asked[0] == "129"  # resumed from the newest status of the first run
    assert sorted(int(x["id"]) for x in on_disk(tmp_path)) == list(range(100, 160))


# -- X -------------------------------------------------------------------------------------------
def tweet(i: int) -> dict[str, Any]:
    return {"id": str(10_000 + i), "text": f"tweet {i} #GE2017", "author_id": str(i % 5), "created_at": "2026-11-30T05:00:00.000Z"}


def envelope(i: int) -> bytes:
    return orjson.dumps({"data": tweet(i), "includes": {"users": [{"id": str(i % 5), "username": f"u{i % 5}", "name": "U"}]},
                         "matching_rules": [{"id": "9", "tag": "botwatch:1"}]})


class XStreamServer:
    def __init__(self) -> None:
        self.reset_at = 0
        self.rule_posts: list[Any] = []
        self.stream_times: list[float] = []

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path.endswith("/rules"):
            if req.method == "GET":
                body = {"data": [{"id": "1", "value": "stale rule", "tag": "botwatch:1"}, {"id": "2", "value": "theirs", "tag": "mine"}]}
            else:
                self.rule_posts.append(orjson.loads(req.body))
                body = {"meta": {"summary": {}}}
            await w.respond(200, orjson.dumps(body))
            return
        k = len(self.stream_times)
        self.stream_times.append(time.time())
        if k == 0:
            self.reset_at = int(time.time()) + 2
            await w.respond(429, b'{"title":"Too Many Requests"}', {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(self.reset_at)})
            return
        await w.start_stream("application/json")
        if k == 1:
            for i in range(20):
                await w.chunk(envelope(i) + b"\r\n" + (b"\r\n" if i % 5 == 0 else b""))
            await w.chunk(b'{"data": {"id": \r\n' + b'{"errors":[{"title":"operational-disconnect"}]}\r\n')
            w.torn_chunk(envelope(20) + b"\r\n")
        elif k == 2:
            for i in range(15, 40):
                await w.chunk(envelope(i) + b"\r\n")
            await asyncio.sleep(30)  # stall: no keep-alive either
        else:
            for i in range(38, 50):
                await w.chunk(envelope(i) + b"\r\n")
            while True:
                await asyncio.sleep(0.2)
                await w.chunk(b"\r\n")


def test_x_stream_rules_rate_limit_reconnects_and_dedupes(tmp_path: Path) -> None:
    server = XStreamServer()
    with FakeHttp(server) as srv:
        f = PostFilter.build(hashtags=["GE2017"])
        cap = Capture(tmp_path / "c", "x", "x-stream", keys_of=xm.keys_of, max_posts=50, post_filter=f)
        code = run(cap, xm.XStream(srv.url, "token", rules_filter=f, stall_s=1.0, backoff_scale=0.01, log=lambda m: None))
    assert code == 0
    ids = [e["data"]["id"] for e in on_disk(tmp_path / "c")]
    assert sorted(ids) == sorted(str(10_000 + i) for i in range(50))
    assert ingested(tmp_path / "c", tmp_path / "s.duckdb") == {"twitter": 50}  # v2 stream envelopes are read as they are
    assert server.stream_times[1] >= server.reset_at  # no request before the reset time
    assert {"delete": {"ids": ["1"]}} in server.rule_posts
    assert {"add": [{"value": "#GE2017", "tag": "botwatch:1"}]} in server.rule_posts
    assert cap.stats.malformed == 1 and cap.stats.unknown == 0 and cap.stats.disconnect_notices == 1  # X closing: no bad frame


class XSearchServer:
    """Five pages of ten tweets, newest first; a 503 and a 429 on the way."""

    def __init__(self) -> None:
        self.tweets = [tweet(i) for i in range(50)][::-1]
        self.calls: list[tuple[float, dict[str, str]]] = []
        self.reset_at = 0

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        self.calls.append((time.time(), req.query))
        k = len(self.calls)
        if k == 2:
            await w.respond(503, b"over capacity")
            return
        if k == 4:
            self.reset_at = int(time.time()) + 2
            await w.respond(429, b"{}", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(self.reset_at)})
            return
        pool = [t for t in self.tweets if int(t["id"]) > int(req.query.get("since_id", "0"))]
        start = int(req.query.get("next_token", "0"))
        page = pool[start:start + 10]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + 10 < len(pool):
            meta["next_token"] = str(start + 10)
        await w.respond(200, orjson.dumps({"data": page, "includes": {"users": []}, "meta": meta}) if page else orjson.dumps({"meta": meta}))


def test_x_search_pages_to_the_end_honours_429_and_resumes_with_since_id(tmp_path: Path) -> None:
    server = XSearchServer()
    with FakeHttp(server) as srv:
        cap = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        assert run(cap, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        after_429 = server.calls[4][0]
        ids = [t["id"] for page in on_disk(tmp_path) for t in page["data"]]
        assert sorted(ids) == sorted(str(10_000 + i) for i in range(50))
        assert after_429 >= server.reset_at
        # the next run asks only for what is newer than the newest tweet already collected
        server.tweets.insert(0, tweet(50))
        cap2 = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        assert run(cap2, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        assert server.calls[-1][1]["since_id"] == str(10_049)
    assert cap2.stats.kept == 1


def test_x_search_stopped_mid_pagination_resumes_from_next_token(tmp_path: Path) -> None:
    server = XSearchServer()
    server.calls = [(0.0, {})] * 4  # past the scripted 503 and 429
    with FakeHttp(server) as srv:
        first = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of, max_posts=20)
        assert run(first, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        state = orjson.loads((tmp_path / ".botwatch" / "x-search-t.state.json").read_bytes())
        assert state["cursor"]["next_token"] == "20"
        second = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        assert run(second, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        resumed = server.calls[6][1]
    assert resumed["next_token"] == "20"
    ids = [t["id"] for page in on_disk(tmp_path) for t in page["data"]]
    assert sorted(ids) == sorted(str(10_000 + i) for i in range(50))


def test_x_401_ends_with_a_clear_message_and_nonzero_exit(tmp_path: Path) -> None:
    async def refuse(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(401, b'{"title":"Unauthorized","detail":"Unauthorized","status":401}')

    with FakeHttp(refuse) as srv:
        t = time.time()
        p = subprocess.run(_cli("collect", "x", str(tmp_path / "c"), "--search", "#GE2017", "--base-url", srv.url),
                           env=_env(X_BEARER_TOKEN="bad", COLUMNS="200"), capture_output=True, timeout=60)
        assert len(srv.requests) == 1  # no retry loop
    assert p.returncode == 3
    err = p.stderr.decode()
    assert "401" in err and "X_BEARER_TOKEN" in err and "Traceback" not in err
    assert time.time() - t < 30


def test_x_rules_answered_with_a_web_page_end_with_what_came_instead(tmp_path: Path) -> None:
    """A proxy or login page answering 200 with HTML ended the run with "the collector stopped on an
    unexpected JSONDecodeError", which read as a fault of botwatch."""
    async def portal(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(200, b"<html><body>Please log in to the hotel Wi-Fi</body></html>")

    with FakeHttp(portal) as srv:
        p = subprocess.run(_cli("collect", "x", str(tmp_path / "c"), "--stream", "--hashtag", "GE2017", "--base-url", srv.url),
                           env=_env(X_BEARER_TOKEN="t", COLUMNS="250"), capture_output=True, timeout=60)
    err = " ".join(p.stderr.decode().split())
    assert p.returncode == 3, err
    assert "not with a JSON object" in err and "hotel Wi-Fi" in err and "JSONDecodeError" not in err and "Traceback" not in err


# -- into a study --------------------------------------------------------------------------------
def test_ingest_reads_mastodon_websocket_envelopes(tmp_path: Path) -> None:
    import gzip

    lines = [{"stream": ["hashtag", "ge2017"], "event": "update", "payload": orjson.dumps(status(i)).decode()} for i in range(5)]
    lines.append({"stream": ["hashtag", "ge2017"], "event": "delete", "payload": "104"})
    with gzip.open(tmp_path / "ws.jsonl.gz", "wb") as fh:
        fh.write(b"\n".join(orjson.dumps(x) for x in lines) + b"\n")
    assert ingested(tmp_path / "ws.jsonl.gz", tmp_path / "s.duckdb") == {"mastodon": 5}


def test_ingest_reads_closed_files_and_carries_the_sample_rate(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.study import Study

    cap_dir = tmp_path / "capture"
    events = [jetstream_event(i) for i in range(300)]
    n = sum(keep(f"did:plc:fake{i % 997:04d}/3k{i:010d}", 0.25) for i in range(300))
    with FakeJetstream(events, [{"then": "close"}, {"send": 0}]) as srv:
        cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=0.25, max_posts=n)
        run(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0)
    (cap_dir / (OPEN_PREFIX + "bluesky-half.jsonl.gz")).write_bytes(b"\x1f\x8b\x08\x00")  # a file still being written
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(cap_dir)])
    assert res.exit_code == 0, res.output
    with Study(study) as st:
        assert st.count("posts") == cap.stats.kept > 0
        assert [r[0] for r in st.sql("SELECT DISTINCT platform FROM posts")] == ["bluesky"]
        assert recorded_sample_rate(st)[0] == 0.25
        assert st.sql("SELECT count(*) FROM sources WHERE source LIKE '%.open-%'")[0][0] == 0
    # `status` shows the capture and the rate estimates will use
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "Captures (botwatch collect)" in res.output and "0.25" in res.output
    assert "scale-up: sample rate 0.25 from the study's capture manifest" in res.output
    # `estimate` scales by the recorded rate without being told it
    res = CliRunner().invoke(app, ["estimate", str(study), "--preset", "uk-ge2017", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "sample rate 0.25 from the study's capture manifest" in res.output
    with Study(study) as st:
        assert st.sql("SELECT DISTINCT sample_rate FROM estimates") == [(0.25,)]
    # and so does `analyze`, whose run parameters (read back by the report) carry it
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--stage", "content", "--stage", "estimates"])
    assert res.exit_code == 0, res.output
    with Study(study) as st:
        params = st.sql("SELECT params FROM runs WHERE stage = 'estimates' ORDER BY finished_at DESC LIMIT 1")[0][0]
    assert orjson.loads(params)["sample_rate"] == 0.25
    # an archive ingested beside the capture has no known rate: no single rate is applied any more
    archive = sorted((REPO / "src" / "botwatch" / "data" / "sample").glob("*.gz"))[0]
    assert CliRunner().invoke(app, ["ingest", str(study), str(archive)]).exit_code == 0
    with Study(study) as st:
        rate, note = recorded_sample_rate(st)
    assert rate is None and "pass --sample-rate" in note
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0 and "scale-up: no single rate; " in res.output, res.output
    # nor by `estimate`, which reused the rate its estimates were last made with and scaled the
    # archive's posts by 1/0.25 while `status` said there was no single rate
    res = CliRunner().invoke(app, ["estimate", str(study), "--preset", "uk-ge2017", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "not using the sample rate this study's estimates were last made with (0.25)" in res.output
    with Study(study) as st:
        assert st.sql("SELECT DISTINCT sample_rate FROM estimates") == [(None,)]


def test_follow_mode_ingests_batches_without_holding_the_study(tmp_path: Path) -> None:
    import threading

    import duckdb

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    events = [jetstream_event(i) for i in range(3000)]
    seen_between: list[int] = []
    done = threading.Event()

    def probe() -> None:  # another process's `botwatch status`, as far as the study's lock is concerned
        while not done.wait(0.1):  # often: batches must live with a study that is busy now and then
            try:
                con = duckdb.connect(str(study), read_only=True)
            except duckdb.Error:
                continue  # no study yet, or a batch is being ingested right now
            try:
                seen_between.append(con.execute("SELECT count(*) FROM posts").fetchone()[0])
            except duckdb.Error:
                pass
            finally:
                con.close()

    with FakeJetstream(events, [{"rate": 500}]) as srv:
        cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of)
        th = threading.Thread(target=probe, daemon=True)
        th.start()
        try:
            # Runs until the probe has read posts a batch stored mid-run (30 s bounds it), then stops
            # with the stream still going, so the last batch ingests more after that read.
            stream = stream_until(js.JetstreamCollector(srv.url), lambda: any(seen_between))
            code = asyncio.run(run_capture(cap, stream, duration=30.0, study=study, ingest_every=0.5, log=lambda m: None, install_signals=False))
        finally:
            done.set()
            th.join(30)
    assert code == 0
    assert any(0 < n < cap.stats.kept for n in seen_between), seen_between  # the study was readable mid-run, with posts
    con = duckdb.connect(str(study), read_only=True)
    assert con.execute("SELECT count(*) FROM posts").fetchone()[0] == cap.stats.kept
    con.close()


def test_a_server_that_drops_every_connection_at_once_is_not_hammered(tmp_path: Path) -> None:
    events = [jetstream_event(i) for i in range(100)]
    with FakeJetstream(events, [{"send": 1, "then": "drop_mid"}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
        # The real waits (no --backoff-scale): 0.5-1 s, then 1-2 s, ...; a connection that lived
        # (and would reset them) waits 0-0.25 s. Three connections show the first two waits.
        run(cap, stream_until(js.JetstreamCollector(srv.url), lambda: len(srv.connections) >= 3), duration=30.0)
        at = [c["at"] for c in srv.connections]
    assert len(at) >= 3, at
    assert at[1] - at[0] >= 0.5 and at[2] - at[1] >= 1.0, [b - a for a, b in zip(at, at[1:])]  # each wait longer: no tight loop


def test_a_folder_holds_one_sampling_rate(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    (tmp_path / ".botwatch").mkdir()
    (tmp_path / ".botwatch" / "capture.json").write_text('{"format": 1, "sample_rate": 0.5, "runs": []}')
    closed_capture_file(tmp_path, "bluesky", [jetstream_event(0)])  # posts taken at 0.5
    res = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path), "--sample", "0.1", "--endpoint", "ws://127.0.0.1:9/subscribe"])
    assert res.exit_code == 2 and "sampled at 0.5" in res.output


def test_a_run_that_never_connected_does_not_fix_the_folders_rate(tmp_path: Path) -> None:
    """The first run in a folder fixed its rate even when it never connected (a wrong address):
    the retry with another `--sample` was refused for a rate no post was taken at. The rate is
    fixed by what was written: the retry's rate replaces it, and once posts are on disk (or a
    run recorded some, or another collector runs in the folder) another rate is refused."""
    import socket

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.collect import state as st

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"ws://127.0.0.1:{s.getsockname()[1]}/subscribe"
    folder = tmp_path / "capture"
    # A port nobody listens on refuses at once, so a second is many failed tries. Not less: a run
    # whose --duration ends before any try was made now ends 0 ("nothing arrived in the time asked
    # for"), and on a loaded machine a third of a second could pass before the first try.
    first = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--sample", "0.01", "--endpoint", dead, "--duration", "1s",
                                     "--backoff-scale", "0.01"])
    assert first.exit_code == 1 and "never connected" in first.output, first.output
    with FakeJetstream([jetstream_event(i) for i in range(200)]) as srv:
        retry = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--sample", "0.5", "--endpoint", srv.url, "--max-posts", "20",
                                         "--backoff-scale", "0.01"])
    assert retry.exit_code == 0, retry.output
    manifest = st.read_manifest(folder)
    assert manifest is not None and manifest["sample_rate"] == 0.5
    assert [r["sample_rate"] for r in manifest["rates_replaced"]] == [0.01]
    assert [r["sample_rate"] for r in manifest["runs"]] == [0.01, 0.5]
    again = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--sample", "0.01", "--endpoint", dead, "--duration", "1s"])
    assert again.exit_code == 2 and "sampled at 0.5" in again.output and "Traceback" not in again.output

    for f in folder.glob("*.jsonl.gz"):  # files moved away after their ingest: the run's record still holds the rate
        f.unlink()
    moved = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--sample", "0.01", "--endpoint", dead, "--duration", "1s"])
    assert moved.exit_code == 2 and "sampled at 0.5" in moved.output

    empty = tmp_path / "empty"  # nothing written yet, but a collector of another stream is running there at its rate
    st.meta_dir(empty).mkdir(parents=True)
    st.begin_run(empty, 0.5, {"stream": "x-stream"}, "x-stream")
    other = st.StreamLock(empty, "x-stream")
    other.acquire()
    try:
        busy = CliRunner().invoke(app, ["collect", "bluesky", str(empty), "--sample", "0.01", "--endpoint", dead, "--duration", "1s"])
    finally:
        other.release()
    assert busy.exit_code == 2 and "a collector writing stream 'x-stream' in it now" in busy.output, busy.output


def test_follow_mode_retries_when_the_study_is_held_by_another_process() -> None:
    """The lock message botwatch prints (study.lock_message) must read as 'busy', or a follow-mode
    batch gives up at once while `botwatch status` or a notebook has the study open."""
    from botwatch.collect.follow import study_busy
    from botwatch.study import lock_message

    held = 'IO Error: Could not set lock on file "s.duckdb": Conflicting lock is held in /usr/bin/python3.11 (PID 4242) by user root.'
    assert study_busy(lock_message(Path("s.duckdb"), held, read_only=False))
    assert study_busy("Error: s.duckdb is open in process 4242\n(python3.11), which holds it for writing")
    assert not study_busy("Error: cannot open s.duckdb as a study: not a DuckDB file")


def test_follow_mode_reports_an_unreadable_capture_file_once_and_goes_on(tmp_path: Path) -> None:
    """A closed capture file no reader knows (garbage here) made every batch's ingest exit 1, and
    the follower ledgers files only on exit 0: it offered that file, and every file since, with
    every batch for ever, and logged a failure each time. It is now reported once (named, with
    ingest's reason, listed in `.botwatch/<stream>.unreadable`, its first bytes in the study's
    `rejected`), not offered again, and the files beside it count as ingested."""
    import gzip

    from botwatch.collect.follow import Follower
    from botwatch.study import Study

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    good1 = closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(20)])
    bad = cap_dir / good1.name.replace(".jsonl.gz", "1.jsonl.gz")  # sorts after good1, the same name pattern
    bad.write_bytes(gzip.compress(b"\x00\x01 not a post, not JSON\n"))
    logs: list[str] = []
    cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of)
    follower = Follower(cap, study, 60.0, logs.append)
    assert follower.pending() == [good1, bad]

    asyncio.run(follower.batch(attempts=1))
    said = [m for m in logs if bad.name in m]
    assert len(said) == 1 and "not a format botwatch reads" in said[0], logs
    assert not any("failed" in m for m in logs), logs
    assert follower.pending() == [] and follower.unreadable == 1
    assert bad.exists()  # kept where it was, never deleted
    assert bad.name in (cap_dir / ".botwatch" / "bluesky.unreadable").read_text(encoding="utf-8")

    logs.clear()
    good2 = closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(20, 30)])
    assert follower.pending() == [good2]  # the refused file is not offered again
    asyncio.run(follower.batch(attempts=1))
    assert logs and not any(bad.name in m or "failed" in m for m in logs), logs
    assert Follower(cap, study, 60.0, logs.append).pending() == []  # a restarted follower reads both ledgers
    with Study(study, read_only=True) as st:
        assert st.count("posts") == 30
        assert st.sql("SELECT count(*) FROM rejected WHERE source LIKE ? AND starts_with(error, 'unreadable input')", [f"%{bad.name}"])[0][0] == 1


def test_follow_mode_retries_a_batch_that_failed_for_a_passing_reason(tmp_path: Path) -> None:
    """A batch that could not reach the study (another process held it through every attempt) is
    a passing failure: its files, an unreadable one among them, stay pending and are offered at the
    next batch; only ingest's own word marks a file unreadable."""
    import gzip

    import duckdb

    from botwatch.collect.follow import Follower

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap_dir.mkdir()
    (cap_dir / ".botwatch").mkdir()
    good = closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(5)])
    bad = cap_dir / good.name.replace(".jsonl.gz", "1.jsonl.gz")
    bad.write_bytes(gzip.compress(b"garbage\n"))
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of), study, 60.0, logs.append)
    holder = duckdb.connect(str(study))  # holds the study's lock against the ingest child
    try:
        asyncio.run(follower.batch(attempts=1))
    finally:
        holder.close()
    assert follower.pending() == [good, bad] and follower.unreadable == 0
    assert any("failed" in m for m in logs), logs
    asyncio.run(follower.batch(attempts=1))
    assert follower.pending() == [] and follower.unreadable == 1


def test_ctrl_c_before_any_connection_says_nothing_was_collected(tmp_path: Path) -> None:
    """Stopped before it ever connected, the collector has no cursor: "cursor saved … resume"
    (with "last cursor —") promised a resume point that does not exist."""
    import socket
    import threading

    attempts: list[float] = []

    def hang_up(listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # shut down: the test is over
            attempts.append(time.monotonic())
            conn.close()

    # A port that takes each TCP connection and closes it at once: the collector never gets a
    # WebSocket (never connects, as at a wrong address), and its attempts can be counted.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    th = threading.Thread(target=hang_up, args=(listener,), daemon=True)
    th.start()
    url = f"ws://127.0.0.1:{listener.getsockname()[1]}/x"
    p = subprocess.Popen(_cli("collect", "bluesky", str(tmp_path / "capture"), "--endpoint", url, "--backoff-scale", "0.01"),
                         env=_env(COLUMNS="300"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: len(attempts) >= 3, 60, "three failed connections")  # past its imports, in its retry loop
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:  # a failed wait leaves no collector behind
            p.kill()
            p.wait(10)
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept
        listener.close()
        th.join(5)
    text = err.decode()
    assert p.returncode == 130, text
    assert "nothing was collected" in text and "cursor saved" not in text and "Traceback" not in text


def test_mastodon_page_ignoring_min_id_ends_the_backfill_and_the_stream_is_read(tmp_path: Path) -> None:
    """A server (or a cache in front of it) that ignores `min_id` answers every page with the same
    newest statuses. Paging on would ask for ever, without a pause, and never get back to the stream."""
    statuses = [status(i) for i in range(40)]
    streams = {"n": 0}

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif req.path.startswith("/api/v1/timelines/tag/"):
            await w.respond(200, orjson.dumps(statuses[17:20][::-1]))  # min_id not honoured: always the same page
        else:
            streams["n"] += 1
            await w.start_stream("text/event-stream")
            for x in statuses[:20] if streams["n"] == 1 else statuses[20:]:
                await w.chunk(sse("update", orjson.dumps(x).decode()))
            if streams["n"] == 1:
                return  # the first stream falls silent: the reconnect pages from status 119
            await asyncio.sleep(30)

    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=40)
        code = run(cap, md.MastodonCollector(srv.url, None, ["GE2017"], stall_s=1.0, backoff_scale=0.01), duration=10.0)
        pages = sum(1 for _, r in srv.requests if "timelines" in r.path)
    assert code == 0
    assert sorted(int(x["id"]) for x in on_disk(tmp_path)) == list(range(100, 140))  # the second stream was read
    assert pages == 1  # a page that brought nothing newer than the cursor ends the paging


def test_one_oversized_jetstream_frame_is_kept_aside_and_the_capture_goes_past_it(tmp_path: Path) -> None:
    """A 9 MB event (#60) was refused with close 1009 and every reconnect replayed from before it:
    "retrying in 1.4 s … 11.1 s", 60 posts kept, 61–99 never read, the frame neither counted nor kept.
    Now the next connection reads it, keeps it aside with its size and the capture goes on."""
    events = [jetstream_event(i) for i in range(100)]
    events[60] = jetstream_event(60, text="x" * 9_000_000)
    with FakeJetstream(events, [{}]) as srv:
        cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=99)
        assert run(cap, js.JetstreamCollector(srv.url, stall_s=2.0, backoff_scale=0.01)) == 0
        conns = srv.connections
    ids = [e["commit"]["rkey"] for e in on_disk(tmp_path)]
    assert len(ids) == 99 == len(set(ids)) and "3k0000000060" not in ids
    assert cap.stats.malformed == 1 and len(conns) == 2
    aside = orjson.loads((tmp_path / ".botwatch" / "malformed-bluesky.jsonl").read_text().splitlines()[0])
    assert aside["reason"].startswith("a frame of 9,000,") and "over the 8 MiB" in aside["reason"]
    assert js.refused_as_too_big(ValueError()) is False
