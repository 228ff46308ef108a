"""Live collection against servers and disks that misbehave: an endless HTTP body, a full disk
under a Jetstream capture, a resume cursor in the far future. Every server is a fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import orjson
import pytest

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event, read_every_event
from testsupport.waiting import stream_until


@pytest.mark.parametrize("code,said", [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")])
def test_a_full_disk_under_a_jetstream_capture_ends_the_run_instead_of_reconnecting(tmp_path: Path, code: int, said: str) -> None:
    """websockets raises OSError for a lost connection, and the collector took the OSError of a
    full disk (raised while writing a post) for one: "Jetstream connection lost (OSError: [Errno 28]
    No space left on device); retrying", for ever."""
    events = [jetstream_event(i) for i in range(3000)]
    with FakeJetstream(events, [{"rate": 2000}]) as srv:
        cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of)
        real_write = cap.writer.write
        written = [0]

        def write(line: bytes) -> None:
            if written[0] >= 100:
                raise OSError(code, said)
            written[0] += 1
            real_write(line)

        cap.writer.write = write  # type: ignore[method-assign]
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=5.0, log=logs.append,
                                       install_signals=False))
        conns = len(srv.connections)
    assert ended == 1, logs
    assert conns == 1, logs  # no reconnect: the server was never the problem
    assert not any("retrying" in m or "connection lost" in m for m in logs), logs
    errors = [m for m in logs if m.startswith("error:")]
    assert errors and f"cannot write to the capture folder {tmp_path / 'capture'} ({said})" in errors[0], logs
    assert "unexpected" not in errors[0]
    # the saved cursor is the last event written, not one the folder refused
    state = orjson.loads((tmp_path / "capture" / ".botwatch" / "bluesky.state.json").read_bytes())
    assert state["cursor"]["time_us"] == orjson.loads(events[99])["time_us"]


def test_a_resume_cursor_in_the_far_future_is_said_and_the_capture_starts_from_now(tmp_path: Path) -> None:
    """A state file edited by hand (or saved on a machine whose clock ran years ahead) held
    time_us in 2100. The collector asked Jetstream for it on every connection: Jetstream live-tails
    a cursor from the future, and since no event is ever newer than it the cursor never moved, so
    every later resume replayed nothing (the posts of a gap were lost) and nothing said so."""
    cap_dir = tmp_path / "capture"
    (cap_dir / ".botwatch").mkdir(parents=True)
    future = 4_102_444_800_000_000  # 2100-01-01
    (cap_dir / ".botwatch" / "bluesky.state.json").write_bytes(orjson.dumps({"cursor": {"time_us": future}}))
    events = [jetstream_event(i) for i in range(100)]
    with FakeJetstream(events) as srv:
        cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=50)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0, log=logs.append,
                                        install_signals=False))
        asked = [c["cursor"] for c in srv.connections]
    assert ended == 0 and cap.stats.kept == 50, logs
    assert asked[0] is None  # from now, not from 2100
    warned = [m for m in logs if "2100-01-01" in m]
    assert len(warned) == 1 and "in the future" in warned[0] and "starting from now" in warned[0], logs
    state = orjson.loads((cap_dir / ".botwatch" / "bluesky.state.json").read_bytes())
    assert state["cursor"]["time_us"] == orjson.loads(events[49])["time_us"]  # it moves again


