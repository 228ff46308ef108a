"""The README's "How far to trust it" table quotes the held-out figures; these tests hold it to the
values the code and the shipped figure files carry, so a refit that moves a figure cannot leave the
README quoting the old one (no shared data needed: every source here ships in the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwatch.content.stance import MEASURED_BY_ELECTION
from botwatch.report.caveats import ORIGIN_MEASURED

ROOT = Path(__file__).resolve().parents[1]


def _section() -> str:
    """The README's trust section alone, so a figure quoted elsewhere in the README cannot pass."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## How far to trust it")
    return text[start:text.index("\n## ", start + 1)]


def _row(section: str, starts: str) -> str:
    rows = [line for line in section.splitlines() if line.startswith(f"| {starts}")]
    assert len(rows) == 1, f"one table row starting {starts!r}"
    return rows[0]


def test_bot_row_quotes_the_shipped_leave_one_source_out_aucs() -> None:
    """docs/figures/bot-model-figures.json is written by the same run that ships the model."""
    figures = json.loads((ROOT / "docs" / "figures" / "bot-model-figures.json").read_text(encoding="utf-8"))
    row = _row(_section(), "bot probability")
    names = {"stclab": "stclab", "gilani2017": "Gilani", "botwiki+verified": "botwiki + verified"}
    assert {c["held_out"] for c in figures["loso"]} == set(names), "a new source needs its place in the README row"
    for cell in figures["loso"]:
        assert f"{names[cell['held_out']]} {cell['auc']:.3f}" in row.replace("**", ""), cell


def test_bot_row_quotes_each_auc_with_the_report_s_interval() -> None:
    """A reviewer quoting the README needs each held-out AUC's spread (the Gilani figure is 0.636 on
    3,370 accounts, not a point): the interval is the one the report prints beside it
    (`stats.hanley_mcneil` on the row's bot and human counts, written by `fmt.auc_interval`)."""
    from botwatch.report.fmt import auc_interval
    from botwatch.stats import hanley_mcneil

    figures = json.loads((ROOT / "docs" / "figures" / "bot-model-figures.json").read_text(encoding="utf-8"))
    row = _row(_section(), "bot probability").replace("**", "")
    names = {"stclab": "stclab", "gilani2017": "Gilani", "botwiki+verified": "botwiki + verified"}
    for cell in figures["loso"]:
        lo, hi = auc_interval(*hanley_mcneil(cell["auc"], cell["bots"], cell["n"] - cell["bots"])).split("–")
        assert f"{names[cell['held_out']]} {cell['auc']:.3f} [{lo}, {hi}]" in row, cell


@pytest.mark.parametrize("group", ["russian_language", "posing", "ordinary"])
def test_origin_row_quotes_each_share_with_its_wilson_interval(group: str) -> None:
    """Every held-out share in the origin row carries its 95% Wilson interval, as the Russian-language
    one always did; the posing and ordinary shares were quoted bare."""
    from botwatch.stats import wilson

    hit, n = ORIGIN_MEASURED[group]
    share, lo, hi = wilson(hit, n)
    row = _row(_section(), "origin").replace("**", "")
    if group == "ordinary":  # a share under 1 % is written in percent
        quoted = f"{hit:,}/{n:,} = {100 * share:.2f} % [{100 * lo:.2f}, {100 * hi:.2f}] %"
    else:
        quoted = f"{hit:,}/{n:,} = {share:.3f} [{lo:.3f}, {hi:.3f}]"
    assert quoted in row


@pytest.mark.parametrize("group", ["russian_language", "posing", "ordinary"])
def test_origin_row_quotes_the_report_s_held_out_counts(group: str) -> None:
    """The report's held-out clauses (`caveats.ORIGIN_MEASURED`) and the README say the same counts."""
    hit, n = ORIGIN_MEASURED[group]
    assert f"{hit:,}/{n:,}" in _row(_section(), "origin")


@pytest.mark.parametrize("election,country", [("uk-ge2017", "UK"), ("us-2016", "US")])
def test_stance_and_sentiment_rows_quote_the_measured_figures(election: str, country: str) -> None:
    """`MEASURED_BY_ELECTION` is what tests/test_content_quality.py recomputes on the frozen test part."""
    quoted = MEASURED_BY_ELECTION[election]
    section = _section().replace("**", "")
    lo, hi = quoted["stance_ci"]
    assert f"{country} {quoted['stance_f1']:.3f} [{lo:.2f}, {hi:.2f}]" in _row(section, "party stance")
    lo, hi = quoted["sentiment_ci"]
    assert f"{country} {quoted['sentiment_f1']:.3f} [{lo:.2f}, {hi:.2f}]" in _row(section, "post sentiment")


def test_ordinary_tweets_sentiment_row_quotes_the_external_check() -> None:
    """`SENTIMENT_EXTERNAL` is what tests/test_content_party_prior.py recomputes on the debate tweets."""
    from botwatch.content.stance import SENTIMENT_EXTERNAL as X

    row = _row(_section().replace("**", ""), "sentiment on ordinary tweets")
    assert f"{X['macro_f1']:.3f}" in row and f"accuracy {X['accuracy']:.3f} against {X['majority']:.3f}" in row


def test_ordinary_tweets_sentiment_row_names_the_archive_it_reads() -> None:
    """The row's command said `STUDY TWEETS`: a reviewer could not tell which archive to give it, or
    how to build the study; it names the shared file and where the ingest and analyse lines are."""
    row = _row(_section(), "sentiment on ordinary tweets")
    assert "scripts/gop_crowd_check.py STUDY ../shared/data/ordinary/gop-debate-2015/tweets.csv.gz" in row
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert "**Party base rate" in methods and "STUDY made by `botwatch ingest STUDY" in methods


def test_origin_card_writes_the_figures_file_with_the_readme_s_command() -> None:
    """The origin card said the figures file is written with `--ablation` too; the shipped file holds
    none of the tables that option adds, and the README gives the command without it, so the two
    docs named different commands for the same file."""
    figures = json.loads((ROOT / "docs" / "figures" / "origin-validation.json").read_text(encoding="utf-8"))
    assert not {"without_shared_texts", "without_behaviour_items", "without_office_hours"} & set(figures)
    card = (ROOT / "docs" / "model-card-origin.md").read_text(encoding="utf-8")
    start = card.index("The figures file is written by")
    command = next(line.strip() for line in card[start:].splitlines() if "scripts/validate_origin.py" in line)
    assert command.split("validate_origin.py")[1].replace(" W ", " /tmp/origin-val ") in _row(_section(), "origin")
