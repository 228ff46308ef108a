"""Hourly post counts in which one group's volume leads another's by two hours, for the impact tests.

Why one place: the lead-lag test (tests/test_timeline_impact.py) and the coverage test
(tests/test_impact_coverage.py) need the same planted lead; each had its own copy of the series."""

from __future__ import annotations

import numpy as np


def leading_counts(rng: np.random.Generator, hours: int) -> tuple[np.ndarray, np.ndarray]:
    """(leading, following) Poisson counts per hour: both follow one AR(1) drive, the second two
    hours later. Draws from `rng` in a fixed order, so a test's later draws stay as they were."""
    drive = np.zeros(hours)
    for t in range(1, hours):
        drive[t] = 0.6 * drive[t - 1] + rng.normal()
    lead = rng.poisson(np.exp(1.5 + 0.5 * drive))
    follow = np.array([rng.poisson(np.exp(1.5 + 0.5 * drive[t - 2])) if t >= 2 else rng.poisson(4) for t in range(hours)])
    return lead, follow
