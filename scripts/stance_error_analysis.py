"""Where the stance and sentiment models go wrong: out-of-fold answers on the training labels only.

The dev part of the hand labels and the training draws (the frozen test part is never read) are
answered by 5-fold grouped cross-validation with the shipped settings (content_model.json: C,
weak-label weight, class balance), stance with the decisive cue rules first as the stage applies
them. Printed per election: the confusion matrix (rows: the reader's label, columns: botwatch's),
how many answers the cue rules and the model gave and how many of each were right, errors by the
number of parties a post names, sentiment against the corrected lexicon's sign, and party
matching precision and recall on the labelled dev posts (a labelled party the matcher misses is a
miss; a matched party the reader did not list is a false match).

Usage: python scripts/stance_error_analysis.py [--split 0]   (needs ../shared/data for the weak
labels of the stance model; a few minutes on two cores)
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


def _out_of_fold(items: list, groups: list, classes: list[str], settings: dict, extra: list, split: int) -> list[str]:
    """Out-of-fold answers under the shipped `settings` (weak labels only where they weigh)."""
    return T.oof_predictions(items, groups, classes, settings["C"], extra if settings["weak_weight"] else (), settings["weak_weight"],
                             settings["balance"], split=split)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", type=int, default=0, help="0: scikit-learn's unshuffled GroupKFold (the training script's); n: shuffled with seed n")
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

    for key in ELECTIONS:
        idx = [i for i in range(len(pairs)) if mp[i][0] == key]
        gold, pred = [pairs[i][1] for i in idx], [stance[i] for i in idx]
        print(f"{key} stance: macro-F1 {macro_f1(gold, pred, tuple(T.STANCES)):.3f} over {len(idx)} pairs; rows reader, columns botwatch {T.STANCES}")
        for c, row in zip(T.STANCES, confusion(gold, pred, T.STANCES)):
            print(f"  {c:8} {row}")
        by = Counter(("cue" if mp[i][1] else "model", pairs[i][1] == stance[i]) for i in idx)
        print(f"  decided by a cue: {by[('cue', True)]} right, {by[('cue', False)]} wrong; by the model: {by[('model', True)]} right, {by[('model', False)]} wrong")
        nn = Counter((1 if pairs[i][0].get("named=1") else 2, pairs[i][1] == stance[i]) for i in idx)
        print(f"  one party named: {nn[(1, False)]} wrong of {nn[(1, True)] + nn[(1, False)]}; several: {nn[(2, False)]} wrong of {nn[(2, True)] + nn[(2, False)]}")
        idx = [i for i in range(len(posts)) if ms[i][0] == key]
        gold, pred = [posts[i][1] for i in idx], [sent[i] for i in idx]
        print(f"{key} sentiment: macro-F1 {macro_f1(gold, pred, tuple(T.SENTIMENTS)):.3f} over {len(idx)} posts; rows reader, columns botwatch {T.SENTIMENTS}")
        for c, row in zip(T.SENTIMENTS, confusion(gold, pred, T.SENTIMENTS)):
            print(f"  {c:8} {row}")
        lex = ["positive" if posts[i][0]["lex_post"] >= 0.05 else "negative" if posts[i][0]["lex_post"] <= -0.05 else "neutral" for i in idx]
        print(f"  the corrected lexicon's sign alone: macro-F1 {macro_f1(gold, lex, tuple(T.SENTIMENTS)):.3f}")
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


if __name__ == "__main__":
    main()
