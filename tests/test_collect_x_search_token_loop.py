"""`collect x --search`: a server whose `next_token` leads back to a page already read (a search
paging in a loop) was followed for ever, silently: every page all duplicates, the rate limit spent
on tweets already on disk, the run never ending. X never sends a token twice in one sweep, so one
sent again ends the run (exit 1) with the sweep unfinished and its cursor kept; a re-run resumes
from the page read last, and nothing is lost or written twice."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from testsupport.x_search import ENV, id_at


def _page(ids: list[str], token: str | None) -> bytes:
    meta: dict[str, object] = {"result_count": len(ids), "newest_id": ids[0], "oldest_id": ids[-1], **({"next_token": token} if token else {})}
    return orjson.dumps({"data": [{"id": i, "text": "#GE2017", "author_id": "1"} for i in ids], "meta": meta})


def _run(folder: Path, pages: dict[str, bytes], since: str, *more: str):  # type: ignore[no-untyped-def]
    """One run against a search answering `pages[next_token]` ("" the first page); (result, output on one line, tokens asked)."""
    from botwatch.cli import app

    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        token = dict(req.query).get("next_token", "")
        asked.append(token)
        await w.respond(200, pages[token])

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--base-url", srv.url,
                                       "--duration", "10s", "--no-progress", "--backoff-scale", "0.001", *more], env=ENV)
    return res, " ".join(res.output.split()), asked


def _ids_on_disk(folder: Path) -> list[str]:
    return [t["id"] for f in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(f) for t in orjson.loads(line).get("data", [])]


def test_a_next_token_sent_again_ends_the_run_and_a_rerun_resumes_with_nothing_lost_or_twice(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    a, b, c = ([id_at(now - timedelta(hours=h)) for h in (k, k + 1)] for k in (1, 3, 5))
    since = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    folder = tmp_path / "cap"
    looping = {"": _page(a, "T1"), "T1": _page(b, "T2"), "T2": _page(c, "T1")}
    res, said, asked = _run(folder, looping, since)
    assert res.exit_code == 1 and "Traceback" not in res.output, said
    assert asked == ["", "T1", "T2"], asked  # followed once round, not for ever
    assert "next_token it had sent before" in said and "'T1'" in said and "run the same command again later to resume" in said, said
    assert sorted(_ids_on_disk(folder)) == sorted(a + b + c)  # the page that looped back is kept
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert state["cursor"].get("next_token") == "T2" and "last_sweep_to" not in state, state  # unfinished, on the page read last

    fixed = {**looping, "T2": _page(c, None)}
    res, said, asked = _run(folder, fixed, since)
    assert res.exit_code == 0, said
    assert asked == ["T2"], asked
    assert sorted(_ids_on_disk(folder)) == sorted(a + b + c)  # nothing twice
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert "next_token" not in state["cursor"] and "last_sweep_to" in state, state


def test_a_looping_page_whose_posts_reach_max_posts_exactly_still_says_the_loop(tmp_path: Path) -> None:
    """The page that sends a token back also brings the run to --max-posts: the limit ended the run
    0 before the loop was said, and only the next run met it. The loop is said, and ends it (exit 1)."""
    now = datetime.now(timezone.utc)
    a, b, c = ([id_at(now - timedelta(hours=h)) for h in (k, k + 1)] for k in (1, 3, 5))
    since = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    folder = tmp_path / "cap"
    res, said, asked = _run(folder, {"": _page(a, "T1"), "T1": _page(b, "T2"), "T2": _page(c, "T1")}, since, "--max-posts", "6")
    assert res.exit_code == 1 and "Traceback" not in res.output, said
    assert asked == ["", "T1", "T2"] and "next_token it had sent before" in said and "'T1'" in said, said
    assert sorted(_ids_on_disk(folder)) == sorted(a + b + c)
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert state["cursor"].get("next_token") == "T2", state
