"""`collect x --search` re-run with its position beyond recent search's reach and an `--until` just
within it (between 7 days less 10 minutes and 6 days 23 hours back): the search restarted from 6
days 23 hours back, after its own end_time (X refuses that: 400), and the gap recorded reached past
--until, out of the capture's window."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, id_at, paged_server, when


def test_the_restart_stays_before_until_and_the_gap_within_the_window(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    now = datetime.now(timezone.utc).replace(microsecond=0)
    since, until, newest = now - timedelta(days=10), now - timedelta(days=6, hours=23, minutes=30), now - timedelta(days=9)
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps({"search_endpoint": "recent", "cursor": {"newest_id": id_at(newest)}}))
    asked: list[dict[str, str]] = []
    with FakeHttp(paged_server({"": []}, asked)) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since.strftime("%Y-%m-%dT%H:%M:%S"),
                                       "--until", until.strftime("%Y-%m-%dT%H:%M:%S"), "--base-url", srv.url, "--duration", "5s",
                                       "--no-progress"], env=ENV)
    assert res.exit_code == 0, res.output
    [q] = asked
    assert when(q["start_time"]) < when(q["end_time"]) == until, q
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = run["gaps"]
    assert when(gap["from"]) == newest and when(gap["to"]) <= until, gap
