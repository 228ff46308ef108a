"""A capture whose close meets a full disk (the file's sync, the cursor's save, the manifest's write).

The close stopped at the first refusal: the stream's lock stayed held for the rest of an in-process
run (a notebook, a test, follow mode), and the manifest never got the run's counts. Each step is
now tried, the lock always released, the user told in one line what was not done, and the next
run resumes the capture with every post on disk exactly once."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from botwatch.collect import jetstream as js
from botwatch.collect import state as st
from botwatch.collect.core import Capture
from botwatch.collect.run import run_capture
from botwatch.collect.writer import OPEN_PREFIX, read_lines
from testsupport.collect_fakes import FakeJetstream, jetstream_event, read_every_event, refuse_open_file_sync
from testsupport.waiting import stream_until

N = 600


def _refuse_at_first_close(monkeypatch: Any, step: str) -> None:
    """During the first `Capture.close()` only, the write of `step` raises ENOSPC, as a disk that
    filled during the run does: "sync" the open capture file's fsync, "state" the cursor's save,
    "manifest" the run's record in capture.json."""
    closes: list[Capture] = []
    closing: list[bool] = []  # [whether this close is the first] while a close runs
    real_close, real_write, real_fsync = Capture.close, st.write_json_atomic, os.fsync

    def close(self: Capture) -> None:
        closes.append(self)
        closing[:] = [len(closes) == 1]
        try:
            real_close(self)
        finally:
            closing.clear()

    def write_json_atomic(path: Path, data: Any) -> None:
        name = "state" if path.name.endswith(".state.json") else "manifest" if path.name == st.MANIFEST else ""
        if closing and closing[0] and name == step:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    def fsync(fd: int) -> None:
        if closing and closing[0] and step == "sync" and OPEN_PREFIX in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(Capture, "close", close)
    monkeypatch.setattr(st, "write_json_atomic", write_json_atomic)
    monkeypatch.setattr(os, "fsync", fsync)


def _run(folder: Path, srv: FakeJetstream, until: Callable[[Capture], bool] | None = None) -> tuple[int, list[str]]:
    """One run, ended once `until(capture)` holds (by default: it has read every event the fake
    sends on its connection). Each run waited out a fixed 2 s `--duration`; 30 s is now the bound."""
    cap = Capture(folder, "bluesky", "bluesky", endpoint=srv.url, keys_of=js.keys_of, sync_seconds=0.2)
    lines: list[str] = []
    done = until or read_every_event(srv, len(srv.connections))
    stream = stream_until(js.JetstreamCollector(srv.url, backoff_scale=0.01), lambda: done(cap))
    code = asyncio.run(run_capture(cap, stream, duration=30.0, log=lines.append, install_signals=False))
    return code, lines


