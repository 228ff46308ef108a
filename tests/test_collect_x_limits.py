"""`collect x --search`: `--max-posts` wrote whole pages (15 asked, 20 written with pages of ten),
and a search window ending before it starts, or starting in the future, was sent to X as asked.
Now the last page is cut to the number asked, its rest is taken by the next run (nothing lost,
nothing twice), and such a window is one usage line, exit 2, before any request."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.collect import x as xm
from botwatch.collect.core import Capture
from botwatch.collect.filters import PostFilter
from testsupport.collect_fakes import FakeHttp
from tests.test_collect import XSearchServer, on_disk, run


def _ids(folder: Path) -> list[str]:
    return [t["id"] for page in on_disk(folder) for t in page["data"]]


def test_max_posts_cuts_the_last_page_and_the_next_run_takes_its_rest(tmp_path: Path) -> None:
    server = XSearchServer()
    server.calls = [(0.0, {})] * 4  # past the scripted 503 and 429
    with FakeHttp(server) as srv:
        first = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of, max_posts=15)
        assert run(first, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        assert first.stats.kept == 15 and len(_ids(tmp_path)) == 15
        second = Capture(tmp_path, "x", "x-search-t", keys_of=xm.keys_of)
        assert run(second, xm.XSearch(srv.url, "token", "#GE2017", backoff_scale=0.01)) == 0
        assert server.calls[6][1].get("next_token") == "10"  # the cut page asked for again
    ids = _ids(tmp_path)
    assert len(ids) == len(set(ids)) == 50  # its first five not twice, its last five not lost
    assert second.stats.kept == 35


def test_max_posts_on_the_command_line_writes_exactly_that_many(tmp_path: Path) -> None:
    server = XSearchServer()
    server.calls = [(0.0, {})] * 4
    with FakeHttp(server) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "c"), "--search", "#GE2017", "--base-url", srv.url,
                                       "--max-posts", "7", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 0, res.output
    assert len(_ids(tmp_path / "c")) == 7


def _refused(tmp_path: Path, *args: str) -> str:
    with FakeHttp(XSearchServer()) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "c"), "--search", "#GE2017", "--base-url", srv.url, *args],
                                 env={"X_BEARER_TOKEN": "t"})
        assert not srv.requests  # refused before any request
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return " ".join(res.output.split())


def test_until_before_since_is_a_usage_error(tmp_path: Path) -> None:
    said = _refused(tmp_path, "--since", "2017-06-09", "--until", "2017-05-01")
    assert "--until 2017-05-01 is not later than --since 2017-06-09" in said
    said = _refused(tmp_path, "--since", "2017-05-01T12:00:00", "--until", "2017-05-01T12:00:00")
    assert "is not later than --since" in said


def test_since_in_the_future_is_a_usage_error(tmp_path: Path) -> None:
    later = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%d")
    said = _refused(tmp_path, "--since", later)
    assert f"--since {later} is in the future" in said


def test_until_in_the_future_is_a_usage_error(tmp_path: Path) -> None:
    """X refuses an end_time less than 10 seconds before the request: it was sent, and the run
    ended on X's JSON error after the capture folder and a run record were written."""
    later = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%d")
    said = _refused(tmp_path, "--until", later)
    assert f"--until {later} is in the future" in said and "leave --until out" in said
    assert not (tmp_path / "c").exists()
    just_now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert "is in the future (or less than 10 seconds ago)" in _refused(tmp_path, "--until", just_now)


def test_the_stream_without_a_filter_waits_out_a_failed_rules_read(tmp_path: Path) -> None:
    """`collect x --stream` with no filter reads the app's rules once: a dropped connection there
    ended the run at once ("the collector stopped on an unexpected RemoteProtocolError"), and a
    503 was said as "the app's 0 existing rule(s)". Both are waited out and tried again."""
    import asyncio

    import orjson

    from tests.test_collect import envelope

    async def route(req, w, n):  # type: ignore[no-untyped-def]
        if req.path.endswith("/rules"):
            if n == 0:
                w.abort()
            elif n == 1:
                await w.respond(503, b'{"title":"Service Unavailable"}')
            else:
                await w.respond(200, orjson.dumps({"data": [{"id": "2", "value": "theirs", "tag": "mine"}]}))
            return
        await w.start_stream("application/json")
        for i in range(3):
            await w.chunk(envelope(i) + b"\r\n")
        await asyncio.sleep(5)

    said: list[str] = []
    with FakeHttp(route) as srv:
        cap = Capture(tmp_path / "c", "x", "x-stream", keys_of=xm.keys_of, max_posts=3)
        code = run(cap, xm.XStream(srv.url, "token", rules_filter=PostFilter(), stall_s=2.0, backoff_scale=0.001, log=said.append))
    assert code == 0 and cap.stats.kept == 3, said
    assert any("the app's 1 existing rule(s)" in line for line in said), said


