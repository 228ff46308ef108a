"""The origin evidence's calibration sentence and the study prior's held-out note wrote their
shares with Python's formatting ("{:.1%}", "{:.2%}"), which rounds a tie half to even on the binary
value, where every other figure of the report rounds half up on the number as written
(`prob_text.fixed`): a calibration mix of 6.25% read "6.2%" beside figures that read 6.25% as
"6.3%". Both now go through `prob_text.percent`. The shipped figures (6.71%, 0.06%) are no ties,
so each test plants one."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts import origin, origin_prior
from botwatch.accounts.origin_prior import StudyPrior


def test_the_calibration_sentence_rounds_a_tie_half_up(monkeypatch: pytest.MonkeyPatch) -> None:
    planted = {**origin.parameters(), "calibration": {"x": [0.0, 1.0], "y": [0.0, 1.0], "russia_share": 0.0625}}
    monkeypatch.setattr(origin, "parameters", lambda: planted)
    p = np.full((1, len(origin.codes())), 1.0 / len(origin.codes()))
    _, said = origin.calibrate_russia_rows(p)
    assert "where 6.3% of accounts were run from Russia" in said[0], said[0]


def test_the_held_out_note_rounds_a_tie_half_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origin_prior, "HELD_OUT_NONE", (0.00125, 0.0))
    prior = StudyPrior(share=0.05, lo=0.04, hi=0.06, accounts=origin_prior.HELD_OUT_NONE_ACCOUNTS, base=0.0671, weights=np.ones(1))
    assert "and 0.13% where none were" in prior.held_out(), prior.held_out()
