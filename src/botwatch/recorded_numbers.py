"""Figures as a study's `runs` records hold them, written and read back by one pair of rules.

Why: `content evaluate` and `evaluate-accounts` record their figures in `runs.params` (JSON) for
the report to quote. JSON holds no NaN (a figure of nothing scored), and a record read back may be
damaged or edited by hand (a string, a boolean, which Python counts as a number). Both commands
wrote their own twin of each rule.
"""

from __future__ import annotations

from typing import Any


def json_figure(x: float) -> float | None:
    """A figure as JSON can hold it, rounded to 4 places: NaN (nothing scored) is None."""
    return None if x != x else round(float(x), 4)


def is_json_number(v: Any) -> bool:
    """Whether a value read back from a record is a number: an int or float, not a bool, not NaN."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v
