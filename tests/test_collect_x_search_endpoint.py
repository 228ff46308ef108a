"""`collect x --search` keeps the endpoint its capture started with. It was chosen from `--since`
at every run: a capture started with `--since` 3 days back on recent search and re-run a week later
went to the full-archive search (`/search/all`), which X refuses without that access (exit 3), at
every later run too; and an interrupted sweep's `next_token`, issued by recent search, would have
been sent to `/search/all`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import Clock, id_at, interrupted_beyond_reach, recent_server, search_args, when

_LATER = timedelta(days=8)


def test_a_capture_started_on_recent_search_keeps_it_when_since_falls_out_of_reach(tmp_path: Path, x_clock: type[Clock]) -> None:
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=2, minutes=i)), "text": f"t {i}", "author_id": "1"} for i in range(2)]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    env = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
    with FakeHttp(recent_server(tweets, asked)) as srv:
        first = CliRunner().invoke(app, search_args(folder, srv.url, since), env=env)
        assert first.exit_code == 0, first.output
        assert {p for p, _ in asked} == {"/2/tweets/search/recent"}
        x_clock.shift = _LATER  # a week and a day later: --since is 11 days back
        tweets.insert(0, {"id": id_at(now + _LATER - timedelta(hours=1)), "text": "new", "author_id": "1"})
        res = CliRunner().invoke(app, search_args(folder, srv.url, since), env=env)
    assert res.exit_code == 0, res.output
    assert {p for p, _ in asked} == {"/2/tweets/search/recent"}  # never /search/all, which this access level refuses
    said = " ".join(res.output.split())
    assert "recent search" in said and "gap:" in said
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = runs[1]["gaps"]
    assert abs((when(gap["from"]) - now).total_seconds()) < 60  # when the first run's sweep ran
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert state["search_endpoint"] == "recent" and state["cursor"]["newest_id"] == tweets[0]["id"]


def test_an_older_state_never_sends_recent_searchs_next_token_to_the_full_archive(tmp_path: Path, x_clock: type[Clock]) -> None:
    """A state file written before the endpoint was recorded, while --since was within recent
    search's reach: it keeps recent search (inferred from when it was written), so its next_token
    is never sent to /search/all; its position now beyond reach is the recorded gap."""
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    now = datetime.now(timezone.utc)
    since = now - timedelta(days=10)
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    written = (now - timedelta(days=6)).replace(microsecond=0).isoformat().replace("+00:00", "Z")  # --since was 4 days back then
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps(
        {"cursor": {"next_token": "RECENT-TOKEN", "sweep_newest_id": id_at(now - timedelta(days=6))}, "updated": written, "platform": "x"}))
    asked: list[tuple[str, dict[str, str]]] = []
    with FakeHttp(recent_server([], asked)) as srv:
        res = CliRunner().invoke(app, search_args(folder, srv.url, since.strftime("%Y-%m-%dT%H:%M:%S")), env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert asked and {p for p, _ in asked} == {"/2/tweets/search/recent"}, asked
    assert "gap:" in " ".join(res.output.split())


def test_a_window_that_ended_beyond_recent_searchs_reach_is_said_and_records_no_false_gap(tmp_path: Path, x_clock: type[Clock]) -> None:
    """A capture kept on recent search whose --until is now more than 7 days back: nothing in its
    window can be asked of recent search any more (X refuses such an end_time). Said in one plain
    line before any request; a sweep that had finished leaves no gap (it covered the window), where
    a gap reaching past --until was recorded and a request X refuses was sent, and the run is a
    search at its end: exit 0, as the exit codes have it (it ended with 2, a bad option's code)."""
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since, until = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S"), (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=2, minutes=i)), "text": f"t {i}", "author_id": "1"} for i in range(2)]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    env = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
    with FakeHttp(recent_server(tweets, asked)) as srv:
        first = CliRunner().invoke(app, [*search_args(folder, srv.url, since), "--until", until], env=env)
        assert first.exit_code == 0, first.output
        n = len(asked)
        x_clock.shift = _LATER
        res = CliRunner().invoke(app, [*search_args(folder, srv.url, since), "--until", until], env=env)
    assert res.exit_code == 0, res.output
    assert len(asked) == n  # no request X would refuse
    said = " ".join(res.output.split())
    assert "--until" in said and "beyond X's recent search" in said and "Traceback" not in said
    assert "nothing more to fetch" in said and "error" not in said and "never connected" not in said
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert "gaps" not in runs[1]


def test_an_interrupted_sweep_whose_window_ended_beyond_reach_records_its_unfetched_span(tmp_path: Path) -> None:
    from botwatch.cli import app

    folder, since, until, lower = interrupted_beyond_reach(tmp_path)
    asked: list[tuple[str, dict[str, str]]] = []
    with FakeHttp(recent_server([], asked)) as srv:
        res = CliRunner().invoke(app, [*search_args(folder, srv.url, since.strftime("%Y-%m-%dT%H:%M:%S")), "--until", until.strftime("%Y-%m-%dT%H:%M:%S")],
                                 env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 2 and not asked, res.output
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = run["gaps"]
    assert abs((when(gap["from"]) - lower).total_seconds()) < 1 and gap["to"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "unfetched" in " ".join(res.output.split())
