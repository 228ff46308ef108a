"""Learning curve of the content models: does macro-F1 still rise with more hand-labelled pairs?

Reads the dev part of the hand labels only (the frozen test part is never read), with the shipped
settings of content_model.json (C, weak-label weight, class balance; weak labels as the shipped
stance model uses them). For each of `--repeats` random group-to-fold assignments (5 folds, grouped
by post), each fold's training posts are put in a random order and the first 25%, 50%, 75%, 100%
of them train the model (nested subsets, so the fractions differ only by the labels added); the
held-out fold is always answered in full. Stance applies the decisive cue rules first, as the stage
does. Printed per election and task: mean out-of-fold macro-F1 over repeats, a 95% percentile
bootstrap interval over posts (pooled over repeats: each resample draws posts, and a post's answers
in every repeat go with it), and the paired gain of 100% over 75% (and over 50%) with its interval,
the figure that says whether more labels still pay.

Usage: python scripts/stance_learning_curve.py [--repeats 3] [--weak-per 800] [--boot 500]
(a few minutes on two cores; needs ../shared/data for the weak labels, none without it)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402

from botwatch.content.score import macro_f1  # noqa: E402

FRACTIONS = (0.25, 0.5, 0.75, 1.0)
ELECTIONS = ("uk-ge2017", "us-2016")


def fold_of(groups: list[str], seed: int, folds: int = 5) -> dict[str, int]:
    """A random, balanced assignment of posts (groups) to folds."""
    uniq = sorted(set(groups))
    rng = np.random.default_rng(seed)
    rng.shuffle(uniq)
    return {g: i % folds for i, g in enumerate(uniq)}


def curve_predictions(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, seed: int,
                      fractions: tuple[float, ...] = FRACTIONS, folds: int = 5) -> dict[float, list[str]]:
    """Out-of-fold answers per training fraction for one fold assignment (nested training subsets)."""
    fold = fold_of(groups, seed, folds)
    rng = np.random.default_rng(seed + 1000)
    order = sorted(set(groups))
    rng.shuffle(order)
    rank = {g: i for i, g in enumerate(order)}
    out = {f: [""] * len(items) for f in fractions}
    for k in range(folds):
        train_groups = sorted({g for g in groups if fold[g] != k}, key=rank.__getitem__)
        test = [i for i, g in enumerate(groups) if fold[g] == k]
        for f in fractions:
            keep = set(train_groups[: max(1, round(f * len(train_groups)))])
            tr = [items[i] for i, g in enumerate(groups) if g in keep]
            vec, clf = T.fit(tr, classes, settings["C"], extra if settings["weak_weight"] else (), settings["weak_weight"], settings["balance"])
            for i, p in zip(test, T.predict(vec, clf, [items[i][0] for i in test])):
                out[f][i] = classes[p]
    return out


T_ = TypeVar("T_")


def post_bootstrap(groups: list[str], score: Callable[[list[int]], T_], n_boot: int, seed: int) -> tuple[T_, list[T_]]:
    """`score` on every item, and on `n_boot` resamples of whole posts (`groups`: an item's post id;
    a post's pairs stay together, so the interval is over posts, the unit that was labelled)."""
    uniq = sorted(set(groups))
    idx_of: dict[str, list[int]] = {g: [] for g in uniq}
    for i, g in enumerate(groups):
        idx_of[g].append(i)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(uniq), len(uniq))
        draws.append(score([i for j in pick for i in idx_of[uniq[j]]]))
    return score(list(range(len(groups)))), draws


def bootstrap(gold: list[str], preds: list[dict[float, list[str]]], groups: list[str], classes: list[str], n_boot: int,
              seed: int = 7) -> dict:
    """Mean macro-F1 per fraction over repeats, its 95% bootstrap interval over posts, and the paired
    gains 1.0 − 0.75 and 1.0 − 0.5 with theirs."""
    cls = tuple(classes)

    def score(idx: list[int]) -> dict[float, float]:
        g = [gold[i] for i in idx]
        return {f: float(np.mean([macro_f1(g, [p[f][i] for i in idx], cls) for p in preds])) for f in FRACTIONS}

    point, draws = post_bootstrap(groups, score, n_boot, seed)
    ci = {f: tuple(np.percentile([d[f] for d in draws], [2.5, 97.5])) for f in FRACTIONS}
    gain = {lo: (point[1.0] - point[lo], tuple(np.percentile([d[1.0] - d[lo] for d in draws], [2.5, 97.5]))) for lo in (0.5, 0.75)}
    return {"point": point, "ci": ci, "gain": gain}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--weak-per", type=int, default=800)
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    shipped = json.loads(T.OUT.read_text(encoding="utf-8"))
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    from botwatch.content.features import clean_text

    labelled_texts = {clean_text(r["content"]).strip() for pc, _l in T.LABELLED_SETS if pc.exists() for r in csv.DictReader(open(pc, encoding="utf-8"))}
    weak_pairs = T.weak_items(args.weak_per, labelled_texts, False, ("us-2016",))[0] if args.weak_per else []
    print(f"dev: {len(pairs)} pairs, {len(posts)} posts; weak pairs {len(weak_pairs)}", flush=True)
    result = {}
    for name, items, groups, meta, classes, extra in (("stance", pairs, gp, mp, T.STANCES, weak_pairs), ("sentiment", posts, gs, ms, T.SENTIMENTS, [])):
        settings = shipped[name]
        preds_all = [curve_predictions(items, groups, classes, settings, extra, seed) for seed in range(args.repeats)]
        for key in ELECTIONS:
            idx = [i for i in range(len(items)) if meta[i][0] == key]
            gold = [items[i][1] for i in idx]
            # Stance: a pair a decisive cue decides takes the cue's answer, as in the stage.
            preds = [{f: [(meta[i][1] if name == "stance" and meta[i][1] else p[f][i]) for i in idx] for f in FRACTIONS} for p in preds_all]
            r = bootstrap(gold, preds, [groups[i] for i in idx], classes, args.boot)
            n_posts = len(set(groups[i] for i in idx))
            result[f"{key} {name}"] = r | {"n": len(idx), "posts": n_posts}
            row = " | ".join(f"{r['point'][f]:.3f} [{r['ci'][f][0]:.3f}–{r['ci'][f][1]:.3f}]" for f in FRACTIONS)
            gains = "; ".join(f"100%−{int(lo * 100)}%: {g:+.3f} [{a:+.3f}, {b:+.3f}]" for lo, (g, (a, b)) in r["gain"].items())
            print(f"| {key} {name} | {len(idx)} | {row} | {gains} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps({k: {"point": v["point"], "ci": v["ci"], "gain": v["gain"], "n": v["n"]} for k, v in result.items()}, default=str, indent=1))


if __name__ == "__main__":
    main()
