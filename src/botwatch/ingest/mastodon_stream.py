"""Mastodon streaming events as the WebSocket API sends them: `{"stream": [...], "event": "update",
"payload": "<status JSON as a string>"}`.

Captures made with a WebSocket client (rather than `botwatch collect mastodon`, which writes the
status itself) hold these envelopes. An `update` carries a new status, read exactly as a status
file would be; deletes, edits and notifications are valid events but not posts, so they are
skipped, not rejected.
"""

from __future__ import annotations

from typing import Any

import orjson

from botwatch.ingest.other_platforms import handle_mastodon
from botwatch.ingest.sink import RecordError, RowSink, not_an_object
from botwatch.ingest.surrogates import loads_repairing, repair_note

FORMAT = "mastodon-stream-event"


def is_stream_event(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("event"), str) and "payload" in obj and "stream" in obj


def handle_stream_event(obj: Any, line: int, sink: RowSink) -> None:
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    if obj.get("event") != "update":
        return
    payload = obj.get("payload")
    if isinstance(payload, str):
        text = payload
        try:
            payload, mended = loads_repairing(text)
        except (orjson.JSONDecodeError, RecursionError) as exc:
            raise RecordError(f"update payload is not JSON: {exc}") from None
        handle_mastodon(payload, line, sink)
        if mended:  # the envelope's own repairs are noted by the line reader; these are the payload's
            sink.repair(line, repair_note([f"payload.{p}" for p in mended]), text)
        return
    handle_mastodon(payload, line, sink)
