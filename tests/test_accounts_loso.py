"""The leave-one-source-out yardstick: its metrics, its weighting, and the real pair loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.loso import ece, format_table, loso_table, scores, source_weights


def test_ece_is_zero_when_rates_match_and_large_when_not() -> None:
    y = np.array([0, 0, 1, 1])
    assert ece(y, np.array([0.5, 0.5, 0.5, 0.5])) == pytest.approx(0.0)
    assert ece(y, np.array([0.95, 0.95, 0.05, 0.05])) == pytest.approx(0.95)


def test_scores_read_f1_and_balanced_accuracy_at_the_threshold() -> None:
    s = scores(np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9]))
    assert s["auc"] == pytest.approx(0.75)
    assert s["balanced_accuracy"] == pytest.approx(0.5)
    assert s["f1"] == pytest.approx(0.5)


def test_source_weights_give_each_source_and_class_the_same_total() -> None:
    f = pd.DataFrame({"source": ["a"] * 10 + ["b"] * 4, "label": [1] * 9 + [0] + [1, 0, 0, 0]})
    w = source_weights(f)
    totals = pd.Series(w).groupby([f["source"], f["label"]]).sum()
    assert np.allclose(totals.to_numpy(), totals.iloc[0])
    assert w.sum() == pytest.approx(len(f))


def test_loso_holds_each_source_out_once_and_never_trains_on_it() -> None:
    seen: list[set[str]] = []

    def fit(train: pd.DataFrame, features):  # type: ignore[no-untyped-def]
        seen.append(set(train["source"]))
        return lambda test: test["x"].to_numpy(float)

    frames = [pd.DataFrame({"x": [0.1, 0.9, 0.2, 0.8], "label": [0, 1, 0, 1], "source": s}) for s in ("a", "b", "c")]
    rows = loso_table(frames, fit, ["x"])
    assert [r["held_out"] for r in rows] == ["a", "b", "c"]
    assert seen == [{"b", "c"}, {"a", "c"}, {"a", "b"}]
    assert all(r["auc"] == 1.0 for r in rows)
    assert "| a | b + c |" in format_table(rows)


@pytest.mark.shared_data
def test_pair_source_has_both_classes_and_drops_accounts_of_other_sources(shared_data: Path) -> None:
    from botwatch.accounts.labelled import PAIR_SOURCE, load_pair

    root = shared_data / "labelled"
    full = load_pair(root)
    assert set(full["label"]) == {0, 1} and set(full["source"]) == {PAIR_SOURCE}
    some = set(full["account_id"].head(5))
    cut = load_pair(root, exclude_ids=some)
    assert len(cut) == len(full) - 5 and not some & set(cut["account_id"])
    # Account age is measured at the status the profile came with, never left unknown.
    assert full["age_days"].notna().mean() > 0.99
