"""`collect x --search` on a state file written before the capture's endpoint was recorded
(no `search_endpoint`): the endpoint it was written with is inferred from when it was written and
its `--since`, and kept. Chosen from `--since` at each run, a capture whose state was written while
`--since` was within recent search's reach moved to `/search/all` once a week had passed, which X
refuses without full-archive access (exit 3)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, Clock, id_at, recent_server, search_args

_LATER = timedelta(days=8)


def _old_state(folder: Path) -> Path:
    """The stream's state with its `search_endpoint` removed, as an earlier botwatch wrote it."""
    path = next((folder / ".botwatch").glob("*.state.json"))
    state = json.loads(path.read_text())
    del state["search_endpoint"]
    path.write_text(json.dumps(state))
    return path


def test_an_older_state_written_on_recent_search_keeps_it_a_week_on(tmp_path: Path, x_clock: type[Clock]) -> None:
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=2, minutes=i)), "text": f"t {i}", "author_id": "1"} for i in range(2)]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    with FakeHttp(recent_server(tweets, asked)) as srv:
        assert CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV).exit_code == 0
        path = _old_state(folder)
        x_clock.shift = _LATER  # --since is 11 days back now
        tweets.insert(0, {"id": id_at(now + _LATER - timedelta(hours=1)), "text": "new", "author_id": "1"})
        res = CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV)
    assert res.exit_code == 0, res.output
    assert {p for p, _ in asked} == {"/2/tweets/search/recent"}, asked  # never /search/all, refused at this access level
    assert json.loads(path.read_text())["search_endpoint"] == "recent"


def test_the_runs_in_the_manifest_tell_the_endpoint_when_a_refused_run_rewrote_the_state(tmp_path: Path, x_clock: type[Clock]) -> None:
    """A run of an earlier botwatch refused on /search/all still rewrote the state's `updated`: the
    capture's answered runs in the manifest say when it was written by an answer."""
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=2)), "text": "t", "author_id": "1"}]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    with FakeHttp(recent_server(tweets, asked)) as srv:
        assert CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV).exit_code == 0
        path = _old_state(folder)
        state = json.loads(path.read_text())
        refused = (now + _LATER - timedelta(days=1)).replace(microsecond=0)
        state["updated"] = refused.isoformat().replace("+00:00", "Z")
        path.write_text(json.dumps(state))
        manifest = folder / ".botwatch" / "capture.json"
        m = orjson.loads(manifest.read_bytes())
        m["runs"].append({**m["runs"][0], "started": state["updated"], "received": 0, "kept": 0})
        manifest.write_bytes(orjson.dumps(m))
        x_clock.shift = _LATER
        res = CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV)
    assert res.exit_code == 0, res.output
    assert {p for p, _ in asked} == {"/2/tweets/search/recent"}, asked
