"""Where the stance and sentiment models go wrong: out-of-fold answers on the training labels only.

The dev part of the hand labels and the training draws (the frozen test part is never read) are
answered by 5-fold grouped cross-validation with the shipped settings (content_model.json: C,
weak-label weight, class balance), stance with the decisive cue rules first as the stage applies
them. Printed per election: the confusion matrix (rows: the reader's label, columns: botwatch's),
how many answers the cue rules and the model gave and how many of each were right, errors by the
number of parties a post names, sentiment against the corrected lexicon's sign, and party
matching precision and recall on the labelled dev posts (a labelled party the matcher misses is a
miss; a matched party the reader did not list is a false match).

With `--examples N`, the stance errors of each election are also broken down by the source of the
post (IRA posts, the frozen test part's kind, against ordinary tweets) and by kind (each off-diagonal
cell of the confusion matrix, with how many of its posts look like headlines: a link, title case or
an alert word; and how many name several parties), with up to N example texts per cell in a fixed
order (md5 of the post id), so the kinds of failure can be read, not guessed.

With `--write-errors PATH`, the out-of-fold confusion matrices are also written as JSON
(`docs/figures/content-errors-oof.json`, which `scripts/check_share_adjustment.py` reads to try
adjusting party shares for the models' errors): per election, stance over the pairs the model
decided (no decisive cue) and sentiment over the posts, with the model file's sha256.

Usage: python scripts/stance_error_analysis.py [--split 0] [--examples N] [--write-errors PATH]
(needs ../shared/data for the weak labels of the stance model; a few minutes on two cores)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402

ELECTIONS = ("uk-ge2017", "us-2016")


def confusion(gold: list[str], pred: list[str], classes: list[str]) -> list[list[int]]:
    """Counts of (gold row, predicted column) in the order of `classes`."""
    c = Counter(zip(gold, pred))
    return [[c[(g, p)] for p in classes] for g in classes]


def match_precision_recall(gold: dict[str, set[str]], named: dict[str, set[str]]) -> tuple[float, float, Counter, Counter]:
    """Precision and recall of the matched parties per post against the reader's parties (posts
    in `gold`, including those the reader found no party in), and the false and missed parties."""
    tp = fp = fn = 0
    false, missed = Counter(), Counter()
    for post, want in gold.items():
        got = named.get(post, set())
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        false.update(got - want)
        missed.update(want - got)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), false, missed


ORDINARY_POOLS = ("uk_brexit16", "uk_twarc2")  # pool prefixes of ordinary (non-IRA) accounts' tweets


def source_of(pool: str) -> str:
    """'ordinary' for the pools of ordinary accounts' tweets, 'ira' for the IRA's."""
    return "ordinary" if pool.startswith(ORDINARY_POOLS) else "ira"


def headline_like(f: dict) -> bool:
    """A pair whose post reads like a news headline: a link, title case or an alert word."""
    return any(k in f for k in ("style=link", "style=titlecase", "style=alert"))


def error_cells(gold: list[str], pred: list[str], feats: list[dict], posts: list[str], classes: list[str]) -> dict[tuple[str, str], dict]:
    """Per off-diagonal (reader, botwatch) cell: its count, how many of its pairs look like
    headlines and how many name several parties, and its post ids in md5 order (for examples)."""
    import hashlib

    out: dict[tuple[str, str], dict] = {}
    for g in classes:
        for p in classes:
            if g == p:
                continue
            idx = [i for i in range(len(gold)) if gold[i] == g and pred[i] == p]
            out[(g, p)] = {"n": len(idx), "headline": sum(headline_like(feats[i]) for i in idx),
                           "several": sum(not feats[i].get("named=1") for i in idx),
                           "posts": sorted((posts[i] for i in idx), key=lambda x: hashlib.md5(x.encode()).hexdigest())}
    return out


def _out_of_fold(items: list, groups: list, classes: list[str], settings: dict, extra: list, split: int) -> list[str]:
    """Out-of-fold answers under the shipped `settings` (weak labels only where they weigh)."""
    return T.oof_predictions(items, groups, classes, settings["C"], extra if settings["weak_weight"] else (), settings["weak_weight"],
                             settings["balance"], split=split)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", type=int, default=0, help="0: scikit-learn's unshuffled GroupKFold (the training script's); n: shuffled with seed n")
    ap.add_argument("--examples", type=int, default=0, help="stance errors by source and kind, with up to N texts per kind")
    ap.add_argument("--write-errors", type=Path, default=None, help="write the out-of-fold confusion matrices (scripts/check_share_adjustment.py reads them) here")
    args = ap.parse_args()
    from botwatch.content import modelrun
    from botwatch.content.features import clean_text

    named_of: dict[tuple[str, str], set[str]] = {}
    plain = modelrun.ContentModelInputs.post_features

    def recording(self, row):  # type: ignore[no-untyped-def]
        post = next(p for p, r in self.row_of.items() if r == row)
        named_of[(self.matcher.election.key, post)] = set(self.named_parties(row))
        return plain(self, row)

    modelrun.ContentModelInputs.post_features = recording  # type: ignore[method-assign]
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    shipped = json.loads(T.OUT.read_text())
    texts = {clean_text(r["content"]).strip() for pc, _ in T.LABELLED_SETS if pc.exists() for r in csv.DictReader(open(pc, encoding="utf-8"))}
    weak, _ = T.weak_items(800, texts, False, ("us-2016",)) if shipped["stance"]["weak_weight"] else ([], [])
    stance = _out_of_fold(pairs, gp, T.STANCES, shipped["stance"], weak, args.split)
    stance = [(mp[i][1] or stance[i]) for i in range(len(pairs))]
    sent = _out_of_fold(posts, gs, T.SENTIMENTS, shipped["sentiment"], [], args.split)
    from botwatch.content.score import macro_f1

    errors: dict[str, dict] = {}
    pool_of = {r["post_id"]: r["pool"] for _p, lab in T.LABELLED_SETS for r in csv.DictReader(open(lab, encoding="utf-8"))}
    text_of = {gs[i]: ms[i][1] for i in range(len(posts))}
    for key in ELECTIONS:
        idx = [i for i in range(len(pairs)) if mp[i][0] == key]
        gold, pred = [pairs[i][1] for i in idx], [stance[i] for i in idx]
        print(f"{key} stance: macro-F1 {macro_f1(gold, pred, tuple(T.STANCES)):.3f} over {len(idx)} pairs; rows reader, columns botwatch {T.STANCES}")
        for c, row in zip(T.STANCES, confusion(gold, pred, T.STANCES)):
            print(f"  {c:8} {row}")
        model_idx = [i for i in idx if not mp[i][1]]
        errors[key] = {"stance": {"classes": list(T.STANCES), "route": "model",
                                  "counts": confusion([pairs[i][1] for i in model_idx], [stance[i] for i in model_idx], T.STANCES)}}
        by = Counter(("cue" if mp[i][1] else "model", pairs[i][1] == stance[i]) for i in idx)
        print(f"  decided by a cue: {by[('cue', True)]} right, {by[('cue', False)]} wrong; by the model: {by[('model', True)]} right, {by[('model', False)]} wrong")
        nn = Counter((1 if pairs[i][0].get("named=1") else 2, pairs[i][1] == stance[i]) for i in idx)
        print(f"  one party named: {nn[(1, False)]} wrong of {nn[(1, True)] + nn[(1, False)]}; several: {nn[(2, False)]} wrong of {nn[(2, True)] + nn[(2, False)]}")
        if args.examples:
            _print_kinds(key, idx, pairs, stance, gp, pool_of, text_of, args.examples)
        idx = [i for i in range(len(posts)) if ms[i][0] == key]
        gold, pred = [posts[i][1] for i in idx], [sent[i] for i in idx]
        print(f"{key} sentiment: macro-F1 {macro_f1(gold, pred, tuple(T.SENTIMENTS)):.3f} over {len(idx)} posts; rows reader, columns botwatch {T.SENTIMENTS}")
        errors[key]["sentiment"] = {"classes": list(T.SENTIMENTS), "route": "model", "counts": confusion(gold, pred, T.SENTIMENTS)}
        for c, row in zip(T.SENTIMENTS, confusion(gold, pred, T.SENTIMENTS)):
            print(f"  {c:8} {row}")
        lex = ["positive" if posts[i][0]["lex_post"] >= 0.05 else "negative" if posts[i][0]["lex_post"] <= -0.05 else "neutral" for i in idx]
        print(f"  the corrected lexicon's sign alone: macro-F1 {macro_f1(gold, lex, tuple(T.SENTIMENTS)):.3f}")
    if args.write_errors:
        write_errors(args.write_errors, errors, args.split)
    # Matching on the labelled dev posts: the reader's parties per post against the matcher's.
    want: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in ELECTIONS}
    for _posts, lab in T.LABELLED_SETS:
        for r in csv.DictReader(open(lab, encoding="utf-8")):
            if r["part"] == "dev" and r["election"] in want:
                want[r["election"]][r["post_id"]]  # posts without a party count too
                if r["party"]:
                    want[r["election"]][r["post_id"]].add(r["party"])
    for key in ELECTIONS:
        got = {post: parties for (k, post), parties in named_of.items() if k == key}
        gold = {p: s for p, s in want[key].items() if p in got}
        p, r, false, missed = match_precision_recall(gold, got)
        print(f"{key} matching on {len(gold)} labelled dev posts: precision {p:.3f} recall {r:.3f}; false {dict(false)}; missed {dict(missed)}")


def write_errors(path: Path, errors: dict[str, dict], split: int) -> None:
    """The confusion matrices as `scripts/check_share_adjustment.py` reads them (rows: the reader's label, columns:
    botwatch's), with what they were measured on and the model file they describe."""
    import hashlib

    doc = {
        "what": "Out-of-fold confusion matrices of the shipped stance and sentiment models on the dev part and training draws of "
                "the hand labels (5 folds grouped by post; the frozen test part never read). Rows: the reader's label; columns: "
                "botwatch's answer. Stance counts only the pairs no decisive cue decided (the model's route); sentiment every "
                "labelled post. The linear model alone: the gated tree blend and the account prior are not in these answers.",
        "command": f"python scripts/stance_error_analysis.py --split {split} --write-errors docs/figures/content-errors-oof.json",
        "model_sha256": hashlib.sha256(T.OUT.read_bytes()).hexdigest(),
        "elections": errors,
    }
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def _print_kinds(key: str, idx: list[int], pairs: list, stance: list[str], gp: list[str], pool_of: dict[str, str],
                 text_of: dict[str, str], n: int) -> None:
    """The stance errors of one election per source and per confusion cell, with example texts."""
    from botwatch.content.score import macro_f1

    for src in ("ira", "ordinary"):
        mine = [i for i in idx if source_of(pool_of.get(gp[i], "")) == src]
        if not mine:
            continue
        gold, pred = [pairs[i][1] for i in mine], [stance[i] for i in mine]
        print(f"  {src} posts: macro-F1 {macro_f1(gold, pred, tuple(T.STANCES)):.3f} over {len(mine)} pairs; rows reader, columns botwatch")
        for c, row in zip(T.STANCES, confusion(gold, pred, T.STANCES)):
            print(f"    {c:8} {row}")
        cells = error_cells(gold, pred, [pairs[i][0] for i in mine], [gp[i] for i in mine], T.STANCES)
        for (g, p), c in sorted(cells.items(), key=lambda kv: -kv[1]["n"]):
            print(f"    reader {g}, botwatch {p}: {c['n']} (headline-like {c['headline']}, several parties named {c['several']})")
            for post in c["posts"][:n]:
                print(f"      - {text_of.get(post, '')[:150]!r}")


if __name__ == "__main__":
    main()
