"""A capture manifest whose sample rate is no rate (hand-edited or damaged: "abc", null, 0, 5):
`ingest` stored the files and then ended in "This is a bug in botwatch" ("abc", null), or recorded
the rate, after which every `estimate` ended the same way (0, 5). The capture is now recorded with
an unknown rate, which `status` and `estimate` say, and nothing is scaled by it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
RUN = {"platform": "x", "stream": "x-stream", "filter": {}, "pid": 111, "started": "2026-01-01T00:00:00Z", "ended": "2026-01-01T01:00:00Z"}


@pytest.mark.parametrize("rate", ['"abc"', "null", "0", "5", "true"])
def test_a_manifest_rate_that_is_no_rate_is_said_unknown(tmp_path: Path, rate: str) -> None:
    from botwatch.cli import app
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.study import Study

    cap = tmp_path / "cap"
    (cap / ".botwatch").mkdir(parents=True)
    (cap / ".botwatch" / "capture.json").write_text('{"format": 1, "sample_rate": %s, "runs": [%s]}' % (rate, json.dumps(RUN)))
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", cap / "x-stream-20260101T000500123456Z-111.jsonl.gz")
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(cap)])
    assert res.exit_code == 0 and "bug" not in res.output, res.output
    with Study(study) as st:
        got, why = recorded_sample_rate(st)
    assert got is None and "no usable sample rate" in why and "--sample-rate" in why
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0 and "unusable" in res.output and "no usable sample rate" in res.output, res.output


def test_a_manifest_without_a_rate_is_a_whole_capture_as_before(tmp_path: Path) -> None:
    from botwatch.collect.study_link import manifest_rate

    assert manifest_rate({"runs": []}) == 1.0
    assert manifest_rate({"sample_rate": 0.25}) == 0.25
    assert manifest_rate({"sample_rate": "0.25"}) == 0.25
