"""`ingest --engine spark` reads inputs named by URL (hdfs://, s3a://) through Hadoop and Spark's
`binaryFile` source, not the local disk. Tested with `file:` URLs, which take the same code path
(Hadoop's FileSystem at the driver, the bytes through Spark to the executor): the lake holds the
same posts as a DuckDB ingest of the same files, each row records its URL, a folder URL skips
hidden files, and a URL naming nothing is that file's error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
FILES = ["twarc2_flat.jsonl", "v1_uklabour.jsonl", "ira_tweets.csv"]


def test_url_inputs_are_read_through_spark(spark: Any, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake
    from botwatch.ingest.runner import ingest

    folder = tmp_path / "in"
    (folder / "day1").mkdir(parents=True)
    for i, name in enumerate(FILES):
        # a name with glob characters: binaryFile globs what it is given again
        shutil.copy(FIX / name, (folder / "day1" if i else folder) / name.replace("uklabour", "uk[labour]"))
    (folder / "_SUCCESS").write_text("")  # what Hadoop jobs leave beside their output
    (folder / ".partial.jsonl").write_text('{"not": "read"}\n')
    with open_study(tmp_path / "s.duckdb", read_only=False) as duck:
        ingest(duck, [str(FIX / n) for n in FILES])
        want = sorted(duck.sql("SELECT platform, post_id, text FROM posts"))
    missing = f"file://{tmp_path}/nowhere/x.jsonl"
    # the glob overlaps the folder: each file is still read once, under one file number
    summary = ingest_lake(spark, str(tmp_path / "lake"), [f"file://{folder}", f"file://{folder}/day1/*.jsonl", missing])
    by_source = {r.source: r for r in summary.files}
    assert len(summary.files) == len(by_source) == 4 and by_source[missing].error == "no such file"
    assert all(r.error is None for s, r in by_source.items() if s != missing), by_source
    with LakeStudy(tmp_path / "lake", read_only=True, spark=spark) as lake:
        assert sorted(lake.sql("SELECT platform, post_id, text FROM posts")) == want
        sources = {re.sub(r":\d+$", "", s) for (s,) in lake.sql("SELECT DISTINCT source FROM posts")}  # CSV rows add :line
        assert len(sources) == 3 and all(s.startswith("file:/") for s in sources), sources
        assert {s for (s,) in lake.sql("SELECT source FROM sources")} == sources