def test_backfill_minutes_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """X replays at most 5 minutes (`backfill_minutes` 1-5) and answers 400 to any other value: the
    stream's first reconnect asked for it and was refused, then retried with backoff for ever."""
    with FakeHttp(XSearchServer()) as srv:
        for minutes in ("10", "-1"):
            res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "c"), "--stream", "--hashtag", "GE2017", "--base-url", srv.url,
                                           "--backfill-minutes", minutes], env={"X_BEARER_TOKEN": "t"})
            assert res.exit_code == 2, res.output
            assert f"--backfill-minutes must be 0 to 5 (X replays at most 5 minutes after a reconnect), got {minutes}" in " ".join(res.output.split())
        assert not srv.requests
    assert not (tmp_path / "c").exists()


def test_a_stream_request_x_rejects_ends_the_run(tmp_path: Path) -> None:
    """A 400 on the stream (a parameter X refuses) was waited out and asked again, for ever, as a
    passing error: it ends the run with X's words, exit 2, as a rejected search does."""
    import orjson

    async def route(req, w, n):  # type: ignore[no-untyped-def]
        if req.path.endswith("/rules"):
            await w.respond(200, orjson.dumps({"data": []}))
            return
        await w.respond(400, b'{"title":"Invalid Request","detail":"backfill_minutes is not allowed"}')

    said: list[str] = []
    with FakeHttp(route) as srv:
        cap = Capture(tmp_path / "c", "x", "x-stream", keys_of=xm.keys_of)
        code = run(cap, xm.XStream(srv.url, "token", rules_filter=PostFilter(), stall_s=2.0, backoff_scale=0.001, log=said.append), duration=5.0)
        asked = sum(1 for _, r in srv.requests if r.path.endswith("/stream"))
    assert code == 2 and asked == 1, (code, asked)


def test_a_rule_x_rejects_is_a_bad_option_not_refused_credentials(tmp_path: Path) -> None:
    """A filter term X cannot take as a rule (its syntax) ended the run with exit 3, the status
    docs/collect.md gives refused credentials: a script told the user to check the token."""
    import orjson

    async def route(req, w, n):  # type: ignore[no-untyped-def]
        if req.method == "GET":
            await w.respond(200, orjson.dumps({"data": []}))
        else:
            await w.respond(400, orjson.dumps({"errors": [{"title": "Invalid Rule", "detail": "unbalanced quotes"}]}))

    with FakeHttp(route) as srv:
        f = PostFilter.build(keywords=['say "no'])
        cap = Capture(tmp_path / "c", "x", "x-stream", keys_of=xm.keys_of, post_filter=f)
        code = run(cap, xm.XStream(srv.url, "token", rules_filter=f, stall_s=2.0, backoff_scale=0.001, log=lambda m: None), duration=5.0)
    assert code == 2


def test_a_window_bound_out_of_the_range_of_dates_is_a_usage_error(tmp_path: Path) -> None:
    """Year 1 at +01:00 is before year 1 in UTC: `--since` ended in "This is a bug in botwatch"
    (OverflowError) and `--until` in "the collector stopped on an unexpected OverflowError"."""
    for option in ("--since", "--until"):
        said = _refused(tmp_path, option, "0001-01-01T00:00:00+01:00")
        assert f"{option} 0001-01-01T00:00:00+01:00 is out of the range of dates" in said and "bug" not in said


def test_an_old_until_without_since_is_a_usage_error(tmp_path: Path) -> None:
    """Without --since the search is X's recent one (the last 7 days): `--until 2017-06-09` was sent
    to it, refused by X after the capture folder and a run record were written."""
    said = _refused(tmp_path, "--until", "2017-06-09")
    assert "--until 2017-06-09 is more than 7 days back" in said and "give --since too" in said
    assert not (tmp_path / "c").exists()


def test_no_room_for_rules_is_a_usage_error(tmp_path: Path) -> None:
    """`--max-rules 0` (or a negative one, or `--max-rule-length 0`) let no term fit: the capture
    folder and a run record were written, then the run ended with "give X handles, --hashtag or
    --keyword" to a user who had given --hashtag."""
    for option in ("--max-rules", "--max-rule-length"):
        for value in ("0", "-1"):
            with FakeHttp(XSearchServer()) as srv:
                res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "c"), "--stream", "--hashtag", "GE2017", option, value,
                                               "--base-url", srv.url], env={"X_BEARER_TOKEN": "t"})
                assert not srv.requests
            assert res.exit_code == 2, res.output
            assert f"{option} must be at least 1" in " ".join(res.output.split())
            assert not (tmp_path / "c").exists()
