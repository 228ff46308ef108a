"""The posting-hour fit recovers the offset of a human day and refuses to over-claim."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch.accounts.circadian import LOCAL_PROFILE, OFFSETS, fit_utc_offset, hour_counts


def _human_hours(offset: int, n: int, seed: int) -> list[int]:
    """UTC hours of `n` posts by someone following LOCAL_PROFILE at UTC+offset."""
    rng = random.Random(seed)
    local = rng.choices(range(24), weights=LOCAL_PROFILE, k=n)
    return hour_counts([(h - offset) % 24 for h in local])


@settings(max_examples=30, deadline=None)
@given(offset=st.sampled_from(OFFSETS), seed=st.integers(0, 10_000))
def test_recovers_planted_offset_within_an_hour(offset: int, seed: int) -> None:
    fit = fit_utc_offset(_human_hours(offset, 600, seed))
    diff = (fit.best_offset - offset) % 24
    assert min(diff, 24 - diff) <= 1
    assert fit.informative


def test_probabilities_are_a_distribution_and_tempered() -> None:
    fit = fit_utc_offset(_human_hours(3, 5000, 1))
    assert abs(sum(fit.probabilities.values()) - 1) < 1e-9
    assert set(fit.probabilities) == set(OFFSETS)
    # 5,000 posts are tempered to 60 posts' worth: the neighbouring offset keeps real mass.
    assert fit.probabilities[fit.best_offset] < 0.95
    assert fit.probabilities[2] + fit.probabilities[4] > 0.05
    # Raw log-likelihoods are not tempered: the best one is the maximum.
    assert fit.log_likelihood == max(fit.log_likelihoods.values())


def test_round_the_clock_posting_is_not_evidence() -> None:
    fit = fit_utc_offset([50] * 24)
    assert fit.human_fit_bits == pytest.approx(0.0, abs=1e-9) or fit.human_fit_bits < 0.05
    assert not fit.informative


def test_no_posts_and_bad_input() -> None:
    empty = fit_utc_offset([0] * 24)
    assert empty.best_offset is None and not empty.informative
    with pytest.raises(ValueError):
        fit_utc_offset([1] * 23)
    with pytest.raises(ValueError):
        fit_utc_offset([-1] + [0] * 23)
