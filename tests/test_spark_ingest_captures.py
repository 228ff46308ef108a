"""`ingest --engine spark` carries a capture folder's sampling rate into the lake, as the DuckDB
ingest does: `recorded_sample_rate` (what `analyze` and `estimate` scale by) reads it back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_capture_sample_rate_reaches_the_lake(spark: Any, tmp_path: Path) -> None:
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake

    cap = tmp_path / "capture"
    (cap / ".botwatch").mkdir(parents=True)
    (cap / ".botwatch" / "capture.json").write_text(json.dumps(
        {"format": 1, "sample_rate": 0.25, "runs": [{"platform": "x", "stream": "x-stream", "filter": {"track": ["brexit"]}}]}))
    # A file named as `botwatch collect` names closed captures (a committed twarc2 slice's content).
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", cap / "x-stream-20260101T000000Z-1.jsonl.gz")
    lake_path = tmp_path / "lake"
    summary = ingest_lake(spark, str(lake_path), [str(cap)])
    assert summary.total("stored") > 0
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        rate, note = recorded_sample_rate(lake)
        assert rate == 0.25, note
        assert lake.sql("SELECT runs, filters FROM captures") == [(1, json.dumps([{"track": ["brexit"]}]))]
    # Ingesting the same folder again records it once (the row is replaced, not added).
    ingest_lake(spark, str(lake_path), [str(cap)])
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        assert lake.count("captures") == 1
