"""A neutral threshold for stance chosen by cross-validation: does it help UK stance? Nested,
paired grouped CV on the dev and training labels only (the frozen test part is never read).
Issue 14, 2026-12-07.

Half of the UK stance errors are neutral and opposition read as each other, in both directions
(docs/methods.md, "Fifteenth round"); the model's class prior decides where that line falls. An
offset added to the neutral score of the stance model moves the line without touching the
words' weights. The offset must be chosen on data the scored items never saw, so it is nested:
in each outer fold the model is fitted on the other folds, and the offset is chosen by an inner
5-fold CV inside those folds (the grid `--grid`, the inner out-of-fold answers' macro-F1; the
decisive cues, which answer about 1% of the pairs before the model, are not applied inside),
then added to the outer model's scores for the held-out posts.

- `ship`: no offset (the shipped model);
- `nb`: one offset for every election, chosen by the mean of the elections' inner macro-F1
  (what an election without labels of its own would get);
- `nbel`: an offset per election, chosen on that election's inner items (only for elections
  with labels of their own; the fifth round tried a two-offset version of it, unstable).

Harness: `cv_word_vectors.measure_blocks` (5 outer folds grouped by post, `--repeats` fold
assignments, shipped settings, US weak labels, decisive cues first when scored, paired bootstrap
over posts), and UK stance on the IRA posts alone with `cv_stance_kinds.uk_ira_table`. Prints the
offsets chosen per fold, so their stability can be read.

Usage: OMP_NUM_THREADS=1 python scripts/cv_stance_neutral_offset.py --cache DIR [--stance ship,nb,nbel] [--repeats 3]
    (needs ../shared/data for the weak labels)
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stance_kinds  # noqa: E402
import train_content_model as T  # noqa: E402
from cv_word_vectors import block_parser, fold_answers, run_blocks  # noqa: E402
from stance_learning_curve import fold_of  # noqa: E402

from botwatch.content.score import macro_f1  # noqa: E402

SCRIPT = "cv_stance_neutral_offset"
GRID = tuple(round(float(x), 2) for x in np.arange(-1.0, 1.01, 0.1))
CHOSEN: list[tuple[str, int, int, dict[str, float]]] = []  # (variant, seed, outer fold, election -> offset)


def with_offset(scores: np.ndarray, classes: list[str], offset: float) -> list[str]:
    """The answers of decision scores (items × classes) with `offset` added to neutral's column."""
    s = scores.copy()
    s[:, classes.index("neutral")] += offset
    return [classes[k] for k in s.argmax(axis=1)]


def choose(scores: np.ndarray, gold: list[str], els: list[str], classes: list[str], per_election: bool, grid: "tuple[float, ...]" = GRID) -> dict[str, float]:
    """The offset of `grid` with the best inner macro-F1: per election (`per_election`), or one
    for all by the mean of the elections' macro-F1 (ties: the offset nearest 0, then the lower)."""
    names = sorted(set(els))
    idx = {e: [i for i, x in enumerate(els) if x == e] for e in names}

    def f1(offset: float, e: str) -> float:
        ans = with_offset(scores[idx[e]], classes, offset)
        return macro_f1([gold[i] for i in idx[e]], ans, tuple(classes))

    order = sorted(grid, key=lambda b: (abs(b), b))
    if per_election:
        return {e: max(order, key=lambda b: f1(b, e)) for e in names}  # noqa: B023 (called at once)
    best = max(order, key=lambda b: float(np.mean([f1(b, e) for e in names])))
    return {e: best for e in names}


def _election_of_post() -> dict[str, str]:
    return {r["post_id"]: r["election"] for _p, lab in T.LABELLED_SETS for r in csv.DictReader(open(lab, encoding="utf-8"))}


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int) -> list[str]:
    if variant == "ship" or "neutral" not in classes or "weak_weight" not in settings:
        return fold_answers(items, extra, groups, classes, settings, seed, 5)
    el_of = _election_of_post()
    ew = settings["weak_weight"]
    ex = extra if ew else ()
    fold = fold_of(groups, seed, 5)
    out = [""] * len(items)
    for k in range(5):
        tr = [i for i, g in enumerate(groups) if fold[g] != k]
        te = [i for i, g in enumerate(groups) if fold[g] == k]
        inner = fold_of([groups[i] for i in tr], seed + 100 + k, 5)
        inner_scores = np.zeros((len(tr), len(classes)))
        for j in range(5):
            fit_on = [i for i in tr if inner[groups[i]] != j]
            pos = [n for n, i in enumerate(tr) if inner[groups[i]] == j]
            vec, clf = T.fit([items[i] for i in fit_on], classes, settings["C"], ex, ew, settings["balance"])
            inner_scores[pos] = clf.decision_function(vec.transform([items[tr[n]][0] for n in pos]))
        offsets = choose(inner_scores, [items[i][1] for i in tr], [el_of[groups[i]] for i in tr], classes, variant == "nbel")
        CHOSEN.append((variant, seed, k, offsets))
        print(f"    {variant} seed {seed} fold {k}: offsets {offsets}", flush=True)
        vec, clf = T.fit([items[i] for i in tr], classes, settings["C"], ex, ew, settings["balance"])
        scores = clf.decision_function(vec.transform([items[i][0] for i in te]))
        for n, i in enumerate(te):
            out[i] = with_offset(scores[n:n + 1], classes, offsets[el_of[groups[i]]])[0]
    return out


def main() -> None:
    ap = block_parser("ship,nb,nbel", "ship", "ship/ship,nb/ship,nbel/ship", description=__doc__.split("\n")[0])
    a = ap.parse_args()
    if not a.cache.name:
        ap.error("--cache DIR is needed (the IRA-only table reads the cached answers)")
    run_blocks(a, oof, SCRIPT)
    cv_stance_kinds.SCRIPT = SCRIPT
    cv_stance_kinds.uk_ira_table(a.cache, a.stance.split(","), a.repeats, a.boot)


if __name__ == "__main__":
    main()
