"""An AUC as text, for the report and for the modules below it that describe a model.

Why its own module: `botwatch.model_used` (which the accounts package imports) writes a user's
model's AUC the way the report does, and importing `botwatch.report.fmt` for it would import the
whole report package. `botwatch.report.fmt` re-exports it (the report's `auc` filter).
"""

from __future__ import annotations

import math
from typing import Any


def auc(value: Any, digits: int = 3) -> str:
    """An AUC with enough digits that a value below 1 never reads as 1: 0.997, not "1.00" (a
    reader takes "1.00" for a perfect ranking); 0.635 stays 0.635. None or NaN -> '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    return f"{v:.{auc_digits(v, digits)}f}"


def auc_digits(value: float, digits: int = 3) -> int:
    """The decimals `auc` writes `value` at: `digits`, or up to 6 where fewer round a value below 1 onto 1."""
    v = float(value)
    while v < 1 and float(f"{v:.{digits}f}") >= 1 and digits < 6:
        digits += 1
    return digits


def auc_interval(low: Any, high: Any, sep: str = "–") -> str:
    """An AUC interval's two ends at one number of decimals: the more `auc` needs for either end.
    Why: `train-bot-model` printed "0.994-0.9995" and the report "0.993–0.9998", one interval at
    two precisions, as if its low end were known less finely than its high one; it now reads
    "0.9940–0.9995". Either end None or NaN -> '—'."""
    ends = [low, high]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in ends):
        return "—"
    d = max(auc_digits(float(v)) for v in ends)
    return f"{float(low):.{d}f}{sep}{float(high):.{d}f}"
