"""`collect x --stream` disconnected and reconnected: the posts X sent in between were lost in
silence. Nothing recorded the span in the capture's manifest (`gaps`, which `--search` captures
record and `status` and the report's Methods say), so a report built on a stream capture could not
say its counts were incomplete, nor the user know what to fill with `--search`. The fake stream
(testsupport/x_stream.py) drops its first connection; an outage is made long by moving the
collector's clock (`x_clock`) while the reconnect waits."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV
from testsupport.x_stream import DroppingStream, stream_args, when


def _runs(folder: Path) -> list[dict[str, Any]]:
    return orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]


def _collect(folder: Path, server: DroppingStream, *more: str) -> str:
    """One `collect x --stream` run against `server`, ended once its script has played (two
    keep-alives on its last connection, each sent once the collector had read what came before it,
    unless the test asked for more): each run waited out a
    fixed 1.5 s `--duration`, 16 tests spent most of their time asleep. `--duration` now only
    bounds a run whose script never ends."""
    from botwatch.cli import app

    if server.stop_after is None:
        server.stop_after = 2
    with FakeHttp(server) as srv:
        res = CliRunner().invoke(app, [*stream_args(folder, srv.url, "--duration", "30s"), *more], env=ENV)
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    return " ".join(res.output.split())




def _outage(x_clock: Any, minutes: float):  # type: ignore[no-untyped-def]
    """Before the reconnect is answered, the collector's clock moves `minutes` on (an outage that long)."""

    def later(k: int) -> None:
        if k == 1:
            x_clock.shift = timedelta(minutes=minutes)

    return later


def test_a_drop_and_reconnect_records_one_gap_with_its_bounds(tmp_path: Path, x_clock: Any) -> None:
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 2))
    said = _collect(tmp_path / "cap", server)
    gaps = [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])]
    assert len(gaps) == 1, gaps
    (gap,) = gaps
    # From the last line before the drop (to the second below) to the reconnect's answer (to the second above).
    assert math.floor(server.sent_last[0]) <= when(gap["from"]) <= server.sent_last[0] + 1, (gap, server.sent_last)
    assert server.answered[1] + 120 - 1 <= when(gap["to"]) <= server.answered[1] + 120 + 2, (gap, server.answered)
    assert "disconnected" in gap["why"] and "disconnections" not in gap
    assert f"from {gap['from']} to {gap['to']}" in said and "--search" in said


def _replay(server: DroppingStream, x_clock: Any, offsets: dict[int, list[float]]):  # type: ignore[no-untyped-def]
    """`ids` for the fake: connection k's j-th tweet carries the time `offsets[k][j]` seconds from
    when the collector saw connection k answered (negative: a replayed tweet; later connections'
    tweets are live, a minute after the answer)."""
    from datetime import datetime, timezone

    from testsupport.x_search import id_at

    def ids(k: int, j: int) -> str:
        at = server.answered[k] + x_clock.shift.total_seconds() + (offsets.get(k) or [60.0] * 99)[j]
        return id_at(datetime.fromtimestamp(at, timezone.utc))

    return ids


def test_a_reconnect_the_backfill_covered_records_no_gap(tmp_path: Path, x_clock: Any) -> None:
    """The replay's oldest post is from before the drop: it reached back past it."""
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 0.5))
    server.ids = _replay(server, x_clock, {0: [-5.0] * 3, 1: [-40.0, 60.0]})
    _collect(tmp_path / "cap", server, "--backfill-minutes", "1")
    assert server.asked[1].get("backfill_minutes") == "1"
    assert [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])] == []


