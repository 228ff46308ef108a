"""`collect x --search`: a sweep interrupted part-way and re-run more than 7 days on. X's search
pages newest first, so the interrupted sweep had fetched the posts from when it began down to its
oldest fetched post: the gap recorded is what no sweep fetched, not the whole span from the last
finished sweep (or --since) to where recent search reaches now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, Clock, id_at, id_time, paged_server, when


def test_an_interrupted_sweep_rerun_beyond_reach_records_only_what_it_did_not_fetch(tmp_path: Path, x_clock: type[Clock]) -> None:
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=6)).strftime("%Y-%m-%dT%H:%M:%S")
    first = [{"id": id_at(now - timedelta(days=d)), "text": f"t {d}", "author_id": "1"} for d in (1, 3)]
    pages = {"": first, "P2": [{"id": id_at(now - timedelta(days=5)), "text": "t 5", "author_id": "1"}]}
    asked: list[dict[str, str]] = []
    folder = tmp_path / "cap"
    args = ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--duration", "5s", "--no-progress"]
    with FakeHttp(paged_server(pages, asked)) as srv:
        res = CliRunner().invoke(app, [*args, "--base-url", srv.url, "--max-posts", "2"], env=ENV)  # stops after page 1
        assert res.exit_code == 0, res.output
        x_clock.shift = timedelta(days=8)
        res = CliRunner().invoke(app, [*args, "--base-url", srv.url], env=ENV)
    assert res.exit_code == 0, res.output
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    gaps = sorted(runs[1]["gaps"], key=lambda g: g["from"])
    floor = when(asked[-1]["start_time"])
    # Before the oldest post the interrupted sweep fetched, and from when it began to where the new sweep starts.
    assert [g["from"] for g in gaps][0] == since + "Z"
    assert 0 <= (when(gaps[0]["to"]) - id_time(first[-1]["id"])).total_seconds() < 1, gaps  # not the floor, 4 days later
    assert len(gaps) == 2 and abs((when(gaps[1]["from"]) - now).total_seconds()) < 60 and when(gaps[1]["to"]) == floor, gaps
    said = " ".join(res.output.split())
    assert said.count("gap:") == 1 and gaps[0]["to"] in said and gaps[1]["from"] in said, said


def test_an_interrupted_sweep_whose_window_ended_beyond_reach_records_the_span_below_its_oldest_post(tmp_path: Path) -> None:
    """--until now beyond reach: the interrupted sweep had fetched from --until down to its oldest
    post, so only the span below it is unfetched (it was stated as the whole window from the last
    finished sweep to --until)."""
    import json

    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    now = datetime.now(timezone.utc).replace(microsecond=0)
    since, until, lower, oldest = (now - timedelta(days=d) for d in (12, 8, 11, 9))
    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(since))
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps(
        {"search_endpoint": "recent", "sweep_started": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
         "cursor": {"next_token": "T", "newest_id": id_at(lower), "sweep_since_id": id_at(lower), "sweep_oldest_id": id_at(oldest)}}))
    asked: list[dict[str, str]] = []
    with FakeHttp(paged_server({"": []}, asked)) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since.strftime("%Y-%m-%dT%H:%M:%S"),
                                       "--until", until.strftime("%Y-%m-%dT%H:%M:%S"), "--base-url", srv.url, "--duration", "5s",
                                       "--no-progress"], env=ENV)
    assert res.exit_code == 2 and not asked, res.output
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    [gap] = run["gaps"]
    assert when(gap["from"]) == lower and when(gap["to"]) == oldest, gap
    said = " ".join(res.output.split())
    assert f"from {gap['from']} to {gap['to']} unfetched" in said, said
