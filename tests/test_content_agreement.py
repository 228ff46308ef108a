"""Agreement between the two readers of the stance labels (docs/methods.md quotes these kappas).

The second reader labelled a seeded quarter of the first draw from the guide alone; if either
file is edited, the documented agreement must be measured again, which this test enforces."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "content"


def _kappa(a: pd.Series, b: pd.Series) -> float:
    """Cohen's kappa for two label columns (observed agreement against chance agreement)."""
    cats = sorted(set(a) | set(b))
    po = float((a.values == b.values).mean())
    pe = sum(float((a == c).mean()) * float((b == c).mean()) for c in cats)
    return (po - pe) / (1 - pe)


def _agreement(first_file: str, blind_file: str, second_file: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(blind file, second pass, second pass merged with the first labels): the second pass must
    cover the blind file's pairs in its order; the merged frame has `_1` and `_2` columns."""
    first = pd.read_csv(FIX / first_file, dtype=str, keep_default_na=False)
    blind = pd.read_csv(FIX / blind_file, dtype=str, keep_default_na=False)
    second = pd.read_csv(FIX / second_file, dtype=str, keep_default_na=False)
    key = ["post_id", "election", "party"]
    assert list(second[key].itertuples(index=False)) == list(blind[key].itertuples(index=False))
    return blind, second, second.merge(first, on=key, suffixes=("_2", "_1"))


def test_second_reader_covers_the_blind_file_and_agreement_is_as_documented() -> None:
    blind, second, both = _agreement("ira_stance_labels.csv", "second_pass_blind.csv", "second_pass_labels.csv")
    assert set(second["stance"]) <= {"support", "oppose", "neutral"}
    assert set(second["sentiment"]) <= {"positive", "negative", "neutral"}
    assert len(both) == len(blind) == 156
    assert _kappa(both["stance_1"], both["stance_2"]) == pytest.approx(0.78, abs=0.005)
    assert _kappa(both["sentiment_1"], both["sentiment_2"]) == pytest.approx(0.79, abs=0.005)


def test_third_draw_reread_covers_its_blind_file_and_agreement_is_as_documented() -> None:
    """The third training draw's quarter, re-read by the SAME reader in shuffled order from the
    blind file (docs/methods.md): kappa 1.00, which says the reader is consistent with their own
    memory, not that two readers agree; the blind file is there for an independent reader."""
    blind, _reread, both = _agreement("train_stance_labels.csv", "third_draw_second_pass_blind.csv", "third_draw_reread.csv")
    assert set(blind["stance"]) == {""} and set(blind["sentiment"]) == {""}
    assert len(both) == len(blind) == 117
    assert _kappa(both["stance_1"], both["stance_2"]) == pytest.approx(1.0, abs=0.005)
    assert _kappa(both["sentiment_1"], both["sentiment_2"]) == pytest.approx(1.0, abs=0.005)


def test_third_draw_independent_reader_agreement_is_as_documented() -> None:
    """The third draw's blind quarter labelled by an independent second reader (given the guide and
    the blind file only, never the first labels): the figure that says how far one reader's labels
    can be trusted (docs/methods.md, tests/fixtures/content/README.md)."""
    _blind, second, both = _agreement("train_stance_labels.csv", "third_draw_second_pass_blind.csv", "third_draw_second_reader.csv")
    assert set(second["stance"]) <= {"support", "oppose", "neutral"}
    assert set(second["sentiment"]) <= {"positive", "negative", "neutral"}
    assert len(both) == 117
    assert _kappa(both["stance_1"], both["stance_2"]) == pytest.approx(0.93, abs=0.005)
    assert _kappa(both["sentiment_1"], both["sentiment_2"]) == pytest.approx(0.74, abs=0.005)
