"""The "e.g." of the rate notes names the first input ingested into the study (its `sources` rows'
earliest `ingested_at`), on either engine, whatever order the rows are read in: a DuckDB study read
`SELECT DISTINCT source`, whose order is its hash table's, and past a few hundred inputs named
another file; a lake reads its appended parts, named `part-<uuid>`, in name order."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

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


def _sources(names: list[str], times: list[datetime | None]) -> pa.Table:
    """`sources` rows naming `names`, ingested at `times` (the other columns NULL)."""
    cols = {"source": names, "ingested_at": times}
    return pa.table({f.name: cols.get(f.name, [None] * len(names)) for f in SOURCES}, schema=SOURCES)


def _example(note: str) -> str:
    return note.split("(e.g. ", 1)[1].split(")", 1)[0]


def test_the_example_is_the_earliest_ingested_whatever_order_the_rows_are_read(tmp_path: Path) -> None:
    # Rows read in another order than their ingest, as a lake reads its randomly named parts.
    names = [f"/data/x-stream-20260101T00{i:02d}00Z-{i}.jsonl.gz" for i in range(5)]
    t0 = datetime(2026, 1, 1)
    read_order = [3, 1, 4, 0, 2]
    with Study(tmp_path / "s.duckdb") as st:
        st.write_table("sources", _sources([names[i] for i in read_order], [t0 + timedelta(minutes=i) for i in read_order]))
        _rate, note = recorded_sample_rate(st)
    assert _example(note) == names[0], note


@pytest.mark.spark
def test_a_lake_names_the_first_ingested_though_its_parts_sort_otherwise(spark: Any, tmp_path: Path) -> None:
    """Each append to a lake's table is a part named `part-<uuid>`, read in name order: the part of
    the first input ingested is renamed to sort last, which a read in row order names last."""
    from botwatch.engines.lake import LakeStudy

    names = [f"/data/x-stream-20260101T00{i:02d}00Z-{i}.jsonl.gz" for i in range(3)]
    t0 = datetime(2026, 1, 1)
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        folder = tmp_path / "lake" / "sources"
        for i, name in enumerate(names):
            before = set(os.listdir(folder)) if folder.is_dir() else set()
            lake.append_arrow("sources", _sources([name], [t0 + timedelta(minutes=i)]))
            if i == 0:
                (part,) = set(os.listdir(folder)) - before
                os.rename(folder / part, folder / "part-zzzz-first.parquet")
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        _rate, note = recorded_sample_rate(lake)
    assert _example(note) == names[0], note


def test_an_ingest_time_past_year_9999_is_no_crash(tmp_path: Path) -> None:
    names = ["/data/x-stream-20260101T000000Z-0.jsonl.gz", "/data/x-stream-20260101T000100Z-1.jsonl.gz"]
    with Study(tmp_path / "s.duckdb") as st:
        st.write_table("sources", _sources(names, [None, datetime(2026, 1, 1)]))
        st.sql("UPDATE sources SET ingested_at = 'infinity' WHERE source = ?", [names[0]])  # a hand edit
        _rate, note = recorded_sample_rate(st)
    assert _example(note) == names[1], note