def test_an_event_from_the_far_future_mid_run_does_not_become_the_cursor_a_reconnect_resumes_from(tmp_path: Path) -> None:
    """One event whose time_us lay in 2100 (a relay's clock set wrong, a hostile relay) became the
    cursor: after the next dropped connection the collector asked for events after 2100, Jetstream
    replayed nothing, and every post of the gap was lost with nothing said."""
    events = [jetstream_event(i) for i in range(200)]
    future = orjson.loads(jetstream_event(10_000))
    future["time_us"] = 4_102_444_800_000_000  # 2100-01-01
    script = [{"send": 60, "then": "drop_mid", "junk": {20: orjson.dumps(future).decode()}}, {}]
    with FakeJetstream(events, script) as srv:
        cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of, max_posts=201)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=20.0, log=logs.append,
                                        install_signals=False))
        asked = [c["cursor"] for c in srv.connections]
    assert ended == 0 and cap.stats.kept == 201, logs  # every post once, the future one too
    assert len(asked) == 2 and asked[1] < orjson.loads(events[59])["time_us"], asked  # resumed from the present, with the rewind
    warned = [m for m in logs if "2100-01-01" in m]
    assert len(warned) == 1 and "in the future" in warned[0] and "cursor" in warned[0], logs
    state = orjson.loads((tmp_path / "capture" / ".botwatch" / "bluesky.state.json").read_bytes())
    assert state["cursor"]["time_us"] == orjson.loads(events[-1])["time_us"]


def test_an_x_search_answer_over_the_cap_is_a_failed_request_not_read_whole(tmp_path: Path) -> None:
    """The X and Mastodon answers were read whole (`r.content`): a broken or hostile server's
    endless body filled the memory. One over MAX_RESPONSE is now dropped as a failed request, said
    in one line, and asked again after the HTTP-error wait."""
    from botwatch.collect import x as xm
    from botwatch.collect.httpbase import MAX_RESPONSE
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    tweets = [{"id": str(10_000 + i), "text": f"tweet {i} #GE2017", "author_id": "1", "created_at": "2026-11-30T05:00:00.000Z"} for i in range(5)]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if n == 0:  # no Content-Length: only reading it tells how long it is
            await w.start_stream("application/json")
            block = b"x" * (1 << 20)
            for _ in range((MAX_RESPONSE >> 20) + 2):
                await w.chunk(block)
            await w.chunk(b"")
            w.w.write(b"0\r\n\r\n")
            return
        await w.respond(200, orjson.dumps({"data": tweets[::-1], "meta": {"result_count": 5, "newest_id": tweets[-1]["id"]}}))

    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01), duration=20.0, log=logs.append,
                                        install_signals=False))
        asked = len(srv.requests)
    assert ended == 0 and cap.stats.kept == 5 and asked == 2, logs
    assert cap.last_failure.startswith("/2/tweets/search/recent sent an answer over 32 MiB"), cap.last_failure
    assert cap.stats.malformed == 0  # not read, so not kept aside either


def test_a_mastodon_stream_line_without_an_end_is_cut_off_and_the_stream_reopened(tmp_path: Path) -> None:
    """A stream line that never ends was buffered for ever (`aiter_lines`)."""
    from botwatch.collect import mastodon as md
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    def status(i: int) -> dict[str, object]:
        return {"id": str(100 + i), "uri": f"https://fake.social/users/u/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
                "content": f"<p>status {i} #GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"}}

    streams = [0]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance" or "timelines" in req.path:
            await w.respond(404 if "instance" in req.path else 200, b"[]")
            return
        streams[0] += 1
        await w.start_stream("text/event-stream")
        if streams[0] == 1:
            await w.chunk(b"event: update\ndata: " + orjson.dumps(status(0)) + b"\n\n")
            while True:  # one line that never ends
                await w.chunk(b"y" * 8192)
                await asyncio.sleep(0)
        for i in range(1, 4):
            await w.chunk(b"event: update\r\ndata: " + orjson.dumps(status(i)) + b"\r\n\r\n")
        await asyncio.sleep(30)

    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=4)
        ended = asyncio.run(run_capture(cap, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01, max_response=1 << 20),
                                        duration=20.0, log=lambda m: None, install_signals=False))
    assert ended == 0 and cap.stats.kept == 4
    assert cap.last_failure == "/api/v1/streaming/hashtag sent a line over 1 MiB, the most botwatch reads of one; dropped as a failed request"


def _lines_of(chunks: list[bytes], limit: int) -> list[str]:
    import httpx

    from botwatch.collect.httpbase import capped_lines

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            for c in chunks:
                yield c

    async def read() -> list[str]:
        resp = httpx.Response(200, stream=Body(), request=httpx.Request("GET", "http://127.0.0.1/2/tweets/search/stream"))
        return [line async for line in capped_lines(resp, limit)]

    return asyncio.run(read())


