"""Do word vectors (content.embed) and the fifth training draw help? Paired grouped CV on the dev
and training labels only (the frozen test part is never read).

The posts of the pools of `--new-pools` (the fifth training draw, untrained when this was run) are never
scored, so every variant answers the same older posts. Those posts are split into 5 folds grouped
by post, `--repeats` random assignments; on each fold every variant is fitted on the other folds
(plus every post of the untrained pools when the variant says `+draw5`) with the shipped settings
(C, weak labels, balance of content_model.json) and answers the held-out posts. Variants differ
only in which feature keys they keep and how the vector features are scaled, so the features are
built once, with the vectors on. Printed: each variant's four figures (UK / US stance with the
decisive cues first, as the stage; UK / US post sentiment), their mean, and the paired gain over
the shipped model (`words`, without the draw) in each figure and in the mean of the four, with 95%
percentile bootstrap intervals over posts (a post's pairs and its sentiment stay together).

Usage: python scripts/cv_word_vectors.py [--vectors PATH] [--variants words,words+draw5,...] [--repeats 3] [--cache DIR]
The eighth round's table (docs/methods.md): `--repeats 2 --variants words,words+draw5,words+vp+vt+draw5,words+vt+draw5`
with the FastText lookup (build_word_vectors.py --model fasttext --sg 0) and the shipped word2vec one.
(needs ../shared/data for the weak labels; the vectors from scripts/build_word_vectors.py)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402
from stance_learning_curve import fold_of  # noqa: E402

from botwatch.content import embed  # noqa: E402
from botwatch.content.score import macro_f1  # noqa: E402

ELECTIONS = ("uk-ge2017", "us-2016")
FIGURES = ("UK stance", "US stance", "UK sentiment", "US sentiment")


def parse_variant(name: str) -> tuple[set[str], float, bool]:
    """`words[+vp][+vt][*scale][+draw5]` -> (vector prefixes kept, scale factor, with the draw)."""
    parts = name.split("+")
    keep, scale, draw = set(), 1.0, False
    for p in parts[1:]:
        if p == "draw5":
            draw = True
            continue
        base, _, s = p.partition("*")
        keep.add(base)
        if s:
            scale = float(s)
    return keep, scale, draw


def transform(f: dict[str, float], keep: set[str], scale: float) -> dict[str, float]:
    """The item's features with only the kept vector prefixes, rescaled."""
    out = {}
    for k, v in f.items():
        if embed.is_vector_key(k):
            if k[:2] in keep:
                out[k] = v * scale
        else:
            out[k] = v
    return out


def fold_answers(x: list, ex: list, groups: list[str], classes: list[str], settings: dict, seed: int, folds: int = 5,
                 new: "set[str] | frozenset[str]" = frozenset(), added: list = ()) -> list[str]:
    """Out-of-fold answers for the items `x` (features, label): 5 folds grouped by post over the
    items outside `new` (those are never scored), each fitted with the shipped settings on the
    other folds plus `added`, with the weak items `ex` where the settings weigh them. Shared by
    every CV script of the vector features, so they fit and score alike."""
    fold = fold_of([g for g in groups if g not in new], seed, folds)
    out = [""] * len(x)
    ew = settings["weak_weight"]
    for k in range(folds):
        tr = [x[i] for i, g in enumerate(groups) if g not in new and fold[g] != k] + list(added)
        test = [i for i, g in enumerate(groups) if g not in new and fold[g] == k]
        vec, clf = T.fit(tr, classes, settings["C"], ex if ew else (), ew, settings["balance"])
        for i, p in zip(test, T.predict(vec, clf, [x[i][0] for i in test])):
            out[i] = classes[p]
    return out


def oof(items: list, groups: list[str], new: set[str], classes: list[str], settings: dict, extra: list, variant: str,
        seed: int, folds: int = 5) -> list[str]:
    keep, scale, draw = parse_variant(variant)
    x = [(transform(f, keep, scale), y) for f, y in items]
    ex = [(transform(f, keep, scale), y) for f, y in extra]
    added = [x[i] for i, g in enumerate(groups) if g in new] if draw else []
    return fold_answers(x, ex, groups, classes, settings, seed, folds, new, added)


