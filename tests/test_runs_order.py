"""`ok_runs` gives the same runs in the same order on both engines, with NULL `finished_at` last
and ties broken by `started_at`, then `run_id` (Spark put a NULL first where DuckDB put it last,
and a tie came in whatever order each read them); on a local lake it is read with no Spark job."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.runs_table import ok_runs
from botwatch.schema import RUNS

T = datetime(2017, 5, 1, 10)
# (run_id, stage, started_at, finished_at, status), in no order
ROWS = [
    ("b", "s_late_start", datetime(2017, 5, 1, 9), T, "ok"),
    ("a", "s_unfinished", datetime(2017, 5, 1, 8), None, "ok"),
    ("c", "s_tie_c", datetime(2017, 5, 1, 8, 30), T, "ok"),
    ("x", "s_failed", datetime(2017, 5, 1, 7), datetime(2017, 5, 1, 7, 30), "failed"),
    ("0", "s_nothing", None, None, "ok"),
    ("a2", "s_tie_a2", datetime(2017, 5, 1, 8, 30), T, "ok"),
    ("e", "s_first", datetime(2017, 5, 1, 6), datetime(2017, 5, 1, 6, 5), "ok"),
]
WANT = ["s_first", "s_tie_a2", "s_tie_c", "s_late_start", "s_unfinished", "s_nothing"]


def _table() -> pa.Table:
    return pa.Table.from_pylist([dict(run_id=r, stage=s, params="{}", version="1", started_at=a, finished_at=f, status=st, rows_written=0, message=None)
                                 for r, s, a, f, st in ROWS], schema=RUNS)


def test_duckdb_orders_runs_totally(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with st.temp_view("_r", _table()):
            st.sql("INSERT INTO runs SELECT * FROM _r")
        assert [r.stage for r in ok_runs(st)] == WANT


@pytest.mark.spark
def test_a_lake_orders_runs_as_duckdb_does_with_no_spark_job(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import LakeStudy

    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.append_arrow("runs", _table())
        jobs = spark.sparkContext._jsc.sc().dagScheduler()
        before = int(str(jobs.nextJobId()))
        got = [r.stage for r in ok_runs(lake)]
        assert int(str(jobs.nextJobId())) == before  # read by Arrow at the driver
    assert got == WANT


def test_the_reports_lake_view_orders_runs_as_duckdb_does(tmp_path: Path) -> None:
    """The report reads a lake through `LakeReader`, which holds `runs` in DuckDB: `ok_runs` reads
    it there (`LakeReader.driver_arrow`), in the same order, with no Spark (a lake of Arrow tables)."""
    from test_engine_lake_reader_arrow import _Lake

    from botwatch.engines.lake_report import LakeReader

    with LakeReader(_Lake(tmp_path, {"runs": _table()})) as view:
        assert [r.stage for r in ok_runs(view)] == WANT


def test_a_time_past_year_9999_sorts_after_the_others_and_does_not_crash(tmp_path: Path) -> None:
    """A `finished_at` of DuckDB's `infinity` (a row edited by hand) has no Python datetime: the
    sort read it as one and raised OverflowError in `status` and `report`, where DuckDB's ORDER BY
    put it after every finite time and before NULL."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with st.temp_view("_r", _table()):
            st.sql("INSERT INTO runs SELECT * FROM _r")
        st.sql("INSERT INTO runs VALUES ('z', 's_infinite', '{}', '1', '2017-05-01', 'infinity', 'ok', 0, NULL)")
        assert [r.stage for r in ok_runs(st)] == [*WANT[:4], "s_infinite", *WANT[4:]]
