"""One Spark session helper for the lake study and the Spark ingest (no JVM: `SparkSession` is
replaced by a recorder), so a command under spark-submit runs on the cluster, not locally."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pyspark")


class _Builder:
    def __init__(self, log: list[tuple[str, Any]]) -> None:
        self.log = log

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> "_Builder":
            self.log.append((name, args))
            return self

        return call

    def getOrCreate(self) -> Any:  # noqa: N802 - Spark's name
        class _Ctx:
            def setLogLevel(self, level: str) -> None:  # noqa: N802
                pass

        class _Session:
            sparkContext = _Ctx()

        return _Session()


def _fake_spark(monkeypatch: pytest.MonkeyPatch, active: Any = None) -> list[tuple[str, Any]]:
    import pyspark.sql

    log: list[tuple[str, Any]] = []

    class _SparkSession:
        builder = _Builder(log)

        @staticmethod
        def getActiveSession() -> Any:  # noqa: N802
            return active

    monkeypatch.setattr(pyspark.sql, "SparkSession", _SparkSession)
    return log


def test_lake_and_ingest_share_one_helper() -> None:
    from botwatch.engines import lake, lake_files, spark_ingest

    assert lake.spark_session is lake_files.spark_session is spark_ingest.spark_session
    assert lake.SparkUnavailable is spark_ingest.SparkUnavailable


def test_under_spark_submit_no_local_master_is_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.engines.lake import spark_session

    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "12345")
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    log = _fake_spark(monkeypatch)
    _, started = spark_session(None)
    assert started
    assert not [args for name, args in log if name == "master"]  # spark-submit's master stands


def test_without_submit_a_local_session_and_an_active_one_is_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.engines.lake import spark_session

    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    log = _fake_spark(monkeypatch)
    spark_session(None)
    assert ("master", ("local[*]",)) in log
    running = object()
    _fake_spark(monkeypatch, active=running)
    assert spark_session("spark://elsewhere:7077") == (running, False)  # not ours to stop


def test_a_session_that_cannot_start_is_a_study_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.engines.lake import spark_session
    from botwatch.study import StudyError

    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    _fake_spark(monkeypatch)

    def boom(self: Any) -> Any:
        raise RuntimeError("JAVA_HOME is not set\n\tat java.lang...")

    monkeypatch.setattr(_Builder, "getOrCreate", boom)
    from botwatch.engines import spark_start

    monkeypatch.setattr(spark_start, "java_problem", lambda env=None: None)  # a machine without Java says so before any start
    monkeypatch.setattr(spark_start, "java_version", lambda env=None: 17)
    with pytest.raises(StudyError, match="could not start Spark at local"):
        spark_session(None)
