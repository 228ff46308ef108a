"""Every accuracy figure the report quotes for stance and sentiment carries its interval.

Read as a journalist on the GE2017 sample, the Parties section gave stance "macro-F1 0.53 (95%
interval 0.39–0.63 ...)" and, in the same sentence, "post sentiment at macro-F1 0.60" bare,
though the frozen test part records its interval (0.51–0.69): a bare 0.60 beside a bracketed
0.53 reads as the better-measured of the two. Methods gave both bare."""
from __future__ import annotations

from botwatch.report.fmt import f1_ci
from testsupport.report_text import us_report_text


def test_parties_and_methods_give_the_sentiment_figure_its_interval(analysed_sample_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from botwatch.content.stance import MEASURED_BY_ELECTION

    text, methods = us_report_text(analysed_sample_path, tmp_path)
    us = MEASURED_BY_ELECTION["us-2016"]
    lo, hi = us["sentiment_ci"]  # type: ignore[misc]
    assert f"post sentiment at macro-F1 {us['sentiment_f1']:.2f} (95% interval {lo:.2f}–{hi:.2f})" in text
    s_lo, s_hi = us["stance_ci"]  # type: ignore[misc]
    assert (f"stance agreed with a careful reader at macro-F1 {us['stance_f1']:.2f} [{s_lo:.2f}–{s_hi:.2f}] "
            f"and post sentiment at {us['sentiment_f1']:.2f} [{lo:.2f}–{hi:.2f}]") in methods


def test_a_figure_recorded_without_an_interval_says_so() -> None:
    """An older `content evaluate` record holds a sentiment macro-F1 and no interval: the figure is
    not left bare beside the stance figure's brackets, nor does formatting it fail."""
    assert f1_ci(0.6, (None, None)) == "0.60 [no interval recorded]"
    assert f1_ci(0.6, None) == "0.60 [no interval recorded]"
    assert f1_ci(0.6, (0.51, 0.69)) == "0.60 [0.51–0.69]"


def test_a_damaged_sentiment_interval_in_a_record_is_skipped_as_a_damaged_record(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A recorded `content evaluate` whose sentiment interval is not two numbers is a damaged record,
    as one whose stance interval is: the next older one is quoted. It was passed on as it stood,
    and `f1_ci` failed building the report on it."""
    import botwatch.runs_table
    from botwatch.content.score import recorded_evaluation

    good = {"evaluated_election": "us-2016", "stance_n": 40, "stance_f1": 0.7, "stance_ci": [0.6, 0.8], "stance_accuracy": 0.7,
            "stance_majority": 0.5, "sentiment_f1": 0.6}
    records = [({**good, "sentiment_ci": [0.5]}, None), ({**good, "sentiment_ci": ["0.5", None]}, None),
               ({**good, "sentiment_ci": [0.51, 0.69]}, None), ({**good, "sentiment_ci": None}, None)]
    monkeypatch.setattr(botwatch.runs_table, "evaluations_since", lambda *a: records)
    got = recorded_evaluation(object(), "us-2016")
    assert got is not None and got["sentiment_ci"] == (0.51, 0.69), got
    assert f1_ci(got["sentiment_f1"], got["sentiment_ci"]) == "0.60 [0.51–0.69]"
    monkeypatch.setattr(botwatch.runs_table, "evaluations_since", lambda *a: records[3:])
    got = recorded_evaluation(object(), "us-2016")
    assert got is not None and f1_ci(got["sentiment_f1"], got["sentiment_ci"]) == "0.60 [no interval recorded]"
