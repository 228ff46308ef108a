"""`collect bluesky` looks up the profiles of the accounts whose posts it kept at a (fake) AppView on
127.0.0.1: in batches of at most 25, each account once per capture (a restart asks no account
again), a 429 waited out, a failing AppView counted without stopping the post capture; and ingest
stores the profile views' creation dates, counts and descriptions in the accounts table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from typer.testing import CliRunner

from botwatch.collect import bsky_profiles as bp
from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from botwatch.collect.writer import read_lines
from botwatch.ingest.other_platforms import handle_jetstream
from testsupport.collect_fakes import FakeHttp, FakeJetstream, HttpRequest, HttpWriter, jetstream_event, read_every_event
from testsupport.waiting import stream_until

N = 60  # posts, one account each (jetstream_event gives `did:plc:fakeNNNN`, i % 997)
GONE = "did:plc:fake0007"  # an account the AppView does not return (deleted)


def view(did: str) -> dict[str, Any]:
    n = int(did[-4:])
    return {"did": did, "handle": f"user{n}.bsky.social", "displayName": f"User <b>{n}</b>", "description": f"bio of {n}",
            "createdAt": "2024-03-01T10:00:00.000Z", "followersCount": 10 + n, "followsCount": 20 + n, "postsCount": 30 + n,
            **({"avatar": f"https://cdn.example/{n}.jpg"} if n % 2 else {})}


def actors(req: HttpRequest) -> list[str]:
    return parse_qs(urlsplit(req.target).query).get("actors", [])


class AppView:
    """getProfiles: the first request answered 429 (Retry-After 1 s) when `limit_first`, then the views asked (GONE left out)."""

    def __init__(self, limit_first: bool = False, status: int = 200) -> None:
        self.limit_first, self.status = limit_first, status

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path != bp.PATH:
            await w.respond(404, b'{"error":"NotFound"}')
        elif self.limit_first and n == 0:
            await w.respond(429, b'{"error":"RateLimitExceeded"}', {"Retry-After": "1"})
        elif self.status != 200:
            await w.respond(self.status, b'{"error":"InternalServerError"}')
        else:
            await w.respond(200, orjson.dumps({"profiles": [view(d) for d in actors(req) if d != GONE]}))


Until = Callable[[Capture, bp.ProfileLookups], object]


def collect(folder: Path, jet: FakeJetstream, appview: str, *, duration: float = 30.0, linger_s: float = 0.3,
            scale: float = 0.01, until: Until | None = None) -> tuple[Capture, int, list[str]]:
    """One run of the Bluesky collector with profile lookups; (capture, exit code, log lines).
    The run ends once `until(capture, lookups)` holds (`settled` when not given), ended as a
    `--duration` end ends it: each run waited out a fixed `duration` chosen to outlast its
    lookups on a loaded machine (about 30 s of the file's time). `duration` now only bounds a
    run whose state never comes; the test's assertions then say what is missing."""
    cap = Capture(folder, "bluesky", "bluesky", endpoint=jet.url, keys_of=js.keys_of)
    lines: list[str] = []
    lookups = bp.ProfileLookups(appview, backoff_scale=scale, linger_s=linger_s)
    collector = js.JetstreamCollector(jet.url, backoff_scale=0.01, profiles=lookups)
    done = settled(jet) if until is None else until
    stream = stream_until(collector, lambda: done(cap, lookups))
    code = asyncio.run(run_capture(cap, stream, duration=duration, log=lines.append, install_signals=False))
    return cap, code, lines


def settled(jet: FakeJetstream) -> Until:
    """Every event read and no account waiting: each queued account was asked and answered (taken
    off the queue only once its profiles and the ledger are written) or given up, so no lookup is
    left for a longer run to make."""
    read_all = read_every_event(jet, len(jet.connections))
    return lambda cap, lookups: read_all(cap) and not lookups.pending


def part_batch_left(jet: FakeJetstream) -> Until:
    """Every event read and the full batches gone: what is left (fewer than a batch) waits for a
    `linger_s` longer than the run, as at a `--duration` end that comes first."""
    read_all = read_every_event(jet, len(jet.connections))
    return lambda cap, lookups: read_all(cap) and len(lookups.pending) < bp.BATCH


def records(folder: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for f in sorted(folder.glob("bluesky-*.jsonl.gz")) for line in read_lines(f)]


def test_profiles_are_asked_in_batches_once_each_429_waited_out_and_not_again_on_restart(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    events = [jetstream_event(i) for i in range(N)]
    with FakeJetstream(events, [{"then": "hold"}]) as jet, FakeHttp(AppView(limit_first=True)) as srv:
        cap, code, lines = collect(folder, jet, srv.url)
        first = list(srv.requests)
        assert code == 0, lines
        asked = [actors(r) for _, r in first]
        assert all(0 < len(a) <= bp.BATCH for a in asked) and len(asked[0]) == bp.BATCH, asked
        assert asked[1] == asked[0] and first[1][0] - first[0][0] >= 1.0  # the 429'd batch asked again after Retry-After
        answered = [d for a in asked[1:] for d in a]
        dids = {f"did:plc:fake{i:04d}" for i in range(N)}
        assert sorted(answered) == sorted(dids)  # each account once
        said = "\n".join(lines)
        assert f"Bluesky profiles: {N - 1} written; 1 not found" in said and "429" in said, said

        # a restart replays the overlap: no account is asked again, no profile written twice
        cap2, code2, lines2 = collect(folder, jet, srv.url)
        assert code2 == 0 and len(srv.requests) == len(first), lines2
    kept = records(folder)
    profiles = [r for r in kept if r["kind"] == bp.PROFILE_VIEW]
    assert sum(r["kind"] == "commit" for r in kept) == N
    assert sorted(r["did"] for r in profiles) == sorted(dids - {GONE})
    assert all(r["profile"]["did"] == r["did"] and abs(r["time_us"] / 1e6 - time.time()) < 120 for r in profiles)
    assert sorted((folder / ".botwatch" / "bluesky.profiles").read_text().split()) == sorted(dids)


def test_a_failing_appview_is_counted_and_said_and_the_posts_are_all_kept(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView(status=503)) as srv:
        cap, code, lines = collect(folder, jet, srv.url, scale=0.001)  # the ladder climbs across batches
        assert len(srv.requests) == bp.TRIES * 3  # three batches (25, 25, 10), each tried TRIES times
    said = "\n".join(lines)
    assert code == 0 and "Traceback" not in said, said
    assert sum(r["kind"] == "commit" for r in records(folder)) == N and cap.stats.kept == N
    assert f"Bluesky profiles: 0 written; 0 not found (deleted or taken down); {N} failed" in said, said
    assert "could not look up 25 Bluesky profile(s)" in said and "answered 503" in said and "the post capture goes on" in said, said
    assert not (folder / ".botwatch" / "bluesky.profiles").exists()  # failed: not listed as asked


def test_accounts_left_waiting_at_a_stop_are_asked_by_the_next_run(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        _, code, _ = collect(folder, jet, srv.url, linger_s=30.0, until=part_batch_left(jet))  # ends before a part-full batch goes
        waiting = (folder / ".botwatch" / "bluesky.profiles-waiting").read_text().split()
        assert code == 0 and 0 < len(waiting) < N, waiting
        collect(folder, jet, srv.url, linger_s=0.2)
    asked = [d for _, r in srv.requests for d in actors(r)]
    assert sorted(asked) == sorted({f"did:plc:fake{i:04d}" for i in range(N)})
    assert not (folder / ".botwatch" / "bluesky.profiles-waiting").exists()


def test_at_max_posts_the_accounts_still_waiting_are_asked_before_the_run_ends(tmp_path: Path) -> None:
    """The firehose reaches --max-posts in seconds, when most kept accounts are still queued: the
    run asks for them before it ends (a --duration end or a Ctrl-C leaves them to the next run,
    as the test above shows). Here the last, part-full batch would wait 30 s to fill."""
    folder = tmp_path / "cap"
    lines: list[str] = []
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        cap = Capture(folder, "bluesky", "bluesky", endpoint=jet.url, keys_of=js.keys_of, max_posts=N)
        collector = js.JetstreamCollector(jet.url, backoff_scale=0.01, profiles=bp.ProfileLookups(srv.url, backoff_scale=0.01, linger_s=30.0))
        code = asyncio.run(run_capture(cap, collector, duration=20.0, log=lines.append, install_signals=False))
    assert code == 0, lines
    asked = [d for _, r in srv.requests for d in actors(r)]
    assert sorted(asked) == sorted({f"did:plc:fake{i:04d}" for i in range(N)}), lines
    assert any("--max-posts reached: looking up the" in line for line in lines), lines
    assert not (folder / ".botwatch" / "bluesky.profiles-waiting").exists()


def test_the_cli_takes_the_appview_and_the_ingested_study_has_the_profiles(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.ingest.runner import ingest
    from botwatch.study import Study

    folder = tmp_path / "cap"
    # Each run ends at --max-posts, once the fake has sent its N posts (the lookups still waiting
    # asked first): they waited out a fixed 5 s and 2 s `--duration`, now only the bound.
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--endpoint", jet.url, "--profiles", "--appview", srv.url,
                                       "--max-posts", str(N), "--duration", "60s", "--no-progress", "--backoff-scale", "0.01"])
        asked = len(srv.requests)
        off = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "off"), "--endpoint", jet.url, "--no-profiles",
                                       "--appview", srv.url, "--max-posts", str(N), "--duration", "60s", "--no-progress"])
        asked_after = len(srv.requests)
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and f"Bluesky profiles: {N - 1} written" in said, said
    assert off.exit_code == 0 and "Bluesky profiles" not in off.output and asked_after == asked, off.output
    with Study(tmp_path / "s.duckdb") as st:
        summary = ingest(st, [str(folder)], workers=1)
        assert not any(f.error for f in summary.files) and summary.total("rejected") == 0
        rows = st.sql("SELECT account_id, handle, display_name, description, created_at, followers, following, posts_count, default_image "
                      "FROM accounts WHERE platform = 'bluesky' ORDER BY account_id")
    by_id = {r[0]: r[1:] for r in rows}
    assert len(by_id) == N
    assert by_id["did:plc:fake0003"] == ("user3.bsky.social", "User <b>3</b>", "bio of 3", by_id["did:plc:fake0003"][3], 13, 23, 33, False)
    assert str(by_id["did:plc:fake0003"][3]).startswith("2024-03-01 10:00:00")
    assert by_id["did:plc:fake0004"][-1] is True  # no avatar: the default image
    assert by_id[GONE][0] is None and by_id[GONE][4] is None  # not returned: the post's account only


