"""The "e.g." of the rate notes names the first input the study's `sources` table holds, on either
engine: a DuckDB study read `SELECT DISTINCT source`, whose order is its hash table's, and past a
few hundred inputs named another file than a lake (which reads the rows in order) did."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.collect.study_link import recorded_sample_rate
from botwatch.schema import SOURCES
from botwatch.study import Study


def test_the_first_capture_file_ingested_is_the_example(tmp_path: Path) -> None:
    names = [f"/data/x-stream-20260101T{i // 60:02d}{i % 60:02d}00Z-{i}.jsonl.gz" for i in range(400)]
    names = names[7:] + names[:7] + names[:3]  # not in name order, and some named twice
    with Study(tmp_path / "s.duckdb") as st:
        st.write_table("sources", pa.table({f.name: names if f.name == "source" else [None] * len(names) for f in SOURCES}, schema=SOURCES))
        rate, note = recorded_sample_rate(st)
    assert rate is None
    assert note.startswith(f"400 input(s) written by botwatch collect (e.g. {names[0]}) were ingested without"), note
