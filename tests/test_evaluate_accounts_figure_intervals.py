"""Every figure `evaluate-accounts` measures on the user's labels comes with its 95% interval.

The AUC had a bootstrap interval over accounts; balanced accuracy, F1 at 0.5, Brier score and the
calibration error (ECE) were printed, put in `--json`, recorded and quoted bare, so "Brier 0.120"
from 40 labelled accounts read as exact. Each now has its interval from the AUC's own resamples
(one pass, the same seed), under the AUC's rules: no interval with fewer than 10 bots or humans,
nor where every resample gave one value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch.accounts.evaluate import ECE_NO_INTERVAL, EVALUATE_STAGE, INTERVAL_FIGURES, _bot_json, bot_figures, quoted, recorded_evaluation
from botwatch.cli import app
from testsupport.csv_files import write_rows
from testsupport.study_copies import copy_study
from testsupport.terminal import flat, wide_consoles


def _labelled(n: int = 120, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, np.clip(rng.random(n) * 0.6 + y * 0.3, 0, 1)


def test_each_interval_is_the_percentiles_of_the_same_resamples_computed_directly() -> None:
    """A direct bootstrap, written out here without botwatch's code (scikit-learn's AUC, F1 and
    balanced accuracy), gives the same intervals: the same draws as the AUC's, figure by figure."""
    from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

    y, p = _labelled()
    b = bot_figures(y, p, boot=200)
    rng = np.random.default_rng(14)  # `bot_figures`' seed
    direct: dict[str, list[float]] = {k: [] for k in ("auc", *INTERVAL_FIGURES)}
    for _ in range(200):
        i = rng.integers(0, len(y), len(y))
        yi, pi = y[i], p[i]
        direct["auc"].append(roc_auc_score(yi, pi))
        direct["balanced_accuracy"].append(balanced_accuracy_score(yi, pi >= 0.5))
        direct["f1"].append(f1_score(yi, pi >= 0.5))
        direct["brier"].append(float(np.mean((pi - yi) ** 2)))
    for k, stats in direct.items():
        want = tuple(np.percentile(stats, [2.5, 97.5]))
        got = b.auc_ci if k == "auc" else b.interval(k)
        assert got == pytest.approx(want, abs=1e-12), k
    for k in INTERVAL_FIGURES:  # each interval holds its figure
        lo, hi = b.interval(k)
        assert lo <= getattr(b, k) <= hi, k


def test_the_auc_interval_is_unchanged_by_the_others() -> None:
    """The AUC's resamples are the same draws as before the other figures joined them."""
    from botwatch.accounts.evaluate import auc

    y, p = _labelled(80, seed=9)
    rng = np.random.default_rng(14)
    aucs = [auc(y[i], p[i]) for i in (rng.integers(0, 80, 80) for _ in range(100))]
    assert bot_figures(y, p, boot=100).auc_ci == pytest.approx(tuple(np.percentile(aucs, [2.5, 97.5])), abs=1e-12)


def test_too_few_bots_or_humans_give_no_figure_an_interval() -> None:
    b = bot_figures(np.array([1, 1, 0, 0, 1]), np.array([0.9, 0.4, 0.1, 0.6, 0.7]), boot=50)
    for k in INTERVAL_FIGURES:
        assert all(x != x for x in b.interval(k)), k
    got = _bot_json(b)
    assert got is not None and all(got[f"{k}_ci"] == [None, None] for k in INTERVAL_FIGURES)
    assert json.loads(json.dumps(got, allow_nan=False)) == got  # NaN as null


def test_a_perfect_separation_gives_balanced_accuracy_no_zero_width_interval() -> None:
    """Every resample of a perfect split reads balanced accuracy 1.000: "[1.000–1.000]" would be a
    certainty measured on 40 accounts, so it has none, as the AUC has none."""
    b = bot_figures(np.array([1] * 20 + [0] * 20), np.r_[np.linspace(0.6, 0.9, 20), np.linspace(0.1, 0.3, 20)], boot=50)
    assert b.balanced_accuracy == 1.0 and all(x != x for x in b.interval("balanced_accuracy"))
    assert b.interval("brier")[0] < b.brier < b.interval("brier")[1]  # the others still spread