def test_a_replay_shorter_than_asked_leaves_the_rest_a_gap(tmp_path: Path, x_clock: Any) -> None:
    """A 3-minute outage, --backfill-minutes 5: X replayed the last minute only (its oldest replayed
    post). The replay was taken as given where asked, and no gap was recorded."""
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 3))
    server.ids = _replay(server, x_clock, {0: [-5.0] * 3, 1: [-60.0, 60.0]})
    _collect(tmp_path / "cap", server, "--backfill-minutes", "5")
    (gap,) = [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])]
    assert math.floor(server.sent_last[0]) <= when(gap["from"]) <= server.sent_last[0] + 1, gap
    assert server.answered[1] + 120 - 1 <= when(gap["to"]) <= server.answered[1] + 120 + 2, gap  # 3 minutes out, 1 replayed
    assert "--backfill-minutes 5 replayed it back to" in gap["why"] and "(" not in gap["why"], gap


def test_a_replay_that_shows_nothing_replayed_leaves_the_whole_span_a_gap(tmp_path: Path, x_clock: Any) -> None:
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 3))
    server.ids = _replay(server, x_clock, {0: [-5.0] * 3, 1: [60.0, 61.0]})
    _collect(tmp_path / "cap", server, "--backfill-minutes", "5")
    (gap,) = [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])]
    assert server.answered[1] + 180 - 1 <= when(gap["to"]) <= server.answered[1] + 180 + 2, gap
    assert "no replayed post showed" in gap["why"], gap


def test_a_connection_broken_during_its_replay_leaves_the_rest_a_gap(tmp_path: Path, x_clock: Any) -> None:
    """The replay reached back past the drop but the connection broke after its post of 100 s before
    the answer: what came after it was never replayed, and is a gap up to the next connection."""
    server = DroppingStream([3, 2, 2], before_answer=_outage(x_clock, 3))
    server.ids = _replay(server, x_clock, {0: [-5.0] * 3, 1: [-200.0, -100.0], 2: [60.0, 61.0]})
    _collect(tmp_path / "cap", server, "--backfill-minutes", "5")
    gaps = [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])]
    (gap,) = [g for g in gaps if "disconnections" not in g]
    assert server.answered[1] + 180 - 100 - 1 <= when(gap["from"]) <= server.answered[1] + 180 - 100 + 1, (gap, server.answered)
    assert server.answered[2] + 180 - 1 <= when(gap["to"]) <= server.answered[2] + 180 + 2, gap


def test_short_drops_are_counted_in_one_record_and_a_rerun_adds_only_the_time_between(tmp_path: Path) -> None:
    server = DroppingStream([1, 1, 1, 2], pauses=[0.1, 0.1, 0.1])
    _collect(tmp_path / "cap", server)
    _collect(tmp_path / "cap", DroppingStream([2]))  # a second run at once, connected throughout
    runs = _runs(tmp_path / "cap")
    assert [len(r.get("gaps", [])) for r in runs] == [1, 1], runs
    (between,) = runs[1]["gaps"]  # the few seconds between the runs: short, so counted as one disconnection
    assert between["disconnections"] == 1 and between["seconds"] < 30, between
    (gap,) = runs[0]["gaps"]
    assert gap["disconnections"] == 3 and 0 <= gap["seconds"] <= 5 and "3 disconnections" in gap["why"], gap
    assert math.floor(server.sent_last[0]) <= when(gap["from"]) and when(gap["to"]) <= server.answered[3] + 2, gap


def test_status_and_the_reports_methods_say_the_streams_gaps(tmp_path: Path, x_clock: Any) -> None:
    """One outage of two minutes, then a short drop: `status` and Methods say the outage's posts were
    not fetched, and only some of those of the short drops' span (not all of them, as for a search's gap)."""
    import re

    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods
    from botwatch.study import open_study

    server = DroppingStream([3, 1, 2], pauses=[0.0, 0.1], before_answer=_outage(x_clock, 2))
    _collect(tmp_path / "cap", server)
    long, short = [g for r in _runs(tmp_path / "cap") for g in r.get("gaps", [])]
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(tmp_path / "cap")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and f"could not fetch the posts from {long['from']} to {long['to']} (X's filtered stream was disconnected)" in said, said
    assert f"could not fetch some of the posts from {short['from']} to {short['to']} (1 disconnection of X's filtered stream" in said, said
    with open_study(study) as st:
        html = str(methods(st, report_context(st)).html)
    text = " ".join(re.sub("<[^>]+>", " ", html).split())
    assert (f"could not fetch the posts from {long['from']} to {long['to']} (X&#39;s filtered stream was disconnected) and some of the posts "
            f"from {short['from']} to {short['to']} (1 disconnection of X&#39;s filtered stream") in text, text


