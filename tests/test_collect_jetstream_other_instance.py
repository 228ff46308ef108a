"""A Bluesky capture resumed against another Jetstream instance. Each instance stamps events with
its own `time_us`, and the collector matched duplicates on that time too: the rewound replay's
posts, already written by the first run, were written and counted as "kept" again (a walk saw
"kept 153" where ingest stored 151 and dropped 1 as a duplicate). A post is one record, its URI
(the repo's DID, collection and rkey) at one version (its CID), whichever instance relays it."""

from __future__ import annotations

from pathlib import Path

import orjson

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from testsupport.collect_fakes import FakeJetstream, jetstream_event

from tests.test_collect import on_disk, run


def _restamped(events: list[bytes], shift_us: int) -> list[bytes]:
    """The same events as another instance relays them: each with its own, later, time_us."""
    out = []
    for e in events:
        obj = orjson.loads(e)
        obj["time_us"] += shift_us
        out.append(orjson.dumps(obj))
    return out


def test_a_resume_against_another_instance_writes_each_post_once(tmp_path: Path) -> None:
    events = [jetstream_event(i) for i in range(300)]
    with FakeJetstream(events, [{"send": 200}]) as srv:
        first = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=200)
        run(first, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0)
    assert first.stats.kept == 200
    with FakeJetstream(_restamped(events, 2_000), [{}]) as srv:
        second = Capture(tmp_path, "bluesky", "bluesky", keys_of=js.keys_of, max_posts=100)
        run(second, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0)
        assert srv.connections[0]["cursor"] is not None  # resumed, rewound into what the first run wrote
    rkeys = [e["commit"]["rkey"] for e in on_disk(tmp_path)]
    assert len(rkeys) == 300 and len(set(rkeys)) == 300
    assert second.stats.kept == 100 and second.stats.duplicates > 0


def test_an_edit_is_a_new_event_and_a_delete_is_one_whatever_its_time() -> None:
    post = orjson.loads(jetstream_event(1))
    edited = {**post, "time_us": post["time_us"] + 5, "commit": {**post["commit"], "operation": "update", "cid": "bafyedited"}}
    again = {**post, "time_us": post["time_us"] + 9}
    assert js.event_key(again) == js.event_key(post) != js.event_key(edited)
    delete = {"did": post["did"], "time_us": 1, "kind": "commit", "commit": {**post["commit"], "operation": "delete"}}
    del delete["commit"]["cid"], delete["commit"]["record"]
    assert js.event_key(delete) == js.event_key({**delete, "time_us": 2}) != js.event_key(post)


def test_a_record_deleted_again_after_it_was_re_created_is_a_new_event() -> None:
    """A post deleted, re-created under the same rkey and deleted again: the second delete is a
    commit of its own (its `rev`, the repository's revision, which every instance relays alike),
    where the key of URI, operation and CID (a delete has none) took it for the first's replay and
    dropped it, so the post read as live. A replay of either, restamped by another instance, is
    still the same event."""
    post = orjson.loads(jetstream_event(1))
    first = {"did": post["did"], "time_us": 1, "kind": "commit", "commit": {**post["commit"], "operation": "delete", "rev": "3laaaaaaaaaa2"}}
    del first["commit"]["cid"], first["commit"]["record"]
    again = {**first, "time_us": 3, "commit": {**first["commit"], "rev": "3laaaaaaaaaa4"}}
    assert js.event_key(first) != js.event_key(again)
    assert js.event_key({**again, "time_us": 9}) == js.event_key(again)
