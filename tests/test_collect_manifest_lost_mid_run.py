"""A capture whose manifest (`.botwatch/capture.json`) is moved away, or refuses a write, during the run.

A manifest gone since the run began made `update_run` return in silence: the run's counts and an X
run's gaps were dropped with nothing said. A write refused other than by a full disk (a refused
permission, a read-only folder) reached `note_run`'s caller as a raw OSError, and an X run stopped
on "an unexpected OSError" though its posts were fine. Each is now one warning saying what to do,
and the capture goes on."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from botwatch.collect import state as st
from botwatch.collect.core import Capture
from testsupport.capture_runs import manifest_path, one_post_and_cursor_kept, run_stream
from testsupport.collect_fakes import jetstream_event


def test_a_manifest_moved_away_during_the_run_is_said_once_and_the_run_ends_0(tmp_path: Path) -> None:
    moved = tmp_path / "capture.json.moved"

    async def stream(cap: Capture) -> None:
        cap.connected = True
        cap.post("a", jetstream_event(1))
        cap.cursor = {"time_us": 1}
        manifest_path(tmp_path).rename(moved)
        cap.note_run("gaps", [{"from": "a", "to": "b"}])

    code, lines = run_stream(tmp_path, stream)
    said = "\n".join(lines)
    assert code == 0 and "Traceback" not in said, said
    warned = [m for m in lines if m.startswith("warning:")]
    assert warned == [f"warning: {manifest_path(tmp_path)} was removed during this run (moved or deleted), so this run's entry there "
                      "(its counts, any gaps) cannot be updated. The posts and the cursor are saved, and the summary has the counts; "
                      "put the file back before the next run if you moved it (it records the folder's sample rate and runs): else the "
                      "next run starts a new one"], said  # once, though the note and the close each met it
    assert not any(m.startswith("error:") for m in lines), said
    assert not manifest_path(tmp_path).exists()  # not written afresh with this run alone
    one_post_and_cursor_kept(tmp_path)


def test_a_manifest_holding_null_is_said_as_unreadable_not_as_removed(tmp_path: Path) -> None:
    async def stream(cap: Capture) -> None:
        cap.connected = True
        cap.post("a", jetstream_event(1))
        cap.cursor = {"time_us": 1}
        manifest_path(tmp_path).write_text("null")

    code, lines = run_stream(tmp_path, stream)
    warned = [m for m in lines if m.startswith("warning:")]
    assert code == 0 and len(warned) == 1 and "is unreadable (it holds no entry for run 1)" in warned[0], lines


def test_a_refused_manifest_write_in_note_run_is_said_once_and_the_capture_goes_on(tmp_path: Path, monkeypatch: Any) -> None:
    """EACCES out of `note_run` stopped the run: "the collector stopped on an unexpected OSError"."""
    real_write = st.write_json_atomic
    refusing = {"on": False}

    def write_json_atomic(path: Path, data: Any) -> None:
        if refusing["on"] and path.name == st.MANIFEST:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_write(path, data)

    monkeypatch.setattr(st, "write_json_atomic", write_json_atomic)

    async def stream(cap: Capture) -> None:
        cap.connected = True
        refusing["on"] = True
        cap.note_run("gaps", [{"from": "a", "to": "b"}])
        cap.note_run("gaps", [{"from": "a", "to": "c"}])
        cap.post("a", jetstream_event(1))  # after the notes: the capture went on
        cap.cursor = {"time_us": 1}
        refusing["on"] = False  # the folder fixed before the close: the close records the run

    code, lines = run_stream(tmp_path, stream)
    said = "\n".join(lines)
    assert code == 0 and "unexpected" not in said and "Traceback" not in said, said
    warned = [m for m in lines if m.startswith("warning:")]
    assert warned == [f"warning: this run's entry in {manifest_path(tmp_path)} cannot be updated (its counts, any gaps): writing it failed "
                      "(Permission denied). The capture goes on and the summary has the counts; free space or fix the permissions of "
                      f"{st.meta_dir(tmp_path)} before the next run"], said
    one_post_and_cursor_kept(tmp_path)
    run = json.loads(manifest_path(tmp_path).read_text())["runs"][0]
    assert run["gaps"] == [{"from": "a", "to": "c"}] and run["kept"] == 1, run  # the close recorded what the notes could not