class Sink:
    def __init__(self) -> None:
        self.accounts: list[dict[str, Any]] = []

    def account(self, row: dict[str, Any], line: int) -> None:
        self.accounts.append(row)


def test_a_profile_views_placeholder_creation_date_is_no_date_and_a_misfiled_view_is_refused() -> None:
    import pytest

    from botwatch.ingest.sink import RecordError

    t_us = 1_780_000_000_000_000
    sink = Sink()
    v = {**view("did:plc:fake0001"), "createdAt": "0001-01-01T00:00:00.000Z", "handle": "handle.invalid"}
    handle_jetstream({"did": "did:plc:fake0001", "time_us": t_us, "kind": bp.PROFILE_VIEW, "profile": v}, 1, sink)  # type: ignore[arg-type]
    row = sink.accounts[0]
    assert row["created_at"] is None and row["handle"] is None and row["followers"] == 11 and row["observed_at"] is not None
    with pytest.raises(RecordError, match="filed under"):
        handle_jetstream({"did": "did:plc:other", "time_us": t_us, "kind": bp.PROFILE_VIEW, "profile": v}, 2, sink)  # type: ignore[arg-type]


def test_the_accounts_waiting_are_on_disk_while_the_run_goes_on(tmp_path: Path) -> None:
    """Synced before each state save, not only at a clean stop: a run killed with -9 leaves them to
    the next run too, and one given up is not asked again by it."""
    folder = tmp_path / "cap"
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    lookups = bp.ProfileLookups("http://127.0.0.1:9")
    lookups.load(cap)
    for did in ("did:plc:waiting", "did:plc:dropped", "did:plc:later"):
        lookups.want(cap, did)
    lookups._drop(cap, ["did:plc:dropped"], "a test")
    cap.tick(force=True)
    # killed here: no save, no close; the next run reads what the tick left
    again = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of)
    next_run = bp.ProfileLookups("http://127.0.0.1:9")
    next_run.load(again)
    assert list(next_run.pending) == ["did:plc:waiting", "did:plc:later"]
    assert (folder / ".botwatch" / "bluesky.profiles-waiting").read_text() == "did:plc:waiting\ndid:plc:later\n"  # rewritten whole at load
    cap.close()


