"""A calibration map of its own for the accounts far from Russia: `calibration_far`.

Why: the one calibration map (`origin.calibrate_russia_rows`) is fitted on every development
account, and about one in twenty of those is near Russia (a shared-text neighbour whose own
evidence places it in Russia), every one of them Russia-run. The accounts that are *not* near
Russia are chosen by that evidence, so their Russia-run accounts are the weaker-evidence ones, and
the one map overstated what their evidence is worth; the study prior of that stratum then read
half their true share of Russia-run accounts (docs/methods.md, "A map per stratum"). A map fitted
on the far stratum alone reads their raw P(Russia) against their own mix.

Where it applies: after the near flags are known (`origin_textpool.near_russia`, read off each
account's own posterior under the one map), before shared-text pooling. A far account's P(Russia)
is its raw P mapped by this map instead (the other countries keep their relative sizes); its
neighbours still give it their one-map log-ratio (what the pooling slope was fitted on); the far
stratum's study prior is taken against this map's own mix (`base`). A near account is left alone.
Without the entry in `data/origin_behaviour_lr.json` nothing changes.

The map is written by `scripts/measure_origin_far_map.py --write` from the development part only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from botwatch.prob_text import prob3

KIND = "calibration_far"


def params() -> dict[str, Any] | None:
    """The far stratum's map (`x`, `y` knots of raw P → P′, `russia_share`, `accounts`), None when not shipped."""
    from botwatch.accounts.origin_signals import parameters

    cal = parameters().get("calibration_far")
    return cal if cal and parameters().get("calibration") else None


def base() -> float | None:
    """The share of Russia-run accounts the far map was fitted on (the far stratum's calibration mix)."""
    cal = params()
    return None if cal is None else float(cal["russia_share"])


def mapped(raw: "np.ndarray | list[float | None]") -> np.ndarray:
    """P′ for raw P(Russia) as the one map computes it (clip, interpolate, clip); NaN stays NaN."""
    cal = params()
    r = np.asarray([np.nan if v is None else v for v in raw], float) if isinstance(raw, list) else np.asarray(raw, float)
    if cal is None:
        return np.full(len(r), np.nan)
    out = np.clip(np.interp(np.clip(r, 1e-12, 1 - 1e-12), cal["x"], cal["y"]), 1e-6, 1 - 1e-6)
    return np.where(np.isfinite(r), out, np.nan)


def rows(p: np.ndarray, raw: np.ndarray, near: "np.ndarray | None") -> np.ndarray:
    """The accounts the far map moves: with origin evidence (`p` and `raw` finite) and not near Russia."""
    p, raw = np.asarray(p, float), np.asarray(raw, float)
    far = np.ones(len(p), bool) if near is None else ~np.asarray(near, bool)
    return np.flatnonzero(far & np.isfinite(p) & np.isfinite(raw)) if params() is not None else np.zeros(0, np.int64)


def sentence(before: float, after: float) -> str:
    """Evidence in words: why this account's P(Russia) was read again, and what it now reads."""
    cal = params() or {}
    share = f"{float(cal.get('russia_share', 0.0)):.1%}"
    return (f"calibration for accounts that post no text in common with an account placed in Russia (fitted on such accounts of the "
            f"development part, where {share} were run from Russia; the map above is fitted on all of them): P(Russia) from "
            f"{prob3(before)} to {prob3(after)}")


def apply(results: list, raw: "np.ndarray | list[float | None]", near: "np.ndarray | None") -> list:  # list[OriginResult]
    """`results` (own posteriors, one map, before pooling) with the far accounts' P(Russia) mapped
    from their raw P by the far map; near accounts and accounts without evidence unchanged."""
    from botwatch.accounts.origin_pool import with_p_russia
    from botwatch.accounts.origin_textpool import evidence_p

    p = evidence_p(results)
    r = np.asarray([np.nan if v is None else v for v in raw], float) if isinstance(raw, list) else np.asarray(raw, float)
    idx = rows(p, r, near)
    new = mapped(r)
    out = list(results)
    for i in idx.tolist():
        out[i] = with_p_russia(results[i], float(p[i]), float(new[i]), sentence(float(p[i]), float(new[i])), KIND)
    return out
