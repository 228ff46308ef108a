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
import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter

_EPOCH_MS = 1288834974657
_LATER = timedelta(days=8)


def _id_at(t: datetime) -> str:
    return str((int(t.timestamp() * 1000) - _EPOCH_MS) << 22)


def _id_time(tweet_id: str) -> datetime:
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + _EPOCH_MS) / 1000, timezone.utc)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Clock:
    shift = timedelta(0)


def _later_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector's clock, `_Clock.shift` ahead of this machine's (a re-run days later)."""
    import botwatch.collect.x as xm

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return datetime.now(tz) + _Clock.shift

    monkeypatch.setattr(xm, "datetime", Later)


def _server(tweets: list[dict[str, str]], asked: list[tuple[str, dict[str, str]]]):  # type: ignore[no-untyped-def]
    """Recent search over the last 7 days of the shifted clock; no full-archive access (403)."""

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append((req.path, q))
        if req.path.endswith("/search/all"):
            await w.respond(403, b'{"title":"Forbidden","detail":"You are not permitted to use this endpoint."}')
            return
        reach = datetime.now(timezone.utc) + _Clock.shift - timedelta(days=7)
        if "since_id" in q and _id_time(q["since_id"]) < reach or "start_time" in q and _when(q["start_time"]) < reach or "next_token" in q:
            await w.respond(400, b'{"title":"Invalid Request","detail":"One or more parameters to your request was invalid."}')
            return
        page = [t for t in tweets if ("since_id" not in q or int(t["id"]) > int(q["since_id"]))
                and ("start_time" not in q or _id_time(t["id"]) >= _when(q["start_time"]))]
        meta = {"result_count": len(page), **({"newest_id": page[0]["id"]} if page else {})}
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    return route


def _args(folder: Path, url: str, since: str) -> list[str]:
    return ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--base-url", url, "--duration", "5s", "--no-progress"]


def test_a_capture_started_on_recent_search_keeps_it_when_since_falls_out_of_reach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app

    _Clock.shift = timedelta(0)
    _later_clock(monkeypatch)
    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": _id_at(now - timedelta(days=2, minutes=i)), "text": f"t {i}", "author_id": "1"} for i in range(2)]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    env = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
    with FakeHttp(_server(tweets, asked)) as srv:
        first = CliRunner().invoke(app, _args(folder, srv.url, since), env=env)
        assert first.exit_code == 0, first.output
        assert {p for p, _ in asked} == {"/2/tweets/search/recent"}
        _Clock.shift = _LATER  # a week and a day later: --since is 11 days back
        tweets.insert(0, {"id": _id_at(now + _LATER - timedelta(hours=1)), "text": "new", "author_id": "1"})
        res = CliRunner().invoke(app, _args(folder, srv.url, since), env=env)
    assert res.exit_code == 0, res.output
    assert {p for p, _ in asked} == {"/2/tweets/search/recent"}  # never /search/all, which this access level refuses
    said = " ".join(res.output.split())
    assert "recent search" in said and "gap:" in said
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = runs[1]["gaps"]
    assert abs((_when(gap["from"]) - now).total_seconds()) < 60  # when the first run's sweep ran
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert state["search_endpoint"] == "recent" and state["cursor"]["newest_id"] == tweets[0]["id"]


def test_an_older_state_never_sends_recent_searchs_next_token_to_the_full_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A state file written before the endpoint was recorded, while --since was within recent
    search's reach: it keeps recent search (inferred from when it was written), so its next_token
    is never sent to /search/all; its position now beyond reach is the recorded gap."""
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    _Clock.shift = timedelta(0)
    now = datetime.now(timezone.utc)
    since = now - timedelta(days=10)
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    written = (now - timedelta(days=6)).replace(microsecond=0).isoformat().replace("+00:00", "Z")  # --since was 4 days back then
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps(
        {"cursor": {"next_token": "RECENT-TOKEN", "sweep_newest_id": _id_at(now - timedelta(days=6))}, "updated": written, "platform": "x"}))
    asked: list[tuple[str, dict[str, str]]] = []
    with FakeHttp(_server([], asked)) as srv:
        res = CliRunner().invoke(app, _args(folder, srv.url, since.strftime("%Y-%m-%dT%H:%M:%S")), env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert asked and {p for p, _ in asked} == {"/2/tweets/search/recent"}, asked
    assert "gap:" in " ".join(res.output.split())


def test_a_window_that_ended_beyond_recent_searchs_reach_is_said_and_records_no_false_gap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture kept on recent search whose --until is now more than 7 days back: nothing in its
    window can be asked of recent search any more (X refuses such an end_time). Said in one plain
    line before any request; a sweep that had finished leaves no gap (it covered the window), where
    a gap reaching past --until was recorded and a request X refuses was sent, and the run is a
    search at its end: exit 0, as the exit codes have it (it ended with 2, a bad option's code)."""
    from botwatch.cli import app

    _Clock.shift = timedelta(0)
    _later_clock(monkeypatch)
    now = datetime.now(timezone.utc)
    since, until = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S"), (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": _id_at(now - timedelta(days=2, minutes=i)), "text": f"t {i}", "author_id": "1"} for i in range(2)]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    env = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
    with FakeHttp(_server(tweets, asked)) as srv:
        first = CliRunner().invoke(app, [*_args(folder, srv.url, since), "--until", until], env=env)
        assert first.exit_code == 0, first.output
        n = len(asked)
        _Clock.shift = _LATER
        res = CliRunner().invoke(app, [*_args(folder, srv.url, since), "--until", until], env=env)
    assert res.exit_code == 0, res.output
    assert len(asked) == n  # no request X would refuse
    said = " ".join(res.output.split())
    assert "--until" in said and "beyond X's recent search" in said and "Traceback" not in said
    assert "nothing more to fetch" in said and "error" not in said and "never connected" not in said
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert "gaps" not in runs[1]


def test_an_interrupted_sweep_whose_window_ended_beyond_reach_records_its_unfetched_span(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    _Clock.shift = timedelta(0)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    since, until, lower = now - timedelta(days=10), now - timedelta(days=8), now - timedelta(days=9)
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps(
        {"search_endpoint": "recent", "cursor": {"next_token": "T", "newest_id": _id_at(lower), "sweep_since_id": _id_at(lower)}}))
    asked: list[tuple[str, dict[str, str]]] = []
    with FakeHttp(_server([], asked)) as srv:
        res = CliRunner().invoke(app, [*_args(folder, srv.url, since.strftime("%Y-%m-%dT%H:%M:%S")), "--until", until.strftime("%Y-%m-%dT%H:%M:%S")],
                                 env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 2 and not asked, res.output
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = run["gaps"]
    assert abs((_when(gap["from"]) - lower).total_seconds()) < 1 and gap["to"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "unfetched" in " ".join(res.output.split())
