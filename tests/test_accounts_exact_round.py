"""`exact_round.round_like_python` gives Python's `round(v, digits)` to the last bit (the accounts
tables round every probability and contribution with it instead of one `round` call a cell)."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.exact_round import round_like_python, rounded_list


def _python(x: np.ndarray, digits: int) -> np.ndarray:
    return np.array([round(v, digits) for v in x.ravel().tolist()], dtype=np.float64).reshape(x.shape)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all((a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))))


HARD = np.array([0.0, -0.0, 1e-300, -1e-5, -0.00004, np.inf, -np.inf, np.nan, 2.675, 0.00005, 0.00015, 0.12345, 0.99995,
                 1.0005, 1e20, 4.5e15, 2.0**52 + 1, 0.5, 1.5, 2.5, -2.5, 1e-4, 5e-5, 0.285, 1.005, 8.345e-3])


@pytest.mark.parametrize("digits", [0, 2, 3, 4])
def test_equals_python_round_on_many_values(digits: int) -> None:
    rng = np.random.default_rng(digits)
    scale = 10.0**digits
    near_ties = (rng.integers(-10**6, 10**6, 50_000) + 0.5) / scale  # decimal ties, stored a hair off
    wobbled = rng.integers(0, 10**5, 50_000) / scale * (1 + rng.normal(0, 1e-15, 50_000))
    for x in (rng.random(200_000), rng.normal(0, 3, 100_000), near_ties, wobbled, np.nextafter(near_ties, np.inf),
              np.nextafter(near_ties, -np.inf), HARD):
        assert _same_bits(round_like_python(x, digits), _python(x, digits))


def test_numpy_round_alone_differs_so_the_check_matters() -> None:
    # np.round rounds x * 10**d: on these it picks the other neighbour, Python's round does not.
    x = np.array([1.0005, 0.285, 1.005, 2.675, 8.345e-3])
    digits = [3, 2, 2, 2, 5]
    assert any(np.round(v, d) != round(v, d) for v, d in zip(x.tolist(), digits))
    assert all(round_like_python(np.array([v]), d)[0] == round(v, d) for v, d in zip(x.tolist(), digits))


def test_shape_and_nullable_cells() -> None:
    x = np.array([[0.123456, np.nan], [2.5e-5, -0.33335]])
    assert _same_bits(round_like_python(x, 4), _python(x, 4))
    assert rounded_list(np.array([0.123456, np.nan, 1.0]), 4) == [0.1235, None, 1.0]
