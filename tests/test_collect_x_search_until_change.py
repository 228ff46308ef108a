"""An interrupted `collect x --search` sweep re-run with another `--until`: its saved `next_token`
pages the old window, and was sent with the new `end_time` (a request X does not answer as either
window). The sweep now starts afresh with the new window, said in one line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


def test_an_interrupted_sweep_with_another_until_starts_afresh(tmp_path: Path) -> None:
    from botwatch.cli import app

    asked: list[dict[str, str]] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        q = dict(req.query)
        asked.append(q)
        if "next_token" in q:
            page = {"data": [{"id": "3", "text": "c", "author_id": "1"}], "meta": {"result_count": 1}}
        else:
            page = {"data": [{"id": "5", "text": "e", "author_id": "1"}, {"id": "4", "text": "d", "author_id": "1"}],
                    "meta": {"result_count": 2, "newest_id": "5", "next_token": "PAGE2"}}
        await w.respond(200, orjson.dumps(page))

    now = datetime.now(timezone.utc).replace(microsecond=0)
    first_until, new_until = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S"), (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    folder = tmp_path / "cap"
    env = {"X_BEARER_TOKEN": "t", "COLUMNS": "300"}
    with FakeHttp(route) as srv:
        args = ["collect", "x", str(folder), "--search", "#GE2017", "--base-url", srv.url, "--duration", "5s", "--no-progress"]
        first = CliRunner().invoke(app, [*args, "--until", first_until, "--max-posts", "2"], env=env)  # stops after page 1
        assert first.exit_code == 0, first.output
        assert orjson.loads(next((folder / ".botwatch").glob("*.state.json")).read_bytes())["cursor"]["next_token"] == "PAGE2"
        res = CliRunner().invoke(app, [*args, "--until", new_until], env=env)
    assert res.exit_code == 0, res.output
    again = asked[1]
    assert "next_token" not in again and again["end_time"] == new_until + "Z"  # a new sweep of the new window
    said = " ".join(res.output.split())
    assert "--until" in said and "afresh" in said, said
    assert "duplicates dropped 2" in said  # the first sweep's posts, not written again


def test_the_help_says_until_is_not_included() -> None:
    """X's end_time is exclusive: `--until 2017-06-09` ends at the start of June 9. "Search up to this
    UTC date" read as through June 9, and an election day given as --until was left out."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["collect", "x", "--help"], env={"COLUMNS": "300"})
    assert res.exit_code == 0
    assert "not including it (2017-06-09: to the end of June 8)" in " ".join(res.output.replace("│", " ").split())
