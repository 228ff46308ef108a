"""Ingest streams: the Arrow batches a file's rows are staged in are let go once DuckDB has them.

Each file is read inside one transaction. The staging used `register` / `unregister` per batch, and
inside a transaction DuckDB keeps an unregistered view (and the Arrow table it points to) until
COMMIT, so every batch of the file stayed in memory: the full IRA CSV (1.67M rows) peaked at
1.75 GB against 0.58 GB for a tenth of it. Here the batches are small, so the growth shows on a
few thousand rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from botwatch.ingest import runner, sink
from botwatch.study import Study
from testsupport.ingest_workers import ira_csv


def test_staged_batches_are_not_held_until_the_file_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[tuple[int, int]] = []  # (Arrow bytes allocated after a batch is staged, that batch's size)
    stage = runner._Stager.__call__

    def staging(self: runner._Stager, kind: str, batch: pa.Table) -> None:
        stage(self, kind, batch)
        held.append((pa.total_allocated_bytes(), batch.nbytes))

    monkeypatch.setattr(runner._Stager, "__call__", staging)
    monkeypatch.setattr(sink.RowSink.__init__, "__defaults__", (100,))  # batches of 100 rows
    path = ira_csv(tmp_path / "ira.csv", 60)  # 2,100 rows: 21 post batches
    with Study(tmp_path / "s.duckdb") as st:
        result = runner.ingest_file(st, str(path), workers=1)
    assert result.read == 2100 and not result.error
    posts = [h for h in held if h[1]]
    assert len(posts) >= 20
    biggest = max(size for _, size in posts)
    # One batch (and the sink's copy of it) may be alive at a time, never the file's batches so far:
    # what is allocated stays flat from the first batch to the last (other tests' Arrow memory,
    # alive in the same process, is the same at both ends).
    assert posts[-1][0] - posts[0][0] < 3 * biggest, posts
