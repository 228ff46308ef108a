"""Float sums that give Python 3.11's numbers on every interpreter.

Why: from Python 3.12 the builtin `sum` adds floats with Neumaier's compensation (3.11 adds them
one after another: `sum([1e16, 1.0, -1e16])` is 0.0 on 3.11.7, 1.0 on 3.12.1 and 3.13.0), and the
project allows both (`requires-python = ">=3.11"`). The shipped models and published figures were
made on 3.11.7, so a sum of floats that feeds a stored value, a printed figure, a probability or a
decision adds left to right here (`sum_left_to_right`), which keeps 3.11's numbers and makes them
the same on every version: nothing needs refitting. Sums of integers (and of floats that are whole
numbers below 2**53) are exact either way and keep the builtin. docs/performance.md
("the float sums outside the content stage", 2026-12-04) lists the sites.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import add


def sum_left_to_right(values: Iterable[float]) -> float:
    """The values added one after another from 0, as the builtin `sum` adds them on Python 3.11
    (0 for no values, as `sum` gives). Any iterable; ints and numpy scalars add as they would there."""
    return reduce(add, values, 0)


__all__ = ["sum_left_to_right"]
