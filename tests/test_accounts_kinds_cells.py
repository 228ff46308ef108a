"""`scoring._kinds_cells` (each kind's state read a column at a time, each distinct cell written
once) equals the per-account reading it replaced, kept here as the reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts import scoring
from botwatch.accounts.frame_values import python_values as _values
from botwatch.accounts.scoring import KIND_RULES, _kinds_cells, _kinds_json, bot_kinds
from botwatch.accounts.json_text import flat_object


def _reference(f: pd.DataFrame) -> list[str]:
    """The per-account cells: `bot_kinds`' reading of every value, one JSON text per account."""
    states: list[list[bool | None]] = []
    for _label, col in KIND_RULES.values():
        if col not in f.columns:
            states.append([None] * len(f))
            continue
        states.append([None if v is None else bool(float(v) >= 1) if not isinstance(v, bool) else v for v in _values(f[col])])
    names = tuple(KIND_RULES)
    return [_kinds_json(tuple(zip(names, st))) for st in zip(*states)]


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    floats = rng.choice([0.0, -0.0, 0.5, 0.9999999999999999, 1.0, 1.0000000000000002, 3.0, -1.0, np.inf, -np.inf, np.nan], n)
    counts = rng.choice([0.0, 1.0, 2.0, np.nan], n)
    flags = pd.array(rng.choice([True, False, None], n), dtype="boolean")
    return pd.DataFrame({"self_declared_bot": floats, "automation_words": counts, "amplifier": flags})


@pytest.mark.parametrize("seed", [0, 1])
def test_float_and_nullable_boolean_columns(seed: int) -> None:
    f = _frame(3000, seed)
    got = _kinds_cells(f)
    assert got == _reference(f)
    # The cells are the JSON of `bot_kinds` of each row, as the per-row function reads them.
    rows = f.astype(object).where(f.notna(), None).to_dict("records")
    assert got == [flat_object(bot_kinds(r)) for r in rows]
    assert len(set(got)) > 15  # most of the 27 states occur


def test_other_column_types_and_missing_columns() -> None:
    n = 12
    f = pd.DataFrame({
        "self_declared_bot": np.array([True, False] * 6),  # numpy bool
        "automation_words": pd.array([0, 1, 2, None] * 3, dtype="Int64"),  # nullable integers: value by value
        "amplifier": pd.Series([True, None, False, 1.0, 0, 2, np.nan, pd.NA, True, False, 0.5, 7], dtype=object),
    })
    assert len(f) == n and _kinds_cells(f) == _reference(f)
    ints = pd.DataFrame({"self_declared_bot": np.array([0, 1, 2, -5, 2**62], dtype=np.int64), "automation_words": np.arange(5, dtype=np.uint8)})
    assert _kinds_cells(ints) == _reference(ints)  # amplifier absent: unknown
    assert _kinds_cells(pd.DataFrame(index=range(3))) == _reference(pd.DataFrame(index=range(3)))


def test_empty_frame() -> None:
    f = _frame(0, 0)
    assert _kinds_cells(f) == [] == _reference(f)


def test_the_column_states() -> None:
    s = pd.Series([np.nan, 0.0, 0.99, 1.0, 5.0])
    assert scoring._kind_states(s).tolist() == [0, 1, 1, 2, 2]
    b = pd.Series(pd.array([None, False, True], dtype="boolean"))
    assert scoring._kind_states(b).tolist() == [0, 1, 2]