def test_stream_lines_are_split_as_before_whatever_the_chunks() -> None:
    """CR LF, LF and CR end a line, a CR LF split between two chunks included, as `aiter_lines` did."""
    import random

    body = b"a\r\nbb\n\nccc\rdd\r\n\r\n{\"data\": 1}\r\n" * 20 + b"last"
    want = body.decode().splitlines()
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(body)), rng.randint(0, 30)))
        chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)])]
        assert _lines_of(chunks, 1 << 20) == want


def test_a_long_line_in_small_chunks_is_scanned_once() -> None:
    """A line of 8 MiB sent 512 bytes at a time: scanning what was pending again at every chunk
    would take minutes (16,000 scans of up to 8 MiB); it is cut off at the limit in well under that."""
    import time

    import pytest

    from botwatch.collect.httpbase import TooLarge

    t = time.monotonic()
    with pytest.raises(TooLarge, match="sent a line over 8 MiB"):
        _lines_of([b"z" * 512] * (17 << 10), 8 << 20)
    assert time.monotonic() - t < 10


@pytest.mark.parametrize("saved,said", [
    ({"tag:ge2017": str(4_102_444_800_000 << 16)}, f"min_id={4_102_444_800_000 << 16} (2100-01-01 00:00:00 UTC), is "),  # a status of 2100
    ({"tag:ge2017": 5}, "min_id=5, is no status id"),
    ("123", "min_id='123' is not one status id per stream"),
])
def test_a_mastodon_resume_id_from_the_future_or_no_id_is_said_and_the_stream_starts_from_now(tmp_path: Path, saved: object, said: str) -> None:
    """A Mastodon status id carries its time (milliseconds << 16). A saved `min_id` from the future
    (a state file edited by hand, a clock set wrong here or on the server) was asked for on every
    (re)connect: the timeline has nothing newer, and the stream's statuses, all older, never moved
    it, so every later resume fetched nothing of the gap, and nothing said so. A `min_id` that is
    no id per stream stopped the run as an unexpected error."""
    import time

    from botwatch.collect import mastodon as md
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    base = int(time.time() * 1000) << 16
    statuses = [{"id": str(base + i), "uri": f"https://fake.social/users/u/statuses/{base + i}", "created_at": "2026-11-30T05:00:00.000Z",
                 "content": f"<p>status {i} #GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"}}
                for i in range(6)]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif "timelines" in req.path:  # min_id honoured: nothing is newer than a future id
            after = req.query.get("min_id", "0")
            await w.respond(200, orjson.dumps([s for s in statuses if after.isdigit() and int(s["id"]) > int(after)][::-1]))
        else:
            await w.start_stream("text/event-stream")
            for s in statuses:
                await w.chunk(b"event: update\ndata: " + orjson.dumps(s) + b"\n\n")
            await asyncio.sleep(30)

    (tmp_path / ".botwatch").mkdir()
    (tmp_path / ".botwatch" / "mastodon-fake.state.json").write_bytes(orjson.dumps({"cursor": {"min_id": saved}}))
    logs: list[str] = []
    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=6)
        ended = asyncio.run(run_capture(cap, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01), duration=10.0,
                                        log=logs.append, install_signals=False))
    assert ended == 0 and cap.stats.kept == 6, logs
    warned = [m for m in logs if "saved cursor" in m]
    assert len(warned) == 1 and said in warned[0] and "starts from now" in warned[0], logs
    state = orjson.loads((tmp_path / ".botwatch" / "mastodon-fake.state.json").read_bytes())
    assert state["cursor"]["min_id"] == {"tag:ge2017": statuses[-1]["id"]}  # it moves again


