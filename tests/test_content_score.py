"""`botwatch content evaluate` and the agreement figures behind it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content.score import LabelsError, MISSING, agreement, load_labels, macro_f1, sentiment_class

FIX = Path(__file__).resolve().parent / "fixtures" / "content"


def test_sentiment_class_uses_the_conventional_cut_points() -> None:
    assert [sentiment_class(x) for x in (0.05, 0.049, -0.05, None, float("nan"))] == ["positive", "neutral", "negative", "neutral", "neutral"]


def test_macro_f1_counts_an_unmatched_pair_as_wrong() -> None:
    gold = ["support", "oppose", "neutral"]
    assert macro_f1(gold, gold, ("support", "oppose", "neutral")) == 1.0
    assert macro_f1(gold, ["support", "oppose", MISSING], ("support", "oppose", "neutral")) == pytest.approx(2 / 3)


def test_agreement_scores_matching_and_bootstraps(tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    f.write_text("post_id,party,stance,sentiment\n1,labour,oppose,negative\n1,conservative,neutral,negative\n2,,,positive\n", encoding="utf-8")
    rows = load_labels(f)
    ag = agreement(rows, {("1", "labour"): "oppose", ("2", "green"): "neutral"}, {"1": -0.4, "2": 0.3}, n_boot=50)
    assert ag.stance.n == 2 and ag.stance.accuracy == 0.5
    assert ag.missed_pairs == [("1", "conservative")] and ag.false_pairs == [("2", "green")]
    assert ag.match_precision == 0.5 and ag.match_recall == 0.5
    assert ag.sentiment.accuracy == 1.0 and ag.sentiment.ci[0] <= ag.sentiment.macro_f1 <= ag.sentiment.ci[1]


def test_bad_labels_are_refused_with_the_line(tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    f.write_text("post_id,party,stance,sentiment\n1,labour,pro,negative\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="line 2"):
        load_labels(f)
    g = tmp_path / "m.csv"
    g.write_text("post_id,stance\n1,oppose\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="lacks"):
        load_labels(g)


def test_cli_evaluate_end_to_end(tmp_path: Path) -> None:
    """Ingest a slice of the labelled IRA posts, analyse, evaluate: the figures print, and a
    study without content labels is refused without a traceback."""
    with open(FIX / "ira_stance_labels.csv", encoding="utf-8", newline="") as fh:
        labels = [r for r in csv.DictReader(fh) if r["election"] == "us-2016"][:60]
    ids = {r["post_id"] for r in labels}
    with open(FIX / "ira_stance_posts.csv", encoding="utf-8", newline="") as fh:
        rd = csv.DictReader(fh)
        posts = [r for r in rd if r["tweet_id"] in ids]
        cols = rd.fieldnames
    pf, lf = tmp_path / "posts.csv", tmp_path / "labels.csv"
    with pf.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(posts)
    with lf.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(labels[0]))
        w.writeheader()
        w.writerows(labels)
    db = tmp_path / "s.duckdb"
    r = CliRunner().invoke(app, ["ingest", str(db), str(pf)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["content", "evaluate", str(db), str(lf)])
    assert r.exit_code == 2 and "analyze" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["analyze", str(db), "--election", "us-2016", "--stage", "content"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["content", "evaluate", str(db), str(lf), "--boot", "50"])
    assert r.exit_code == 0, r.output
    assert "stance" in r.output and "sentiment" in r.output and "macro-F1" in r.output and "precision" in r.output
    # Labels of posts the study does not hold: refused, not scored 0.000 (a reviewer's finding).
    other = tmp_path / "other.csv"
    with other.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(labels[0]))
        w.writeheader()
        w.writerows([{**r, "post_id": "absent-" + r["post_id"]} for r in labels])
    r = CliRunner().invoke(app, ["content", "evaluate", str(db), str(other), "--boot", "50"])
    assert r.exit_code == 2 and "none of the" in r.output and "Traceback" not in r.output, r.output
    # Some posts absent, and several parts scored together: both said.
    mixed = tmp_path / "mixed.csv"
    with mixed.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(labels[0]))
        w.writeheader()
        w.writerows([{**r, "part": "dev" if i % 2 else "test"} for i, r in enumerate(labels)])
        w.writerow({**labels[0], "post_id": "absent-1", "part": "test"})
    r = CliRunner().invoke(app, ["content", "evaluate", str(db), str(mixed), "--boot", "50"])
    flat = " ".join(r.output.split())
    assert r.exit_code == 0 and "labelled posts are in this study" in flat and "--part" in flat, r.output
    r = CliRunner().invoke(app, ["content", "evaluate", str(db), str(mixed), "--boot", "50", "--part", "test"])
    assert r.exit_code == 0 and "are scored together" not in " ".join(r.output.split()), r.output
