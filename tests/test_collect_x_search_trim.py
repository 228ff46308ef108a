"""`collect x --search " #GE2017 "` is the search `#GE2017`: trimmed before it names the stream,
so it resumes that capture instead of keeping state of its own."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


def test_blanks_around_a_search_query_name_the_same_stream(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name

    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        asked.append(req.query.get("query", ""))
        await w.respond(200, b'{"meta":{"result_count":0}}')

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        for query in ("#GE2017 lang:en", " #GE2017 lang:en \n"):
            res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", query, "--base-url", srv.url, "--duration", "5s", "--no-progress"],
                                     env={"X_BEARER_TOKEN": "t"})
            assert res.exit_code == 0, res.output
    # the name of an existing capture, made with the query as typed here, is unchanged
    assert sorted(p.name for p in (folder / ".botwatch").glob("*.state.json")) == [f"{search_stream_name('#GE2017 lang:en', None)}.state.json"]
    assert set(asked) == {"#GE2017 lang:en"}


def test_runs_of_blanks_inside_a_search_query_name_the_same_stream(tmp_path: Path) -> None:
    """"a  b", "a<TAB>b" and "a b" are one X search: one capture, sent as "a b"."""
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name

    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        asked.append(req.query.get("query", ""))
        await w.respond(200, b'{"meta":{"result_count":0}}')

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        for query in ("#GE2017 lang:en", "#GE2017  lang:en", "#GE2017\tlang:en"):
            res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", query, "--base-url", srv.url, "--duration", "5s", "--no-progress"],
                                     env={"X_BEARER_TOKEN": "t"})
            assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (folder / ".botwatch").glob("*.state.json")) == [f"{search_stream_name('#GE2017 lang:en', None)}.state.json"]
    assert set(asked) == {"#GE2017 lang:en"}