def test_a_mastodon_status_id_from_the_far_future_mid_run_does_not_become_the_cursor(tmp_path: Path) -> None:
    """A server makes a remote status's id from the time its author's server claims: one status
    dated 2100 moved the stream's `min_id` there, the reconnect paged the timeline from 2100, found
    nothing newer, and the statuses posted while the stream was down were lost, with nothing said."""
    import time

    from botwatch.collect import mastodon as md
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    def status(sid: int, i: int) -> dict[str, object]:
        return {"id": str(sid), "uri": f"https://fake.social/users/u/statuses/{sid}", "created_at": "2026-11-30T05:00:00.000Z",
                "content": f"<p>status {i} #GE2017</p>", "tags": [{"name": "ge2017"}], "account": {"id": "1", "acct": "u", "username": "u"}}

    base = int(time.time() * 1000) << 16
    live, missed = [status(base + i, i) for i in range(3)], [status(base + i, i) for i in range(3, 6)]
    future = status(4_102_444_800_000 << 16, 99)  # 2100-01-01
    streams = [0]
    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path == "/api/v2/instance":
            await w.respond(404, b"{}")
        elif "timelines" in req.path:  # min_id honoured: what was posted while the stream was down
            after = req.query.get("min_id", "0")
            asked.append(after)
            await w.respond(200, orjson.dumps([s for s in missed if int(str(s["id"])) > int(after)][::-1]))
        else:
            streams[0] += 1
            await w.start_stream("text/event-stream")
            if streams[0] == 1:  # three statuses and the one from 2100, then the connection ends
                for s in [*live, future]:
                    await w.chunk(b"event: update\ndata: " + orjson.dumps(s) + b"\n\n")
                await asyncio.sleep(0.2)
                w.abort()
                return
            await asyncio.sleep(30)

    logs: list[str] = []
    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=7)
        ended = asyncio.run(run_capture(cap, md.MastodonCollector(srv.url, None, ["GE2017"], backoff_scale=0.01), duration=8.0,
                                        log=logs.append, install_signals=False))
    assert ended == 0 and cap.stats.kept == 7, logs  # the missed three fetched, the one from 2100 kept too
    assert asked and asked[0] == live[-1]["id"], asked
    warned = [m for m in logs if "2100-01-01" in m]
    assert len(warned) == 1 and "in the future" in warned[0] and "cursor" in warned[0], logs


def test_a_jetstream_replay_that_does_not_reach_back_to_the_cursor_is_a_gap(tmp_path: Path) -> None:
    """Jetstream keeps about a day of events: a collector down longer resumed from the oldest it
    had, and the posts between its cursor and that event were lost with nothing said, where an X
    stream's gaps reach the manifest, `status` and the report. A resume within reach records none."""
    from botwatch.collect import state as st
    from botwatch.collect.fake_jetstream import FAKE_EPOCH_US

    folder = tmp_path / "capture"
    hours = 3 * 3600 * 1_000_000
    first, kept_later = [jetstream_event(i) for i in range(50)], [jetstream_event(i, FAKE_EPOCH_US + hours) for i in range(50, 100)]
    runs: list[list[str]] = []
    future = orjson.loads(jetstream_event(10_000))
    future["time_us"] = 4_102_444_800_000_000  # 2100-01-01, the first frame of the resumed connection: no gap to 2100
    # the first run, a resume within reach (all replayed, nothing new), then one beyond the relay's days;
    # the resume keeps nothing new, so it ends once it has read its replay, not at its `duration`
    # (2 s of an idle, held connection), which only bounds a replay that never comes
    for events, most, script in ((first, 50, None), (first, None, [{"junk": {0: orjson.dumps(future).decode()}}]), (kept_later, 1, None)):
        with FakeJetstream(events, script) as srv:
            cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=most)
            logs: list[str] = []
            replayed = read_every_event(srv, 0)
            stream = js.JetstreamCollector(srv.url, backoff_scale=0.01)
            asyncio.run(run_capture(cap, stream if most else stream_until(stream, lambda: replayed(cap)), duration=30.0, log=logs.append,
                                    install_signals=False))
            assert most or replayed(cap), cap.stats
            runs.append(logs)
    assert not any("gap" in m for m in runs[0] + runs[1]), runs
    said = [m for m in runs[2] if m.startswith("gap:")]
    assert len(said) == 1 and "the posts from 2026-11-30T05:00:00Z to 2026-11-30T08:00:01Z were not received" in said[0], runs[2]
    gaps = [g for r in (st.read_manifest(folder) or {})["runs"] for g in r.get("gaps") or []]
    assert gaps == [{"from": "2026-11-30T05:00:00Z", "to": "2026-11-30T08:00:01Z",
                     "why": "Jetstream's replay did not reach back to the cursor resumed from; a relay keeps about a day of events"}], gaps


