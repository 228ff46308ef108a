"""`collect x --search` whose `--until` is beyond recent search's reach, with posts of its window
never fetched: each re-run (a scheduled job) recorded the same gap again in its own manifest entry,
so `status` said it once per run and the report's Methods listed it over and over."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from testsupport.collect_fakes import FakeHttp
from testsupport.x_search import ENV, interrupted_beyond_reach, paged_server


def test_a_rerun_does_not_record_the_same_gap_again(tmp_path: Path) -> None:
    from botwatch.cli import app

    folder, since, until, _ = interrupted_beyond_reach(tmp_path)
    asked: list[dict[str, str]] = []
    args = ["collect", "x", str(folder), "--search", "#GE2017", "--since", since.strftime("%Y-%m-%dT%H:%M:%S"),
            "--until", until.strftime("%Y-%m-%dT%H:%M:%S"), "--duration", "5s", "--no-progress"]
    with FakeHttp(paged_server({"": []}, asked)) as srv:
        said = []
        for _ in range(2):
            res = CliRunner().invoke(app, [*args, "--base-url", srv.url], env=ENV)
            assert res.exit_code == 2 and not asked, res.output
            said.append(" ".join(res.output.split()))
    runs = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())["runs"]
    assert [len(r.get("gaps", [])) for r in runs] == [1, 0], runs
    assert "manifest by an earlier run" in said[1] and "unfetched" in said[1], said[1]
