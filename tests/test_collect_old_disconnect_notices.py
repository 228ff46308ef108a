"""A capture's manifest written before X's disconnect notices were recognised counts them among its
runs' `unknown` frames (kept aside in malformed-x-stream.jsonl as "X sent an error message on the
stream"): `status` said them as bad frames. Ingest reads them back from the frames kept aside and
records them in the study as disconnect notices, as a run written since does."""

from __future__ import annotations

import json
from pathlib import Path

from testsupport.x_stream import status_of_ingested_capture

NOTICE = {"errors": [{"title": "operational-disconnect", "disconnect_type": "OperationalDisconnect",
                      "detail": "This stream has been disconnected for operational reasons.",
                      "type": "https://api.twitter.com/2/problems/operational-disconnect"}]}


def test_an_old_manifests_disconnect_notices_are_no_bad_frames(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    run = {"platform": "x", "stream": "x-stream", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "kept": 1, "malformed": 0}
    runs = [{**run, "started": "2026-11-20T10:00:00Z", "ended": "2026-11-20T11:00:00Z", "unknown": 3, "pid": 1},
            {**run, "started": "2026-11-21T10:00:00Z", "ended": "2026-11-21T11:00:00Z", "unknown": 1, "pid": 1}]
    (folder / ".botwatch" / "capture.json").write_text(json.dumps({"format": 1, "sample_rate": 1.0, "runs": runs}))
    aside = [("2026-11-20T10:10:00Z", NOTICE, "X sent an error message on the stream"),
             ("2026-11-20T10:20:00Z", {"errors": [{"title": "something else"}]}, "X sent an error message on the stream"),
             ("2026-11-20T10:30:00Z", NOTICE, "X sent an error message on the stream"),
             ("2026-11-21T10:30:00Z", NOTICE, "X sent an error message on the stream")]
    (folder / ".botwatch" / "malformed-x-stream.jsonl").write_text("".join(
        json.dumps({"at": at, "kind": "unknown", "reason": why, "frame": json.dumps(frame)}) + "\n" for at, frame, why in aside))
    study = tmp_path / "s.duckdb"
    output, said = status_of_ingested_capture(folder, study)
    assert f"X sent 3 disconnect notices on the stream of capture {folder}" in said, said
    row = next(line for line in output.splitlines() if "x " in line and "│" in line and "2026" in line)
    assert [c.strip() for c in row.split("│")][5] == "1", row  # bad frames: the other error message only
    # The capture folder's own manifest is left as it was written.
    assert json.loads((folder / ".botwatch" / "capture.json").read_text())["runs"] == runs
