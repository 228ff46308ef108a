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
    text = f"{v:.{digits}f}"
    while v < 1 and float(text) >= 1 and digits < 6:
        digits += 1
        text = f"{v:.{digits}f}"
    return text