def test_short_drops_of_many_runs_are_said_once(tmp_path: Path) -> None:
    """A capture run an hour at a time records its short drops in each run's entry: `status` and
    Methods listed one line per run (hundreds over a month); they are said as one record, added up."""
    import json
    import re

    from botwatch.collect import state as st
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods
    from botwatch.study import open_study
    from testsupport.x_stream import status_of_ingested_capture

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    run = {"platform": "x", "stream": "x-stream", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "kept": 1}
    short = [{"from": f"2026-11-{d}T10:00:05Z", "to": f"2026-11-{d}T10:40:00Z", "disconnections": d - 18, "seconds": 20.5,
              "why": "x"} for d in (20, 21, 22)]
    long = {"from": "2026-11-21T12:00:00Z", "to": "2026-11-21T12:05:00Z", "why": "X's filtered stream was disconnected"}
    runs = [{**run, "gaps": [short[0]]}, {**run, "gaps": [long, short[1]]}, {**run, "gaps": [short[2]]}]
    (folder / ".botwatch" / st.MANIFEST).write_text(json.dumps({"sample_rate": 1.0, "runs": runs}))
    study = tmp_path / "s.duckdb"
    _output, said = status_of_ingested_capture(folder, study)
    merged = ("some of the posts from 2026-11-20T10:00:05Z to 2026-11-22T10:40:00Z (9 disconnections of X's filtered stream, "
              "each under 60 s, 62 s in all)")
    assert said.count("gap: capture") == 2 and merged in said and "from 2026-11-21T12:00:00Z to 2026-11-21T12:05:00Z" in said, said
    with open_study(study) as s:
        text = " ".join(re.sub("<[^>]+>", " ", str(methods(s, report_context(s)).html)).split())
    assert merged.replace("'", "&#39;") in text and text.count("some of the posts") == 1, text


NOTICE = (b'{"errors":[{"title":"operational-disconnect","disconnect_type":"OperationalDisconnect",'
          b'"detail":"This stream has been disconnected for operational reasons.",'
          b'"type":"https://api.twitter.com/2/problems/operational-disconnect"}]}')


def test_xs_disconnect_notices_are_counted_as_such_not_as_bad_frames(tmp_path: Path) -> None:
    """X says it closes the stream (`operational-disconnect`) before it does: that message was kept
    aside as an unknown frame and `status` counted it among the capture's bad frames."""
    from botwatch.cli import app

    folder = tmp_path / "cap"
    said = _collect(folder, DroppingStream([2, 1, 2], pauses=[0.1, 0.1], notice=NOTICE))
    (run,) = _runs(folder)
    assert run["disconnect_notices"] == 2 and run["unknown"] == 0 and run["malformed"] == 0, run
    assert not (folder / ".botwatch" / "malformed-x-stream.jsonl").exists() and "frames kept aside" not in said
    assert "X's disconnect notices 2" in said, said
    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(folder)]).exit_code == 0
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    shown = " ".join(res.output.split())
    assert res.exit_code == 0 and "bad frames (malformed or unknown) are kept aside" not in shown, shown
    assert f"X sent 2 disconnect notices on the stream of capture {folder}" in shown, shown


