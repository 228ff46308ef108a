"""`collect mastodon` keeps a stream's edits (`status.update`) and delete notices (`delete`) in the
capture, as the WebSocket envelopes ingest reads. They were counted and dropped: a Mastodon
capture held no edit and no delete, though ingest keeps both. The same edit met twice (a
reconnect's overlap) is written once; a keyword-filtered public stream writes no delete (its id
cannot say whether the deleted status matched)."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from botwatch.ingest.runner import ingest
from botwatch.study import open_study
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

_ACCT = {"id": "1", "acct": "u1", "url": "https://fake.social/@u1", "username": "u1"}


def _status(i: int, body: str, **more: str) -> dict:
    return {"id": str(100 + i), "uri": f"https://fake.social/users/u1/statuses/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": body, "tags": [], "account": _ACCT, **more}


def _sentinel(run: int) -> dict:
    """A new status sent after a later run's replay: frames are handled in order, so the run has
    read the whole replay once it keeps this one, its `--max-posts 1`."""
    return _status(50 + run, f"<p>new in run {run}</p>", tags=[{"name": "ge"}])


def _collect(tmp_path: Path, events: list[tuple[str, str]], *more: str, runs: int = 1) -> list[dict]:
    """Stream `events` (name, data) from a fake server into a capture, `runs` times (the server's
    address, so the capture's stream, the same each time); the lines written, but the sentinels.

    A later run meets the events written before again, then `_sentinel(run)`, and ends at its
    `--max-posts 1` (it waited out a fixed 2 s `--duration`, as nothing else ended a run that met
    only replays); each sentinel is checked to be written once."""
    from botwatch.cli import app

    run = 0

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if "streaming" not in req.path:
            await w.respond(404 if req.path == "/api/v2/instance" else 200, b"[]" if req.path != "/api/v2/instance" else b"{}")
            return
        await w.start_stream("text/event-stream")
        for name, data in events if run == 0 else [*events, ("update", orjson.dumps(_sentinel(run)).decode())]:
            await w.chunk(f"event: {name}\ndata: {data}\n\n".encode())

    with FakeHttp(route) as srv:
        for run in range(runs):
            res = CliRunner().invoke(app, ["collect", "mastodon", str(tmp_path / "cap"), "--server", srv.url, "--max-posts", "2" if run == 0 else "1",
                                           "--duration", "10s", "--no-progress", "--backoff-scale", "0.01", *more])
            assert res.exit_code == 0, res.output
    lines = [orjson.loads(line) for f in sorted((tmp_path / "cap").glob("*.jsonl.gz")) for line in read_lines(f)]
    sentinels = {_sentinel(k)["id"] for k in range(1, runs)}
    sent = [line for line in lines if line.get("event") is None and line.get("id") in sentinels]  # a status is written as it came
    assert sorted(line["id"] for line in sent) == sorted(sentinels), sent
    return [line for line in lines if line not in sent]


def _stream(edited: dict) -> list[tuple[str, str]]:
    first = orjson.dumps(_status(0, "<p>Vote</p>")).decode()
    edit = orjson.dumps(edited).decode()
    return [("update", first), ("status.update", edit), ("status.update", edit), ("delete", "100"), ("delete", "100"),
            ("update", orjson.dumps(_status(1, "<p>Vote later</p>")).decode())]


def test_edits_and_deletes_are_captured_once_and_ingest_keeps_them(tmp_path: Path) -> None:
    edited = _status(0, "<p>Vote Labour</p>", edited_at="2026-11-30T05:05:00.000Z")
    lines = _collect(tmp_path, _stream(edited), "--hashtag", "ge")
    assert [line.get("event", "status") for line in lines] == ["status", "status.update", "delete", "status"]
    assert lines[1] == {"stream": ["hashtag", "ge"], "event": "status.update", "payload": orjson.dumps(edited).decode()}
    assert lines[2] == {"stream": ["hashtag", "ge"], "event": "delete", "payload": "100"}

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    summary = ingest(st, [str(tmp_path / "cap")])
    assert [(f.stored, f.rejected, f.edited, f.deleted) for f in summary.files] == [(2, 0, 1, 1)]
    assert sorted(st.pandas("posts")["text"]) == ["Vote", "Vote later"]  # the first text kept, the edit beside it
    assert st.sql("SELECT post_id, platform FROM deletions") == [("100", "mastodon")]


def test_a_keyword_filtered_public_stream_keeps_matching_edits_and_no_delete(tmp_path: Path) -> None:
    edited = _status(0, "<p>Vote Labour</p>", edited_at="2026-11-30T05:05:00.000Z")
    unrelated = orjson.dumps(_status(2, "<p>cats</p>", edited_at="2026-11-30T05:06:00.000Z")).decode()
    lines = _collect(tmp_path, [("status.update", unrelated), *_stream(edited)], "--keyword", "vote")
    assert [line.get("event", "status") for line in lines] == ["status", "status.update", "status"]
    assert lines[1]["stream"] == ["public"]


def test_a_resumed_capture_writes_no_edit_or_delete_twice(tmp_path: Path) -> None:
    """The second run meets the same events again (what a reconnect replays): the dedupe memory,
    primed from the files written, knows the edit and the delete as it knows the statuses."""
    edited = _status(0, "<p>Vote Labour</p>", edited_at="2026-11-30T05:05:00.000Z")
    lines = _collect(tmp_path, _stream(edited), "--hashtag", "ge", runs=2)
    assert [line.get("event", "status") for line in lines] == ["status", "status.update", "delete", "status"]


def _edits_without_time() -> list[tuple[str, str]]:
    """A status edited twice by a server that sends no `edited_at`, each edit met twice (the
    second time with other counts, as a replay later would carry), then a second status."""
    first = _status(0, "<p>Vote</p>")
    one, two = _status(0, "<p>Vote Labour</p>"), _status(0, "<p>Vote Labour!</p>", spoiler_text="uspol")
    replayed = {**one, "favourites_count": 7, "replies_count": 2}
    return [("update", orjson.dumps(first).decode()), *(("status.update", orjson.dumps(s).decode()) for s in (one, two, replayed, two)),
            ("update", orjson.dumps(_status(1, "<p>Vote later</p>")).decode())]


def test_edits_without_edited_at_are_kept_apart_and_each_written_once(tmp_path: Path) -> None:
    """Without `edited_at` every edit of a status had one key: the second edit was dropped."""
    lines = _collect(tmp_path, _edits_without_time(), "--hashtag", "ge", runs=2)
    edits = [orjson.loads(line["payload"]) for line in lines if line.get("event") == "status.update"]
    assert [(e["content"], e.get("spoiler_text")) for e in edits] == [("<p>Vote Labour</p>", None), ("<p>Vote Labour!</p>", "uspol")]
    assert [line.get("event", "status") for line in lines] == ["status", "status.update", "status.update", "status"]


def test_an_edit_with_edited_at_keeps_its_key() -> None:
    """Captures written before resume with the same keys: an edit with `edited_at` is keyed by it alone."""
    from botwatch.collect.mastodon import edit_key

    status = _status(0, "<p>Vote Labour</p>", edited_at="2026-11-30T05:05:00.000Z")
    assert edit_key(status, "u") == "edit u 2026-11-30T05:05:00.000Z"
    assert edit_key({**status, "content": "<p>other</p>"}, "u") == "edit u 2026-11-30T05:05:00.000Z"
    assert edit_key({**status, "edited_at": None}, "u") != edit_key({**status, "edited_at": None, "content": "<p>other</p>"}, "u")


def test_an_edit_of_the_focal_point_poll_end_or_quote_policy_alone_is_an_edit() -> None:
    """The edit endpoint also takes `media_attributes[]` (a focal point), `poll[expires_in]` and
    `quote_approval_policy`: without `edited_at`, an edit changing only those was dropped as a
    replay. A poll's votes and `expired`, which move without an edit, still give the same key."""
    from botwatch.collect.mastodon import edit_key

    media = [{"id": "9", "description": "a ballot", "meta": {"focus": {"x": 0.0, "y": 0.0}}}]
    poll = {"id": "5", "multiple": False, "expires_at": "2026-12-01T05:00:00.000Z", "expired": False, "votes_count": 3,
            "options": [{"title": "yes", "votes_count": 2}, {"title": "no", "votes_count": 1}]}
    quote = {"automatic": ["public"], "manual": [], "current_user": "automatic"}
    base = _status(0, "<p>Vote</p>")
    with_media, with_poll = {**base, "media_attachments": media}, {**base, "poll": poll, "quote_approval": quote}
    refocused = {**base, "media_attachments": [{**media[0], "meta": {"focus": {"x": 0.5, "y": -0.2}}}]}
    extended = {**with_poll, "poll": {**poll, "expires_at": "2026-12-02T05:00:00.000Z"}}
    closed_to_quotes = {**with_poll, "quote_approval": {"automatic": [], "manual": [], "current_user": "denied"}}
    assert edit_key(refocused, "u") != edit_key(with_media, "u")
    assert edit_key(extended, "u") != edit_key(with_poll, "u")
    assert edit_key(closed_to_quotes, "u") != edit_key(with_poll, "u")
    voted = {**with_poll, "poll": {**poll, "expired": True, "votes_count": 9, "options": [{"title": "yes", "votes_count": 7}, {"title": "no", "votes_count": 2}]}}
    seen_by_another = {**with_poll, "quote_approval": {**quote, "current_user": "denied"}}
    assert edit_key(voted, "u") == edit_key(with_poll, "u") == edit_key(seen_by_another, "u")
    assert edit_key({**base, "poll": "odd", "media_attachments": [{"id": "9", "meta": "odd"}], "quote_approval": 3}, "u")  # no traceback
