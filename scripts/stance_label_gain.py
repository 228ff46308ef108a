"""Do newly labelled training pools help? A paired comparison on the older dev labels only.

The posts of the pools named by `--new-pools` (train_stance_labels.csv) are taken out of the
evaluation. The remaining dev posts (the frozen test part is never read) are split into 5 folds
grouped by post, for `--repeats` random assignments; on each fold two models are fitted with the
same settings: A on the other folds only, B on the other folds plus every post of the new pools.
Both answer the same held-out posts, so the difference is paired: printed per election and task
are the mean out-of-fold macro-F1 of A and B over repeats, the difference B − A, and 95% percentile
bootstrap intervals over posts (each resample draws posts; a post's answers in every repeat go
with it). Stance applies the decisive cue rules first, as the stage does. Settings: those of the
shipped content_model.json unless `--stance-c`/`--stance-balance`/`--sentiment-c` are given.

Usage: python scripts/stance_label_gain.py [--new-pools us_train4,uk_brexit16_4] [--repeats 3]
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
from stance_learning_curve import fold_of, post_bootstrap  # noqa: E402

from botwatch.content.score import macro_f1  # noqa: E402

ELECTIONS = ("uk-ge2017", "us-2016")


def paired_predictions(items: list, groups: list[str], new: set[str], classes: list[str], settings: dict, extra: list,
                       seed: int, folds: int = 5) -> tuple[list[str], list[str]]:
    """Out-of-fold answers for the items of old posts: (without the new posts, with them)."""
    old_groups = [g for g in groups if g not in new]
    fold = fold_of(old_groups, seed, folds)
    a, b = [""] * len(items), [""] * len(items)
    added = [items[i] for i, g in enumerate(groups) if g in new]
    ew = settings["weak_weight"]
    for k in range(folds):
        tr = [items[i] for i, g in enumerate(groups) if g not in new and fold[g] != k]
        test = [i for i, g in enumerate(groups) if g not in new and fold[g] == k]
        for out, train in ((a, tr), (b, tr + added)):
            vec, clf = T.fit(train, classes, settings["C"], extra if ew else (), ew, settings["balance"])
            for i, p in zip(test, T.predict(vec, clf, [items[i][0] for i in test])):
                out[i] = classes[p]
    return a, b


def compare(gold: list[str], runs: list[tuple[list[str], list[str]]], groups: list[str], classes: list[str], n_boot: int, seed: int = 11) -> dict:
    """Mean macro-F1 of A and B over repeats, B − A, and their 95% bootstrap intervals over posts."""
    cls = tuple(classes)

    def score(idx: list[int]) -> tuple[float, float]:
        g = [gold[i] for i in idx]
        fa = float(np.mean([macro_f1(g, [a[i] for i in idx], cls) for a, _ in runs]))
        fb = float(np.mean([macro_f1(g, [b[i] for i in idx], cls) for _, b in runs]))
        return fa, fb

    (fa, fb), draws = post_bootstrap(groups, score, n_boot, seed)
    d = np.array(draws)
    pct = lambda x: tuple(np.percentile(x, [2.5, 97.5]))  # noqa: E731
    return {"a": fa, "b": fb, "a_ci": pct(d[:, 0]), "b_ci": pct(d[:, 1]), "gain": fb - fa, "gain_ci": pct(d[:, 1] - d[:, 0])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--new-pools", default="us_train4,uk_brexit16_4")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--weak-per", type=int, default=800)
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--stance-c", type=float, default=None)
    ap.add_argument("--stance-balance", type=float, default=None)
    ap.add_argument("--sentiment-c", type=float, default=None)
    args = ap.parse_args()
    pools = set(args.new_pools.split(","))
    new = {r["post_id"] for r in csv.DictReader(open(T.FIX / "train_stance_labels.csv", encoding="utf-8")) if r["pool"] in pools}
    # Posts of ordinary accounts (not IRA): the frozen test part is IRA posts only, so the gain is
    # also printed on the IRA posts of the evaluation alone.
    not_ira = {r["post_id"] for _p, lab in T.LABELLED_SETS for r in csv.DictReader(open(lab, encoding="utf-8"))
               if r["pool"].startswith(("uk_brexit16", "uk_twarc2"))}
    shipped = json.loads(T.OUT.read_text(encoding="utf-8"))
    settings = {"stance": dict(shipped["stance"]), "sentiment": dict(shipped["sentiment"])}
    if args.stance_c is not None:
        settings["stance"]["C"] = args.stance_c
    if args.stance_balance is not None:
        settings["stance"]["balance"] = args.stance_balance
    if args.sentiment_c is not None:
        settings["sentiment"]["C"] = args.sentiment_c
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    from botwatch.content.features import clean_text

    labelled_texts = {clean_text(r["content"]).strip() for pc, _l in T.LABELLED_SETS if pc.exists() for r in csv.DictReader(open(pc, encoding="utf-8"))}
    weak_pairs = T.weak_items(args.weak_per, labelled_texts, False, ("us-2016",))[0] if args.weak_per else []
    n_new = sum(1 for g in gp if g in new), sum(1 for g in gs if g in new)
    print(f"dev: {len(pairs)} pairs, {len(posts)} posts, of them new (always training): {n_new[0]} pairs, {n_new[1]} posts; weak {len(weak_pairs)}", flush=True)
    for name, items, groups, meta, classes, extra in (("stance", pairs, gp, mp, T.STANCES, weak_pairs), ("sentiment", posts, gs, ms, T.SENTIMENTS, [])):
        s = settings[name]
        print(f"{name}: C={s['C']} weak weight {s['weak_weight']} balance {s['balance']}", flush=True)
        runs = [paired_predictions(items, groups, new, classes, s, extra, seed) for seed in range(args.repeats)]
        for key, ira_only in ((k, o) for k in ELECTIONS for o in (False, True)):
            idx = [i for i in range(len(items)) if meta[i][0] == key and groups[i] not in new and not (ira_only and groups[i] in not_ira)]
            gold = [items[i][1] for i in idx]

            def cue(run: list[str]) -> list[str]:
                return [(meta[i][1] if name == "stance" and meta[i][1] else run[i]) for i in idx]

            r = compare(gold, [(cue(a), cue(b)) for a, b in runs], [groups[i] for i in idx], classes, args.boot)
            label = f"{key} {name}" + (" (IRA posts only)" if ira_only else "")
            print(f"| {label} | {len(idx)} | {r['a']:.3f} [{r['a_ci'][0]:.3f}–{r['a_ci'][1]:.3f}] | {r['b']:.3f} [{r['b_ci'][0]:.3f}–{r['b_ci'][1]:.3f}] "
                  f"| {r['gain']:+.3f} [{r['gain_ci'][0]:+.3f}, {r['gain_ci'][1]:+.3f}] |", flush=True)


if __name__ == "__main__":
    main()
