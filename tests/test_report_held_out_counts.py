"""The automation headline says how far the count of likely automated accounts moved on the
labelled sources the model was not trained on (`caveats.held_out_counts`).

Why: the headline quoted a count ("52 of 201 … look automated") and said only that "the
cross-dataset test says" the calibration may not carry over. Held out, the shipped model counted
525 of Gilani's 3,370 accounts likely automated (504 from 2026-12-07, 583 since the location was dropped) where 1,469 were bots: a count a third of the truth,
which AUC and calibration error do not show.
"""

from __future__ import annotations

from pathlib import Path

from botwatch.accounts.botmodel import shipped_model
from botwatch.report.caveats import held_out_counts
from testsupport.study_copies import copy_study


def test_the_shipped_models_held_out_rows_carry_their_counts() -> None:
    rows = {r["held_out"]: r for r in shipped_model().meta["loso"]}
    assert {k: (r["n"], r["bots"], r["counted"]) for k, r in rows.items()} == {
        "stclab": (1467, 695, 823), "gilani2017": (3370, 1469, 583), "botwiki+verified": (2616, 637, 647)}
    assert held_out_counts(shipped_model().meta) == (
        "held out, it counted 56% of stclab's accounts likely automated where 47% were bots, 17% of Gilani 2017's where 44% were, "
        "and 25% of botwiki + verified 2019's where 24% were")


def test_a_model_without_counts_says_nothing_of_them() -> None:
    meta = {"loso": [{k: v for k, v in r.items() if k != "counted"} for r in shipped_model().meta["loso"]]}
    assert held_out_counts(meta) is None and held_out_counts({}) is None
    assert held_out_counts({"loso": [{"n": 0, "bots": 0, "counted": 0, "held_out": "x"}, "junk"]}) is None


def test_the_automation_headline_quotes_them(scored_us_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    dst = copy_study(scored_us_sample_path, tmp_path / "s.duckdb")
    with open_study(dst, read_only=False) as st:
        sec = accounts_section(st, {})
    head = " ".join(str(h) for h in sec.headline)
    # The section's trust heading once (it was printed twice where the model had no note).
    assert str(sec.html).count("<h3>How far to trust the bot probability</h3>") == 1
    assert "which the cross-dataset test says it may not: held out, it counted 56% of stclab&#39;s accounts likely automated" in head \
        or "which the cross-dataset test says it may not: held out, it counted 56% of stclab's accounts likely automated" in head
    assert "17% of Gilani 2017" in head
