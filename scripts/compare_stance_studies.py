"""Paired comparison of two analysed copies of one study against the same hand labels.

`botwatch content evaluate` gives each model's figure with its own interval; two intervals that
overlap say little about the difference, because both models answer the same posts. This script
resamples the labelled posts once per bootstrap draw (1,000 draws, seed 14, as `content evaluate`)
and scores both copies on the same draw, so the interval is that of the difference. It also counts
the answers that changed, and how many moved to or away from the reader's label.

Usage: python scripts/compare_stance_studies.py BEFORE.duckdb AFTER.duckdb ELECTION LABELS.csv [--part test]
(docs/methods.md, "Third training draw": BEFORE analysed with the previous content_model.json.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from botwatch.content.score import MISSING, SENTIMENTS, STANCES, load_labels, macro_f1, sentiment_answer, study_predictions  # noqa: E402
from botwatch.study import Study  # noqa: E402


def paired(gold: list[str], before: list[str], after: list[str], groups: list[str], classes: tuple[str, ...],
           n_boot: int = 1000, seed: int = 14) -> tuple[float, float, float]:
    """(after - before macro-F1, 2.5th and 97.5th percentile of it over a bootstrap of groups)."""
    by: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    keys = sorted(by)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        idx = [i for k in rng.integers(0, len(keys), len(keys)) for i in by[keys[k]]]
        g = [gold[i] for i in idx]
        diffs.append(macro_f1(g, [after[i] for i in idx], classes) - macro_f1(g, [before[i] for i in idx], classes))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return macro_f1(gold, after, classes) - macro_f1(gold, before, classes), float(lo), float(hi)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("election")
    ap.add_argument("labels")
    ap.add_argument("--part", default="test")
    a = ap.parse_args()
    labels = load_labels(a.labels, election=a.election, part=a.part)
    preds = []
    for path in (a.before, a.after):
        with Study(path, read_only=True) as st:
            preds.append(study_predictions(st, a.election))
    pairs = [r for r in labels if r["party"]]
    posts: dict[str, str] = {}
    for r in labels:
        if r["sentiment"]:
            posts.setdefault(r["post_id"], r["sentiment"])
    ids = sorted(posts)
    tables = (
        ("stance", [r["stance"] for r in pairs], [r["post_id"] for r in pairs], STANCES,
         [[p[0].get((r["post_id"], r["party"]), MISSING) for r in pairs] for p in preds]),
        ("sentiment", [posts[i] for i in ids], ids, SENTIMENTS,
         [[sentiment_answer(p[1], i) for i in ids] for p in preds]),
    )
    for name, gold, groups, classes, (before, after) in tables:
        d, lo, hi = paired(gold, before, after, groups, classes)
        changed = [(b, x, g) for b, x, g in zip(before, after, gold) if b != x]
        to = sum(x == g for _b, x, g in changed)
        away = sum(b == g for b, _x, g in changed)
        print(f"{a.election} {name}: after - before macro-F1 {d:+.3f} [{lo:+.3f} to {hi:+.3f}]; "
              f"{len(changed)} of {len(gold)} answers changed, {to} to the label, {away} away from it")


if __name__ == "__main__":
    main()
