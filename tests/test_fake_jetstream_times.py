"""The fake Jetstream of docs/collect.md's "Try it locally": a capture taken from it must ingest as a
real one does. Its posts were relayed (`time_us`) on 2023-11-14 but claimed (`createdAt`)
2026-11-30, so ingest dated every one by the relay's time with a "redated" repair note: the trial
study was dated 2023 and its accounts looked made after they were first seen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study
from testsupport.collect_fakes import FakeJetstream, jetstream_event

runner = CliRunner()


def test_each_fake_post_claims_a_time_seconds_before_it_was_relayed() -> None:
    """createdAt and time_us come from one clock, the client a moment ahead of the relay."""
    for i in (0, 1, 999, 9_999):
        e = orjson.loads(jetstream_event(i))
        relayed = datetime.fromtimestamp(e["time_us"] / 1e6, timezone.utc)
        claimed = datetime.fromisoformat(e["commit"]["record"]["createdAt"].replace("Z", "+00:00"))
        assert timedelta(0) <= relayed - claimed < timedelta(seconds=5), (i, relayed, claimed)


def test_a_fresh_fake_capture_ingests_with_no_post_redated(tmp_path: Path) -> None:
    """`collect bluesky` from the fake, then `botwatch ingest`: no repair, dated when the posts say."""
    cap, study = tmp_path / "trial-capture", tmp_path / "trial.duckdb"
    with FakeJetstream([jetstream_event(i) for i in range(50)], [{"rate": 500}]) as srv:
        res = runner.invoke(app, ["collect", "bluesky", str(cap), "--endpoint", srv.url, "--max-posts", "30", "--no-profiles"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ingest", str(study), str(cap)])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "redated" not in said and "claimed a time (createdAt)" not in said and "Rejected records" not in said, res.output
    with open_study(study, read_only=True) as st:
        posts, first = st.sql("SELECT count(*), min(created_at) FROM posts")[0]
        rejected = st.sql("SELECT count(*) FROM rejected")[0][0]
    assert posts == 30 and rejected == 0
    assert str(first).startswith("2026-11-30"), first
