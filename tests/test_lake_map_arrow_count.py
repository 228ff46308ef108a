"""A lake's long Python-over-Arrow steps (`LakeStudy.map_arrow`: the content labelling, the
accounts' two passes, coordination's Poisson tail) say "N of M posts read" in their progress
line, as the same stages' lines on DuckDB do; before, they said only their Spark tasks. N is a
Spark accumulator the executors add each batch's rows to. The line runs without Spark; one
Spark test checks that the count reaches the driver."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines.lake_arrow import counted_rows
from botwatch.engines.spark_progress import SparkProgress, SparkWork


class _Session:
    class sparkContext:  # noqa: N801 - Spark's name
        @staticmethod
        def setJobDescription(text: str) -> None:  # noqa: N802
            pass


def _line(read: Callable[[], int], total: int | None) -> str:
    p = SparkProgress(_Session(), lambda line: None, interval=0.01, work=lambda s: SparkWork(tasks_done=1, tasks=4, rows=99))
    with p.step("Python over Arrow batches (label) -> post_labels"), p.counting(read, total, "posts"):
        time.sleep(0.03)
        text = p.line()
    assert text is not None
    return text


def test_a_counted_step_says_how_many_of_how_many_were_read() -> None:
    text = _line(lambda: 650_000, 1_741_039)
    assert text.startswith("Python over Arrow batches (label) -> post_labels · Spark tasks 1/4 · 650,000 of 1,741,039 posts read · step "), text
    assert "rows read" not in text  # Spark's own input rows (the joined accounts too) would be a second, other count


def test_a_count_past_its_total_or_unreadable_is_not_said_as_more_than_all() -> None:
    assert " · 12 posts read · " in _line(lambda: 12, 10)  # a task run again adds its rows again: never "12 of 10"

    def broken() -> int:
        raise RuntimeError("the context is stopped")

    assert "posts read" not in _line(broken, 10)


def test_counted_rows_adds_each_batch_as_it_is_read() -> None:
    class Acc:
        value = 0

        def add(self, n: int) -> None:
            self.value += n

    acc = Acc()
    batches = pa.table({"n": list(range(10))}).to_batches(max_chunksize=4)
    seen = []
    for b in counted_rows(batches, acc):
        seen.append(acc.value)
    assert seen == [4, 8, 10]


class _Progress:
    """A lake's `progress` that records what each counted step read by its end."""

    def __init__(self) -> None:
        self.counted: list[tuple[str, int, int | None, str]] = []
        self._step = ""

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        self._step = text
        yield

    @contextmanager
    def counting(self, read: Callable[[], int], total: int | None, unit: str) -> Iterator[None]:
        step = self._step
        yield
        self.counted.append((step, read(), total, unit))


@pytest.mark.spark
def test_the_executors_count_reaches_the_driver(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import LakeStudy

    schema = pa.schema([("n", pa.int64())])
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        lake.progress = _Progress()
        assert lake.map_arrow("nums", lambda b: pa.Table.from_batches([b]), schema, "out", batch_rows=3, count_as="nums", total=10) == {"out": 10}
        assert lake.map_arrow("nums", lambda b: pa.Table.from_batches([b]), schema, "plain") == {"plain": 10}  # no count asked: none kept
        assert lake.progress.counted == [("Python over Arrow batches (<lambda>) -> out", 10, 10, "nums")]