def test_a_mastodon_status_id_too_long_for_any_time_is_kept_and_does_not_stop_the_collector(tmp_path: Path) -> None:
    """A status id of 400 digits (a hostile server) is past any time: reading its time to keep it
    from the cursor raised OverflowError, and the run stopped "on an unexpected OverflowError". It
    is kept, the cursor stays, and the warning says it lies beyond any date."""
    from botwatch.collect import mastodon as md

    cap = Capture(tmp_path, "mastodon", "mastodon-fake", keys_of=md.keys_of).open()
    logs: list[str] = []
    cap.log = logs.append
    status = {"id": "9" * 400, "uri": "https://fake.social/users/u/statuses/9", "created_at": "2026-11-30T05:00:00.000Z",
              "content": "<p>hi</p>", "account": {"id": "1", "acct": "u", "username": "u"}}
    try:
        md.MastodonCollector("http://fake.social", None, ["GE2017"]).handle_status(cap, "tag:ge2017", orjson.dumps(status), False)
    finally:
        cap.close()
    assert cap.stats.kept == 1 and cap.cursor.get("min_id", {}).get("tag:ge2017") is None, cap.cursor
    assert len(logs) == 1 and "beyond any date" in logs[0] and "in the future" in logs[0] and "inf" not in logs[0], logs


def test_an_x_search_page_that_never_comes_is_said_as_a_timeout_and_asked_again(tmp_path: Path) -> None:
    """A search page not answered within the read timeout (an X search's --stall, 60 s) was asked
    again after a wait under a second, so nothing was said: the run sat silent for a minute. The
    timeout is now said on a line however short the wait after it."""
    from botwatch.collect import x as xm
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    tweets = [{"id": str(10_000 + i), "text": f"tweet {i} #GE2017", "author_id": "1"} for i in range(3)]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if n == 0:
            await asyncio.sleep(2)  # past the collector's read timeout below
        await w.respond(200, orjson.dumps({"data": tweets[::-1], "meta": {"result_count": 3, "newest_id": tweets[-1]["id"]}}))

    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01, stall_s=0.3), duration=20.0,
                                        log=logs.append, install_signals=False))
    assert ended == 0 and cap.stats.kept == 3, logs
    assert any("timed out (ReadTimeout: no answer in time); retrying in" in line for line in logs), logs


def test_the_first_quick_retry_after_a_connection_reset_mid_answer_is_said(tmp_path: Path) -> None:
    """A search answer cut off mid-body was asked again after a wait under a second, in silence,
    while the same failure's later, longer retries were said: every retry after a failure is now
    said, in the words the others use."""
    from botwatch.collect import x as xm
    from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

    tweets = [{"id": str(10_000 + i), "text": f"tweet {i} #GE2017", "author_id": "1"} for i in range(3)]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if n == 0:  # the head promises 1,000 bytes; the connection is reset after 9
            w.w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\":[")
            await w.w.drain()
            w.abort()
            return
        await w.respond(200, orjson.dumps({"data": tweets[::-1], "meta": {"result_count": 3, "newest_id": tweets[-1]["id"]}}))

    with FakeHttp(route) as srv:
        cap = Capture(tmp_path, "x", "x-search-r", keys_of=xm.keys_of)
        logs: list[str] = []
        ended = asyncio.run(run_capture(cap, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01), duration=20.0,
                                        log=logs.append, install_signals=False))
    assert ended == 0 and cap.stats.kept == 3, logs
    said = [line for line in logs if "; retrying in " in line]
    assert len(said) == 1 and said[0].startswith(f"connection to {cap.endpoint} failed ("), logs
