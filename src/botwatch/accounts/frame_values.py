"""Python values out of the accounts' pandas columns, as the scoring and origin paths read them.

Why a module of its own: `scoring` and `origin_columns` both need these, and `scoring` imports
`origin_columns`, so neither can take them from the other without a circular import (the origin
path used to import `scoring`'s private helpers inside its functions).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def python_values(col: pd.Series) -> list[Any]:
    """A column as Python values with every missing marker (NaN, NA, NaT) as None, the test done
    once by pandas for the whole column instead of once per cell in Python."""
    vals = col.tolist()
    missing = col.isna().to_numpy()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            vals[i] = None
    return vals


def midpoint_series(first: pd.Series, last: pd.Series, seen: pd.Series) -> pd.Series:
    """A typical time of each account's posts: the middle of its first and last post, else when
    the profile was last seen (NaT: neither)."""
    first, last, seen = pd.to_datetime(first), pd.to_datetime(last), pd.to_datetime(seen)
    mid = first + (last - first) / 2
    return mid.where(first.notna() & last.notna(), seen)


def profile_seen_at(accounts: pd.DataFrame) -> pd.Series:
    """When each account's profile was last seen (else first seen): the time its age and per-day
    rates are measured at (`profile.profile_features`' reference time)."""
    return accounts["last_seen"].where(accounts["last_seen"].notna(), accounts["first_seen"])


def created_after_seen(accounts: pd.DataFrame) -> np.ndarray:
    """Per account: whether its recorded creation date is later than the study first saw it (its
    first post, or its profile's first sighting), which cannot be right (a clock-skewed or edited
    export; no real archive read holds one): its age is unknown (`features` measures none), and it
    is not "created after the election was called" either."""
    created = pd.to_datetime(accounts["created_at"], errors="coerce")
    first = accounts["first_seen"].where(accounts["first_seen"].notna(), accounts["last_seen"])
    seen = pd.to_datetime(first, errors="coerce")
    return (created.notna() & seen.notna() & (created > seen)).to_numpy(dtype=bool)
