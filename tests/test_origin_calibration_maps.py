"""The candidate calibration maps of raw P(Russia) (`scripts/origin_calibration_maps.py`) and the
shipped map they are compared with. Generated accounts test the code paths only; the measured
comparison is in docs/methods.md ("The calibration map looked at again")."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from botwatch.accounts import origin_signals
from botwatch.accounts.origin import calibrate_russia_rows, codes

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "origin_calibration_maps.py"
_spec = importlib.util.spec_from_file_location("origin_calibration_maps", _PATH)
assert _spec is not None and _spec.loader is not None
ocm = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = ocm
_spec.loader.exec_module(ocm)


def _accounts(seed: int = 5, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Raw P drawn so that the true P(run from Russia | raw) = sigmoid(0.6·logit(raw) + 0.4)."""
    rng = np.random.default_rng(seed)
    raw = 1 / (1 + np.exp(-rng.normal(-4, 3, n)))
    z = np.log(raw) - np.log1p(-raw)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.6 * z + 0.4)))).astype(float)
    return raw, y


@pytest.mark.parametrize("name", sorted(ocm.FITTERS))
def test_every_map_is_monotone_continuous_and_bounded(name: str) -> None:
    raw, y = _accounts()
    xs, ys = ocm.FITTERS[name](raw, y)
    assert len(xs) == len(ys) >= 2
    assert np.all(np.diff(xs) > 0), "knots must be strictly increasing for np.interp"
    assert np.all(np.diff(ys) >= 0), "the map never falls"
    assert 0 < min(ys) and max(ys) < 1
    grid = np.linspace(0, 1, 20001)
    out = ocm.apply((xs, ys), grid)
    assert np.all(np.diff(out) >= 0) and np.all((out > 0) & (out < 1))
    # Continuous: no step between neighbouring raw values bigger than the knots' own spacing allows.
    slope = np.max(np.diff(ys) / np.diff(xs))
    assert np.max(np.abs(np.diff(out))) <= slope * (grid[1] - grid[0]) + 1e-9


def test_platt_recovers_the_generating_slope() -> None:
    raw, y = _accounts(n=20000)
    xs, ys = ocm.platt(raw, y)
    z = np.log(np.array([0.01, 0.5])) - np.log1p(-np.array([0.01, 0.5]))
    got = ocm.apply((xs, ys), np.array([0.01, 0.5]))
    want = 1 / (1 + np.exp(-(0.6 * z + 0.4)))
    assert np.allclose(got, want, atol=0.03)


def test_a_fitted_ceiling_follows_the_top_accounts_instead_of_being_imposed() -> None:
    """When every account with a high raw P is run from Russia the fitted ceiling reaches near 1; when
    a tenth of them are not, it stays near 0.9. The shipped bins pool the top four bins into one value."""
    rng = np.random.default_rng(1)
    low = rng.uniform(0.0, 0.05, 3000)
    high = rng.uniform(0.5, 1.0, 1000)
    raw = np.r_[low, high]
    for frac, lo, hi in ((1.0, 0.985, 1.0), (0.9, 0.85, 0.95)):
        y = np.r_[np.zeros(3000), (rng.random(1000) < frac).astype(float)]
        top = ocm.apply(ocm.platt_ceiling(raw, y), np.array([0.99]))[0]
        assert lo <= top <= hi, (frac, top)


def test_apply_is_what_the_origin_model_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A map compared by cross-validation must give, once shipped, the same P(Russia) the model
    gives: `apply` against `calibrate_russia_rows` reading the same knots from the parameters."""
    raw, y = _accounts(n=1500)
    knots = ocm.block_isotonic(raw, y)
    params = dict(origin_signals.parameters())
    params["calibration"] = {"x": knots[0], "y": knots[1], "russia_share": float(y.mean()), "accounts": len(y)}
    monkeypatch.setattr("botwatch.accounts.origin.parameters", lambda: params)
    ru = codes().index("RU")
    p = np.full((5, len(codes())), 0.0)
    probe = np.array([1e-5, 0.01, 0.066, 0.2, 0.97])
    p[:, ru] = probe
    p[:, (ru + 1) % len(codes())] = 1 - probe
    out, _notes = calibrate_russia_rows(p)
    assert np.allclose(out[:, ru], ocm.apply(knots, probe))


def test_the_shipped_map_is_monotone_and_bounded() -> None:
    cal = origin_signals.parameters()["calibration"]
    assert np.all(np.diff(cal["x"]) > 0) and np.all(np.diff(cal["y"]) >= 0)
    assert 0 < min(cal["y"]) and max(cal["y"]) < 1
