"""The AUC `evaluate-accounts` measures gets no interval where its bootstrap cannot give one.

Three labelled accounts of the sample (2 bots and a human, ranked right) read "AUC 1.000
[1.000–1.000]" on the terminal and in the report's headline ("which your own labels checked: on 3
labelled accounts ... AUC 1.000 [1.000–1.000]"): every resample ranked them alike, and the zero
width was shown as a certainty. Fewer than 10 bots or humans, or resamples that never differ, now
give the AUC alone with the reason."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch.accounts.evaluate import bot_figures, recorded_evaluation
from botwatch.cli import app
from testsupport.csv_files import write_rows
from testsupport.study_copies import copy_study


def test_too_few_or_a_perfect_ranking_gives_no_interval() -> None:
    few = bot_figures(np.array([1, 1, 0]), np.array([0.9, 0.4, 0.1]), boot=50)
    assert few.auc == 1.0 and all(x != x for x in few.auc_ci)
    perfect = bot_figures(np.array([1] * 28 + [0] * 12), np.r_[np.linspace(0.6, 0.9, 28), np.linspace(0.1, 0.3, 12)], boot=50)
    assert perfect.auc == 1.0 and all(x != x for x in perfect.auc_ci)
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    some = bot_figures(y, np.clip(rng.random(200) * 0.7 + y * 0.2, 0, 1), boot=50)
    assert some.auc_ci[0] < some.auc < some.auc_ci[1]  # enough of each, not perfect: the interval as before


def test_three_labelled_accounts_are_not_quoted_with_an_interval(scored_us_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    with open_study(study, read_only=True) as st:
        ranked = [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL "
                                            "ORDER BY bot_probability, account_id")]
    lo, mid, hi = ranked[0], ranked[len(ranked) // 2], ranked[-1]
    labels = write_rows(tmp_path / "few.csv", ["account_id", "bot"], [[lo, 0], [mid, 1], [hi, 1]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "50"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "1.000 [1.000–1.000]" not in text and "no interval: 2 bots and 1 human" in text
    with open_study(study, read_only=False) as st:
        own = recorded_evaluation(st)
        sec = accounts_section(st, {})
    assert own is not None and own["bot"]["auc"] == 1.0 and own["bot"]["auc_ci"] == [None, None]  # recorded, and still quoted
    head = " ".join(str(h) for h in sec.headline)
    assert "which your own labels checked: on 3 labelled accounts" in head
    assert "AUC 1.000 (no interval: 2 bots and 1 human, where one needs at least 10 of each)" in head and "[1.000" not in head
    html = " ".join(str(sec.html).split())
    assert "AUC 1.000 (no interval: 2 bots and 1 human" in html


def test_the_held_out_figures_say_their_interval_or_why_none(scored_us_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the labelled accounts the model was not trained on, the line read "over the other 3 (2
    bots): AUC 1.000", with no interval and no word that three accounts give none."""
    import botwatch.accounts.training_accounts as ta
    from botwatch import open_study

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    with open_study(study, read_only=True) as st:
        ranked = [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL "
                                            "ORDER BY bot_probability, account_id")]
    held = {ranked[0], ranked[-2], ranked[-1]}  # a human below two bots
    monkeypatch.setattr(ta, "account_training", lambda platform, aid, handle, own=None: {"origin": False, "bot": aid not in held})
    labels = write_rows(tmp_path / "l.csv", ["account_id", "bot"], [[a, int(i % 2 == 0 if a not in held else a != ranked[0])] for i, a in enumerate(ranked)])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "20", "--no-record"])
    text = " ".join(r.output.split())
    assert r.exit_code == 0, text
    assert "over the other 3 (2 bots): AUC 1.000 (no interval: 2 bots and 1 human, where one needs at least 10 of each)" in text, text


def test_three_labelled_accounts_give_a_calibration_error_said_as_too_few(scored_us_sample_path: Path, tmp_path: Path) -> None:
    """"Calibration error 0.270" and "off by 0.27 on average" from 3 labelled accounts read as a
    measurement; by the AUC's rule (fewer than 10 bots or humans) they now say there are too few."""
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    with open_study(study, read_only=True) as st:
        ranked = [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL "
                                            "ORDER BY bot_probability, account_id")]
    labels = write_rows(tmp_path / "few.csv", ["account_id", "bot"], [[ranked[0], 0], [ranked[1], 1], [ranked[-1], 1]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "20"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    few = "too few to say: 2 bots and 1 human, where one needs at least 10 of each"
    assert re.search(r"calibration error \(ECE\) │ 0\.\d{3} \(too few to say: 2 bots and 1 human,", text), text  # the table's row (wrapped)
    assert f"rest on too few bots or humans to judge calibration ({few})" in text, text
    with open_study(study, read_only=False) as st:
        sec = accounts_section(st, {})
    head = " ".join(str(h) for h in sec.headline)
    assert f"on average (calibration error; {few})" in head, head
    assert few in " ".join(str(sec.html).split())


def test_many_labelled_bots_and_no_human_are_not_said_as_a_handful_a_row(scored_us_sample_path: Path, tmp_path: Path) -> None:
    """botwiki-2019's 678 bots alone (no human) filled reliability rows of hundreds, and the line
    under the table said they "rest on a handful of accounts a row": what is too few is one class."""
    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    from botwatch import open_study

    with open_study(study, read_only=True) as st:
        scored = [str(r[0]) for r in st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL ORDER BY account_id")]
    assert len(scored) >= 40
    labels = write_rows(tmp_path / "bots.csv", ["account_id", "bot"], [[a, 1] for a in scored])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "20", "--no-record"])
    text = " ".join(r.output.split())
    assert r.exit_code == 0, text
    assert "only one class was found: add accounts labelled human (bot 0) to the file" in text, text
    assert "handful" not in text and f"rest on too few bots or humans to judge calibration (too few to say: {len(scored)} bots and 0 humans," in text, text
