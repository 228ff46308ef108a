"""`collect x --search`: a sweep interrupted part-way and re-run more than 7 days on. X's search
pages newest first, so the interrupted sweep had fetched the posts from when it began down to its
oldest fetched post: the gap recorded is what no sweep fetched, not the whole span from the last
finished sweep (or --since) to where recent search reaches now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from tests.test_collect_x_search_endpoint import _Clock, _id_at, _id_time, _later_clock, _when

_ENV = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}


def _paged_server(pages: dict[str, list[dict[str, str]]], asked: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """Recent search over the shifted clock's last 7 days, paged: `pages[token]` ("" the first page),
    each page pointing to the next by its position in `pages`."""
    order = list(pages)

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append(q)
        reach = datetime.now(timezone.utc) + _Clock.shift - timedelta(days=7)
        if "since_id" in q and _id_time(q["since_id"]) < reach or "start_time" in q and _when(q["start_time"]) < reach:
            await w.respond(400, b'{"title":"Invalid Request","detail":"One or more parameters to your request was invalid."}')
            return
        token = q.get("next_token", "")
        page = [t for t in pages[token] if "start_time" not in q or _id_time(t["id"]) >= _when(q["start_time"])]
        i = order.index(token)
        meta: dict[str, object] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if i + 1 < len(order):
            meta["next_token"] = order[i + 1]
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    return route


def test_an_interrupted_sweep_rerun_beyond_reach_records_only_what_it_did_not_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app

    _Clock.shift = timedelta(0)
    _later_clock(monkeypatch)
    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=6)).strftime("%Y-%m-%dT%H:%M:%S")
    first = [{"id": _id_at(now - timedelta(days=d)), "text": f"t {d}", "author_id": "1"} for d in (1, 3)]
    pages = {"": first, "P2": [{"id": _id_at(now - timedelta(days=5)), "text": "t 5", "author_id": "1"}]}
    asked: list[dict[str, str]] = []
    folder = tmp_path / "cap"
    args = ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--duration", "5s", "--no-progress"]
    with FakeHttp(_paged_server(pages, asked)) as srv:
        res = CliRunner().invoke(app, [*args, "--base-url", srv.url, "--max-posts", "2"], env=_ENV)  # stops after page 1
        assert res.exit_code == 0, res.output
        _Clock.shift = timedelta(days=8)
        res = CliRunner().invoke(app, [*args, "--base-url", srv.url], env=_ENV)
    assert res.exit_code == 0, res.output
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    gaps = sorted(runs[1]["gaps"], key=lambda g: g["from"])
    floor = _when(asked[-1]["start_time"])
    # Before the oldest post the interrupted sweep fetched, and from when it began to where the new sweep starts.
    assert [g["from"] for g in gaps][0] == since + "Z"
    assert 0 <= (_when(gaps[0]["to"]) - _id_time(first[-1]["id"])).total_seconds() < 1, gaps  # not the floor, 4 days later
    assert len(gaps) == 2 and abs((_when(gaps[1]["from"]) - now).total_seconds()) < 60 and _when(gaps[1]["to"]) == floor, gaps
    said = " ".join(res.output.split())
    assert said.count("gap:") == 1 and gaps[0]["to"] in said and gaps[1]["from"] in said, said


def test_an_interrupted_sweep_whose_window_ended_beyond_reach_records_the_span_below_its_oldest_post(tmp_path: Path) -> None:
    """--until now beyond reach: the interrupted sweep had fetched from --until down to its oldest
    post, so only the span below it is unfetched (it was stated as the whole window from the last
    finished sweep to --until)."""
    import json

    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    _Clock.shift = timedelta(0)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    since, until, lower, oldest = (now - timedelta(days=d) for d in (12, 8, 11, 9))
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps(
        {"search_endpoint": "recent", "sweep_started": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
         "cursor": {"next_token": "T", "newest_id": _id_at(lower), "sweep_since_id": _id_at(lower), "sweep_oldest_id": _id_at(oldest)}}))
    asked: list[dict[str, str]] = []
    with FakeHttp(_paged_server({"": []}, asked)) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since.strftime("%Y-%m-%dT%H:%M:%S"),
                                       "--until", until.strftime("%Y-%m-%dT%H:%M:%S"), "--base-url", srv.url, "--duration", "5s",
                                       "--no-progress"], env=_ENV)
    assert res.exit_code == 2 and not asked, res.output
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = run["gaps"]
    assert _when(gap["from"]) == lower and _when(gap["to"]) == oldest, gap
    said = " ".join(res.output.split())
    assert f"from {gap['from']} to {gap['to']} unfetched" in said, said