def _ranked(study: Path) -> list[str]:
    from botwatch import open_study

    with open_study(study, read_only=True) as st:
        return [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL ORDER BY account_id")]


def test_table_json_record_and_report_give_the_intervals(scored_us_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    wide_consoles(monkeypatch)
    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    accts = _ranked(study)
    assert len(accts) >= 40
    labels = write_rows(tmp_path / "l.csv", ["account_id", "bot"], [[a, i % 2] for i, a in enumerate(accts)])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "100"])
    text = flat(r.output)
    assert r.exit_code == 0, text
    ci = r"\d\.\d{3} \[\d\.\d{3}–\d\.\d{3}\]"
    for row in ("balanced accuracy at 0.5", "F1 at 0.5", "Brier score"):
        assert re.search(rf"{row} │ {ci}", text), (row, text)
    # The calibration error has none, and says why (a bootstrap of it runs high: `ECE_NO_INTERVAL`).
    assert re.search(rf"calibration error \(ECE\) │ \d\.\d{{3}} \({re.escape(ECE_NO_INTERVAL)}\)", text), text
    j = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "100", "--json", "--no-record"])
    assert j.exit_code == 0, j.output
    bot = json.loads(j.stdout)["bot"]
    assert "ece_ci" not in bot, bot
    for k in INTERVAL_FIGURES:
        lo, hi = bot[f"{k}_ci"]
        assert lo <= bot[k] <= hi, k
    with open_study(study, read_only=False) as st:
        own = recorded_evaluation(st)
        sec = accounts_section(st, {})
    assert own is not None and all(own["bot"][f"{k}_ci"] == bot[f"{k}_ci"] for k in INTERVAL_FIGURES)
    own = quoted(own)  # the figures the report quotes: over the accounts the model was not trained on, where some were
    assert own is not None
    head = " ".join(str(h) for h in sec.headline)
    assert f"off by {own['bot']['ece']:.2f} on average" in head, head
    html = " ".join(str(sec.html).split())
    blo, bhi = own["bot"]["brier_ci"]
    assert f"calibration error {own['bot']['ece']:.3f}," in html or f"calibration error {own['bot']['ece']:.3f} (" in html, html
    assert f"Brier score {own['bot']['brier']:.3f} [{blo:.3f}–{bhi:.3f}]" in html


@pytest.mark.parametrize("extra", [{}, {"f1_ci": [0.5], "brier_ci": "x", "ece_ci": [0.01, 0.2]}], ids=["older recording", "damaged intervals"])
def test_a_recording_without_the_intervals_is_quoted_without_them(scored_us_sample_path: Path, tmp_path: Path, extra: dict) -> None:
    """A recording made before the intervals were recorded (or with them damaged) is still read and
    quoted, each figure bare: no traceback, and no whole block refused for want of an interval."""
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    old = {"n": 40, "bots": 20, "auc": 0.8, "auc_ci": [0.7, 0.9], "balanced_accuracy": 0.7, "f1": 0.7, "brier": 0.2, "ece": 0.1, "counted": 18, **extra}
    with open_study(study, read_only=False) as st:
        with st.run(EVALUATE_STAGE, {"labels_file": "x.csv", "bot": old}) as info:
            info["rows_written"] = 0
        own = recorded_evaluation(st)
        sec = accounts_section(st, {})
    assert own is not None and own["bot"]["ece"] == 0.1 and "f1_ci" not in own["bot"] and "brier_ci" not in own["bot"]
    html = " ".join(str(sec.html).split())
    assert "calibration error 0.100, Brier score 0.200;" in html, html
    assert "off by 0.10 on average" in " ".join(str(h) for h in sec.headline)


def test_an_auc_near_one_is_not_printed_as_one() -> None:
    """At ":.3f" an AUC of 0.9996 read "1.000", a perfect ranking it is not; the table and the
    held-out line write it with `auc_text`'s digits, its interval at one precision."""
    from botwatch.cli.accounts_evaluate import _auc_said

    rng = np.random.default_rng(3)
    y = np.r_[np.ones(400), np.zeros(400)].astype(int)
    p = np.where(y == 1, rng.uniform(0.5, 1.0, 800), rng.uniform(0.0, 0.5, 800))
    p[400] = np.sort(p[:400])[30] + 1e-9  # one human above the 30 lowest bots: AUC about 0.9998
    b = bot_figures(y, p, boot=200)
    assert 0.9995 < b.auc < 1 and b.auc_ci[0] == b.auc_ci[0] and f"{b.auc:.3f}" == "1.000", b
    said = _auc_said(b)
    assert not said.startswith("1.000") and said.startswith(f"{b.auc:.4f} ["), said
    lo, hi = said.split("[")[1].rstrip("]").split("–")
    assert len(lo) == len(hi), said  # one precision for both ends
