"""The `runs` row of an `ingest --engine spark` cut off by SIGTERM or Ctrl-C says so in the words
a DuckDB ingest's row uses (`study.stop_message`), without Spark: a stand-in lake records the
rows. A lake ingest killed with `kill` while it merged recorded "KeyboardInterrupt:
KeyboardInterrupt", which `status` showed as a failure."""

from __future__ import annotations

from typing import Any

import pytest

import botwatch.engines.lake as lake_module
import botwatch.engines.spark_ingest as spark_ingest
from botwatch.schema import RUNS
from botwatch.study import INTERRUPTED_MESSAGE, TERMINATED_MESSAGE, note_terminated


class _Files:
    def delete(self, path: str) -> None:
        pass


class _Lake:
    """What `ingest_lake` asks of a lake around its work: its scratch folder and the run rows."""

    rows: list[dict[str, Any]] = []
    cancelled = 0  # calls of `_cancel_work`

    def __init__(self, location: str, spark: Any = None) -> None:
        self._scratch = "scratch"
        self.files = _Files()

    def __enter__(self) -> "_Lake":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _record_start(self, row: list[Any]) -> None:
        pass

    def _record_run(self, row: list[Any]) -> None:
        _Lake.rows.append(dict(zip(RUNS.names, row)))

    def _cancel_work(self) -> None:
        _Lake.cancelled += 1


@pytest.mark.parametrize(("terminated", "message"), [(True, TERMINATED_MESSAGE), (False, INTERRUPTED_MESSAGE)])
def test_a_stopped_lake_ingest_records_the_stop_not_a_failure(monkeypatch: pytest.MonkeyPatch, terminated: bool, message: str) -> None:
    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    _Lake.rows, _Lake.cancelled = [], 0
    monkeypatch.setattr(lake_module, "LakeStudy", _Lake)
    monkeypatch.setattr(spark_ingest, "check_location", lambda spark, location: True)
    monkeypatch.setattr(spark_ingest, "expand_inputs", lambda paths, not_files=None: list(paths))
    monkeypatch.setattr(spark_ingest, "_ingest", stopped)
    note_terminated(terminated)
    try:
        with pytest.raises(KeyboardInterrupt):
            spark_ingest.ingest_lake(None, "lake", ["a.csv"])
    finally:
        note_terminated(False)
    assert [(r["stage"], r["status"], r["message"]) for r in _Lake.rows] == [("ingest", "failed", message)]
    # The merge's Spark job is cancelled, as `Study.run` cancels a stage's: it ran on after the
    # stop, adding posts once the lock was released and delaying a remote lake's `runs` row.
    assert _Lake.cancelled == 1


def test_a_failed_lake_ingest_records_its_error_and_cancels_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full\nat org.apache...")

    _Lake.rows, _Lake.cancelled = [], 0
    monkeypatch.setattr(lake_module, "LakeStudy", _Lake)
    monkeypatch.setattr(spark_ingest, "check_location", lambda spark, location: True)
    monkeypatch.setattr(spark_ingest, "expand_inputs", lambda paths, not_files=None: list(paths))
    monkeypatch.setattr(spark_ingest, "_ingest", broken)
    with pytest.raises(spark_ingest.SparkIngestError):
        spark_ingest.ingest_lake(None, "lake", ["a.csv"])
    assert [(r["status"], r["message"]) for r in _Lake.rows] == [("failed", "OSError: disk full")] and _Lake.cancelled == 0
