"""The report's and `explain`'s note on a user's own bot model gives its out-of-fold AUC with the
95% interval its file holds.

Trained on 20 labelled accounts, the note read "out-of-fold AUC 0.845", as firm as a figure from
thousands; `train-bot-model` had printed "(95% interval 0.677-1.000)" and written it to the file's
`pooled_oof`, where the note now reads it. A file without one (written before it was kept) keeps
the AUC alone."""

from __future__ import annotations

from botwatch.model_used import _own_note


def test_the_own_models_auc_is_quoted_with_its_interval() -> None:
    meta = {"trained_on": {"ten.csv": 20}, "pooled_oof": {"n": 20, "auc": 0.845, "auc_low": 0.6771, "auc_high": 1.0}, "loso": []}
    note = _own_note("mine.json.gz", meta)
    assert "trained on 20 ten.csv labelled accounts; out-of-fold AUC 0.845 (95% interval 0.677–1.000)." in note, note
    older = _own_note("mine.json.gz", {**meta, "pooled_oof": {"n": 20, "auc": 0.845}})
    assert "out-of-fold AUC 0.845." in older and "interval" not in older


def test_the_interval_is_at_one_precision() -> None:
    # "0.994–0.9995" read as a low end known less finely than the high one.
    meta = {"trained_on": {"ten.csv": 400}, "pooled_oof": {"n": 400, "auc": 0.998, "auc_low": 0.994, "auc_high": 0.9995}, "loso": []}
    assert "out-of-fold AUC 0.998 (95% interval 0.9940–0.9995)." in _own_note("mine.json.gz", meta)
