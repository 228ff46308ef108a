"""`loso.source_ceiling`: the in-source figure quoted in docs/model-card-bot.md as the ceiling for a
source's leave-one-source-out AUC. Generated frames test the code path only (which columns it
reads, that it measures separation and not noise); the figures themselves come from the real
labelled sets (`scripts/train_bot_model.py --ceiling`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from botwatch.accounts.loso import source_ceiling


def _frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return pd.DataFrame({
        "label": y,
        "source": "s",
        "telling": y + rng.normal(0, 0.3, n),
        "noise": rng.normal(0, 1, n),
        "mostly_missing": np.where(rng.random(n) < 0.8, np.nan, y),
        "constant": 1.0,
    })


def test_reads_only_columns_the_source_fills_and_that_vary() -> None:
    # Which columns are read is decided before any fit, so two folds (the fewest out-of-fold
    # takes) show it as five would; every fit is LightGBM's 200 trees.
    r = source_ceiling(_frame(), ["telling", "noise", "mostly_missing", "constant", "absent"], folds=2, seeds=(0,))
    assert r["columns"] == ["telling", "noise"] and r["n"] == 400 and r["source"] == "s"


def test_separating_column_scores_high_and_noise_near_chance() -> None:
    # Two folds still score each row by a model that never saw it (an in-sample score would put
    # noise well above chance), at two fifths of the default's fits: the noise column's ten fits
    # took 4-5.5 CPU-s at five folds (docs/testing.md).
    f = _frame()
    assert source_ceiling(f, ["telling"], folds=2, seeds=(0,))["auc_mean"] > 0.9
    assert abs(source_ceiling(f, ["noise"], folds=2, seeds=(0, 1))["auc_mean"] - 0.5) < 0.1
