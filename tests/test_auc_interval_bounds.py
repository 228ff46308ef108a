"""A trained model's out-of-fold figures never look surer than a few dozen accounts allow.

Walk (a platform's team training on 15 bots and 15 humans): `botwatch train-bot-model` printed
"AUC 1.000 (95% interval 1.000-1.000)", and `explain` and the report quoted it so, because
DeLong's variance is zero where every bot outranks every human. Where DeLong's interval reaches an
end of the scale it is now widened to Newcombe's score interval (`accounts/model_quality.py`);
elsewhere it is DeLong's as before (`tests/test_bot_model_quality.py` holds that). Its F1 and
Brier score, printed with no interval at all, now carry a bootstrap interval or say they have none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.model_quality import auc_interval95, delong_interval, newcombe_interval

PROFILES = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # 20 botwiki bots, 20 verified humans (real)


def _newcombe_by_grid(auc: float, bots: int, humans: int) -> tuple[float, float]:
    """Newcombe's Method 5 ends read off a fine grid, from the formula as the paper writes it."""
    t = np.linspace(0, 1, 2_000_001)
    n_star = (bots + humans) / 2
    v = t * (1 - t) * (1 + (n_star - 1) * ((1 - t) / (2 - t) + t / (1 + t))) / (bots * humans)
    inside = t[(t - auc) ** 2 <= 1.959963984540054**2 * v + 1e-15]
    return float(inside.min()), float(inside.max())


@pytest.mark.parametrize(("auc", "bots", "humans"), [(1.0, 15, 15), (0.95, 20, 40), (0.0, 12, 30), (0.5, 10, 10),
                                                    # Huge counts: the whole interval narrower than a coarse grid's step came
                                                    # back as the point 1.000-1.000 (0.000-0.000) it exists to avoid.
                                                    (1.0, 10_000, 10_000), (0.0, 10_000, 10_000), (0.99999, 1_000_000, 1_000_000),
                                                    (1.0, 1, 30)])
def test_newcombes_interval_is_the_papers(auc: float, bots: int, humans: int) -> None:
    low, high = newcombe_interval(auc, bots, humans)
    want_low, want_high = _newcombe_by_grid(auc, bots, humans)
    assert low == pytest.approx(want_low, abs=2e-6) and high == pytest.approx(want_high, abs=2e-6)


def test_a_perfect_ranking_of_thirty_accounts_is_not_a_point() -> None:
    y = np.array([1] * 15 + [0] * 15)
    p = np.concatenate([np.linspace(0.6, 1, 15), np.linspace(0, 0.5, 15)])
    assert delong_interval(y, p)[1:] == (1.0, 1.0)  # what was printed
    auc, low, high = auc_interval95(y, p)
    assert auc == 1.0 and high == 1.0 and 0.85 < low < 0.88  # 0.865


@pytest.mark.parametrize(("misranked", "delong_low", "widened_low"), [(1, 0.983, 0.856), (2, 0.970, 0.848)])
def test_near_one_delongs_interval_is_widened_as_the_card_says(misranked: int, delong_low: float, widened_low: float) -> None:
    """docs/model-card-bot.md quotes 15 and 15 with two pairs of 225 misranked (0.848-1.000, DeLong's
    0.970-1.000); it said one pair, whose figures are 0.856 and 0.983."""
    y = np.array([1] * 15 + [0] * 15)
    p = np.concatenate([np.linspace(0.6, 1, 15), np.linspace(0, 0.5, 15)])
    p[0] = 0.49 if misranked == 1 else 0.45  # the lowest bot under the top one or two humans
    auc, low, high = delong_interval(y, p)
    assert auc == pytest.approx(1 - misranked / 225) and round(low, 3) == delong_low and high == 1.0
    assert round(auc_interval95(y, p)[1], 3) == widened_low


def test_away_from_the_bounds_delongs_interval_stands() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.4).astype(int)
    p = np.clip(rng.normal(0.6 * y, 0.4), 0, 1)
    assert auc_interval95(y, p) == delong_interval(y, p)


def test_every_figure_train_bot_model_prints_on_forty_real_accounts_has_an_interval_or_says_why_not(tmp_path: Path) -> None:
    """The AUC's interval no longer a point; F1 and Brier, printed bare before, carry the bootstrap's
    interval or say there is none (F1 1.000: every resample gives it), and the file keeps them for
    the report (`retrain.threshold_intervals`)."""
    import gzip
    import json

    from typer.testing import CliRunner

    from botwatch.cli import app

    labels = tmp_path / "labels.csv"
    pd.read_csv(PROFILES, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"}).to_csv(labels, index=False)
    model = tmp_path / "m.json.gz"
    res = CliRunner().invoke(app, ["train-bot-model", str(labels), "-o", str(model)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "AUC 1.000 (95% interval 1.000-1.000)" not in said
    assert "out-of-fold: AUC 1.000 (95% interval 0.8" in said, said  # 0.899 on 20 and 20
    oof = json.loads(gzip.decompress(model.read_bytes()))["meta"]["pooled_oof"]
    assert oof["brier_low"] < oof["brier"] < oof["brier_high"]
    assert f"Brier {oof['brier']:.3f} [{oof['brier_low']:.3f}-{oof['brier_high']:.3f}]" in said, said
    if oof["f1_low"] is None:  # every resample gave one F1 (1.000 here)
        assert oof["f1_high"] is None and f"F1 {oof['f1']:.3f} (no interval: every bootstrap resample" in said, said
    else:
        assert f"F1 {oof['f1']:.3f} [{oof['f1_low']:.3f}-{oof['f1_high']:.3f}] at 0.5" in said, said