def test_an_older_runs_queue_in_the_state_file_is_asked_and_leaves_the_state_file(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "bluesky.state.json").write_bytes(orjson.dumps({"cursor": {}, bp.PENDING_KEY: {"did:plc:old": None}}))
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        cap.tick(force=True)
        assert list(lookups.pending) == ["did:plc:old"]
        assert bp.PENDING_KEY not in orjson.loads((folder / ".botwatch" / "bluesky.state.json").read_bytes())
        assert (folder / ".botwatch" / "bluesky.profiles-waiting").read_text() == "did:plc:old\n"
    finally:
        cap.close()


def test_a_full_queue_is_not_rewritten_with_each_state_save(tmp_path: Path) -> None:
    """Through a long AppView outage the queue holds 100,000 accounts and changes by a batch at a
    time: each state save (about once a second) writes the change, not the whole queue (it wrote
    about 4.6 MB each time when the queue lived in the state file)."""
    folder = tmp_path / "cap"
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        dids = [f"did:plc:{i:024d}" for i in range(bp.MAX_PENDING + 100)]
        for did in dids[: bp.MAX_PENDING]:
            lookups.want(cap, did)
        cap.tick(force=True)
        state, waiting = folder / ".botwatch" / "bluesky.state.json", folder / ".botwatch" / "bluesky.profiles-waiting"
        assert state.stat().st_size < 2_000
        full = waiting.stat().st_size
        for k in range(4):  # a batch given up, a batch of new accounts queued, a state save
            lookups._drop(cap, list(lookups.pending)[: bp.BATCH], "an outage")
            for did in dids[bp.MAX_PENDING + k * bp.BATCH:][: bp.BATCH]:
                lookups.want(cap, did)
            cap.tick(force=True)
            assert state.stat().st_size < 2_000
        assert waiting.stat().st_size - full == 4 * bp.BATCH * (len(dids[0]) + 2) + 4 * bp.BATCH * (len(dids[0]) + 1)
        assert len(bp._replay(waiting)) == bp.MAX_PENDING
    finally:
        cap.close()


