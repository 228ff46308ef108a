"""Mastodon streaming events as the WebSocket API sends them: `{"stream": [...], "event": "update",
"payload": "<status JSON as a string>"}`.

Captures made with a WebSocket client hold these envelopes; `botwatch collect mastodon` writes a
new status bare and its edits and deletes as envelopes, in one file (`handle_capture_record`).
An `update` carries a new status, read exactly as a status file would be; a `status.update`
carries an edited one, kept in `rejected` beside the status first stored (`RowSink.edited`); a
`delete` (its payload the deleted status's id) is counted as a delete notice (`RowSink.deletion`)
keyed by that id. It is the id on the instance streamed, while posts are keyed by URI: a status
written on that instance has a URI ending in that id, which the report's count of deleted posts
matches (`section_methods.deleted_posts`); one from another server has a URI holding that
server's id, so its notice names no stored post (that would need a new `posts` column). Notifications are valid events
but not posts, so they are skipped, not rejected.
"""

from __future__ import annotations

from typing import Any

import orjson

from botwatch.ingest.fields import record_json, req_id
from botwatch.ingest.other_platforms import edit_note, handle_mastodon
from botwatch.ingest.sink import RecordError, RowSink, not_an_object
from botwatch.ingest.surrogates import loads_repairing, repair_note

FORMAT = "mastodon-stream-event"


def is_stream_event(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("event"), str) and "payload" in obj and "stream" in obj


def handle_capture_record(obj: Any, line: int, sink: RowSink) -> None:
    """One line of a Mastodon capture, a status or a stream event, whichever the file was sniffed
    as: `botwatch collect mastodon` writes new statuses bare and edits and deletes as envelopes
    into one file, and a file's format is judged by its first lines, so reading every line by that
    one shape rejected the envelopes of a file that began with a status (or skipped the statuses
    of one that began with an envelope)."""
    if is_stream_event(obj):
        handle_stream_event(obj, line, sink)
    else:
        handle_mastodon(obj, line, sink)


def handle_stream_event(obj: Any, line: int, sink: RowSink) -> None:
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    event = obj.get("event")
    if event == "delete":  # the payload is the deleted status's id on the instance streamed
        sink.deletion({"post_id": req_id(obj.get("payload"), "delete payload (status id)"), "platform": "mastodon"}, line)
        return
    if event not in ("update", "status.update"):
        return
    payload = obj.get("payload")
    mended: list[str] = []
    text = payload
    if isinstance(payload, str):
        try:
            payload, mended = loads_repairing(payload)
        except (orjson.JSONDecodeError, RecursionError) as exc:
            raise RecordError(f"{event} payload is not JSON: {exc}") from None
    if event == "update":
        handle_mastodon(payload, line, sink)
    elif not isinstance(payload, dict):
        raise not_an_object(payload)
    else:
        sink.edited(line, edit_note(payload), text if isinstance(text, str) else record_json(payload))
    if mended:  # the envelope's own repairs are noted by the line reader; these are the payload's
        sink.repair(line, repair_note([f"payload.{p}" for p in mended]), text)
