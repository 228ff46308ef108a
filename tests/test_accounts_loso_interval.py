"""The report's held-out (leave-one-source-out) AUCs carry an interval, or say they have none.

They were printed as bare points ("AUC 0.636") beside figures that all carry an interval.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from botwatch.report.section_accounts import held_out_lines

SHIPPED = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "accounts" / "models" / "bot_model.json.gz"


def test_shipped_rows_carry_hanley_mcneil_intervals() -> None:
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as fh:
        meta = json.load(fh)["meta"]
    lines = held_out_lines(meta)
    assert len(lines) == len(meta["loso"]) == 3
    gilani = next(line for line in lines if "gilani2017" in line)
    # AUC 0.6365 from 1,469 bots and 1,901 humans: SE 0.0097, ± 0.019 (Q1 and Q2 as in Hanley–McNeil).
    assert "AUC 0.636 (95% interval 0.618–0.655 from its 1,469 bots and 1,901 humans, by Hanley–McNeil's approximation)" in gilani, gilani
    assert gilani.endswith("balanced accuracy 0.60, calibration error 0.232.")


def test_row_without_counts_says_it_has_no_interval() -> None:
    meta = {"loso": [{"held_out": "mine", "auc": 0.7, "balanced_accuracy": 0.6, "ece": 0.1}]}
    assert held_out_lines(meta) == ["Trained without mine and tested on it: AUC 0.700 (a single held-out measurement without an interval), "
                                    "balanced accuracy 0.60, calibration error 0.100."]


def test_row_with_accounts_but_no_bots_count_says_how_many_accounts() -> None:
    meta = {"loso": [{"held_out": "mine", "auc": 0.7, "n": 250}]}
    assert held_out_lines(meta) == ["Trained without mine and tested on it: AUC 0.700 (a single held-out measurement without an interval, on 250 accounts)."]


def test_perfect_held_out_auc_says_why_it_has_no_interval() -> None:
    """An AUC of 1 on 5 bots and 5 humans was quoted "95% interval 1.000–1.000": Hanley–McNeil's
    standard error is 0 there whatever the counts, so the line says it gives none, with the counts."""
    meta = {"loso": [{"held_out": "mine", "auc": 1.0, "n": 10, "bots": 5}]}
    assert held_out_lines(meta) == ["Trained without mine and tested on it: AUC 1.000 (no interval: Hanley–McNeil's approximation gives "
                                    "none at an AUC of 0 or 1; from its 5 bots and 5 humans)."]


def test_automation_caveat_quotes_the_held_out_aucs_with_the_same_intervals() -> None:
    """The caveat beside the automation count (and `explain`'s) quoted the held-out AUCs as bare
    points ("between 0.636 (held out: gilani2017) and 0.997") while the accounts section gave each an
    interval: both now read through `caveats.held_out_auc`."""
    from botwatch.report.caveats import cross_source_auc

    with gzip.open(SHIPPED, "rt", encoding="utf-8") as fh:
        meta = json.load(fh)["meta"]
    said = cross_source_auc(meta)
    assert said is not None
    for line in held_out_lines(meta):  # "... AUC 0.636 (95% interval ...)": the same interval, in the same words
        spread = line.split(" (", 1)[1].split(")", 1)[0]
        assert "gilani2017" not in line or f"AUC between 0.636 (held out: gilani2017; {spread})" in said, said
        assert "botwiki+verified" not in line or f"and 0.997 (held out: botwiki+verified; {spread}), where 0.5 is chance" in said, said


def test_automation_caveat_of_one_held_out_source_gives_no_range() -> None:
    """A user's model held out on one source read "between 0.700 (…) and 0.700 (…)": one figure, said once."""
    from botwatch.report.caveats import cross_source_auc

    said = cross_source_auc({"loso": [{"held_out": "mine", "auc": 0.7, "n": 250, "bots": 100}]})
    # Q1 0.5385, Q2 0.5765, SE² (0.21 + 99·0.0485 + 149·0.0865) / 15,000 = 0.001193, ± 1.96·0.0345 = 0.068 (worked by hand).
    assert said == ("Tested on a labelled source it was not trained on, the bot model scored AUC 0.700 (held out: mine; 95% interval "
                    "0.632–0.768 from its 100 bots and 150 humans, by Hanley–McNeil's approximation), where 0.5 is chance"), said


def test_model_card_says_what_the_loso_command_prints_now() -> None:
    """docs/model-card-bot.md tells a reviewer what `scripts/train_bot_model.py --loso` prints; after
    2026-12-03's retrain it still said Gilani 0.635 (the 2026-12-02 figure) where the command and
    the shipped file give 0.636, so the card disagreed with itself and with the command."""
    card = (Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8")
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as fh:
        aucs = {row["held_out"]: row["auc"] for row in json.load(fh)["meta"]["loso"]}
    start = card.index("(`scripts/train_bot_model.py --loso` prints ")
    sentence = card[start:card.index(";", start)]
    assert sentence.endswith(f"stclab {aucs['stclab']:.3f}, Gilani {aucs['gilani2017']:.3f}, "
                             f"botwiki+verified {aucs['botwiki+verified']:.3f} since a schedule in the plural counts (2026-12-07, below)"), sentence


def test_model_card_quotes_gilani_in_training_as_the_figures_file_does() -> None:
    """The card gave Gilani's out-of-fold AUC with Gilani in training as 0.646 in one paragraph and
    0.647 in another; the figures file the training run writes holds 0.6473."""
    root = Path(__file__).resolve().parents[1]
    card = (root / "docs" / "model-card-bot.md").read_text(encoding="utf-8")
    figures = json.loads((root / "docs" / "figures" / "bot-model-figures.json").read_text(encoding="utf-8"))
    gilani = f"{figures['sources']['gilani2017']['oof_with_other_sources']['auc']:.3f}"
    assert f"the model reaches {gilani} there" in card
    assert f"Gilani {gilani}. Pooled\nout-of-fold" in card
    # The 2026-11-30 summary's "Gilani honestly" line brings its held-out figure up to date, so its
    # with-Gilani figure must reach today's too, not stop at that day's 0.646.
    start = card.index("- **Gilani honestly**")
    line = card[start:card.index("\n- ", start)]
    assert f"{gilani} with Gilani in training since the location was dropped" in line, line


def test_model_card_quotes_gilani_held_out_as_the_shipped_file_does() -> None:
    """After 2026-12-07's retrain (Gilani held out 0.636 -> 0.635) the card still said 0.636 as the
    current figure in three places: "What the table says", the 2026-11-30 summary's "Gilani
    honestly" line and the opening of "Evaluate on your own study"."""
    card = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as fh:
        gilani = next(f"{row['auc']:.3f}" for row in json.load(fh)["meta"]["loso"] if row["held_out"] == "gilani2017")
    assert f"**Gilani stays far below ({gilani};" in card
    assert f"- **Gilani honestly**: {gilani} held out since" in card
    assert f"the leave-one-source-out table says how far that can go wrong (Gilani {gilani})." in card


def _card_number(cell: str) -> float | None:
    """The first figure of a table cell ("0.659 (0.674 before …)" -> 0.659), None for "–"."""
    head = cell.strip().split(" ", 1)[0]
    return None if head == "–" else float(head)


def test_model_card_features_table_quotes_the_figures_file() -> None:
    """The card's "Features: each holds its direction" table quotes `feature_stability` and
    `loso_importance` of docs/figures/bot-model-figures.json. After the plural-schedule retrain
    (2026-12-07) the file said automation words 0.661 / 0.782 and log likes 0.024 (gilani2017
    0.061) while the card still gave the previous model's 0.659 / 0.776 and 0.025 (0.063). Each
    figure must be the file's to its third decimal (either rounding of a 4-decimal half)."""
    root = Path(__file__).resolve().parents[1]
    card = (root / "docs" / "model-card-bot.md").read_text(encoding="utf-8")
    figures = json.loads((root / "docs" / "figures" / "bot-model-figures.json").read_text(encoding="utf-8"))
    start = card.index("| feature | stclab | Gilani | botwiki+verified | LOSO importance")
    rows = [line for line in card[start:card.index("\n\n", start)].splitlines()[2:]]
    stability = {r["feature"]: r["auc_by_source"] for r in figures["feature_stability"]}
    importance = {r["feature"]: r for r in figures["loso_importance"]}
    assert len(rows) == len(figures["features"]), rows
    close = lambda a, b: abs(a - b) <= 0.0005 + 1e-9  # noqa: E731
    for line, feature in zip(rows, figures["features"]):  # the table lists the features in the file's order
        cells = line.strip("|").split("|")
        for cell, source in zip(cells[1:4], ("stclab", "gilani2017", "botwiki+verified")):
            said, held = _card_number(cell), stability[feature].get(source)
            assert (said is None) == (held is None) and (said is None or close(said, held)), (feature, source, cell, held)
        drops = importance[feature]["auc_drop_by_held_out_source"]
        mean, largest = cells[4].strip().rstrip(")").split(" (")
        src, value = largest.split(" ")
        assert close(float(mean), importance[feature]["mean_drop"]), (feature, cells[4], importance[feature])
        assert abs(drops[src]) == max(abs(v) for v in drops.values()) and close(float(value), drops[src]), (feature, cells[4], drops)