def test_the_time_between_two_runs_is_a_gap(tmp_path: Path, x_clock: Any) -> None:
    """`--stream` run from cron, stopped and started: X sends nothing again of the time between two
    runs, which no record said (the manifest, `status` and the report read as if it were covered)."""
    first = DroppingStream([2], past_second=True)
    _collect(tmp_path / "cap", first)
    x_clock.shift = timedelta(minutes=30)  # the next run starts half an hour later
    second = DroppingStream([2])
    said = _collect(tmp_path / "cap", second)
    runs = _runs(tmp_path / "cap")
    assert "gaps" not in runs[0], runs[0]
    (gap,) = runs[1]["gaps"]
    # From the first run's last data (its keep-alives went on to its end) to the second run's answer.
    assert first.answered[0] <= when(gap["from"]) <= first.answered[0] + 3, (gap, first.answered)
    assert second.answered[0] + 1800 - 1 <= when(gap["to"]) <= second.answered[0] + 1800 + 2, (gap, second.answered)
    assert "between two runs" in gap["why"] and "(" not in gap["why"] and "disconnections" not in gap, gap  # said in parentheses by status
    assert f"from {gap['from']} to {gap['to']}" in said and "between two runs" in said, said


def _between_runs(tmp_path: Path, x_clock: Any, minutes: float, offsets: list[float], *more: str) -> tuple[DroppingStream, DroppingStream, str]:
    """A first run, then a second `minutes` later by the collector's clock, whose connection sends
    tweets `offsets` seconds from its answer (negative: replayed)."""
    first = DroppingStream([2], past_second=True)
    _collect(tmp_path / "cap", first)
    x_clock.shift = timedelta(minutes=minutes)
    second = DroppingStream([len(offsets)])
    second.ids = _replay(second, x_clock, {0: offsets})
    return first, second, _collect(tmp_path / "cap", second, *more)


def test_a_run_started_within_the_replays_reach_asks_it_for_the_time_between_runs(tmp_path: Path, x_clock: Any) -> None:
    """A run restarted 2 minutes after the last with --backfill-minutes 5 asked no replay on its first
    connection (only on reconnects): the two minutes were recorded as a gap, though X could replay them."""
    first, second, said = _between_runs(tmp_path, x_clock, 2, [-150.0, 60.0], "--backfill-minutes", "5")
    assert second.asked[0].get("backfill_minutes") == "3", second.asked  # the 2 minutes and the seconds of the first run's end, rounded up
    runs = _runs(tmp_path / "cap")
    assert [g for r in runs for g in r.get("gaps", [])] == [], runs
    assert "gap:" not in said, said


def test_a_replay_of_the_time_between_runs_is_capped_at_the_option_and_the_rest_is_a_gap(tmp_path: Path, x_clock: Any) -> None:
    first, second, said = _between_runs(tmp_path, x_clock, 4, [-60.0, 60.0], "--backfill-minutes", "1")
    assert second.asked[0].get("backfill_minutes") == "1", second.asked
    (gap,) = _runs(tmp_path / "cap")[1]["gaps"]
    assert first.answered[0] <= when(gap["from"]) <= first.answered[0] + 3, (gap, first.answered)
    assert second.answered[0] + 240 - 60 - 1 <= when(gap["to"]) <= second.answered[0] + 240 - 60 + 1, (gap, second.answered)
    assert "between two runs" in gap["why"] and "--backfill-minutes 1 replayed it back to" in gap["why"] and "(" not in gap["why"], gap
    assert f"from {gap['from']} to {gap['to']}" in said, said


def test_a_run_started_beyond_the_replays_reach_asks_none_and_records_the_whole_time_between(tmp_path: Path, x_clock: Any) -> None:
    first, second, said = _between_runs(tmp_path, x_clock, 30, [60.0, 61.0], "--backfill-minutes", "5")
    assert "backfill_minutes" not in second.asked[0], second.asked
    (gap,) = _runs(tmp_path / "cap")[1]["gaps"]
    assert second.answered[0] + 1800 - 1 <= when(gap["to"]) <= second.answered[0] + 1800 + 2, gap
    assert "between two runs" in gap["why"] and "backfill" not in gap["why"], gap


def test_a_replay_of_the_time_between_runs_that_shows_nothing_says_what_was_asked(tmp_path: Path, x_clock: Any) -> None:
    first, second, said = _between_runs(tmp_path, x_clock, 2, [60.0, 61.0], "--backfill-minutes", "5")
    (gap,) = _runs(tmp_path / "cap")[1]["gaps"]
    assert second.answered[0] + 120 - 1 <= when(gap["to"]) <= second.answered[0] + 120 + 2, gap
    assert ("--backfill-minutes 5 asked a replay of the 3 minutes since the last run, but no replayed post showed" in gap["why"]
            and "(" not in gap["why"]), gap


