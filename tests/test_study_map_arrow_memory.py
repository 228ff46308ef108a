"""`Study.map_arrow` streams: each part it writes is let go once DuckDB has it.

Its staging inserts run in one transaction, and they went through `register` / `unregister`;
inside a transaction DuckDB keeps an unregistered view (and the Arrow table it points to) until
COMMIT, so a stage's whole output stayed in memory beside DuckDB's copy of it (the content
stage writes a row per post)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.study import Study

OUT = pa.schema([("n", pa.int64()), ("words", pa.string())])


def test_parts_written_in_one_transaction_are_not_all_held(tmp_path: Path) -> None:
    held: list[int] = []

    def label(batch: pa.RecordBatch) -> pa.Table:
        held.append(pa.total_allocated_bytes())  # the parts written so far, if still alive
        n = batch.column("n")
        return pa.table({"n": n, "words": pa.array([f"post {i} " * 8 for i in n.to_pylist()])}, schema=OUT)

    with Study(tmp_path / "s.duckdb") as st:
        st.sql("CREATE TABLE src AS SELECT range AS n FROM range(40000)")
        counts = st.map_arrow("src", label, OUT, "out", batch_rows=1000)
        assert counts == {"out": 40000}
        assert st.sql("SELECT count(*), sum(n) FROM out") == [(40000, sum(range(40000)))]
    one_part = 1000 * (8 + len("post 12345 ") * 8)
    # Flat from the second batch (the first part written) to the last: 40 parts held would be 40 * one_part.
    assert held[-1] - held[1] < 3 * one_part, held
