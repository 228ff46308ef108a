"""Python's `round(x, digits)` without its decimal conversion, to the last bit: for a whole float
array at once (`round_like_python`), and for one float in [-1, 1] (`round_scalar`).

Why: the accounts tables round every probability, bound and SHAP contribution (several per
account, about 1.4 million `round` calls per 100k accounts), one Python call each. numpy's own
`np.round` is not a substitute: it rounds the *product* `x * 10**digits`, and where that product
lands within an ulp of a half-integer its own rounding error can pick the other neighbour (Python
rounds the exact binary value of `x`, half to even).

How it stays exact: `k = rint(x * 10**digits)` is Python's integer `k*` unless the exact product
`x · 10**digits` and its computed value lie on different sides of a half-integer, which can only
happen when the computed value is within its rounding error (|y|·2⁻⁵³) of one. Those few values
(and anything not finite or too large for an exact integer) go through Python's `round`. For
the rest, `k / 10**digits` is one IEEE division of two exact numbers, hence the double nearest
to k·10⁻ᵈ, which is what `round` returns (it parses the decimal digits back, correctly rounded).
tests/test_accounts_exact_round.py compares both on millions of values and on the hard cases.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_LIMIT = 2.0**52  # at or above, every float is an integer: rint has nothing to decide


def round_like_python(x: "np.ndarray | list[float]", digits: int) -> np.ndarray:
    """`round(v, digits)` of every cell of `x` (float64, same shape; NaN stays NaN), 0 <= digits <= 15."""
    if not 0 <= digits <= 15:
        raise ValueError("digits must be in 0..15")
    arr = np.asarray(x, dtype=np.float64)
    x = arr.ravel()  # any shape: the cells in order, put back in `arr`'s shape at the end
    scale = 10.0**digits  # exact for digits <= 22
    with np.errstate(invalid="ignore", over="ignore"):
        y = x * scale
        out = np.rint(y) / scale
        ay = np.abs(y)
        # Distance of y from the half-integer between its two neighbours (exact for |y| < 2**52).
        tie_gap = np.abs((y - np.floor(y)) - 0.5)
        doubt = ~(ay < _LIMIT) | (tie_gap <= ay * 2.0**-51)
    doubt &= ~np.isnan(x)
    if doubt.any():
        at = np.flatnonzero(doubt)
        out[at] = [round(v, digits) for v in x[at].tolist()]
    return out.reshape(arr.shape)


def none_where(values: np.ndarray, missing: np.ndarray) -> list[Any]:
    """`values` as Python values with None where `missing`: one C conversion for the column, then
    only the missing cells patched (a nullable table column must hold None, not NaN)."""
    out: list[Any] = values.tolist()
    for i in np.flatnonzero(missing).tolist():
        out[i] = None
    return out


def rounded_list(x: "np.ndarray | list[float]", digits: int) -> list[Any]:
    """`[None if isnan(v) else round(v, digits) for v in x]`: the cells of a nullable column."""
    out = round_like_python(x, digits)
    return none_where(out, np.isnan(out))


_TENS = {3: 1000.0, 4: 10000.0}


def round_scalar(x: float, digits: int) -> float:
    """`round(x, digits)` for one float, 3 or 4 digits, without the decimal conversion that makes
    `round` slow: the scalar twin of `round_like_python`, for scores rounded one at a time (VADER's
    four numbers per post, the model's sentiment margin), where an array call costs more.

    Away from a tie, the integer nearest x * 10**digits is the one nearest the exact product (the
    product's rounding error is far below the 1e-6 margin for |x| <= 1), and that integer over
    10**digits, one correctly rounded division of two exact doubles, is the double nearest the
    decimal, which `round` returns; near a tie, or outside [-1, 1] (NaN included), it is `round`
    itself. Zero keeps x's sign, as `round` does (tests/test_content_speed_exact4.py)."""
    if not -1.0 <= x <= 1.0:
        return round(x, digits)
    ten = _TENS[digits]
    y = x * ten
    n = math.floor(y)
    frac = y - n
    if abs(frac - 0.5) < 1e-6:
        return round(x, digits)
    if frac > 0.5:
        n += 1
    return n / ten if n else math.copysign(0.0, x)
