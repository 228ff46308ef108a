"""Stance accuracy on the hand-labelled sample of real IRA posts (tests/fixtures/content/).

The figure is reported, not tuned: the assertions are floors that a regression in matching or
in the rules would break, set below the measured values (accuracy 0.61 over 170 pairs; majority
baseline 0.44; cue rules right in 48 of 51 cases).
"""

from __future__ import annotations

from pathlib import Path

from botwatch.content.evaluate import evaluate, load_labelled
from botwatch.content.stance import MEASURED
from botwatch.elections import load_election

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "content" / "stance_sample_us2016.jsonl"
CUE_RULES = ("pro_hashtag", "anti_hashtag", "pro_keyword", "anti_keyword", "rival_pro_cue", "retweets_party_account", "own_account")


def test_stance_accuracy_on_hand_labels() -> None:
    rows = load_labelled(SAMPLE)
    assert len(rows) == 170
    ev = evaluate(load_election("us-2016"), rows)
    print(f"stance accuracy {ev.accuracy:.3f} on {ev.n} pairs; macro-F1 {ev.macro_f1():.3f}; majority baseline {ev.baseline_majority():.3f}")
    assert ev.confusion[("support", "(not matched)")] + ev.confusion[("oppose", "(not matched)")] + ev.confusion[("neutral", "(not matched)")] == 0
    assert ev.accuracy >= 0.55
    assert ev.accuracy > ev.baseline_majority() + 0.1
    cue_ok = sum(ev.by_rule.get(r, (0, 0))[0] for r in CUE_RULES)
    cue_n = sum(ev.by_rule.get(r, (0, 0))[1] for r in CUE_RULES)
    assert cue_n >= 40 and cue_ok / cue_n >= 0.85  # explicit cues are the trustworthy part


def test_reported_figures_match_the_code() -> None:
    """The report quotes MEASURED; it must be what the rules score now."""
    ev = evaluate(load_election("us-2016"), load_labelled(SAMPLE))
    assert MEASURED["n"] == ev.n
    assert abs(MEASURED["accuracy"] - ev.accuracy) < 0.0005
    assert abs(MEASURED["majority_baseline"] - ev.baseline_majority()) < 0.0005
    from botwatch.report.fmt import wilson

    _p, lo, hi = wilson(ev.correct, ev.n)
    assert MEASURED["accuracy_ci"] == (round(lo, 3), round(hi, 3))
    cue = [ev.by_rule.get(r, (0, 0)) for r in CUE_RULES]
    assert (MEASURED["cue_correct"], MEASURED["cue_n"]) == (sum(c for c, _ in cue), sum(n for _, n in cue))
