"""The model card's reliability figure (docs/figures/bot-reliability.svg) is the one
`scripts/train_bot_model.py` draws from the figures file written beside it.

Why: the 2026-12-07 retrain committed a chart drawn by the code before each curve carried its
number (9fbd2e1b), so the shipped figure was not what the documented command produces, and lacked
what lets a reader who sees no colour tell its curves apart. No shared data needed: both files ship.
"""

from __future__ import annotations

import json
from pathlib import Path

from botwatch.accounts.reliability_svg import reliability_svg

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"


def test_the_shipped_reliability_svg_is_what_the_training_run_draws() -> None:
    figures = json.loads((FIGURES / "bot-model-figures.json").read_text(encoding="utf-8"))
    # `retrain.train_and_report`: the pooled out-of-fold curve alone, under this title.
    drawn = reliability_svg([("pooled, out-of-fold", figures["pooled_curve"])], title="Bot model reliability")
    assert (FIGURES / "bot-reliability.svg").read_text(encoding="utf-8") == drawn
