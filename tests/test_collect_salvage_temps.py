"""A start's salvage of a file a killed collector left open: its temporary copy
(`.open-….jsonl.gz.salvage`) never left behind holding disk space, never published stale, and the
line that says what was recovered true of the stream it names."""

from __future__ import annotations

import errno
import zlib
from pathlib import Path

import orjson
import pytest

from botwatch.collect import writer
from botwatch.collect.writer import OPEN_PREFIX, read_lines, salvage_files

SALVAGE_SUFFIX = ".salvage"  # the temp's name: the orphan's, with this added
NAME = "bluesky-20260101T000000000000Z-1.jsonl.gz"


def _orphan(folder: Path, name: str = NAME) -> Path:
    """A file a kill -9 left open: two complete lines and a torn third."""
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    path = folder / f"{OPEN_PREFIX}{name}"
    path.write_bytes(z.compress(b'{"i": 0}\n{"i": 1}\n{"i": 2') + z.flush(zlib.Z_SYNC_FLUSH))
    return path


def test_a_salvage_the_disk_refuses_leaves_no_partial_copy_and_the_next_start_salvages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the copy is written: the start fails, and the hidden partial copy,
    as large as the orphan, no longer stays to hold the space the user is told to free."""
    orphan = _orphan(tmp_path)
    real = writer.read_lines

    def full(*a: object, **k: object):  # type: ignore[no-untyped-def]
        yield from real(*a, **k)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "read_lines", full)
    with pytest.raises(OSError, match="No space left"):
        salvage_files(tmp_path, "bluesky")
    assert sorted(p.name for p in tmp_path.iterdir()) == [orphan.name]  # the orphan kept, no temp
    monkeypatch.setattr(writer, "read_lines", real)
    [done] = salvage_files(tmp_path, "bluesky")
    assert done.lines == 2 and [orjson.loads(x)["i"] for x in read_lines(tmp_path / NAME)] == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]


def test_a_temp_a_killed_salvage_left_is_rewritten_or_removed_by_the_next_start(tmp_path: Path) -> None:
    """A start killed mid-copy leaves the temp beside its orphan: the next start writes it afresh
    (its stale bytes never published). One whose orphan is gone (removed by hand) is removed;
    another stream's is not touched."""
    orphan = _orphan(tmp_path)
    (tmp_path / (orphan.name + SALVAGE_SUFFIX)).write_bytes(b"half a copy")  # killed mid-copy
    stray = tmp_path / f"{OPEN_PREFIX}bluesky-20250101T000000000000Z-7.jsonl.gz{SALVAGE_SUFFIX}"  # its orphan removed by hand
    stray.write_bytes(b"x" * 1000)
    other = tmp_path / f"{OPEN_PREFIX}bluesky-2-20250101T000000000000Z-7.jsonl.gz{SALVAGE_SUFFIX}"  # another stream's salvage
    other.write_bytes(b"y")
    [done] = salvage_files(tmp_path, "bluesky")
    assert done.final == tmp_path / NAME and [orjson.loads(x)["i"] for x in read_lines(done.final)] == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([NAME, other.name])


@pytest.mark.parametrize("stream", ["x-stream", "bluesky"])
def test_the_salvage_line_says_a_torn_post_comes_again_only_where_a_cursor_resumes(tmp_path: Path, stream: str) -> None:
    """The start's salvage line said the torn line is fetched again from the saved cursor on every
    stream; X's filtered stream is resumed by no cursor, so there it is said not to come again."""
    from botwatch.collect import jetstream as js
    from botwatch.collect.core import Capture

    _orphan(tmp_path, NAME.replace("bluesky", stream))
    said: list[str] = []
    cap = Capture(tmp_path, "x" if stream == "x-stream" else "bluesky", stream, keys_of=js.keys_of)
    cap.log = said.append
    cap.open().close()
    [line] = said
    assert ("fetches it again from the saved cursor" in line) == (stream != "x-stream"), line
    assert ("does not send it again" in line) == (stream == "x-stream"), line


@pytest.mark.parametrize("junk", [b"\0" * 4096, b"\xff" * 4096], ids=["zeros", "ones"])
def test_a_file_whose_synced_lines_are_followed_by_damage_keeps_them(tmp_path: Path, junk: bytes) -> None:
    """A power cut can leave bytes no deflate stream holds (zeros, on some file systems) after the
    synced part: the salvage dropped the whole read chunk at the first bad byte, so a small file
    lost every synced line and was removed, said as "none complete". The lines before it are kept."""
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    synced = z.compress(b"".join(b'{"i": %d}\n' % i for i in range(500))) + z.flush(zlib.Z_SYNC_FLUSH)
    torn = z.compress(b'{"i": 50') + z.flush(zlib.Z_SYNC_FLUSH)
    (tmp_path / f"{OPEN_PREFIX}{NAME}").write_bytes(synced + torn + junk)
    [done] = salvage_files(tmp_path, "bluesky")
    assert (done.lines, done.torn_bytes) == (500, 8)
    assert [orjson.loads(x)["i"] for x in read_lines(tmp_path / NAME)] == list(range(500))


def test_a_start_that_fails_after_its_salvage_still_says_it(tmp_path: Path) -> None:
    """The salvage published the file, then the start stopped on an unreadable state file: the
    line was said only after the manifest was written, so it was never said, and the next start,
    finding nothing left open, had nothing to say either."""
    from botwatch.collect import jetstream as js
    from botwatch.collect.core import Capture, CollectError

    _orphan(tmp_path)
    (tmp_path / ".botwatch").mkdir()
    (tmp_path / ".botwatch" / "bluesky.state.json").write_text("{")
    said: list[str] = []
    cap = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of)
    cap.log = said.append
    with pytest.raises(CollectError, match="is unreadable"):
        cap.open()
    assert (tmp_path / NAME).exists() and len(said) == 1 and said[0].startswith("Recovered the capture file "), said
