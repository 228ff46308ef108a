"""The automation headline says how far the count of likely automated accounts moved on the
labelled sources the model was not trained on (`caveats.held_out_counts`).

Why: the headline quoted a count ("52 of 201 … look automated") and said only that "the
cross-dataset test says" the calibration may not carry over. Held out, the shipped model counted
525 of Gilani's 3,370 accounts likely automated (504 from 2026-12-07, 583 since the location was dropped, 561 since the everyday automation words were left out, 586 since plural schedules count) where 1,469 were bots: a count a third of the truth,
which AUC and calibration error do not show.
"""

from __future__ import annotations

from pathlib import Path

from botwatch.accounts.botmodel import shipped_model
from botwatch.report.caveats import held_out_counts
from testsupport.study_copies import copy_study


def test_the_shipped_models_held_out_rows_carry_their_counts() -> None:
    rows = {r["held_out"]: r for r in shipped_model().meta["loso"]}
    assert {k: (r["n"], r["bots"], r["counted"], r["humans_counted"]) for k, r in rows.items()} == {
        "stclab": (1467, 695, 859, 200), "gilani2017": (3370, 1469, 586, 173), "botwiki+verified": (2616, 637, 638, 20)}
    assert held_out_counts(shipped_model().meta) == (
        "held out, it counted 59% of stclab's accounts likely automated where 47% were bots, 17% of Gilani 2017's where 44% were, "
        "and 24% of botwiki + verified 2019's where 24% were, calling 26%, 9% and 1% of their humans likely automated")


def test_humans_counted_are_said_only_when_every_source_has_them() -> None:
    """stclab's count (56% for 47% bots) read as nearly right, while it had counted 23% of its
    humans: the false alarms a study made mostly of people rests on. A row without the figure
    (a model file from before it) leaves the clause out rather than quote some sources only."""
    rows = [{"held_out": "stclab", "n": 100, "bots": 40, "counted": 50, "humans_counted": 12},
            {"held_out": "mine", "n": 10, "bots": 5, "counted": 5, "humans_counted": 1}]
    assert held_out_counts({"loso": rows}) == (
        "held out, it counted 50% of stclab's accounts likely automated where 40% were bots, and 50% of mine's where 50% were, "
        "calling 20% and 20% of their humans likely automated")
    assert held_out_counts({"loso": rows[:1]}).endswith("where 40% were bots, calling 20% of its humans likely automated")
    older = [{k: v for k, v in rows[0].items() if k != "humans_counted"}, rows[1]]
    assert held_out_counts({"loso": older}).endswith("and 50% of mine's where 50% were")
    assert held_out_counts({"loso": [{**rows[0], "humans_counted": True}]}).endswith("where 40% were bots")  # not a count


def test_scores_count_the_humans_among_the_counted() -> None:
    import numpy as np

    from botwatch.accounts.loso import scores

    s = scores(np.array([0, 0, 0, 1, 1]), np.array([0.7, 0.2, 0.5, 0.9, 0.1]))
    assert (s["counted"], s["humans_counted"]) == (3, 2)


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
    assert "which the cross-dataset test says it may not: held out, it counted 59% of stclab&#39;s accounts likely automated" in head \
        or "which the cross-dataset test says it may not: held out, it counted 59% of stclab's accounts likely automated" in head
    assert "17% of Gilani 2017" in head
    assert "calling 26%, 9% and 1% of their humans likely automated" in head


def test_a_model_not_at_hand_is_not_said_to_be_untested(scored_us_sample_path: Path, tmp_path: Path) -> None:
    """A study scored by an earlier release's shipped model (every study scored before the
    2026-12-07 retrains) shows none of that model's figures, as none here describe it; its headline
    read "which no test of this model on a labelled source it was not trained on has checked", of a
    model that was tested so. What is true is that its figures are not at hand."""
    import json

    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    dst = copy_study(scored_us_sample_path, tmp_path / "s.duckdb")
    with open_study(dst, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "bot_model_sha256": "ab" * 32}), run_id])
        head = " ".join(" ".join(str(h) for h in accounts_section(st, {}).headline).split())
    assert "no test of this model" not in head, head
    assert ("if the model's calibration carries over to this study, which cannot be told here: the model that scored it is not "
            "at hand, and so neither is its test on labelled sources it was not trained on.") in head, head
    assert "held out, it counted" not in head  # this release's model's figures are not that model's
