"""The gap regularity feature (`gap_std_s`) is exact, so re-running a study stores the same value.

A float `std` merges the engine's per-thread partial results in the order the threads finish; the
demo stored another last bit for 2 of its 262 accounts between two runs. `behaviour.exact_pop_std`
computes n·Σg² − (Σg)² in a 38-digit decimal: the same in any row order, and equal (to the
rounding of one division and one square root) to the exact population standard deviation.
"""

from __future__ import annotations

import math
import statistics
from fractions import Fraction

import ibis
import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.behaviour import exact_pop_std


def _stds(df: pd.DataFrame) -> dict[int, float]:
    con = ibis.duckdb.connect()
    t = ibis.memtable(df)
    out = con.execute(t.group_by("a").aggregate(s=exact_pop_std(t.g)))
    return {int(a): float(s) for a, s in zip(out["a"], out["s"])}


def _gaps(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60_000
    # Gaps of every size an archive holds: seconds apart, hours apart, years apart (to 10^9 s).
    g = rng.integers(0, 10, n) * 10 ** rng.integers(0, 10, n)
    df = pd.DataFrame({"a": rng.integers(0, 40, n), "g": pd.array(g, dtype="Int64")})
    df.loc[df.index % 11 == 0, "g"] = pd.NA  # an account's first post has no gap
    return df


def test_the_same_bits_in_every_row_order() -> None:
    df = _gaps(7)
    first = _stds(df)
    for seed in (1, 2, 3):
        shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        assert _stds(shuffled) == first


def test_equal_to_the_exact_population_std() -> None:
    df = _gaps(11)
    got = _stds(df)
    for a, group in df.dropna().groupby("a"):
        xs = [int(x) for x in group["g"]]
        n = len(xs)
        exact = math.sqrt(Fraction(n * sum(x * x for x in xs) - sum(xs) ** 2, n * n))
        assert got[a] == pytest.approx(exact, rel=4e-16)
        assert got[a] == pytest.approx(statistics.pstdev(xs), rel=4e-16)


def test_no_gap_is_null_and_one_gap_is_zero() -> None:
    df = pd.DataFrame({"a": [1, 2, 2, 3, 3, 3], "g": pd.array([None, None, 5, None, 7, 7], dtype="Int64")})
    got = _stds(df)
    assert math.isnan(got[1])
    assert got[2] == 0.0 and got[3] == 0.0


def test_a_regular_account_far_from_zero_keeps_its_small_spread() -> None:
    """Σg²/n − mean² in floats cancels to noise for gaps near 10^9 s that differ by a second; the
    integer form keeps the spread."""
    g = [10 ** 9, 10 ** 9 + 1] * 50
    got = _stds(pd.DataFrame({"a": [0] * len(g), "g": pd.array(g, dtype="Int64")}))
    assert got[0] == 0.5
