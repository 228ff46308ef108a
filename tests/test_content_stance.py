"""Stance accuracy on hand-labelled real IRA posts (tests/fixtures/content/stance_*_us2016.jsonl).

These 270 pairs were labelled by an earlier reader with an earlier guideline and are not used to
fit or tune the issue-14 model, so they are a second, independent check. The figures are reported,
not tuned: the floors below are set under the measured values (accuracy 0.72 on the first 170
pairs, 0.66 on the 100 held out; majority baseline about 0.44; decisive cue rules right 66 times
in 71; before the trained model the rules alone scored 0.61 and 0.62).
"""

from __future__ import annotations

from pathlib import Path

from botwatch.content.evaluate import StanceEvaluation, evaluate, load_labelled
from botwatch.content.stance import DECISIVE_RULES, MEASURED
from botwatch.elections import load_election
from botwatch.report.fmt import wilson

FIX = Path(__file__).resolve().parent / "fixtures" / "content"
SAMPLE = FIX / "stance_sample_us2016.jsonl"
HELDOUT = FIX / "stance_heldout_us2016.jsonl"
CUE_RULES = DECISIVE_RULES
US = load_election("us-2016")


def _cue(ev: StanceEvaluation) -> tuple[int, int]:
    got = [ev.by_rule.get(r, (0, 0)) for r in CUE_RULES]
    return sum(c for c, _ in got), sum(n for _, n in got)


def _check(ev: StanceEvaluation, floor: float) -> None:
    print(f"stance accuracy {ev.accuracy:.3f} on {ev.n} pairs; macro-F1 {ev.macro_f1():.3f}; majority baseline {ev.baseline_majority():.3f}")
    # One 2016 post names Obama only as @POTUS, which the preset no longer maps (the handle passed
    # to Trump in January 2017).
    assert sum(v for (_h, p), v in ev.confusion.items() if p == "(not matched)") <= 1
    assert ev.accuracy >= floor
    assert ev.accuracy > ev.baseline_majority() + 0.15
    ok, n = _cue(ev)
    assert n >= 20 and ok / n >= 0.85  # explicit cues are the trustworthy part


def test_stance_accuracy_on_hand_labels() -> None:
    rows = load_labelled(SAMPLE)
    assert len(rows) == 170
    _check(evaluate(US, rows), 0.65)


def test_stance_accuracy_on_held_out_labels() -> None:
    rows = load_labelled(HELDOUT)
    assert len(rows) == 100 and not {r["post_id"] for r in rows} & {r["post_id"] for r in load_labelled(SAMPLE)}
    _check(evaluate(US, rows), 0.6)


def test_reported_figures_match_the_code() -> None:
    """The report and docs quote MEASURED; it must be what the rules score now."""
    first, held = evaluate(US, load_labelled(SAMPLE)), evaluate(US, load_labelled(HELDOUT))
    n, correct = first.n + held.n, first.correct + held.correct
    assert MEASURED["n"] == n and abs(MEASURED["accuracy"] - correct / n) < 0.0005
    _p, lo, hi = wilson(correct, n)
    assert MEASURED["accuracy_ci"] == (round(lo, 3), round(hi, 3))
    majority = max(sum(v for (h, _p), v in (first.confusion + held.confusion).items() if h == lab) for lab in ("support", "oppose", "neutral")) / n
    assert abs(MEASURED["majority_baseline"] - majority) < 0.0005
    a, b = _cue(first), _cue(held)
    assert (MEASURED["cue_correct"], MEASURED["cue_n"]) == (a[0] + b[0], a[1] + b[1])
    _p, lo, hi = wilson(held.correct, held.n)
    assert (MEASURED["heldout_n"], MEASURED["heldout_accuracy"], MEASURED["heldout_ci"]) == (held.n, round(held.accuracy, 3), (round(lo, 3), round(hi, 3)))
