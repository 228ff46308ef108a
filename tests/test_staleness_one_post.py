"""The stale-analysis sentence of `status` and `report` after a single post was ingested."""

from __future__ import annotations

from datetime import datetime

from botwatch.report.staleness import StaleAnalysis


def test_one_post_is_said_in_the_singular() -> None:
    """`status` read "1 posts were ingested … after the analysis stages … last ran"."""
    one = StaleAnalysis(stages=["accounts"], posts_added=1, ingested_at=datetime(2026, 12, 5, 14, 5)).sentence("s.duckdb")
    assert one.startswith("1 post was ingested (last at 2026-12-05 14:05 UTC) after the analysis stage accounts last ran"), one
    two = StaleAnalysis(stages=["accounts"], posts_added=2, ingested_at=datetime(2026, 12, 5, 14, 5)).sentence("s.duckdb")
    assert two.startswith("2 posts were ingested"), two