def cached_runs(cache: Path, stem: str, repeats: int, fit: Callable[[int], list[str]]) -> list[list[str]]:
    """`fit(seed)` for each repeat, kept as `cache/<stem>-<seed>.json` when a cache folder is
    given, so a later run with more variants refits only the new ones."""
    runs = []
    for seed in range(repeats):
        f = cache / f"{stem}-{seed}.json"
        if cache.name and f.exists():
            runs.append(json.loads(f.read_text()))
            continue
        runs.append(fit(seed))
        if cache.name:
            cache.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(runs[-1]))
    return runs


def four_figures(pairs: list, posts: list, mp: list, ms: list) -> tuple[dict[str, list[int]], Callable[[str, list[list[str]], list[int]], float]]:
    """The four figures' items (each `FIGURES` name: its indices among `pairs` or `posts`, by the
    election in `mp` / `ms`) and the score of answer runs on a pick of them (mean macro-F1 over the
    runs; a stance item's decisive cue, the meta's second field, answers before the model, as in
    the stage). Why here: the windows and stacking rounds score every item, and both read their
    runs this one way, so their tables stay comparable."""
    idx = {
        "UK stance": [i for i in range(len(pairs)) if mp[i][0] == ELECTIONS[0]],
        "US stance": [i for i in range(len(pairs)) if mp[i][0] == ELECTIONS[1]],
        "UK sentiment": [i for i in range(len(posts)) if ms[i][0] == ELECTIONS[0]],
        "US sentiment": [i for i in range(len(posts)) if ms[i][0] == ELECTIONS[1]],
    }
    gold_p = [y for _f, y in pairs]
    gold_s = [y for _f, y in posts]

    def fig_of(fig: str, runs: list[list[str]], pick: list[int]) -> float:
        if "stance" in fig:
            return float(np.mean([macro_f1([gold_p[i] for i in pick], [mp[i][1] or run[i] for i in pick], tuple(T.STANCES)) for run in runs]))
        return float(np.mean([macro_f1([gold_s[i] for i in pick], [run[i] for i in pick], tuple(T.SENTIMENTS)) for run in runs]))

    return idx, fig_of