def test_a_run_whose_replay_sent_no_post_leaves_the_next_runs_gap_at_its_end(tmp_path: Path, x_clock: Any) -> None:
    """A run that asked a replay of the time since the last one and got no post at all (a quiet
    filter, keep-alives only) never moved `stream_seen` on: the next run recorded the time from the
    run before it, this run's connected time included, as "not running between two runs"."""
    first, second, _ = _between_runs(tmp_path, x_clock, 2, [], "--backfill-minutes", "5")
    x_clock.shift = timedelta(minutes=40)
    third = DroppingStream([1])
    _collect(tmp_path / "cap", third)
    runs = _runs(tmp_path / "cap")
    (replayed,) = runs[1]["gaps"]  # the time between the first two runs: nothing showed a replay of it
    (gap,) = runs[2]["gaps"]
    assert when(gap["from"]) >= second.answered[0] + 120 - 1 and when(gap["from"]) >= when(replayed["to"]) - 1, (gap, replayed)
    assert third.answered[0] + 2400 - 1 <= when(gap["to"]) <= third.answered[0] + 2400 + 2, gap


def test_a_replay_followed_by_keep_alives_alone_leaves_the_next_runs_gap_at_its_end(tmp_path: Path, x_clock: Any) -> None:
    """A run that asked a replay of the time since the last one got its posts, then keep-alives
    alone (a quiet filter) to its end: the replay was never judged over (no post newer than the
    answer came), so `stream_seen` went back to the newest replayed post, and the next run recorded
    the time from there, this run's connected time included, as "not running between two runs".
    X sends keep-alives when it has nothing to send: a stream quiet a while after the replay's
    posts has sent all of it, and the stream stands at its last keep-alive."""
    first = DroppingStream([2])
    _collect(tmp_path / "cap", first)
    x_clock.shift = timedelta(minutes=2)
    seen: list[float] = []

    def quiet_on() -> None:  # each keep-alive after the replay comes 10 s later by the collector's clock
        import time

        x_clock.shift += timedelta(seconds=10)
        seen.append(time.time() + x_clock.shift.total_seconds())

    second = DroppingStream([2], ticking=quiet_on, stop_after=6)  # a minute by the collector's clock, three times the quiet that ends a replay
    second.ids = _replay(second, x_clock, {0: [-150.0, -30.0]})
    _collect(tmp_path / "cap", second, "--backfill-minutes", "5")
    assert len(seen) >= 4, seen  # keep-alives went on well past the quiet a replay ends after
    x_clock.shift += timedelta(minutes=40)
    third = DroppingStream([1])
    _collect(tmp_path / "cap", third)
    runs = _runs(tmp_path / "cap")
    assert "gaps" not in runs[1], runs[1]  # the replay reached back past the first run's end
    (gap,) = runs[2]["gaps"]
    # From the second run's last keep-alive (one the collector read; each 10 s apart), not its newest replayed post.
    assert seen[-3] - 1 <= when(gap["from"]) <= seen[-1] + 1, (gap, seen)


def _advised(said: str) -> list[str]:
    """The command the gap's message tells the user to run, split as a shell would."""
    import re
    import shlex

    found = re.search(r"`(botwatch collect x [^`]*)`", said)
    assert found, said
    return shlex.split(found.group(1))


