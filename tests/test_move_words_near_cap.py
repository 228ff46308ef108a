"""The office-hours factor in words never claims more than the figure near the ×1,000,000 cap.

Two significant figures round 999,999 up to "1,000,000", and the sentence read "odds ×1,000,000"
(the cap reached) for a factor below it, while "over ×1,000,000" was kept for 1e6 and up only.
"""

from __future__ import annotations

import math

import pytest

from botwatch.accounts import origin_shifts as osh


@pytest.mark.parametrize("factor", [995_000.0, 999_999.0, 999_999.999])
def test_factor_rounded_up_to_the_cap_is_nearly_it(factor: float) -> None:
    assert osh.move_words(math.log(factor)) == "nearly ×1,000,000"
    assert osh.move_words(-math.log(factor)) == "nearly ÷1,000,000"


@pytest.mark.parametrize("factor", [1_000_001.0, 2e6, 1e300])
def test_factor_above_the_cap_is_over_it(factor: float) -> None:
    assert osh.move_words(math.log(factor)) == "over ×1,000,000"
    assert osh.move_words(-math.log(factor)) == "over ÷1,000,000"


@pytest.mark.parametrize("log_ratio", [math.log(1e6), math.log(1e6) + 1e-14, math.log(1e6) - 1e-14])
def test_the_cap_itself_is_said_as_it_is_whatever_floating_point_gives_back(log_ratio: float) -> None:
    """exp(log(1e6)) is 999,999.9999999995: compared exactly it read "nearly ×1,000,000", against the
    docstring's "1,000,000 itself is said as it is"; a hair above would have read "over"."""
    assert osh.move_words(log_ratio) == "×1,000,000"
    assert osh.move_words(-log_ratio) == "÷1,000,000"


def test_factor_just_below_rounding_reach_keeps_its_two_figures() -> None:
    assert osh.move_words(math.log(994_000.0)) == "×990,000"


def test_old_sentence_with_nearly_is_quoted_as_a_bound() -> None:
    from botwatch.timeline.report import _office_factor

    said = "office shifts: of 9 posts, …: odds of Russia against US nearly ×1,000,000"
    assert _office_factor(None, said) == "nearly ×1,000,000"
