"""The Spark ingest's live line ("reading on the executors: N records, M rejected") counted a cut
.gz's break (its `rejected` row at line 0, `FileResult.broke_off`) as one more rejected record,
where the DuckDB ingest's lines and the summary count it apart as "cut short". The executors'
reader is plain Python (`spark_stage.stage_one`), so no Spark session is needed here."""

from __future__ import annotations

import gzip
from pathlib import Path

from botwatch.engines import spark_stage

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_a_cut_gzip_tells_the_progress_line_its_bad_records_not_its_break(tmp_path: Path) -> None:
    lines = (FIX / "v1_uklabour.jsonl").read_bytes()
    packed = gzip.compress(lines + b'{"bad json\n' + lines)
    f = tmp_path / "cut.jsonl.gz"
    f.write_bytes(packed[: len(packed) * 3 // 4])
    told: list[tuple[int, int]] = []
    last = list(spark_stage.stage_one(0, str(f), {}, False, 1 << 20, counted=lambda r, j: told.append((r, j))))[-1]
    meta = last.column("meta").to_pylist()[0]
    assert meta["broke_off"] and meta["n_rejected"] == 2  # the bad record and the break's row, as stored
    assert told == [(meta["records_read"], 1)]
