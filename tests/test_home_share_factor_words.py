"""The home-share sentence words its language factor as every other factor: two figures.

It wrote `×{SHARE_APART:g}`, so a factor of 12.345 would read "×12.345", a precision no
measured or chosen factor holds (`count_text.two_figures`).
"""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts import origin_prior


def _share() -> origin_prior.HomeShare:
    return origin_prior.HomeShare(share=0.5, lo=0.4, hi=0.6, accounts=12, base=0.5, weights=np.ones(1), home="US")


def test_language_factor_reads_to_two_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origin_prior, "SHARE_APART", 12.345)
    said = _share().sentence(0.3, 0.4, within=True)
    assert "fit within ×12 of the best" in said, said


def test_shipped_factor_reads_as_ten() -> None:
    said = _share().sentence(0.3, 0.4, within=True)
    assert "fit within ×10 of the best" in said, said
