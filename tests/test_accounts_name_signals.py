"""`features.name_signals` (English female first name and anonymity, once per distinct display
name and text) equals the per-account calls of `signals` it replaced, value for value."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.features import AccountData, name_signals
from testsupport.accounts_reference import name_signals_per_account

NAMES = [None, math.nan, "", "  ", "Mary Smith", "mary", "MARY-ANN", "J. Doe", "Ann_Marie", "Jo", "x", "Мария Иванова", "Ж",
         "María José", "İlknur", "Karen 🇺🇸", "🇺🇸 Karen", "John", "Sasha", "ｍａｒｙ", "\u3000Mary", "Mary\x1c", "42 Mary", "O'Neil Sarah"]
TEXTS = [None, math.nan, "", " ", "\t\n", "\u3000", "\u2028", "\x1c\x1d\x1e\x1f", "\x85", "\u200b", "Moscow", " Texas ", "любимый город",
         "🇺🇸", "a\u00a0", "\u00a0"]
IMAGES = [None, True, False]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["display_name", "description", "location", "default_image"])
    for c in ("display_name", "description", "location"):
        df[c] = df[c].astype(object)
    df["default_image"] = pd.array([None if v is None else bool(v) for v in df["default_image"].tolist()], dtype="boolean")
    return df


def _same(accounts: pd.DataFrame) -> None:
    female, share = name_signals(accounts)
    want_female, want_share = name_signals_per_account(accounts)
    assert str(female.dtype) == "boolean" and [None if v is pd.NA else v for v in female.tolist()] == want_female
    want = np.array(want_share, float)
    assert share.dtype == np.float64 and np.array_equal(np.isnan(share), np.isnan(want))
    ok = ~np.isnan(want)
    assert (share[ok].view(np.int64) == want[ok].view(np.int64)).all()  # bit for bit


def test_every_combination_of_hostile_values() -> None:
    rows = [(n, d, loc, img) for n in NAMES for d in TEXTS[:6] for loc in TEXTS[::3] for img in IMAGES]
    _same(_frame(rows))


def test_random_profiles_and_an_empty_frame() -> None:
    rng = random.Random(3)
    rows = [(rng.choice(NAMES), rng.choice(TEXTS), rng.choice(TEXTS), rng.choice(IMAGES)) for _ in range(5000)]
    _same(_frame(rows))
    _same(_frame([]))
    _same(_frame([(None, None, None, None)]))  # nothing known: NaN


def test_shares_are_the_known_fields_quotients() -> None:
    female, share = name_signals(_frame([("Mary Smith", "", "Moscow", True), (None, " ", None, None), ("zzqx", "bio", None, False)]))
    assert female.tolist() == [True, pd.NA, False]  # no display name: unknown, not "no"
    assert share[0] == 2 / 4 and math.isnan(share[1]) and share[2] == 1 / 3  # one known field (a blank bio) is not a profile


def test_the_sample_profiles(sample_data: AccountData) -> None:
    _same(sample_data.accounts)
    assert sample_data.features["anonymity"].notna().any()


@pytest.mark.parametrize("col", ["display_name", "description", "location"])
def test_string_dtype_columns(col: str) -> None:
    """Columns typed as pandas strings (NA as the missing marker) read as the object ones."""
    rng = random.Random(7)
    df = _frame([(rng.choice(NAMES), rng.choice(TEXTS), rng.choice(TEXTS), rng.choice(IMAGES)) for _ in range(500)])
    df[col] = df[col].astype("string")
    _same(df)
