"""A capture whose manifest (`.botwatch/capture.json`) turns unreadable during the run.

The close and `note_run` dropped the run's record (its counts, an X run's gaps) without a word,
so `status` and the report lacked them with nothing said. Now one warning says it, with what to
do, and the run still ends 0: its posts and its cursor are on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botwatch.collect import jetstream as js
from botwatch.collect import state as st
from botwatch.collect.core import Capture, CaptureCloseError
from testsupport.capture_runs import manifest_path, one_post_and_cursor_kept, run_stream
from testsupport.collect_fakes import jetstream_event, refuse_open_file_sync

WARNING = "warning: this run's entry in "


@pytest.mark.parametrize("spoilt", ["{\"runs\": [", "[1, 2]", "{\"runs\": []}", "{\"runs\": 5}"])
def test_a_run_whose_manifest_turned_unreadable_says_so_once_and_ends_0_with_its_posts_and_cursor(tmp_path: Path, spoilt: str) -> None:
    async def stream(cap: Capture) -> None:
        cap.connected = True
        cap.post("a", jetstream_event(1))
        cap.cursor = {"time_us": 1}
        manifest_path(tmp_path).write_text(spoilt)
        cap.note_run("gaps", [{"from": "a", "to": "b"}])
        cap.note_run("gaps", [{"from": "a", "to": "c"}])

    code, lines = run_stream(tmp_path, stream)
    said = "\n".join(lines)
    assert code == 0 and "Traceback" not in said, said
    warned = [m for m in lines if m.startswith(WARNING)]
    assert len(warned) == 1, said  # once, though two notes and the close each met it
    assert warned[0].startswith(f"{WARNING}{manifest_path(tmp_path)} cannot be updated (its counts, any gaps): the file is unreadable ("), warned[0]
    assert warned[0].endswith("The posts and the cursor are saved, and the summary has the counts; fix that file (it is JSON) "
                              "or restore it from a backup before the next run"), warned[0]
    assert not any(m.startswith("error:") for m in lines), said
    assert manifest_path(tmp_path).read_text() == spoilt  # left as it was, for the user to fix
    one_post_and_cursor_kept(tmp_path)


def test_a_close_that_also_meets_a_full_disk_says_the_manifest_once(tmp_path: Path, monkeypatch: Any) -> None:
    """The close's error line said "this run's counts are recorded" where the manifest was unreadable."""
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of).open()
    lines: list[str] = []
    cap.log = lines.append
    cap.post("a", jetstream_event(1))
    manifest_path(tmp_path).write_text("{")
    refuse_open_file_sync(monkeypatch)
    with pytest.raises(CaptureCloseError) as raised:
        cap.close()
    assert [m for m in lines if m.startswith(WARNING)] == lines and len(lines) == 1, lines
    assert "capture.json" not in str(raised.value) and "recorded" not in str(raised.value), raised.value


@pytest.mark.parametrize("manifest", [{"runs": 5}, {"sample_rate": "half", "runs": []}, {"sample_rate": None, "runs": []}],
                         ids=["runs-not-a-list", "rate-a-word", "rate-null"])
def test_a_hand_edited_manifest_is_said_at_the_start_not_a_traceback(tmp_path: Path, manifest: dict[str, Any]) -> None:
    """`{"runs": 5}` raised AttributeError from `begin_run` (`.append` on 5), and a sample rate that
    is no number a TypeError or ValueError: tracebacks at the start of every later run."""
    st.meta_dir(tmp_path).mkdir(parents=True)
    manifest_path(tmp_path).write_text(json.dumps(manifest))
    with pytest.raises(st.FolderError, match="is unreadable"):
        st.begin_run(tmp_path, 1.0, {"started": "now"}, "s")
