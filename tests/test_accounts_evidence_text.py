"""The bot model's evidence sentences written from distinct heads and tails
(`botmodel.evidence_sentences`) equal the per-item f-string they replaced (`sentence`, kept as
the reference), on the values a model can hand it and on ones it should never meet."""

from __future__ import annotations

import math

import numpy as np
import pytest

from botwatch.accounts import botmodel
from botwatch.accounts.botmodel import _DESCRIBE, evidence_sentence_array, evidence_sentences, sentence

FEATURES = [*_DESCRIBE, "not_a_described_feature"]  # every value kind, and a feature printed by its own name

# Contributions where printing to two places is delicate: decimal ties of the binary value (0.125
# is exact, so it prints +0.12; 0.135 is not, so it prints by its true value), both zeros, tiny
# values of either sign (-0.001 prints -0.00), NaN, infinities, huge and subnormal values.
AWKWARD_C = [0.125, -0.125, 0.375, 0.135, -0.135, 2.675, 0.005, -0.005, 0.015, 1.005, 0.0, -0.0, 1e-300, -1e-300, 5e-324,
             -0.001, 0.001, 0.004999999999999999, 0.05, -0.05, 0.045, 99.995, -99.995, 1e6 + 0.005, 1e15, -1e15, 1e300, -1e300,
             math.nan, -math.nan, math.inf, -math.inf, 327.67, -327.68, 4503599627370495.5]
# Feature values (the head): each kind's rounding ties, zeros, NaN, infinities, the largest a log
# or power of ten still prints (beyond them `describe_value` itself overflows, as it always did).
AWKWARD_V = [0.0, -0.0, 0.5, 0.4999999999999999, 1.0, -1.0, 0.125, 0.005, 2.5, math.log1p(1234), -2.0, 1e-300, -1e-300,
             300.0, -300.0, math.nan, math.inf, -math.inf, 123.456, 0.745]


def _reference(feat: np.ndarray, value: np.ndarray, contribution: np.ndarray, features: list[str]) -> list[str]:
    """The per-item f-string, one call each (the code `evidence_sentences` replaced)."""
    return [sentence(features[j], v, c) for j, v, c in zip(feat.tolist(), value.tolist(), contribution.tolist())]


def _check(feat: np.ndarray, value: np.ndarray, contribution: np.ndarray, features: list[str] = FEATURES) -> None:
    want = _reference(feat, value, contribution, features)
    # Both the Python strings and the Arrow array (joined by Arrow from the same parts).
    for got in (evidence_sentences(features, feat, value, contribution), evidence_sentence_array(features, feat, value, contribution).to_pylist()):
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, (i, feat[i], value[i], contribution[i])


def test_every_feature_value_and_contribution_pairing() -> None:
    j, v, c = np.meshgrid(np.arange(len(FEATURES)), np.array(AWKWARD_V), np.array(AWKWARD_C), indexing="ij")
    _check(j.ravel(), v.ravel(), c.ravel())


def test_ties_and_near_ties_in_the_dense_path() -> None:
    # Every hundredth's tie in [-20, 20], and one ulp either side: all finite and in a small range,
    # so the tails are grouped without a sort.
    ties = (np.arange(-4000, 4001) + 0.5) / 100
    c = np.concatenate([ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf), [0.0, -0.0, 1e-300, -1e-300]])
    j = np.arange(len(c)) % len(FEATURES)
    v = np.linspace(-3, 12, len(c))
    _check(j, v, c)


def test_random_model_like_items_and_both_grouping_paths() -> None:
    rng = np.random.default_rng(3)
    n = 20000
    j = rng.integers(0, len(FEATURES), n)
    v = rng.normal(2.0, 3.0, n)
    v = np.where(rng.random(n) < 0.5, np.round(v, 2), v)
    v[rng.random(n) < 0.05] = np.nan
    v[rng.random(n) < 0.05] = -0.0
    c = rng.normal(0.0, 0.6, n)
    _check(j, v, c)
    # A range wider than the sort-free grouping takes (and a NaN) sends the same items through np.unique.
    c2 = c.copy()
    c2[0], c2[1] = 1e4, math.nan
    _check(j, v, c2)


def test_empty_and_single() -> None:
    assert evidence_sentences(FEATURES, np.zeros(0, np.int64), np.zeros(0), np.zeros(0)) == []
    assert evidence_sentence_array(FEATURES, np.zeros(0, np.int64), np.zeros(0), np.zeros(0)).to_pylist() == []
    _check(np.array([0]), np.array([math.nan]), np.array([-0.0]))


def test_hostile_feature_names_print_as_themselves() -> None:
    # A user-trained model's feature that `_DESCRIBE` does not know is printed by its name.
    names = ["name with \"quotes\" \\ and \n newline", "ünïcode 🤖", "", "x" * 500]
    rng = np.random.default_rng(1)
    j = rng.integers(0, len(names), 400)
    _check(j, rng.normal(size=400), rng.normal(size=400), names)


def test_dense_grouping_keeps_zeros_and_directions_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # +0.001 (raised, "+0.00"), +0.0 (lowered, "+0.00"), -0.0 and -0.001 (lowered, "-0.00"): four
    # items, three distinct tails; the dense key must tell all of them apart as printed.
    c = np.array([0.001, 0.0, -0.0, -0.001, 0.001, 0.0])
    got = evidence_sentences(["age_days"], np.zeros(6, np.int64), np.ones(6), c)
    assert [s[len("account age (days) 1: "):] for s in got] == [
        "raised the bot score (+0.00 log-odds)", "lowered the bot score (+0.00 log-odds)", "lowered the bot score (-0.00 log-odds)",
        "lowered the bot score (-0.00 log-odds)", "raised the bot score (+0.00 log-odds)", "lowered the bot score (+0.00 log-odds)"]
    # With the sort-free grouping disabled the same items go through np.unique and agree.
    monkeypatch.setattr(botmodel, "_DENSE_TAILS", 0)
    assert evidence_sentences(["age_days"], np.zeros(6, np.int64), np.ones(6), c) == got