def paired_table(title: str, rows: list[str], figures: Callable[[str, dict[str, list[int]]], np.ndarray], idx: dict[str, list[int]],
                 gp: list[str], gs: list[str], post_ids: list[str], boot: int) -> None:
    """Print each row's four figures and their mean, then each later row's paired gain over the
    first with 95% percentile intervals: one bootstrap resample of `post_ids` (seed 14) serves
    all four figures, and a post's pairs (`gp`) and its sentiment (`gs`) stay together."""
    members: dict[str, dict[str, list[int]]] = {fig: {} for fig in FIGURES}
    for fig in FIGURES:
        grp = gp if "stance" in fig else gs
        for i in idx[fig]:
            members[fig].setdefault(grp[i], []).append(i)
    rng = np.random.default_rng(14)
    picks = []
    for _ in range(boot):
        draw = rng.integers(0, len(post_ids), len(post_ids))
        picks.append({fig: [i for j in draw for i in members[fig].get(post_ids[j], ())] for fig in FIGURES})
    base = rows[0]
    point = {r: figures(r, idx) for r in rows}
    boots = {r: np.array([figures(r, p) for p in picks]) for r in rows}
    print(f"\n| {title} | " + " | ".join(FIGURES) + " | mean of four |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        f = point[r]
        print(f"| {r} | " + " | ".join(f"{x:.3f}" for x in f) + f" | {f.mean():.3f} |")
    for r in rows[1:]:
        d = boots[r] - boots[base]
        lo, hi = np.percentile(d, [2.5, 97.5], axis=0)
        m_lo, m_hi = np.percentile(d.mean(axis=1), [2.5, 97.5])
        g = point[r] - point[base]
        print(f"| {r} − {base} | " + " | ".join(f"{g[k]:+.3f} [{lo[k]:+.3f}, {hi[k]:+.3f}]" for k in range(4)) + f" | {g.mean():+.3f} [{m_lo:+.3f}, {m_hi:+.3f}] |")


OofFit = Callable[[list, list[str], list[str], dict, list, str, int], list[str]]


def cv_inputs() -> tuple[dict, list, list, list[str], list[str], list, list, list]:
    """What every CV round here reads: the shipped settings, the dev and training (pair, post)
    items with their groups and metadata, and the US weak labels from posts outside every
    labelled set. (shipped, pairs, posts, gp, gs, mp, ms, weak)."""
    from botwatch.content.features import clean_text

    shipped = json.loads(T.OUT.read_text(encoding="utf-8"))
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    texts = {clean_text(r["content"]).strip() for pc, _l in T.LABELLED_SETS if pc.exists() for r in csv.DictReader(open(pc, encoding="utf-8"))}
    weak = T.weak_items(800, texts, False, ("us-2016",))[0]
    return shipped, pairs, posts, gp, gs, mp, ms, weak


def block_parser(stance: str, sentiment: str, combos: str, repeats: int = 3, description: str | None = None) -> argparse.ArgumentParser:
    """The arguments every `measure_blocks` script takes (variants per task, the combos of the
    paired table, fold assignments, bootstrap resamples, the answer cache), with that script's
    defaults; a script adds its own arguments to the parser it gets back."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--stance", default=stance, help="stance variants, comma-separated")
    ap.add_argument("--sentiment", default=sentiment, help="sentiment variants, comma-separated")
    ap.add_argument("--combos", default=combos, help="STANCE/SENTIMENT variant pairs of the paired table; the first is the baseline")
    ap.add_argument("--repeats", type=int, default=repeats, help="random fold assignments (seeds 0..N-1)")
    ap.add_argument("--boot", type=int, default=300, help="bootstrap resamples over posts")
    ap.add_argument("--cache", type=Path, default=Path(""),
                    help="folder keeping each variant's out-of-fold answers (in a subfolder named after the script, so scripts can share it)")
    return ap


def run_blocks(args: argparse.Namespace, oof_of: OofFit, script: str) -> None:
    """`measure_blocks` with the arguments of `block_parser`; `script` names the cache subfolder
    (`--cache DIR` keeps this script's answers in DIR/<script>: variant names such as `ship` or
    `all` mean other features in each script, so one folder must not mix them)."""
    cache = args.cache / script if args.cache.name else args.cache
    measure_blocks(args.stance, args.sentiment, args.combos, args.repeats, args.boot, cache, oof_of)


def measure_blocks(stance: str, sentiment: str, combos: str, repeats: int, boot: int, cache: Path, oof_of: OofFit) -> None:
    """Every stance and sentiment variant's out-of-fold answers on every dev and training item
    (US weak labels with stance), each variant's four figures, then the paired table of `combos`
    ("stance variant/sentiment variant"). Why one function: each feature-block round
    (`cv_vector_windows.py`, `cv_pretrained.py`, `cv_party_prior.py`, ...) differs only in how a
    variant's features are made (`oof_of(items, groups, classes, settings, extra, variant, seed)`),
    so their tables stay comparable line for line. Scripts call it through `run_blocks`."""
    shipped, pairs, posts, gp, gs, mp, ms, weak = cv_inputs()
    print(f"{len(pairs)} pairs, {len(posts)} posts; weak {len(weak)}", flush=True)
    preds: dict[tuple[str, str], list[list[str]]] = {}
    for task, items, groups, classes, extra, variants in (("stance", pairs, gp, T.STANCES, weak, stance), ("sentiment", posts, gs, T.SENTIMENTS, [], sentiment)):
        for v in variants.split(","):
            preds[(task, v)] = cached_runs(cache, f"{task}-{v}", repeats,
                                           lambda seed: oof_of(items, groups, classes, shipped[task], extra, v, seed))  # noqa: B023 (called at once)
            print(f"  done {task} {v}", flush=True)

    idx, fig_of = four_figures(pairs, posts, mp, ms)

    def figures(combo: str, pick: dict[str, list[int]]) -> np.ndarray:
        st, se = combo.split("/")
        return np.array([fig_of(fig, preds[("stance" if "stance" in fig else "sentiment", st if "stance" in fig else se)], pick[fig]) for fig in FIGURES])

    print("\n| task variant | " + " | ".join(FIGURES) + " |")
    for v in stance.split(","):
        print(f"| stance {v} | {fig_of('UK stance', preds[('stance', v)], idx['UK stance']):.3f} | {fig_of('US stance', preds[('stance', v)], idx['US stance']):.3f} | | |")
    for v in sentiment.split(","):
        print(f"| sentiment {v} | | | {fig_of('UK sentiment', preds[('sentiment', v)], idx['UK sentiment']):.3f} | {fig_of('US sentiment', preds[('sentiment', v)], idx['US sentiment']):.3f} |")
    paired_table(f"5-fold grouped CV, {repeats} fold assignments, every dev and training item (stance / sentiment blocks)",
                 combos.split(","), figures, idx, gp, gs, sorted(set(gp) | set(gs)), boot)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", type=Path, default=embed.PATH)
    ap.add_argument("--variants", default="words,words+draw5,words+vp+vt,words+vp+vt+draw5")
    ap.add_argument("--new-pools", default="us_train5,uk_brexit16_5", help="pools held out of scoring, added to training by `+draw5` variants")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--boot", type=int, default=300)
    ap.add_argument("--window", type=int, default=embed.WINDOW)
    ap.add_argument("--cache", type=Path, default=Path(""), help="folder keeping each variant's out-of-fold answers")
    args = ap.parse_args()
    embed.STANCE = embed.SENTIMENT = True
    embed.WINDOW = args.window
    embed.shipped.cache_clear()
    embed.PATH = args.vectors
    wv = embed.WordVectors.load(args.vectors)
    embed.shipped = lambda: wv  # type: ignore[assignment]
    pools = set(args.new_pools.split(","))
    new = {r["post_id"] for r in csv.DictReader(open(T.FIX / "train_stance_labels.csv", encoding="utf-8")) if r["pool"] in pools}
    shipped, pairs, posts, gp, gs, mp, ms, weak = cv_inputs()
    print(f"{len(pairs)} pairs, {len(posts)} posts ({sum(g in new for g in gp)} / {sum(g in new for g in gs)} of the untrained pools, "
          f"training only); weak {len(weak)}; vectors {args.vectors} ({len(wv.index)} x {wv.dim}), window {args.window}", flush=True)
    variants = args.variants.split(",")
    preds: dict[tuple[str, str], list[list[str]]] = {}
    for task, items, groups, classes, extra in (("stance", pairs, gp, T.STANCES, weak), ("sentiment", posts, gs, T.SENTIMENTS, [])):
        for v in variants:
            # Answers are kept per (task, variant, vectors, repeat) under --cache, so a later run
            # with more variants refits only the new ones (variants without vectors share one file).
            tag = v if not parse_variant(v)[0] else f"{v}@{args.vectors.stem}-w{args.window}"
            preds[(task, v)] = cached_runs(args.cache, f"{task}-{tag}", args.repeats,
                                           lambda seed: oof(items, groups, new, classes, shipped[task], extra, v, seed))  # noqa: B023 (called at once)
            print(f"  done {task} {v}", flush=True)
    # Items scored: the older posts, per figure.
    idx = {
        "UK stance": [i for i in range(len(pairs)) if mp[i][0] == ELECTIONS[0] and gp[i] not in new],
        "US stance": [i for i in range(len(pairs)) if mp[i][0] == ELECTIONS[1] and gp[i] not in new],
        "UK sentiment": [i for i in range(len(posts)) if ms[i][0] == ELECTIONS[0] and gs[i] not in new],
        "US sentiment": [i for i in range(len(posts)) if ms[i][0] == ELECTIONS[1] and gs[i] not in new],
    }

    def answers(fig: str, v: str) -> tuple[list[str], list[list[str]], list[str]]:
        if "stance" in fig:
            return [pairs[i][1] for i in range(len(pairs))], [[mp[i][1] or run[i] for i in range(len(pairs))] for run in preds[("stance", v)]], gp
        return [posts[i][1] for i in range(len(posts))], preds[("sentiment", v)], gs

    def figures(v: str, pick: dict[str, list[int]]) -> np.ndarray:
        out = []
        for fig in FIGURES:
            gold, runs, _g = answers(fig, v)
            cls = tuple(T.STANCES if "stance" in fig else T.SENTIMENTS)
            out.append(np.mean([macro_f1([gold[i] for i in pick[fig]], [run[i] for i in pick[fig]], cls) for run in runs]))
        return np.array(out)

    # Bootstrap over posts: one resample of post ids serves all four figures.
    post_ids = sorted({g for g in gp + gs if g not in new})
    paired_table(f"5-fold grouped CV, {args.repeats} fold assignments (older dev items)", variants, figures, idx, gp, gs, post_ids, args.boot)

if __name__ == "__main__":
    main()
