"""`collect x --search` with an `--until` now beyond recent search's reach says "the capture is
complete" only where its last sweep paged to its end (a last page without `next_token`) over the
whole window. It said so too where the sweep had not: its `next_token` dropped (the run re-run with
another `--until`) or never saved (a first page cut at `--max-posts`), leaving posts unfetched."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, id_at, paged_server, when

_NOW = datetime.now(timezone.utc).replace(microsecond=0)
_SINCE, _UNTIL = _NOW - timedelta(days=12), _NOW - timedelta(days=8)


def _t(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(tmp_path: Path, state: dict[str, Any], until: str = _UNTIL.strftime("%Y-%m-%dT%H:%M:%S")):  # type: ignore[no-untyped-def]
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name, since_spelling

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    stream = search_stream_name("#GE2017", since_spelling(_SINCE))
    (folder / ".botwatch" / f"{stream}.state.json").write_text(json.dumps({"search_endpoint": "recent", **state}))
    asked: list[dict[str, str]] = []
    with FakeHttp(paged_server({"": []}, asked)) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", _SINCE.strftime("%Y-%m-%dT%H:%M:%S"),
                                       "--until", until, "--base-url", srv.url, "--duration", "5s",
                                       "--no-progress"], env=ENV)
    assert not asked, asked
    [run] = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    return res, " ".join(res.output.split()), run.get("gaps")


def test_a_sweep_that_paged_to_its_end_over_the_window_is_complete(tmp_path: Path) -> None:
    res, said, gaps = _run(tmp_path, {"sweep_started": _t(_UNTIL), "last_sweep_to": _t(_UNTIL), "sweep_until": _t(_UNTIL),
                                      "cursor": {"newest_id": id_at(_UNTIL - timedelta(hours=1))}})
    assert res.exit_code == 0 and "capture is complete" in said and gaps is None, said


def test_an_until_with_a_fraction_of_a_second_is_complete_too(tmp_path: Path) -> None:
    """The state records times to the second: an --until of 12:00:00.5 read a finished sweep as
    half a second short of it, and recorded that half second as a gap."""
    res, said, gaps = _run(tmp_path, {"sweep_started": _t(_UNTIL), "last_sweep_to": _t(_UNTIL), "sweep_until": _t(_UNTIL),
                                      "cursor": {"newest_id": id_at(_UNTIL - timedelta(hours=1))}},
                           until=_UNTIL.strftime("%Y-%m-%dT%H:%M:%S") + ".5")
    assert res.exit_code == 0 and "capture is complete" in said and gaps is None, said


def test_a_sweep_whose_next_token_was_dropped_for_another_until_is_not_complete(tmp_path: Path) -> None:
    """The sweep before it finished up to 11 days back; the interrupted one, begun with --until 9
    days back, is dropped as this run asks up to 8 days back: 11 to 8 days back is unfetched."""
    older = _NOW - timedelta(days=11)
    res, said, gaps = _run(tmp_path, {"sweep_started": _t(_NOW - timedelta(days=9)), "last_sweep_to": _t(older),
                                      "sweep_until": _t(_NOW - timedelta(days=9)),
                                      "cursor": {"next_token": "T", "newest_id": id_at(older), "sweep_since_id": id_at(older)}})
    assert res.exit_code == 2 and "complete" not in said, said
    [gap] = gaps
    assert when(gap["from"]) == older and when(gap["to"]) == _UNTIL, gap
    assert f"from {gap['from']} to {gap['to']}" in said


def test_a_first_sweep_cut_on_its_first_page_is_not_complete(tmp_path: Path) -> None:
    """--max-posts cut the first page: the cursor stayed on it (no next_token) and no sweep ever finished."""
    oldest = _UNTIL - timedelta(days=1)
    res, said, gaps = _run(tmp_path, {"sweep_started": _t(_UNTIL), "sweep_until": _t(_UNTIL), "cursor": {"sweep_oldest_id": id_at(oldest)}})
    assert res.exit_code == 2 and "complete" not in said, said
    [gap] = gaps
    assert when(gap["from"]) == _SINCE and when(gap["to"]) == oldest, gap  # what the cut page fetched is not in it
