"""The engine-neutral surface stages use instead of a DuckDB connection, on a DuckDB study:
`map_arrow` (Python over streamed Arrow batches, one or several output tables) and `temp_view`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from botwatch import open_study


def test_map_arrow_streams_batches_into_several_tables(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        seen: list[int] = []

        def split(batch: pa.RecordBatch) -> tuple[pa.Table, pa.Table]:
            seen.append(batch.num_rows)
            t = pa.Table.from_batches([batch])
            even = t.filter(pc.equal(pc.bit_wise_and(t["n"], 1), 0))
            return even, pa.table({"n2": pc.multiply(t["n"], t["n"])})

        got = st.map_arrow("nums", split, {"even": pa.schema([("n", pa.int64())]), "squares": pa.schema([("n2", pa.int64())])}, batch_rows=3)
        assert got == {"even": 5, "squares": 10}
        assert len(seen) >= 2 and sum(seen) == 10  # streamed in batches, not one table
        assert sorted(r[0] for r in st.sql("SELECT n FROM even")) == [0, 2, 4, 6, 8]
        assert st.sql("SELECT sum(n2) FROM squares")[0][0] == sum(i * i for i in range(10))
        assert not [t for t in st.sql("SELECT table_name FROM duckdb_tables()") if t[0].startswith("_botwatch_map")]


def test_map_arrow_takes_late_answers_and_drains_them(tmp_path: Path) -> None:
    """An `fn` with `drain()` may answer each batch one call late; every batch's rows are
    written once, in batch order."""

    class Late:
        def __init__(self) -> None:
            self.held: pa.Table | None = None

        def __call__(self, batch: pa.RecordBatch) -> pa.Table:
            out, self.held = self.held, pa.Table.from_batches([batch])
            return out if out is not None else pa.table({"n": pa.array([], pa.int64())})

        def drain(self) -> list[pa.Table]:
            out, self.held = self.held, None
            return [] if out is None else [out]

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        assert st.map_arrow("SELECT n FROM nums ORDER BY n", Late(), pa.schema([("n", pa.int64())]), "out", batch_rows=3) == {"out": 10}
        assert [r[0] for r in st.sql("SELECT n FROM out")] == list(range(10))


def test_map_arrow_failure_keeps_the_previous_table(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": [1, 2, 3]}))
        st.write_table("out", pa.table({"n": [42]}))

        def boom(batch: pa.RecordBatch) -> pa.Table:
            raise ValueError("labeller failed")

        with pytest.raises(ValueError):
            st.map_arrow("nums", boom, pa.schema([("n", pa.int64())]), "out")
        assert st.sql("SELECT n FROM out") == [(42,)]


def test_temp_view_is_visible_only_inside_the_block(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with st.temp_view("_v", pa.table({"x": [1, 2]})):
            assert st.sql("SELECT sum(x) FROM _v") == [(3,)]
        with pytest.raises(Exception):
            st.sql("SELECT * FROM _v")


def test_map_arrow_replaces_a_table_a_view_reads_and_the_result_persists(tmp_path: Path) -> None:
    """The staging table is renamed into place (no copy): an existing table under a view is
    replaced, the view reads the new rows, and they are there after the study is reopened."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": pa.array([1, 2, 3], pa.int64())}))
        st.write_table("out", pa.table({"n": pa.array([42], pa.int64())}))
        st.sql("CREATE VIEW out_view AS SELECT n FROM out")
        st.map_arrow("nums", lambda b: pa.Table.from_batches([b]), pa.schema([("n", pa.int64())]), "out")
        assert sorted(st.sql("SELECT n FROM out_view")) == [(1,), (2,), (3,)]
    with open_study(tmp_path / "s.duckdb") as st:
        assert sorted(st.sql("SELECT n FROM out")) == [(1,), (2,), (3,)]
        assert not [t for t in st.tables() if t.startswith("_botwatch")]
