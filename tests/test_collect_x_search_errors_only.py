"""`collect x --search`: X's v2 API can answer 200 with an `errors` array (partial errors, beside
`data` and `meta.next_token`, or alone). An answer of errors alone (no `data`, no `meta`) was read
as a last page: the sweep ended there, recorded as finished, and the pages after it were never
asked for. It is now asked again (waiting as after a failed request), and a run of such answers
ends the run (exit 1, the cursor kept), never a loop."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter
from testsupport.x_search import ENV, id_at

ERRORS = b'{"errors":[{"title":"Service Unavailable","detail":"Internal error","type":"about:blank"}]}'


def _server(answers: list[bytes], asked: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        asked.append(dict(req.query))
        await w.respond(200, answers[min(len(asked) - 1, len(answers) - 1)])

    return route


def _run(folder: Path, answers: list[bytes]):  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    asked: list[dict[str, str]] = []
    since = (datetime.now(timezone.utc) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    with FakeHttp(_server(answers, asked)) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--base-url", srv.url,
                                       "--duration", "10s", "--no-progress", "--backoff-scale", "0.001"], env=ENV)
    return res, " ".join(res.output.split()), asked


def _page(ids: list[str], token: str | None) -> bytes:
    meta: dict[str, object] = {"result_count": len(ids), "newest_id": ids[0], "oldest_id": ids[-1], **({"next_token": token} if token else {})}
    return orjson.dumps({"data": [{"id": i, "text": "#GE2017", "author_id": "1"} for i in ids], "meta": meta})


def test_an_answer_of_errors_alone_is_asked_again_not_taken_as_the_last_page(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    a, b = [id_at(now - timedelta(hours=h)) for h in (1, 2)], [id_at(now - timedelta(hours=h)) for h in (3, 4)]
    folder = tmp_path / "cap"
    res, said, asked = _run(folder, [ERRORS, _page(a, "T2"), _page(b, None)])
    assert res.exit_code == 0 and "Traceback" not in res.output, said
    assert len(asked) == 3 and asked[2].get("next_token") == "T2", asked
    assert "kept 4 posts" in said, said
    (run,) = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert run["unknown"] == 1, run  # the errors kept aside, with why


def test_answers_of_errors_alone_end_the_run_and_keep_the_sweep_unfinished(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    res, said, asked = _run(folder, [ERRORS])
    assert res.exit_code == 1 and "Traceback" not in res.output and 2 <= len(asked) <= 5, (said, asked)
    assert "errors" in said and "run again later to resume" in said, said
    state = orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())
    assert "last_sweep_to" not in state, state  # no sweep is taken as finished


def test_an_unreadable_page_is_said_as_it_is_asked_again(tmp_path: Path) -> None:
    """A page cut short (not JSON) was kept aside and asked again with no line said: up to 5 silent
    retries, then the run's end. Each is now said, as a failed request is."""
    now = datetime.now(timezone.utc)
    a = [id_at(now - timedelta(hours=h)) for h in (1, 2)]
    folder = tmp_path / "cap"
    good = _page(a, None)
    res, said, asked = _run(folder, [good[: len(good) // 2], good])
    assert res.exit_code == 0 and len(asked) == 2 and "kept 2 posts" in said, said
    assert "/2/tweets/search/recent sent a page that could not be read (kept aside in .botwatch/malformed-x-search-" in said, said


ODD_PAGES = {
    "data-object": {"data": {"id": "1"}, "meta": {"result_count": 1}},
    "meta-list": {"data": [{"id": "1", "text": "#GE2017", "author_id": "1"}], "meta": ["next_token", "T2"]},
    "token-int": {"data": [{"id": "1", "text": "#GE2017", "author_id": "1"}], "meta": {"result_count": 1, "next_token": 5}},
    "token-object": {"data": [{"id": "1", "text": "#GE2017", "author_id": "1"}], "meta": {"result_count": 1, "next_token": {"t": "T2"}}},
}


@pytest.mark.parametrize("odd", sorted(ODD_PAGES))
def test_a_page_of_the_wrong_shape_is_kept_aside_counted_and_asked_again(tmp_path: Path, odd: str) -> None:
    """A `data` that is no list was read as no tweets and a `meta` that is no object as the last page
    (the sweep taken as finished, in silence); a `next_token` that is no string was sent as it came
    (X's 400 then ended the run with exit 2). Each is now a page that could not be read: kept aside,
    counted as malformed, said, and asked again with the cursor unmoved; the retry is a reconnect."""
    now = datetime.now(timezone.utc)
    a = [id_at(now - timedelta(hours=h)) for h in (1, 2)]
    folder = tmp_path / "cap"
    res, said, asked = _run(folder, [orjson.dumps(ODD_PAGES[odd]), _page(a, None)])
    assert res.exit_code == 0 and "Traceback" not in res.output, said
    assert len(asked) == 2 and "next_token" not in asked[1], asked  # asked again from where it was
    assert "sent a page that could not be read" in said and "kept 2 posts" in said and "reconnects 1" in said, said
    (run,) = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert run["malformed"] == 1, run