def _half_read_and_saved(folder: Path, srv: FakeJetstream) -> Callable[[Capture], bool]:
    """The first connection's half of the posts read and the state on disk holding the cursor of
    its last post: what the 2 s run had when it closed (its watchdog saves the state each second)."""
    read_all = read_every_event(srv, len(srv.connections))
    last = srv.times[N // 2 - 1]

    def check(cap: Capture) -> bool:
        try:
            saved = orjson.loads((folder / ".botwatch" / "bluesky.state.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return False
        return read_all(cap) and saved.get("cursor") == {"time_us": last}

    return check


def _rkeys(folder: Path) -> list[str]:
    return [orjson.loads(line)["commit"]["rkey"] for f in sorted(folder.glob("*.jsonl.gz")) for line in read_lines(f)]


@pytest.mark.parametrize("step", ["sync", "state"])
def test_a_close_the_disk_refuses_unlocks_says_what_was_not_done_and_the_next_run_loses_and_repeats_nothing(
        tmp_path: Path, monkeypatch: Any, step: str) -> None:
    _refuse_at_first_close(monkeypatch, step)
    folder = tmp_path / "cap"
    events = [jetstream_event(i) for i in range(N)]
    # The first connection sends half the posts and holds; the next replays from its cursor to the end.
    with FakeJetstream(events, [{"send": N // 2, "rate": 400, "then": "hold"}, {"then": "hold"}]) as srv:
        code, lines = _run(folder, srv, _half_read_and_saved(folder, srv))
        said = "\n".join(lines)
        assert code == 1 and "Traceback" not in said, said
        closing = [m for m in lines if m.startswith("error: could not close the capture cleanly: ")]
        assert len(closing) == 1, said
        assert closing[0].endswith(". Free space (or fix the folder's permissions) and run the same command again"), closing[0]
        manifest = folder / ".botwatch" / "capture.json"
        if step == "sync":
            assert "the open capture file could not be finished (No space left on device)" in closing[0], closing[0]
            assert list(folder.glob(OPEN_PREFIX + "*")), "left open for the next start to salvage"
        if step == "state":
            assert f"the cursor was not saved to {folder / '.botwatch' / 'bluesky.state.json'} (No space left on device)" in closing[0]
        assert f"this run's counts are recorded in {manifest}" in closing[0], closing[0]
        run = orjson.loads(manifest.read_bytes())["runs"][0]
        assert "kept" in run and "ended" in run, run
        # The lock was released: this process (a notebook, follow mode) can take the stream again.
        lock = st.StreamLock(folder, "bluesky")
        lock.acquire()
        lock.release()
        code, lines = _run(folder, srv)
        assert code == 0, lines
        assert srv.connections[-1]["cursor"] is not None  # resumed from a saved cursor, not from the start
    keys = _rkeys(folder)
    assert sorted(keys) == [f"3k{i:010d}" for i in range(N)], (len(keys), len(set(keys)))
    assert not list(folder.glob(OPEN_PREFIX + "*"))


def test_a_manifest_write_refused_at_the_close_alone_is_one_warning_and_exit_0(tmp_path: Path, monkeypatch: Any) -> None:
    """The posts and the cursor are on disk: the run exited 1 for its record alone (a scheduled job
    retried a capture that lost nothing), where an unreadable manifest exited 0. One rule now."""
    _refuse_at_first_close(monkeypatch, "manifest")
    folder = tmp_path / "cap"
    events = [jetstream_event(i) for i in range(N)]
    with FakeJetstream(events, [{"send": N // 2, "rate": 400, "then": "hold"}, {"then": "hold"}]) as srv:
        code, lines = _run(folder, srv, _half_read_and_saved(folder, srv))
        said = "\n".join(lines)
        assert code == 0 and "Traceback" not in said and not [m for m in lines if m.startswith("error:")], said
        manifest = folder / ".botwatch" / "capture.json"
        warned = [m for m in lines if m.startswith("warning:")]
        assert warned == [f"warning: this run's entry in {manifest} cannot be updated (its counts, any gaps): writing it failed "
                          "(No space left on device). The posts and the cursor are saved, and the summary has the counts; free "
                          f"space or fix the permissions of {manifest.parent} before the next run"], said
        assert (folder / ".botwatch" / "bluesky.state.json").exists()
        code, lines = _run(folder, srv)
        assert code == 0, lines
        assert srv.connections[-1]["cursor"] is not None
    assert sorted(_rkeys(folder)) == [f"3k{i:010d}" for i in range(N)]


def test_a_manifest_write_refused_with_the_cursor_is_said_in_the_close_line(tmp_path: Path, monkeypatch: Any) -> None:
    """Where the cursor's save failed too the run exits 1 for it, and the one close line says both."""
    real_write = st.write_json_atomic

    def write_json_atomic(path: Path, data: Any) -> None:
        if cap.stats.kept and (path.name == st.MANIFEST or path.name.endswith(".state.json")):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open()
    cap.log = pytest.fail  # no warning apart: the close's one line says it
    monkeypatch.setattr(st, "write_json_atomic", write_json_atomic)
    cap.post("a", jetstream_event(1))
    cap.cursor = {"time_us": 1}
    with pytest.raises(OSError) as err:
        cap.close()
    assert "the cursor was not saved" in str(err.value) and "this run's counts could not be recorded" in str(err.value), err.value


def test_a_second_close_does_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    """A caller that closes again after a failed close (a notebook's retry, a `finally`) must not
    save the cursor past a file that was never finished, nor publish it."""
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open()
    cap.post("a", jetstream_event(1))
    cap.cursor = {"time_us": 1}
    real_fsync = os.fsync
    refuse_open_file_sync(monkeypatch)
    with pytest.raises(OSError, match="the open capture file could not be finished"):
        cap.close()
    monkeypatch.setattr(os, "fsync", real_fsync)
    cap.close()
    assert not (tmp_path / ".botwatch" / "bluesky.state.json").exists()
    assert list(tmp_path.glob(OPEN_PREFIX + "*")) and not list(tmp_path.glob("bluesky-*.jsonl.gz"))


@pytest.mark.parametrize("step", ["salvage", "manifest", "state"])
def test_an_open_the_disk_refuses_releases_the_lock(tmp_path: Path, monkeypatch: Any, step: str) -> None:
    """An open that failed after taking the lock (a full disk salvaging a crash's file or recording
    the run in the manifest, an unreadable state file) kept the stream locked for the rest of the
    process: every later try in a notebook or follow mode read "another collector is writing stream 'bluesky'"."""
    from botwatch.collect import core

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    state = tmp_path / ".botwatch" / "bluesky.state.json"
    if step == "state":  # not the disk: a state file cut short, said as a usage error (exit 2)
        state.parent.mkdir()
        state.write_text("{")
    elif step == "salvage":
        monkeypatch.setattr(core, "salvage_files", refuse)
    else:
        monkeypatch.setattr(st, "write_json_atomic", refuse)
    with pytest.raises(core.CollectError if step == "state" else OSError, match="is unreadable" if step == "state" else "No space left on device"):
        Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open()
    monkeypatch.undo()
    state.unlink(missing_ok=True)
    Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open().close()


def test_an_error_the_close_did_not_foresee_is_one_line_that_claims_no_salvage(tmp_path: Path, monkeypatch: Any) -> None:
    """A plain OSError out of the close (here the lock's release, after the file was published) read
    "…; the next start salvages the open file", though no file was left open to salvage."""
    async def stream(cap: Capture) -> None:
        cap.connected = True
        cap.post("a", jetstream_event(1))

    def release(self: st.StreamLock) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(st.StreamLock, "release", release)
    lines: list[str] = []
    code = asyncio.run(run_capture(Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of), stream, log=lines.append, install_signals=False))
    closing = [m for m in lines if m.startswith("error: could not close the capture cleanly: ")]
    assert code == 1 and closing == ["error: could not close the capture cleanly: [Errno 5] Input/output error"], lines
    assert not list(tmp_path.glob(OPEN_PREFIX + "*")) and len(list(tmp_path.glob("bluesky-*.jsonl.gz"))) == 1


def test_a_capture_opened_again_after_its_close_closes_again(tmp_path: Path) -> None:
    """`open(); close(); open(); close()` on one Capture left the second file `.open-` and the stream
    locked: the guard against a second close was never reset by the next open."""
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
    for n in (1, 2):
        cap.open()
        cap.post(f"a{n}", jetstream_event(n))
        cap.cursor = {"time_us": n}
        cap.close()
    assert not list(tmp_path.glob(OPEN_PREFIX + "*")), list(tmp_path.iterdir())
    Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open().close()  # the lock was released