def test_a_malformed_appview_is_one_line_before_anything_is_created(tmp_path: Path) -> None:
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--profiles", "--appview", "notaurl", "--duration", "1s"])
    assert res.exit_code == 2 and "--appview must be a https:// or http:// URL with a host, got 'notaurl'" in " ".join(res.output.split())
    assert not (tmp_path / "cap").exists()


def test_only_a_bluesky_runs_manifest_entry_has_the_profile_counters(tmp_path: Path) -> None:
    """An X or Mastodon run asks no AppView: zeros under the profile counters in its manifest entry
    read as lookups that found nothing."""
    from botwatch.collect import state as st
    from botwatch.collect.progress import PROFILE_COUNTERS

    for platform, stream in (("x", "x-stream"), ("mastodon", "mastodon-fake"), ("bluesky", "bluesky")):
        Capture(tmp_path / platform, platform, stream).open().close()
        manifest = st.read_manifest(tmp_path / platform)
        assert manifest is not None
        run = manifest["runs"][-1]
        assert "kept" in run and "ended" in run
        has = [k for k in PROFILE_COUNTERS if k in run]
        assert has == (list(PROFILE_COUNTERS) if platform == "bluesky" else []), (platform, run)


def test_at_the_queue_cap_an_account_is_counted_not_asked_once_however_often_it_posts(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(bp, "MAX_PENDING", 2)
    cap = Capture(tmp_path / "cap", "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        for did in ("did:plc:a", "did:plc:b", "did:plc:c", "did:plc:c", "did:plc:d", "did:plc:c"):
            lookups.want(cap, did)
        assert list(lookups.pending) == ["did:plc:a", "did:plc:b"] and cap.stats.profiles_not_asked == 2  # c and d, c once
        lookups.pending.pop("did:plc:a")  # asked: room for one more
        lookups.want(cap, "did:plc:c")  # queued after all: no longer counted as not asked
        assert list(lookups.pending) == ["did:plc:b", "did:plc:c"] and cap.stats.profiles_not_asked == 1
    finally:
        cap.close()


class Limited:
    """getProfiles answered 429 every time, told to come back in an hour."""

    async def __call__(self, req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(429, b'{"error":"RateLimitExceeded"}', {"Retry-After": "3600"})


def test_a_batch_answered_429_over_and_over_is_given_up_after_limit_tries_and_the_posts_are_all_kept(tmp_path: Path) -> None:
    """The hour asked is cut to the rate-limit ladder's longest wait (shrunk here by the scale), and
    each batch is tried LIMIT_TRIES times, then counted as failed: the lookups move on."""
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(Limited()) as srv:
        cap, code, lines = collect(folder, jet, srv.url, scale=0.0001)
        asked = [actors(r) for _, r in srv.requests]
    said = "\n".join(lines)
    assert code == 0 and "Traceback" not in said, said
    assert len(asked) == bp.LIMIT_TRIES * 3, (len(asked), said)  # three batches (25, 25, 10), each tried LIMIT_TRIES times
    assert cap.stats.kept == N and cap.stats.profile_failures == N and cap.stats.profiles_waiting == 0
    assert f"{N} failed" in said and f"answered 429 {bp.LIMIT_TRIES} times)" in said and "the post capture goes on" in said, said


def test_a_waiting_file_that_cannot_be_written_at_close_is_an_oserror_the_runner_says(tmp_path: Path) -> None:
    """`run_capture` turns an OSError from `Capture.close` into a line; a CaptureWriteError would
    have reached the user as a traceback."""
    import pytest

    folder = tmp_path / "cap"
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    lookups = bp.ProfileLookups("http://127.0.0.1:9")
    lookups.load(cap)
    lookups.want(cap, "did:plc:waiting")
    (folder / ".botwatch" / "bluesky.profiles-waiting").mkdir()  # refuses the append
    with pytest.raises(OSError):
        cap.close()
    cap._lock.release()


def test_a_did_that_would_break_the_one_did_a_line_files_is_never_queued(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        for did in ("did:plc:ok", "did:plc:x\n-did:plc:ok", "did:plc:y\ndid:plc:z", "-did:plc:ok", "did:plc:" + "a" * 3000):
            lookups.want(cap, did)
        cap.tick(force=True)
        assert list(lookups.pending) == ["did:plc:ok"]
        assert (folder / ".botwatch" / "bluesky.profiles-waiting").read_text() == "did:plc:ok\n"
    finally:
        cap.close()


def test_the_accounts_turned_away_by_a_full_queue_are_remembered_up_to_a_bound(tmp_path: Path, monkeypatch: Any) -> None:
    # Each account turned away was kept in a set for the count: through a long AppView outage on
    # a full firehose, every account that posted (millions of DIDs) stayed in memory.
    monkeypatch.setattr(bp, "MAX_PENDING", 2)
    cap = Capture(tmp_path / "cap", "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        for i in range(1_000):
            lookups.want(cap, f"did:plc:{i:024d}")
        assert len(lookups.not_asked) <= bp.MAX_PENDING
        assert cap.stats.profiles_not_asked == 998  # each turned away once: all counted
        lookups.want(cap, "did:plc:000000000000000000000002")  # remembered: counted once
        assert cap.stats.profiles_not_asked == 998
    finally:
        cap.close()


def _refuse_waiting_writes(monkeypatch: Any, modes: str) -> None:
    """From the run's closing save on, every open of the waiting file (or its rewrite's temporary
    file) in one of `modes` raises ENOSPC, as a disk that filled during the run does."""
    import builtins
    import errno

    refusing: list[bool] = []
    real_save = bp.ProfileLookups.save

    def closing_save(self: bp.ProfileLookups, cap: Capture) -> None:
        refusing.append(True)
        real_save(self, cap)

    def refusing_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if refusing and "profiles-waiting" in str(file) and mode[0] in modes:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(bp.ProfileLookups, "save", closing_save)
    monkeypatch.setattr(bp, "open", refusing_open, raising=False)


def _collect_unsynced(folder: Path, jet: FakeJetstream, appview: str) -> tuple[Capture, int, list[str]]:
    """A run that ends before its last part-full batch goes and that never syncs on its own, so
    the accounts still waiting reach the waiting file only at the closing save."""
    cap = Capture(folder, "bluesky", "bluesky", endpoint=jet.url, keys_of=js.keys_of, sync_seconds=3600.0)
    lines: list[str] = []
    lookups = bp.ProfileLookups(appview, backoff_scale=0.01, linger_s=30.0)
    collector = js.JetstreamCollector(jet.url, backoff_scale=0.01, profiles=lookups)
    left = part_batch_left(jet)
    stream = stream_until(collector, lambda: left(cap, lookups))
    code = asyncio.run(run_capture(cap, stream, duration=30.0, log=lines.append, install_signals=False))
    return cap, code, lines


def test_waiting_accounts_the_folder_refuses_to_save_are_counted_and_said_not_saved(tmp_path: Path, monkeypatch: Any) -> None:
    # The count was set after the save: a refused save left the summary without the accounts
    # waiting, and nothing said that they were not saved for the next run.
    _refuse_waiting_writes(monkeypatch, "aw")
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        cap, code, lines = _collect_unsynced(folder, jet, srv.url)
    said = "\n".join(lines)
    waiting = N - 2 * bp.BATCH  # two full batches asked, the part-full one left
    assert "Traceback" not in said and code == 1, said  # the close, syncing the same file, fails too
    assert cap.stats.profiles_waiting == waiting and cap.stats.profiles_not_saved == waiting, said
    assert (f"warning: could not save the {waiting} Bluesky accounts still waiting for a profile lookup to "
            f"{folder / '.botwatch' / 'bluesky.profiles-waiting'} (No space left on device): they are not saved for the next run to ask") in said, said
    assert "Free space (or fix the folder's permissions) and run the same command again" in said, said
    assert f"; {waiting} waiting, NOT saved for the next run (the capture folder refused the write" in said, said
    assert "asked by the next run" not in said, said


def test_waiting_accounts_on_disk_when_only_the_compacting_rewrite_is_refused_are_not_said_lost(tmp_path: Path, monkeypatch: Any) -> None:
    _refuse_waiting_writes(monkeypatch, "w")  # the appends go through; the whole-file rewrite fails
    folder = tmp_path / "cap"
    with FakeJetstream([jetstream_event(i) for i in range(N)], [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        cap, code, lines = _collect_unsynced(folder, jet, srv.url)
    said = "\n".join(lines)
    waiting = N - 2 * bp.BATCH
    assert "Traceback" not in said and code == 0, said
    assert cap.stats.profiles_waiting == waiting and cap.stats.profiles_not_saved == 0, said
    assert f"; {waiting} waiting, asked by the next run" in said and "could not save" not in said, said
    asked = set((folder / ".botwatch" / "bluesky.profiles").read_text().split())
    assert len(set(bp._replay(folder / ".botwatch" / "bluesky.profiles-waiting")) - asked) == waiting  # the asked leave it through the ledger


def _event_by(did: str, i: int) -> bytes:
    """A post event of the fake Jetstream with another author's `did`."""
    return orjson.dumps({**orjson.loads(jetstream_event(i)), "did": did})


def test_an_account_whose_did_is_not_a_did_is_counted_once_as_not_looked_up(tmp_path: Path) -> None:
    # Its post was kept but its account was in no profile count: the summary's counts did not
    # add up to the accounts kept, and nothing said why.
    from botwatch.collect import state as st

    folder = tmp_path / "cap"
    odd = ["did:plc:x\n-did:plc:ok", "not-a-did", "did:plc:x\n-did:plc:ok"]  # the first posts twice: one account
    events = [jetstream_event(i) for i in range(5)] + [_event_by(d, 5 + i) for i, d in enumerate(odd)]
    with FakeJetstream(events, [{"then": "hold"}]) as jet, FakeHttp(AppView()) as srv:
        cap, code, lines = collect(folder, jet, srv.url, linger_s=0.2)
    said = "\n".join(lines)
    assert code == 0 and cap.stats.kept == len(events), said
    assert cap.stats.profiles_not_did == 2 and cap.stats.profiles + cap.stats.profiles_missing == 5, said
    assert "Bluesky profiles: 5 written; 0 not found (deleted or taken down); 2 not a DID, not looked up" in said, said
    manifest = st.read_manifest(folder)
    assert manifest is not None and manifest["runs"][-1]["profiles_not_did"] == 2


def test_the_accounts_not_of_did_syntax_are_remembered_up_to_a_bound(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(bp, "MAX_PENDING", 2)
    cap = Capture(tmp_path / "cap", "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        for i in range(1_000):
            lookups.want(cap, f"bad did {i}")
        assert len(lookups.not_did) <= bp.MAX_PENDING and not lookups.pending
        assert cap.stats.profiles_not_did == 1_000
        lookups.want(cap, "bad did 1")  # remembered: counted once
        assert cap.stats.profiles_not_did == 1_000
    finally:
        cap.close()


def test_a_refused_closing_save_counts_only_the_waiting_accounts_not_already_on_disk(tmp_path: Path, monkeypatch: Any) -> None:
    # Every account waiting was said "not saved" whenever the closing save failed: those a state
    # save had already synced are in the waiting file, and an account queued and then asked
    # (no longer waiting) made "could not save the 0 Bluesky accounts still waiting".
    folder = tmp_path / "cap"
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    lookups = bp.ProfileLookups("http://127.0.0.1:9")
    lookups.load(cap)
    collector = js.JetstreamCollector("ws://127.0.0.1:9", profiles=lookups)
    lines: list[str] = []
    cap.log = lines.append  # type: ignore[method-assign]
    try:
        lookups.want(cap, "did:plc:asked")
        lookups.pending.pop("did:plc:asked")  # asked since: no longer waiting, its line not synced
        _refuse_waiting_writes(monkeypatch, "aw")
        collector._leave_waiting(cap)
        assert cap.stats.profiles_not_saved == 0 and not lines, lines  # nothing waiting was lost
        for did in ("did:plc:a", "did:plc:b"):
            lookups.want(cap, did)
        monkeypatch.undo()
        lookups.flush(cap)  # a state save synced these two
        lookups.want(cap, "did:plc:c")
        _refuse_waiting_writes(monkeypatch, "aw")
        collector._leave_waiting(cap)
        said = "\n".join(lines)
        assert cap.stats.profiles_waiting == 3 and cap.stats.profiles_not_saved == 1, said
        assert "warning: could not save 1 of the 3 Bluesky accounts still waiting for a profile lookup" in said, said
        assert ": it is not saved for the next run to ask" in said, said
        from botwatch.collect.progress import profiles_line

        assert "; 3 waiting, 1 of them NOT saved for the next run (the capture folder refused the write" in profiles_line(cap.stats)
    finally:
        monkeypatch.undo()
        cap.close()


def test_an_older_runs_queue_adds_nothing_to_this_runs_not_a_did_count(tmp_path: Path) -> None:
    # `load` re-queues through `want`, which now counts a non-DID as an account this run kept: an
    # older state's queue (or a waiting file edited by hand) put accounts of no post of this run
    # into "N not a DID, not looked up".
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "bluesky.state.json").write_bytes(orjson.dumps({"cursor": {}, bp.PENDING_KEY: ["did:plc:old", "did:plc:x y"]}))
    (folder / ".botwatch" / "bluesky.profiles-waiting").write_text("did:plc:w\ndid:plc:a b\n")
    cap = Capture(folder, "bluesky", "bluesky", keys_of=js.keys_of).open()
    try:
        lookups = bp.ProfileLookups("http://127.0.0.1:9")
        lookups.load(cap)
        assert list(lookups.pending) == ["did:plc:old", "did:plc:w"]
        assert cap.stats.profiles_not_did == 0
    finally:
        cap.close()
