"""`numeric.sum_left_to_right` must add as Python 3.11's builtin `sum` did, on every version: the
shipped models and published figures were made on 3.11.7, and from 3.12 the builtin compensates."""

from __future__ import annotations

import math

import numpy as np

from botwatch.numeric import sum_left_to_right

# Lists where left-to-right addition, Neumaier's compensated one (3.12's `sum`) and the correctly
# rounded one (`fsum`) do not all agree.
CRAFTED = [[1e16, 1.0, -1e16], [0.1] * 10, [0.1, 0.2, 0.3], [1.0, 1e100, 1.0, -1e100]]


def _plain(values: list[float]) -> float:
    total: float = 0
    for v in values:
        total = total + v
    return total


def test_adds_one_value_after_another_from_zero() -> None:
    for values in CRAFTED:
        assert sum_left_to_right(values) == _plain(values) != math.fsum(values)
        assert sum_left_to_right(iter(values)) == _plain(values)  # any iterable, a generator too
    assert sum_left_to_right([1e16, 1.0, -1e16]) == 0.0


def test_empty_ints_and_numpy_scalars_as_the_builtin_gives_them_on_3_11() -> None:
    assert sum_left_to_right([]) == 0 and isinstance(sum_left_to_right([]), int)
    assert sum_left_to_right([1, 2, 3]) == 6 and isinstance(sum_left_to_right([1, 2, 3]), int)
    assert sum_left_to_right([2**60, 1.0, -(2**60)]) == _plain([2**60, 1.0, -(2**60)])
    xs = [np.float64(v) for v in (1e16, 1.0, -1e16)]
    assert sum_left_to_right(xs) == 0.0


def test_content_stage_keeps_its_name() -> None:
    """vader_fast's `sum_left_to_right` (the tests' and the conftest's older import) is this one."""
    from botwatch.content import vader_fast

    assert vader_fast.sum_left_to_right is sum_left_to_right
