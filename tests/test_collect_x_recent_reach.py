"""`collect x --search` re-run more than 7 days after its last run: X's recent search takes no
since_id older than 7 days (400, "Invalid Request"), so the run ended on X's JSON error, and so did
every later run of that capture. Now the search starts where recent search reaches, and the posts
between the last saved position and there are a gap: said, and recorded in the run's manifest entry."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from testsupport.x_search import id_at, id_time, when


def _as_if_run_at(folder: Path, t: datetime) -> str:
    """The first run's finished sweep recorded as run at `t` (10 days ago), as it would have been."""
    path = next((folder / ".botwatch").glob("*.state.json"))
    state = json.loads(path.read_text())
    assert state["last_sweep_to"]
    state["last_sweep_to"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(state))
    return state["last_sweep_to"]


def test_a_rerun_after_more_than_7_days_searches_from_the_reach_and_records_the_gap(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.collect.x import id_time as read_id_time

    now = datetime.now(timezone.utc)
    old = [{"id": id_at(now - timedelta(days=10, minutes=i)), "text": f"old {i}", "author_id": "1"} for i in range(3)]
    new = [{"id": id_at(now - timedelta(days=2, minutes=i)), "text": f"new {i}", "author_id": "1"} for i in range(2)]
    assert read_id_time(old[0]["id"]) == id_time(old[0]["id"]) and abs((id_time(old[0]["id"]) - (now - timedelta(days=10))).total_seconds()) < 1
    assert read_id_time("10049") is None  # a made-up or pre-2010 id carries no time
    served = [old]  # the first run (10 days ago) saw the old tweets; the re-run sees the new ones too
    asked: list[dict[str, str]] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append(q)
        reach = datetime.now(timezone.utc) - timedelta(days=7)
        if "since_id" in q and id_time(q["since_id"]) < reach or "start_time" in q and when(q["start_time"]) < reach:
            await w.respond(400, b'{"title":"Invalid Request","detail":"One or more parameters to your request was invalid."}')
            return
        page = served[-1]
        if "since_id" in q:
            page = [t for t in page if int(t["id"]) > int(q["since_id"])]
        if "start_time" in q:
            page = [t for t in page if id_time(t["id"]) >= when(q["start_time"])]
        meta = {"result_count": len(page), **({"newest_id": page[0]["id"]} if page else {})}
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        args = ["collect", "x", str(folder), "--search", "#GE2017", "--base-url", srv.url, "--duration", "5s", "--no-progress"]
        first = CliRunner().invoke(app, args, env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
        assert first.exit_code == 0, first.output
        ran = _as_if_run_at(folder, now - timedelta(days=10) + timedelta(minutes=5))
        served.append(new + old)
        res = CliRunner().invoke(app, args, env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "gap:" in said and "more than 7 days back" in said and "cannot be fetched" in said
    again = asked[-1]
    assert "since_id" not in again and now - when(again["start_time"]) < timedelta(days=7)
    ids = [t["id"] for f in sorted(folder.glob("*.jsonl.gz")) for line in read_lines(f) for t in orjson.loads(line)["data"]]
    assert sorted(ids) == sorted(t["id"] for t in old + new)  # each once
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert "gaps" not in runs[0]
    [gap] = runs[1]["gaps"]
    assert gap["from"] == ran and gap["to"] == again["start_time"]  # from when the last sweep ran, where its newest tweet was
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())["cursor"]
    assert state.get("newest_id") == new[0]["id"] and "start_time" not in state  # the next run resumes by id


def test_status_says_a_capture_gap_after_ingest(tmp_path: Path) -> None:
    """The gap is recorded in the manifest, which ingest copies into the study: `status` says it, so
    counts over that span are not read as complete."""
    from botwatch.cli import app
    from botwatch.collect import state as st

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    gap = {"from": "2026-11-20T10:00:00Z", "to": "2026-11-28T11:00:00Z", "why": "X's recent search reaches back 7 days only"}
    run = {"platform": "x", "stream": "x-search-abc", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "gaps": [gap], "kept": 1}
    (folder / ".botwatch" / st.MANIFEST).write_text(json.dumps({"sample_rate": 1.0, "runs": [run]}))
    page = {"data": [{"id": "2128641362881413120", "text": "hello", "author_id": "1", "created_at": "2026-12-01T10:00:00.000Z"}],
            "includes": {"users": [{"id": "1", "username": "a", "name": "A", "created_at": "2020-01-01T00:00:00.000Z"}]}}
    with gzip.open(folder / "x-search-abc-20261201T100000Z-1.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(page) + "\n")
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(folder)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "could not fetch the posts from 2026-11-20T10:00:00Z to 2026-11-28T11:00:00Z" in said and "incomplete" in said


def test_a_follow_run_that_records_a_gap_and_ingests_nothing_records_it_in_the_study(tmp_path: Path) -> None:
    """The study's copy of the manifest is refreshed by an ingest: with --study, a re-run beyond the
    reach that found no new post recorded the gap in the folder only, and `status` and the report
    of the study went on without it, in silence; then with a warning only, lost in a scheduled
    run's log. The run now refreshes the study's copy itself."""
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    at = now - timedelta(days=10)
    old = [{"id": id_at(at), "text": "old", "author_id": "1", "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")}]

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        page = [] if "since_id" in q or "start_time" in q else old  # nothing new since
        meta = {"result_count": len(page), **({"newest_id": page[0]["id"]} if page else {})}
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    folder, study = tmp_path / "cap", tmp_path / "s.duckdb"
    state = None
    with FakeHttp(route) as srv:
        args = ["collect", "x", str(folder), "--search", "#GE2017", "--base-url", srv.url, "--duration", "20s", "--no-progress", "--study", str(study)]
        first = CliRunner().invoke(app, args, env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
        assert first.exit_code == 0, first.output
        state = next((folder / ".botwatch").glob("*.state.json"))
        assert orjson.loads(state.read_bytes())["cursor"]["newest_id"] == old[0]["id"]
        _as_if_run_at(folder, now - timedelta(days=10) + timedelta(minutes=5))
        res = CliRunner().invoke(app, args, env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "gap:" in said and "not yet in" not in said and f"the gap is recorded in {study} too" in said, said
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "could not fetch the posts from" in " ".join(res.output.split()), res.output
