"""Do character n-grams help the stance or sentiment model? Paired 5-fold grouped CV on the
training labels only (the dev part and the training draws; the frozen test part is never read).

For each fold split (GroupKFold grouped by post; split 0 is scikit-learn's unshuffled one, the
training script's; splits 1, 2, ... shuffle the groups with that seed), the shipped settings are
fitted with and without `features.char_ngram_features` and the out-of-fold answers compared: per
election macro-F1 (stance with the decisive cues first, as the stage), and the gain in the mean of
the two elections with a 95% paired bootstrap interval over posts (the same resampled posts for
both, averaged over the splits). A change is worth shipping only when that interval clears zero.

Usage: python scripts/cv_char_ngrams.py stance|sentiment [--splits 0,1,2] [--boot 300]
(needs ../shared/data for the weak labels of the stance model; minutes per split on two cores)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402

from botwatch.content import features  # noqa: E402
from botwatch.content.score import macro_f1  # noqa: E402

ELECTIONS = ("uk-ge2017", "us-2016")


def items_with(task: str, char: bool) -> tuple[list, list, list, list]:
    """(items, groups, meta, weak items) with the character n-grams of `task` on or off."""
    features.CHAR_NGRAMS_STANCE = char and task == "stance"
    features.CHAR_NGRAMS_SENTIMENT = char and task == "sentiment"
    features._word_grams.cache_clear()
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    if task == "sentiment":
        return posts, gs, ms, []
    texts = {features.clean_text(r["content"]).strip() for posts_csv, _lab in T.LABELLED_SETS if posts_csv.exists() for r in csv.DictReader(open(posts_csv, encoding="utf-8"))}
    weak, _ = T.weak_items(800, texts, False, ("us-2016",))
    return pairs, gp, mp, weak


def out_of_fold(items: list, groups: list, meta: list, weak: list, task: str, split: int) -> list[str]:
    shipped = json.loads(T.OUT.read_text())[task]
    classes = T.STANCES if task == "stance" else T.SENTIMENTS
    pred = T.oof_predictions(items, groups, classes, shipped["C"], weak if shipped["weak_weight"] else (), shipped["weak_weight"],
                             shipped["balance"], split=split)
    return [(meta[i][1] or pred[i]) if task == "stance" else pred[i] for i in range(len(items))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=("stance", "sentiment"))
    ap.add_argument("--splits", default="0,1,2")
    ap.add_argument("--boot", type=int, default=300)
    args = ap.parse_args()
    splits = [int(s) for s in args.splits.split(",")]
    classes = tuple(T.STANCES if args.task == "stance" else T.SENTIMENTS)
    preds: dict[tuple[str, int], list[str]] = {}
    for name, char in (("words", False), ("words+chars", True)):
        items, groups, meta, weak = items_with(args.task, char)
        for s in splits:
            preds[(name, s)] = out_of_fold(items, groups, meta, weak, args.task, s)
            f = [macro_f1([items[i][1] for i in range(len(items)) if meta[i][0] == e], [preds[(name, s)][i] for i in range(len(items)) if meta[i][0] == e], classes) for e in ELECTIONS]
            print(f"{args.task} {name} split {s}: UK {f[0]:.3f} US {f[1]:.3f} mean {np.mean(f):.3f}", flush=True)
    gold = [y for _f, y in items]
    by: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    posts = sorted(by)

    def gain(idx: list[int]) -> float:
        out = []
        for name in ("words+chars", "words"):
            out.append(np.mean([np.mean([macro_f1([gold[i] for i in idx if meta[i][0] == e], [preds[(name, s)][i] for i in idx if meta[i][0] == e], classes)
                                         for e in ELECTIONS]) for s in splits]))
        return out[0] - out[1]

    rng = np.random.default_rng(14)
    draws = [gain([i for j in rng.integers(0, len(posts), len(posts)) for i in by[posts[j]]]) for _ in range(args.boot)]
    lo, hi = np.percentile(draws, [2.5, 97.5])
    print(f"{args.task}: character n-grams change the mean of the two elections' macro-F1 by {gain(list(range(len(items)))):+.3f} "
          f"[{lo:+.3f} to {hi:+.3f}] (paired bootstrap over posts, splits {args.splits})")


if __name__ == "__main__":
    main()
