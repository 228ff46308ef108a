"""`collect x --search`: a gap recorded a week on starts where the last finished sweep searched to
(when it ran), not at the newest tweet it saved: a quiet query whose newest tweet was days older
than the sweep had the gap stated days longer than the posts it could have missed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, Clock, id_at, id_time, recent_server, search_args, when


def _two_runs(tmp_path: Path, x_clock: type[Clock], shift: timedelta, older_state: bool = False):  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=4)), "text": "quiet since", "author_id": "1"}]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    with FakeHttp(recent_server(tweets, asked)) as srv:
        assert CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV).exit_code == 0
        path = next((folder / ".botwatch").glob("*.state.json"))
        if older_state:  # written before the sweep's time was recorded
            state = json.loads(path.read_text())
            state.pop("last_sweep_to", None)
            path.write_text(json.dumps(state))
        x_clock.shift = shift
        res = CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV)
    assert res.exit_code == 0, res.output
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    return now, tweets, runs, res


def test_the_gap_starts_when_the_last_finished_sweep_ran(tmp_path: Path, x_clock: type[Clock]) -> None:
    now, tweets, runs, _ = _two_runs(tmp_path, x_clock, timedelta(days=9))
    [gap] = runs[1]["gaps"]
    assert abs((when(gap["from"]) - now).total_seconds()) < 60, gap  # not the newest tweet's time, 4 days before
    assert when(gap["from"]) <= now


def test_no_gap_when_the_last_sweep_ran_within_reach_though_its_newest_tweet_is_beyond(tmp_path: Path, x_clock: type[Clock]) -> None:
    _, _, runs, res = _two_runs(tmp_path, x_clock, timedelta(days=5))
    assert "gaps" not in runs[1], runs[1]
    assert "gap:" not in " ".join(res.output.split())


def test_an_older_state_states_the_gap_from_the_newest_tweet_as_before(tmp_path: Path, x_clock: type[Clock]) -> None:
    _, tweets, runs, _ = _two_runs(tmp_path, x_clock, timedelta(days=9), older_state=True)
    [gap] = runs[1]["gaps"]
    assert when(gap["from"]) == id_time(tweets[0]["id"]).replace(microsecond=0)


def test_a_quiet_capture_rerun_after_its_gap_records_no_second_gap(tmp_path: Path, x_clock: type[Clock]) -> None:
    """A week on, the sweep from recent search's reach found no tweet, so the capture kept no
    position: the next run, an hour later, counted from --since and recorded a second gap over
    the span the first run had searched."""
    from botwatch.cli import app

    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    tweets = [{"id": id_at(now - timedelta(days=2)), "text": "t", "author_id": "1"}]
    asked: list[tuple[str, dict[str, str]]] = []
    folder = tmp_path / "cap"
    with FakeHttp(recent_server(tweets, asked)) as srv:
        for shift in (timedelta(0), timedelta(days=8), timedelta(days=8, hours=1)):
            x_clock.shift = shift
            res = CliRunner().invoke(app, search_args(folder, srv.url, since), env=ENV)
            assert res.exit_code == 0, res.output
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert len(runs[1]["gaps"]) == 1
    assert "gaps" not in runs[2], runs[2]["gaps"]
