"""The rule that picks the desk bound on the development part's own study (docs/methods.md,
"Ninth pass"), written before any run: checked on hand-made rows, since the script's verdict is
only as good as `choose` and `ece`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "choose_desk_bound.py"
_spec = importlib.util.spec_from_file_location("choose_desk_bound", _PATH)
assert _spec is not None and _spec.loader is not None
cdb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cdb)


def _row(r: int, p: int, f: int, e: float) -> dict[str, float]:
    return {"R": r, "P": p, "F": f, "ece": e}


def test_ece_weights_bins_by_accounts() -> None:
    table = [{"n": 90, "mean_p": 0.01, "observed": 0.02}, {"n": 10, "mean_p": 0.9, "observed": 0.7}]
    assert cdb.ece(table) == pytest.approx((90 * 0.01 + 10 * 0.2) / 100)
    assert cdb.ece([]) == 0.0


def test_the_largest_gain_wins_when_admissible() -> None:
    rows = {30: _row(550, 350, 47, 0.010), 40: _row(554, 355, 47, 0.010), 60: _row(556, 356, 48, 0.0099)}
    assert cdb.choose(rows) == 60


def test_false_alarms_beyond_the_margin_or_worse_reliability_rule_a_bound_out() -> None:
    rows = {40: _row(554, 355, 47, 0.010), 60: _row(560, 360, 50, 0.010), 80: _row(560, 361, 47, 0.0112)}
    assert cdb.choose(rows) == 40
    assert cdb.choose(rows, margin=3) == 60


def test_ties_keep_the_shipped_bound_else_the_smallest() -> None:
    assert cdb.choose({20: _row(554, 355, 47, 0.01), 40: _row(555, 354, 47, 0.01), 60: _row(553, 356, 47, 0.01)}) == 40
    assert cdb.choose({40: _row(554, 355, 47, 0.01), 60: _row(555, 356, 47, 0.01), 80: _row(556, 355, 47, 0.01)}) == 60
