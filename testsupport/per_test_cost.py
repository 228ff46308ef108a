"""A pytest plugin that writes, per test, its wall time, the CPU-seconds of pytest and everything
below it (the Spark JVM, its Python workers, CLI subprocesses) and the number of Spark jobs it
ran, one JSON line each, for finding where the suite's time goes (docs/testing.md).

    BOTWATCH_TEST_COST_LOG=/tmp/cost.jsonl PYTHONPATH=src .venv/bin/python -m pytest \
        -p testsupport.per_test_cost -q -p no:randomly FILES

Off unless the variable is set. CPU is read from /proc (utime + stime of each live process in
the tree, plus the children each has waited for): a process that ends without being waited for
(some Spark Python workers) is missed, so per-test figures are a lower bound; `cpu_all.py` gives
a command's exact total. Spark jobs are the session's job counter read before and after each test
(a session fixture's own jobs land on the test that first asked for it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

_LOG = os.environ.get("BOTWATCH_TEST_COST_LOG")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_before_teardown: dict[str, int | None] = {"jobs": None}


def _cpu_of(pid: int) -> float:
    """utime + stime + waited children's, in seconds (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / _TICK


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree_cpu(root: int | None = None) -> float:
    """CPU-seconds of `root` (this process) and every live process below it."""
    total, todo = 0.0, [root or os.getpid()]
    while todo:
        pid = todo.pop()
        total += _cpu_of(pid)
        todo += _children(pid)
    return total


def spark_jobs() -> int | None:
    """The active SparkContext's next job id (jobs run so far), None without one."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return None
    sc = SparkContext._active_spark_context
    if sc is None:
        return None
    try:
        return int(str(sc._jsc.sc().dagScheduler().nextJobId()))
    except Exception:  # noqa: BLE001 - a measurement aid: no figure rather than a failed test
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Iterator[None]:
    # Before teardown: the last test's teardown stops the session-wide SparkSession.
    _before_teardown["jobs"] = spark_jobs() if _LOG else None
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[Any]:
    if not _LOG:
        return (yield)
    start, cpu, jobs = time.monotonic(), tree_cpu(), spark_jobs()
    _before_teardown["jobs"] = None
    try:
        return (yield)
    finally:
        end_jobs = _before_teardown["jobs"] if _before_teardown["jobs"] is not None else spark_jobs()
        row = {"test": item.nodeid, "wall": round(time.monotonic() - start, 3), "cpu": round(tree_cpu() - cpu, 2),
               "spark_jobs": (end_jobs - (jobs or 0)) if end_jobs is not None else 0,
               "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "load": round(os.getloadavg()[0], 1)}
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
