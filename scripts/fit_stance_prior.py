"""Fit the four weights of the account prior (botwatch.content.propagate.PriorParams) on the DEV
part of the hand labels; the test part is never read here.

The shipped stance model was trained on the dev labels, so its answers on dev posts are almost
all right and any prior would look useless there. To fit honestly, the dev posts' model answers
are replaced by out-of-fold ones: the same features and the same regression as the shipped model
(its C, weak-label weight and class balance from content_model.json; every training label and the
weak labels, as scripts/train_content_model.py), five folds grouped by post, each fold's posts
answered by a model that never saw them. Every other post of
the study keeps the shipped model's answer (none of them is hand-labelled).

Input: two copies of the dev evaluation study (`scripts/build_stance_eval_study.py OUT.csv --part
dev`, ingested), analysed for uk-ge2017 and us-2016. Each study is labelled again here without the prior.
Prints the dev macro-F1 (mean over the two elections) without the prior and for the best
settings of a small grid; the chosen settings are then written by hand into PriorParams.

Usage: python scripts/fit_stance_prior.py UK.duckdb US.duckdb
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from botwatch.content.propagate import PriorParams, prior_decisions, study_graph  # noqa: E402
from botwatch.content.relational import label_input  # noqa: E402
from botwatch.content.score import STANCES, macro_f1  # noqa: E402
from botwatch.content.stage import Labeller  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.study import Study  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "content" / "ira_stance_labels.csv"
GRID = {
    "soft_weight": (0.25, 0.5, 1.0),
    "shrink": (0.5, 1.0, 2.0, 4.0),
    "damping": (0.0, 0.25, 0.5, 1.0),
    "threshold": (0.3, 0.4, 0.5, 0.6, 0.7),
    "classes": (("support", "oppose"), ("support", "oppose", "neutral")),
}


def dev_labels() -> list[dict[str, str]]:
    """The dev part's hand labels that name a party (the test part is never read)."""
    with LABELS.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["part"] == "dev" and r["party"]]


def relabel(path: Path, key: str) -> tuple[pa.Table, object]:
    """(post_party rows without the prior, retweet graph) of one study."""
    with Study(path, read_only=True) as st:
        table = label_input(st.table("posts"), st.table("accounts")).to_pyarrow()
        _labels, pp = Labeller.for_election(load_election(key)).label(table)
        graph = study_graph(st, pc.unique(pp.column("account_id").combine_chunks()).to_numpy(zero_copy_only=False))
    return pp, graph


def out_of_fold() -> dict[tuple[str, str, str], str]:
    """(election, post_id, party) → the stance a model that never saw the post answers.

    Trained as the shipped model is (scripts/train_content_model.py: every training label of the
    dev part and the training draws, the US weak labels, the shipped C, weak weight and balance),
    five folds grouped by post over all those labels; each dev post is answered by the fold model
    that left it out. An earlier version trained the fold models on the first draw's dev labels
    alone, without weak labels: a weaker model than the shipped one, for which a prior helps more."""
    from sklearn.model_selection import GroupKFold
    from train_content_model import fit, labelled_items, weak_items, LABELLED_SETS
    from botwatch.content.features import clean_text

    shipped = json.loads((ROOT / "src" / "botwatch" / "content" / "content_model.json").read_text())["stance"]
    c, balance, weak_weight = shipped["C"], shipped.get("balance", 1.0), shipped.get("weak_weight", 0.0)
    items, _posts = labelled_items("dev")
    groups = labelled_items.groups[0]  # type: ignore[attr-defined]
    meta = labelled_items.meta[0]  # type: ignore[attr-defined]
    extra: list = []
    if weak_weight:
        texts = {clean_text(r["content"]).strip() for posts_csv, _lab in LABELLED_SETS if posts_csv.exists() for r in csv.DictReader(open(posts_csv, encoding="utf-8"))}
        extra, _ = weak_items(800, texts, False, ("us-2016",))
    keys = [(meta[i][0], groups[i], next(k[6:] for k in f if k.startswith("party="))) for i, (f, _s) in enumerate(items)]
    out: dict[tuple[str, str, str], str] = {}
    for tr, te in GroupKFold(5).split(items, groups=groups):
        vec, clf = fit([items[i] for i in tr], list(STANCES), c, extra, weak_weight, balance=balance)
        pred = clf.predict(vec.transform([items[i][0] for i in te]))
        for i, k in zip(te, pred):
            out[keys[i]] = STANCES[int(k)]
    return out


def main(uk: Path, us: Path) -> None:
    """Score no prior, the shipped prior and every grid setting on the two dev studies; print the best."""
    labels = dev_labels()
    data = {key: relabel(path, key) for key, path in (("uk-ge2017", uk), ("us-2016", us))}
    oof = out_of_fold()
    prepared = {}
    for key, (pp, graph) in data.items():
        post = np.asarray(pp.column("post_id").to_pylist(), dtype=object)
        party_s = np.asarray(pp.column("party").to_pylist(), dtype=object)
        stance = np.asarray(pp.column("stance").to_pylist(), dtype=object)
        rule = np.asarray(pp.column("stance_rule").to_pylist(), dtype=object)
        swapped = 0
        for i in np.flatnonzero(rule == "model"):
            s = oof.get((key, post[i], party_s[i]))
            if s is not None:
                stance[i] = s
                swapped += 1
        acc = np.asarray([graph.account_index[a] for a in pp.column("account_id").to_pylist()])
        names = sorted(set(party_s))
        party = np.asarray([names.index(p) for p in party_s])
        row_of = {(p, q): i for i, (p, q) in enumerate(zip(post, party_s))}
        gold = [(row_of.get((r["post_id"], r["party"])), r["stance"]) for r in labels if r["election"] == key]
        prepared[key] = (acc, party, stance, rule, len(names), graph, gold)
        print(f"{key}: {pp.num_rows} post-party rows, {swapped} dev answers made out-of-fold, {len(gold)} dev pairs")

    def score(params: PriorParams | None) -> dict[str, float]:
        """Dev macro-F1 per election with `params` as the prior (None: the model's answers alone)."""
        out = {}
        for key, (acc, party, stance, rule, n_parties, graph, gold) in prepared.items():
            final = stance.copy()
            if params is not None:
                new, _cue, *_ = prior_decisions(acc, party, stance, rule, n_parties, graph, params)
                final = np.where(new != "", new, stance)
            pred = [final[i] if i is not None else "(not matched)" for i, _g in gold]
            out[key] = macro_f1([g for _i, g in gold], pred, STANCES)
        return out

    base = score(None)
    print(f"no prior (out-of-fold model on dev): {base}  mean {np.mean(list(base.values())):.3f}")
    now = score(PriorParams())
    print(f"shipped PriorParams() {PriorParams()}: {now}  mean {np.mean(list(now.values())):.3f}")
    results = []
    for values in itertools.product(*GRID.values()):
        params = PriorParams(**dict(zip(GRID, values)))
        s = score(params)
        results.append((float(np.mean(list(s.values()))), s, params))
    results.sort(key=lambda r: -r[0])
    for mean, s, params in results[:10]:
        print(f"dev mean {mean:.3f}  {', '.join(f'{k} {v:.3f}' for k, v in s.items())}  {params}")
    best = results[0][2]
    print(f"chosen: {best}")
    print("rules changed on dev by the chosen settings:", Counter(
        c for key, (acc, party, stance, rule, n, graph, _g) in prepared.items() for c in prior_decisions(acc, party, stance, rule, n, graph, best)[1] if c
    ))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
