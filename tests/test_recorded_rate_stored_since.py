"""`_stored_since_estimates` (an input that stored posts ingested after the latest successful
`estimates` run) reads its two small tables in Python on either engine: the times are compared as
the engine's SQL compared them, a time past year 9999 (DuckDB's `infinity`, a hand edit) included,
which has no Python datetime and raised OverflowError."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.estimates.recorded_rate import _stored_since_estimates


@pytest.mark.parametrize(("ingested", "stored", "want"), [
    ("2026-01-03", 5, True), ("2026-01-01", 5, False), ("2026-01-03", 0, False), ("infinity", 5, True), (None, 5, False)])
def test_an_input_stored_after_the_latest_estimates(tmp_path: Path, ingested: str | None, stored: int, want: bool) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('e1', 'estimates', '{}', '1', '2026-01-01', '2026-01-02', 'ok', 0, NULL), "
               "('e2', 'estimates', '{}', '1', '2026-01-04', '2026-01-05', 'failed', 0, NULL)")
        st.sql("INSERT INTO sources (source, posts_stored, ingested_at) VALUES ('f.jsonl', ?, CAST(? AS TIMESTAMP))", [stored, ingested])
        assert _stored_since_estimates(st) is want