def test_the_gaps_advice_is_a_command_that_runs_when_pasted(tmp_path: Path, x_clock: Any) -> None:
    """It was `collect x --search QUERY ...`: no program, no capture folder, a query to guess. Now
    the stream's one rule is the query, into a folder of its own beside the capture."""
    from botwatch.cli import app

    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 2))
    said = _collect(tmp_path / "my cap", server)
    (gap,) = [g for r in _runs(tmp_path / "my cap") for g in r.get("gaps", [])]
    argv = _advised(said)
    assert argv[:4] == ["botwatch", "collect", "x", f"{tmp_path / 'my cap'}-search"], argv
    assert argv[4:] == ["--search", "vote", "--since", gap["from"], "--until", gap["to"]], argv
    # Its options are the CLI's own: the command is accepted up to the request (the fake has no search).
    res = CliRunner().invoke(app, [*argv[1:], "--base-url", "http://127.0.0.1:9", "--duration", "1s", "--no-progress"], env=ENV)
    assert "No such option" not in res.output and "Traceback" not in res.output, res.output


def test_rules_too_long_for_one_search_are_searched_one_by_one(tmp_path: Path, x_clock: Any) -> None:
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, 2))
    said = _collect(tmp_path / "cap", server, "--keyword", "poll", "--max-rule-length", "6")
    assert "one search per rule of the stream's 2" in said and ".botwatch/x-stream.state.json" in said, said
    assert _advised(said)[4:6] == ["--search", "vote"], said


def test_the_gaps_advice_pasted_fetches_the_gap_with_the_streams_rules(tmp_path: Path, x_clock: Any) -> None:
    """Pasted as printed, the advised search runs to its end (exit 0) and asks X for the gap's span
    with the stream's rules as they were sent: rules holding a quote, a space, non-ASCII, a leading
    `-`, `OR` and a parenthesis, into a folder named with a space and non-ASCII. The outage is put
    10 minutes back (within recent search's reach, and before the 10 s X asks of `--until`)."""
    from botwatch.cli import app
    from testsupport.x_search import recent_server

    x_clock.shift = timedelta(minutes=-10)
    server = DroppingStream([3, 2], before_answer=_outage(x_clock, -8))
    folder = tmp_path / "my cap ü"
    said = _collect(folder, server, "--keyword", "it's Wahl", "--keyword", "-brexit", "--keyword", "OR", "--keyword", "(x)ö", "--sample", "0.123456789")
    (gap,) = [g for r in _runs(folder) for g in r.get("gaps", [])]
    rules = orjson.loads((folder / ".botwatch" / "x-stream.state.json").read_bytes())["rules"]
    (rule,) = [r["value"] for r in rules]
    argv = _advised(said)
    x_clock.shift = timedelta(0)
    asked: list[tuple[str, dict[str, str]]] = []
    with FakeHttp(recent_server([], asked)) as srv:
        res = CliRunner().invoke(app, [*argv[1:], "--base-url", srv.url, "--no-progress", "--duration", "20s"], env=ENV)
    assert res.exit_code == 0 and "Traceback" not in res.output, (argv, res.output)
    ((path, q),) = asked
    assert path == "/2/tweets/search/recent" and q["query"] == rule, (q, rule)
    assert (q["start_time"], q["end_time"]) == (gap["from"], gap["to"]), (q, gap)
    manifest = orjson.loads((Path(f"{folder}-search") / ".botwatch" / "capture.json").read_bytes())
    assert manifest["sample_rate"] == 0.123456789, manifest


@pytest.mark.parametrize("given", [".", "..", "sub/.."])
def test_a_capture_collected_into_dot_is_told_a_search_folder_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    """`botwatch collect x . --stream` (run inside the capture folder) was told to search into
    `.-search`, a hidden folder inside the capture, not one beside it; `..` into `..-search`."""
    from types import SimpleNamespace

    from botwatch.collect.x import gap_search_advice

    inside = tmp_path / "cap" / "sub"
    inside.mkdir(parents=True)
    monkeypatch.chdir(inside)
    cap = SimpleNamespace(folder=Path(given), state={"rules": [{"value": "vote"}]}, sample_rate=1.0, stream="x-stream")
    argv = _advised(gap_search_advice(cap, "2026-11-30T05:00:00Z", "2026-11-30T06:00:00Z", 1024))  # type: ignore[arg-type]
    capture = (inside / given).resolve()
    assert Path(argv[3]) == capture.with_name(f"{capture.name}-search"), argv
