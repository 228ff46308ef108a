"""Derive the uniform-null thresholds of the shared "clear daily rhythm" gate.

Why: `human_fit_bits` of an account whose hours are uniform at random is often well above zero at
small counts (the best of 24 shifts fits noise), so a fixed floor lets about 1 in 5 rhythmless
accounts through at 20-40 counts. This draws, for each count n on a grid, `DRAWS` accounts of n
counts spread uniformly over the 24 UTC hours, fits each with the same `fit_utc_offset`, and prints
the (1 - RATE) quantile of `human_fit_bits`, made non-increasing in n (a larger n never gets a
lower bar than a smaller one would need). The printed table is pasted into
`botwatch/accounts/circadian.py` as `NULL_BITS` (the shared fitter's gate, read by every stage). Deterministic (seed 20170608).

    PYTHONPATH=src python scripts/derive_circadian_null.py
"""

from __future__ import annotations

import numpy as np

from botwatch.accounts.circadian import fit_utc_offset

RATE = 0.01
DRAWS = 20000
SEED = 20170608
GRID = (20, 25, 30, 40, 50, 60, 80, 100, 130, 160, 200, 250, 320, 400, 500, 650, 800, 1000, 1300, 1600, 2000)


def null_quantile(n: int, rng: np.random.Generator) -> float:
    """(1 - RATE) quantile of `human_fit_bits` over DRAWS uniform-hour accounts of n counts."""
    draws = rng.multinomial(n, [1 / 24] * 24, size=DRAWS)
    bits = np.array([fit_utc_offset(row.tolist()).human_fit_bits for row in draws])
    return float(np.quantile(bits, 1 - RATE))


def main() -> None:
    rng = np.random.default_rng(SEED)
    q = [null_quantile(n, rng) for n in GRID]
    for i in range(len(q) - 2, -1, -1):  # non-increasing in n
        q[i] = max(q[i], q[i + 1])
    print("NULL_BITS: tuple[tuple[int, float], ...] = (")
    for n, v in zip(GRID, q):
        print(f"    ({n}, {v:.4f}),")
    print(")")


if __name__ == "__main__":
    main()
