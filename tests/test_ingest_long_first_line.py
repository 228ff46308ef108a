"""A JSON-lines file whose first line is longer than the sniffed head (1 MiB) is read: a twarc2 page
of a full-archive search (500 tweets and their expansions, about 2 MB) is one line, and such a file
was refused whole as "JSON, but no record in the first lines matches a known format". A first line
longer than the record limit is refused in words that say so and name the option.

Built from the real twarc2 page of tests/fixtures/ingest (its tweets repeated under new ids, as a
larger page of the same search would hold them). The Spark side runs the same reader on its
executors (`spark_stage.stage_one`, plain Python), checked here without starting Spark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.engines import spark_stage

PAGE = Path(__file__).resolve().parent / "fixtures" / "ingest" / "twarc2_two_tweets.jsonl.gz"


def _long_page(path: Path, copies: int) -> tuple[Path, int]:
    """One twarc2 page line of `copies` x the fixture's tweets (each under its own id), gzipped."""
    page = json.loads(gzip.decompress(PAGE.read_bytes()).splitlines()[0])
    data = [{**t, "id": str(int(t["id"]) + k)} for k in range(copies) for t in page["data"]]
    line = json.dumps({**page, "data": data})
    path.write_bytes(gzip.compress(line.encode() + b"\n"))
    return path, len(data)


def test_a_page_longer_than_the_head_is_read_on_both_engines(tmp_path: Path) -> None:
    src, n = _long_page(tmp_path / "archive-search.jsonl.gz", 4000)
    assert len(gzip.decompress(src.read_bytes())) > 1 << 20
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(src)])
    assert res.exit_code == 0, res.output
    with open_study(tmp_path / "s.duckdb") as st:
        assert st.sql("SELECT count(*) FROM posts")[0][0] == n
    meta = list(spark_stage.stage_one(0, str(src), {}, False, 16 << 20))[-1].column("meta").to_pylist()[0]
    assert meta["error"] is None and meta["unreadable"] is None and meta["format"] == "twitter-v2-page" and meta["n_posts"] == n


def test_a_first_line_past_the_record_limit_says_so(tmp_path: Path) -> None:
    src, _ = _long_page(tmp_path / "archive-search.jsonl.gz", 4000)
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(src), "--max-record-mb", "1"])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "first line is longer than 1 MB" in said and "--max-record-mb" in said, res.output
    assert "Traceback" not in res.output and not (tmp_path / "s.duckdb").exists()


def test_a_long_first_line_behind_a_utf8_bom_is_read(tmp_path: Path) -> None:
    """The BOM taken off left a full head 3 bytes short of 1 MiB, which was taken for the whole
    input: the long first line was judged on its first megabyte and the file refused."""
    src, n = _long_page(tmp_path / "p.jsonl.gz", 4000)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + gzip.decompress(src.read_bytes()))
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(bom)])
    assert res.exit_code == 0, res.output
    with open_study(tmp_path / "s.duckdb") as st:
        assert st.sql("SELECT count(*) FROM posts")[0][0] == n
