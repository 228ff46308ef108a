"""`collect x --search Q --since T`: the same moment however `--since` is spelled is one capture.
The moment is written one way before it names the stream, so a re-run with another spelling
resumes the first run's state (asking only for newer tweets) instead of starting over and writing
every tweet a second time."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter


def test_spellings_of_one_since_resume_one_capture(tmp_path: Path) -> None:
    from botwatch.cli import app
    from botwatch.collect.x import search_stream_name

    tweets = [{"id": str(1000 + i), "text": f"t{i} #GE2017", "author_id": "1"} for i in range(5)][::-1]
    asked: list[dict[str, str]] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        asked.append(dict(req.query))
        page = [t for t in tweets if int(t["id"]) > int(req.query.get("since_id", "0"))]
        meta = {"result_count": len(page), **({"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]} if page else {})}
        await w.respond(200, orjson.dumps({"data": page, "meta": meta} if page else {"meta": meta}))

    folder = tmp_path / "cap"
    with FakeHttp(route) as srv:
        for since in ("2017-06-01", "2017-06-01T00:00:00Z", "2017-06-01T00:00+00:00", "2017-06-01T02:00+02:00"):
            res = CliRunner().invoke(app, ["collect", "x", str(folder), "--search", "#GE2017", "--since", since, "--base-url", srv.url,
                                           "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
            assert res.exit_code == 0, res.output
    # the name a capture begun with the date alone already has is unchanged
    assert sorted(p.name for p in (folder / ".botwatch").glob("*.state.json")) == [f"{search_stream_name('#GE2017', '2017-06-01')}.state.json"]
    ids = [t["id"] for f in sorted(folder.glob("*.jsonl.gz")) for line in read_lines(f) for t in orjson.loads(line)["data"]]
    assert sorted(ids) == sorted(t["id"] for t in tweets)  # each tweet once
    assert [q.get("since_id") for q in asked[1:]] == ["1004"] * 3  # the re-runs resumed
