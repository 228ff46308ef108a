"""Under `--dist loadfile`, tests/conftest.py hands xdist a scheduler that makes every file naming
the `spark` marker one work unit (`testsupport.spark_together`), so one worker runs them all on
one JVM; other files stay one unit each, and other --dist modes keep xdist's own scheduler."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("xdist")

from testsupport.spark_together import SPARK_UNIT, SparkFilesTogether, spark_files  # noqa: E402

TESTS = Path(__file__).resolve().parent


def _config(dist: str) -> Any:
    """What the scheduler and the hook read of pytest's config: --dist, -n 2 and the root."""
    values = {"dist": dist, "tx": ["2*popen"]}
    return SimpleNamespace(getvalue=values.__getitem__, rootpath=TESTS.parent, option=SimpleNamespace(loadscopereorder=True))


def _hook() -> Any:
    """tests/conftest.py's `pytest_xdist_make_scheduler`, as pytest imported it."""
    conftest = next(m for m in sys.modules.values() if getattr(m, "__file__", None) == str(TESTS / "conftest.py"))
    return conftest.pytest_xdist_make_scheduler


def test_the_spark_files_are_found_by_their_marker() -> None:
    found = spark_files(TESTS.parent, TESTS)
    assert {"tests/test_engine_parity.py", "tests/test_spark_ingest_rereads.py", "tests/test_ingest_entities.py"} <= found
    assert "tests/test_spark_together.py" not in found and "tests/test_timeline.py" not in found


def test_loadfile_puts_every_spark_file_in_one_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOTWATCH_TEST_SPARK_SPREAD", raising=False)
    sched = _hook()(config=_config("loadfile"), log=None)
    assert isinstance(sched, SparkFilesTogether)
    scopes = {n: sched._split_scope(n) for n in (
        "tests/test_engine_parity.py::test_runs_are_recorded_on_the_lake",
        "tests/test_spark_ingest.py::test_a_second_call_merges_and_a_third_adds_nothing",
        "tests/test_timeline.py::test_x",
        "tests/test_report.py::test_y[a]",
    )}
    assert list(scopes.values()) == [SPARK_UNIT, SPARK_UNIT, "tests/test_timeline.py", "tests/test_report.py"]


def test_other_modes_and_the_override_keep_xdists_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOTWATCH_TEST_SPARK_SPREAD", raising=False)
    assert _hook()(config=_config("load"), log=None) is None
    monkeypatch.setenv("BOTWATCH_TEST_SPARK_SPREAD", "1")
    assert _hook()(config=_config("loadfile"), log=None) is None
