"""The Hanley–McNeil AUC interval against cases worked by hand."""

from __future__ import annotations

import math

import pytest

from botwatch.stats import hanley_mcneil


def test_balanced_case_worked_by_hand() -> None:
    # A = 0.8, 10 bots, 10 humans: Q1 = 0.8/1.2 = 0.6667, Q2 = 1.28/1.8 = 0.7111;
    # SE² = (0.16 + 9·0.026667 + 9·0.071111) / 100 = 1.04/100, SE = 0.10198; ± 1.96·SE = ± 0.19988.
    lo, hi = hanley_mcneil(0.8, 10, 10)
    assert math.isclose(lo, 0.8 - 1.959963984540054 * math.sqrt(0.0104), abs_tol=1e-9)
    assert math.isclose(lo, 0.60012, abs_tol=1e-4) and math.isclose(hi, 0.99988, abs_tol=1e-4)


def test_unbalanced_case_weighs_each_class_by_its_own_term() -> None:
    # A = 0.8, 5 bots, 20 humans: SE² = (0.16 + 4·0.026667 + 19·0.071111) / 100 = 0.016178.
    lo, hi = hanley_mcneil(0.8, 5, 20)
    half = 1.959963984540054 * math.sqrt(0.0161778)
    assert math.isclose(lo, 0.8 - half, abs_tol=1e-5) and hi == 1.0  # 0.8 + 0.249 clipped to 1
    assert hanley_mcneil(0.8, 20, 5) != (lo, hi)  # the formula is not symmetric in the classes


@pytest.mark.parametrize("args", [(0.8, 0, 10), (0.8, 10, 0), (1.2, 10, 10), (-0.1, 10, 10)])
def test_no_interval_without_both_classes_or_a_valid_auc(args: tuple[float, int, int]) -> None:
    assert hanley_mcneil(*args) is None


def test_interval_stays_inside_zero_and_one() -> None:
    lo, hi = hanley_mcneil(0.99, 3, 3)
    assert 0.0 <= lo <= 0.99 <= hi <= 1.0


@pytest.mark.parametrize("auc", [0.0, 1.0])
def test_no_interval_where_the_approximation_collapses_to_a_point(auc: float) -> None:
    """At an AUC of 0 or 1 every term of SE² is 0 whatever the counts: "1.000–1.000" from 5 bots and
    5 humans read as certainty the approximation cannot give."""
    assert hanley_mcneil(auc, 5, 5) is None
    assert hanley_mcneil(auc, 5000, 5000) is None
