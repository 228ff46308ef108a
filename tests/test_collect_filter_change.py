"""A run whose filter is not the one the folder's last run of the stream used says so. An observer
who added a candidate to the election file mid-capture changed what the folder kept from then on,
in silence: the manifest recorded each run's filter, and the report named one."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.collect.filters import UNFILTERED, filter_change
from testsupport.collect_fakes import FakeJetstream, jetstream_event


def _collect(folder: Path, url: str, *tags: str) -> str:
    from botwatch.cli import app

    args = [a for t in tags for a in ("--hashtag", t)]
    res = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--endpoint", url, *args, "--max-posts", "1", "--duration", "10s",
                                   "--no-progress", "--no-profiles", "--backoff-scale", "0.01"])
    assert res.exit_code == 0, res.output
    return res.output


def test_a_changed_filter_is_said_at_the_start(tmp_path: Path) -> None:
    events = [jetstream_event(i, text=f"post {i} #GOPDebate #Fiorina") for i in range(20)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        first = _collect(tmp_path / "cap", srv.url, "GOPDebate")
        same = _collect(tmp_path / "cap", srv.url, "gopdebate")  # a tag's case is no other term
        added = _collect(tmp_path / "cap", srv.url, "GOPDebate", "Fiorina")
    assert "not the one the last run" not in first and "not the one the last run" not in same, same
    assert "note: this run's filter is not the one the last run in this folder used (added #Fiorina): posts before and after" in added, added


def test_what_changed_is_said_both_ways() -> None:
    before = {"origin": "election file gop", "hashtags": ["GOPDebate", "Trump"], "keywords": ["trump"], "handles": []}
    now = {"origin": "election file gop", "hashtags": ["GOPDebate", "Fiorina"], "keywords": ["trump"], "handles": ["carly.bsky.social"]}
    said = filter_change(before, now) or ""
    assert "(added #Fiorina, @carly.bsky.social; dropped #Trump)" in said, said
    assert filter_change(None, now) is None and filter_change(before, dict(before)) is None
    assert "(this run keeps everything the stream sent)" in (filter_change(before, {"origin": UNFILTERED}) or "")
    assert "(the last run kept everything the stream sent)" in (filter_change({"origin": UNFILTERED}, now) or "")


def test_a_hand_edited_filter_is_no_traceback() -> None:
    """A manifest edited by hand ("hashtags": 5) was read at the next run's start: iterating the
    number was a TypeError traceback before the capture began. Terms that are no list are none."""
    now = {"origin": "command line", "hashtags": ["GOPDebate"]}
    assert "(added #GOPDebate; dropped x)" in (filter_change({"origin": "command line", "hashtags": 5, "keywords": ["x"]}, now) or "")


def test_a_first_run_that_kept_nothing_is_no_before(tmp_path: Path) -> None:
    """A first run that never connected kept no post, and a second run with other terms said "posts
    before and after the change were kept by different terms" of a folder whose posts are all its own."""
    import socket

    from botwatch.cli import app

    with socket.socket() as s:  # a port nothing listens on: the first run never connects
        s.bind(("127.0.0.1", 0))
        dead = f"ws://127.0.0.1:{s.getsockname()[1]}"
    CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", dead, "--hashtag", "GOPDebate", "--duration", "1s",
                             "--no-progress", "--no-profiles", "--backoff-scale", "0.01"])
    events = [jetstream_event(i, text=f"post {i} #GOPDebate #Fiorina") for i in range(20)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        second = " ".join(_collect(tmp_path / "cap", srv.url, "GOPDebate", "Fiorina").split())
    assert "used (added #Fiorina), but no run before it kept a post of this stream here, so every post of the folder is kept by this run's terms" in second, second
    assert "before and after the change" not in second, second


def test_a_run_whose_files_were_moved_away_is_a_before(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A run that kept a post whose file was then moved out of the folder (after its ingest): the
    study holds that post, kept by the old terms, and the next run with other terms said "no run
    before it kept a post of this stream here". The manifest's count of the run is read, not the files.

    With no file of the stream left, its start asks both whether the stream kept a post and which
    filter its last run used: of the one read that records the run (`begin_run`), where
    `stream_kept` and `last_filter` each read it (three reads), then the two shared one more."""
    import botwatch.collect.state as state

    events = [jetstream_event(i, text=f"post {i} #GOPDebate #Fiorina") for i in range(20)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        _collect(tmp_path / "cap", srv.url, "GOPDebate")
        (tmp_path / "ingested").mkdir()
        for f in (tmp_path / "cap").glob("*.jsonl.gz"):
            f.rename(tmp_path / "ingested" / f.name)
        reads: list[Path] = []
        read = state.read_manifest
        monkeypatch.setattr(state, "read_manifest", lambda folder: reads.append(folder) or read(folder))
        second = " ".join(_collect(tmp_path / "cap", srv.url, "GOPDebate", "Fiorina").split())
    assert "used (added #Fiorina): posts before and after the change were kept by different terms" in second, second
    assert "no run before it kept a post" not in second, second
    assert len(reads) == 1, reads


def test_a_run_that_kept_nothing_between_two_of_one_filter_is_no_change(tmp_path: Path) -> None:
    """A run with other terms that never connected, between two runs of one filter: every post was
    kept by that one filter, and the third run said posts before and after were kept by different terms."""
    import socket

    from botwatch.cli import app

    events = [jetstream_event(i, text=f"post {i} #GOPDebate #Fiorina") for i in range(20)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        _collect(tmp_path / "cap", srv.url, "GOPDebate")
        with socket.socket() as s:  # a port nothing listens on: this run never connects
            s.bind(("127.0.0.1", 0))
            dead = f"ws://127.0.0.1:{s.getsockname()[1]}"
        CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", dead, "--hashtag", "GOPDebate", "--hashtag", "Fiorina",
                                 "--duration", "1s", "--no-progress", "--no-profiles", "--backoff-scale", "0.01"])
        third = " ".join(_collect(tmp_path / "cap", srv.url, "GOPDebate").split())
    assert "not the one the last run" not in third, third


def test_kept_and_last_filter_read_a_parsed_manifest() -> None:
    """Of a manifest already read: the last filter of the stream (of a run that kept posts with
    `kept_only`) and whether a run of it kept any; a missing or hand-edited manifest has no runs."""
    from botwatch.collect.state import last_filter, stream_kept

    runs = [{"stream": "s", "filter": "a", "ended": "t", "kept": 3}, {"stream": "o", "filter": "x"},
            {"stream": "s", "filter": "b", "ended": "t", "kept": 0}, "not a run"]
    m = {"runs": runs}
    assert last_filter(m, "s") == "b" and last_filter(m, "s", kept_only=True) == "a" and last_filter(m, "z") is None
    assert stream_kept(m, "s") and stream_kept(m, "o") and not stream_kept({"runs": runs[2:]}, "s")
    for bad in (None, {}, {"runs": 5}, ["runs"]):
        assert last_filter(bad, "s") is None and not stream_kept(bad, "s")
