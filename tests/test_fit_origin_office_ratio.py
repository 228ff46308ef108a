"""The measured ratio the office-hours item counts (`scripts/fit_origin_behaviour.py::office_lr_map`).
Generated raw ratios test the code path only; the measured bands are in docs/methods.md ("Eleventh pass")."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "fit_origin_behaviour.py"
_spec = importlib.util.spec_from_file_location("fit_origin_behaviour", _PATH)
assert _spec is not None and _spec.loader is not None
fob = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fob
_spec.loader.exec_module(fob)


def test_bands_hold_enough_accounts_of_each_group_and_the_ratio_never_falls() -> None:
    rng = np.random.default_rng(3)
    raw = np.concatenate([rng.normal(4, 3, 600), rng.normal(-1, 2, 200)])
    y = np.concatenate([np.ones(600, bool), np.zeros(200, bool)])
    m = fob.office_lr_map(raw, y, min_each=5)
    assert all(a >= 5 and b >= 5 for a, b in zip(m["russia_run"], m["ordinary"]))
    assert sum(m["russia_run"]) == 600 and sum(m["ordinary"]) == 200
    assert m["raw"] == sorted(m["raw"]) and m["log_ratio"] == sorted(m["log_ratio"])  # isotonic: never falls
    # The cap is the top band's own share ratio (half-count smoothing), not anything beyond it.
    k = len(m["raw"])
    top = math.log((m["russia_run"][-1] + 0.5) / (600 + 0.5 * k)) - math.log((m["ordinary"][-1] + 0.5) / (200 + 0.5 * k))
    assert max(m["log_ratio"]) <= max(top, max(m["log_ratio_band"])) + 1e-4
    assert math.isclose(m["max_ratio"], math.exp(max(m["log_ratio"])), rel_tol=1e-3)


def test_a_raw_ratio_beyond_every_band_counts_the_top_band() -> None:
    """However far past the bands an account's hours go (more posts of the same shift), it counts
    what the top band of real accounts showed: the measured ratio is held at the ends."""
    raw = np.array([10.0] * 20 + [0.0] * 20)
    y = np.array([True] * 20 + [False] * 20)
    m = fob.office_lr_map(raw, y, min_each=5)
    assert np.interp(1e6, m["raw"], m["log_ratio"]) == m["log_ratio"][-1]
    assert np.interp(-1e6, m["raw"], m["log_ratio"]) == m["log_ratio"][0]
