"""Train the stance and sentiment models of the content stage from the hand labels.

Reads tests/fixtures/content/ira_stance_posts.csv and ira_stance_labels.csv, keeps the `dev` part
only (the `test` part is never read for fitting or choosing settings), builds the features of
botwatch.content.features for every labelled (post, party) pair and post, and fits two
L2-regularised multinomial logistic regressions (scikit-learn). The regularisation strength is
chosen by 5-fold cross-validation on dev, grouped by post. Weights are written as JSON (no pickle)
to src/botwatch/content/content_model.json; the run time needs numpy only.

Usage: python scripts/train_content_model.py [--cv-only] [--out PATH] [--weak-per N] [--c-grid ..] [--weak-weights ..]
The shipped weights: --weak-per 800 --c-grid 0.3,1.0 --weak-weights 0.0,0.3
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content.score import macro_f1  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "content"
OUT = ROOT / "src" / "botwatch" / "content" / "content_model.json"
STANCES = ["support", "oppose", "neutral"]
SENTIMENTS = ["positive", "negative", "neutral"]
MIN_COUNT = 2  # a token feature must occur in at least this many training items


def labelled_items(part: str = "dev") -> tuple[list[tuple[dict, str]], list[tuple[dict, str]]]:
    """(pair features, stance) and (post features, sentiment) for the labelled rows of `part`."""
    from botwatch.content.modelrun import ContentModelInputs
    from botwatch.content.relational import label_input
    from botwatch.elections import load_election
    from botwatch.study import Study

    labels = list(csv.DictReader(open(FIX / "ira_stance_labels.csv", encoding="utf-8")))
    pairs: list[tuple[dict, str]] = []
    posts: list[tuple[dict, str]] = []
    groups_pairs: list[str] = []
    groups_posts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.duckdb"
        subprocess.run([sys.executable, "-m", "botwatch.cli", "ingest", str(db), str(FIX / "ira_stance_posts.csv")], check=True, capture_output=True)
        with Study(db, read_only=True) as st:
            table = label_input(st.table("posts"), st.table("accounts")).to_pyarrow()
        for key in ("uk-ge2017", "us-2016"):
            el = load_election(key)
            inputs = ContentModelInputs.build(el, table)
            mine = [r for r in labels if r["election"] == key and r["part"] == part]
            seen_posts: set[str] = set()
            for r in mine:
                row = inputs.row_of.get(r["post_id"])
                if row is None:
                    continue
                if r["post_id"] not in seen_posts:
                    seen_posts.add(r["post_id"])
                    posts.append((inputs.post_features(row), r["sentiment"]))
                    groups_posts.append(r["post_id"])
                if r["party"]:
                    pairs.append((inputs.pair_features(row, r["party"]), r["stance"]))
                    groups_pairs.append(r["post_id"])
    labelled_items.groups = (groups_pairs, groups_posts)  # type: ignore[attr-defined]
    return pairs, posts


SHARED = ROOT.parent / "shared" / "data"
RIGHT_LEFT_NEWS = ("RightTroll", "LeftTroll", "NewsFeed")
# Weak stance labels from who wrote a post (the Clemson researchers' account categories): news-feed
# accounts report, right trolls attack the left and cheer Trump, left trolls attack Trump and the
# Conservatives. Only pairs these rules are sure of; explicit pro/anti hashtags override.
WEAK_RULES = {
    ("NewsFeed", None): "neutral",
    ("RightTroll", "republican"): "support", ("RightTroll", "democrat"): "oppose",
    ("RightTroll", "labour"): "oppose", ("RightTroll", "snp"): "oppose", ("RightTroll", "libdem"): "oppose",
    ("RightTroll", "ukip"): "support",
    ("LeftTroll", "republican"): "oppose", ("LeftTroll", "conservative"): "oppose", ("LeftTroll", "ukip"): "oppose",
}


def weak_items(n_per: int, labelled_texts: set[str], crowd: bool = False) -> tuple[list[tuple[dict, str]], list[tuple[dict, str]]]:
    """Weakly labelled pairs from IRA posts outside the hand-labelled set, and GOP-debate posts
    with their crowd sentiment labels (CrowdFlower). Empty when ../shared/data is absent."""
    import duckdb

    from botwatch.content.features import clean_text
    from botwatch.content.modelrun import ContentModelInputs
    from botwatch.content.relational import label_input
    from botwatch.elections import load_election
    from botwatch.study import Study

    sys.path.insert(0, str(ROOT / "scripts"))
    from sample_stance_posts import UK, US

    pairs: list[tuple[dict, str]] = []
    posts: list[tuple[dict, str]] = []
    tweets, authors = SHARED / "ira" / "tweets.csv.gz", SHARED / "ira" / "authors.csv.gz"
    if tweets.exists() and authors.exists():
        con = duckdb.connect()
        con.sql(f"create table a as select author_id, account_category from read_csv('{authors}', all_varchar=true)")
        con.sql(f"create table t as select * from read_csv('{tweets}', all_varchar=true) where language = 'English'")
        rows = []
        for pool, rx in (("uk", UK), ("us", US)):
            for cat in RIGHT_LEFT_NEWS:
                rows += con.sql(
                    f"""select '{pool}', min(t.author_id), content, min(publish_date), '{cat}' from t join a using (author_id)
                        where account_category = '{cat}' and regexp_matches(content, '{rx}') group by content
                        order by md5(content || 'botwatch-weak-v1') limit {n_per}"""
                ).fetchall()
        rows = [r for r in rows if clean_text(r[2]).strip() not in labelled_texts]
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "weak.csv"
            with f.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["tweet_id", "author", "content", "publish_date", "language", "account_category"])
                cat_of = {}
                for i, (pool, author, content, date, cat) in enumerate(rows):
                    w.writerow([str(9 * 10**17 + i), author, content, date, "English", cat])
                    cat_of[str(9 * 10**17 + i)] = (pool, cat)
            db = Path(tmp) / "w.duckdb"
            subprocess.run([sys.executable, "-m", "botwatch.cli", "ingest", str(db), str(f)], check=True, capture_output=True)
            with Study(db, read_only=True) as st:
                table = label_input(st.table("posts"), st.table("accounts")).to_pyarrow()
            ids = table.column("post_id").to_pylist()
            for key, pool in (("uk-ge2017", "uk"), ("us-2016", "us")):
                inputs = ContentModelInputs.build(load_election(key), table)
                for row, pid in enumerate(ids):
                    if cat_of[pid][0] != pool:
                        continue
                    cat = cat_of[pid][1]
                    for j, party in enumerate(inputs.matcher.parties):
                        if not inputs.named[row, j]:
                            continue
                        sig = set(inputs.signals(row, party))
                        pro, anti = bool(sig & {"pro_tag", "pro_kw"}), bool(sig & {"anti_tag", "anti_kw"})
                        lab = "support" if pro and not anti else "oppose" if anti and not pro else WEAK_RULES.get((cat, None)) or WEAK_RULES.get((cat, party))
                        if lab:
                            pairs.append((inputs.pair_features(row, party), lab))
    gop = SHARED / "ordinary" / "gop-debate-2015" / "tweets.csv.gz"
    if crowd and gop.exists():
        import gzip

        import pyarrow as pa

        with gzip.open(gop, "rt", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("sentiment") in ("Positive", "Negative", "Neutral")]
        rows = [r for r in rows if clean_text(r["text"]).strip() not in labelled_texts]
        texts = [r["text"][3:].split(":", 1)[-1] if r["text"].startswith("RT @") else r["text"] for r in rows]
        table = pa.table({"post_id": [str(i) for i in range(len(rows))], "text": texts, "kind": ["retweet" if r["text"].startswith("RT @") else "original" for r in rows],
                          "hashtags": [[]] * len(rows), "mentions": [[]] * len(rows), "ref_handle": [None] * len(rows), "handle": [None] * len(rows)},
                         schema=pa.schema([("post_id", pa.string()), ("text", pa.string()), ("kind", pa.string()), ("hashtags", pa.list_(pa.string())),
                                           ("mentions", pa.list_(pa.string())), ("ref_handle", pa.string()), ("handle", pa.string())]))
        inputs = ContentModelInputs.build(load_election("us-2016"), table)
        for row, r in enumerate(rows):
            posts.append((inputs.post_features(row), r["sentiment"].lower()))
    return pairs, posts


def fit(items: list[tuple[dict, str]], classes: list[str], c: float, extra: list[tuple[dict, str]] = (), extra_weight: float = 0.3):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    allitems = list(items) + list(extra)
    counts = Counter(k for f, _ in allitems for k in f)
    keep = [{k: v for k, v in f.items() if counts[k] >= MIN_COUNT} for f, _ in allitems]
    vec = DictVectorizer()
    x = vec.fit_transform(keep)
    y = np.array([classes.index(lab) for _, lab in allitems])
    w = np.array([1.0] * len(items) + [extra_weight] * len(extra))
    # Balance classes by the weighted counts of the gold items (weak labels are lopsided).
    gold_y = y[: len(items)]
    freq = np.array([max((gold_y == k).sum(), 1) for k in range(len(classes))], float)
    w = w * (len(items) / (len(classes) * freq))[y]
    clf = LogisticRegression(C=c, max_iter=500, tol=1e-3)
    clf.fit(x, y, sample_weight=w)
    return vec, clf


def predict(vec, clf, feats: list[dict]) -> list[int]:  # type: ignore[no-untyped-def]
    return list(clf.predict(vec.transform(feats)))


def cv(items: list[tuple[dict, str]], groups: list[str], classes: list[str], c: float, folds: int = 5, extra=(), extra_weight: float = 0.3) -> float:  # type: ignore[no-untyped-def]
    from sklearn.model_selection import GroupKFold

    gold: list[str] = []
    pred: list[str] = []
    for tr, te in GroupKFold(folds).split(items, groups=groups):
        vec, clf = fit([items[i] for i in tr], classes, c, extra, extra_weight)
        p = predict(vec, clf, [items[i][0] for i in te])
        gold += [items[i][1] for i in te]
        pred += [classes[k] for k in p]
    return macro_f1(gold, pred, tuple(classes))


def export(vec, clf, classes: list[str]) -> dict:  # type: ignore[no-untyped-def]
    names = vec.get_feature_names_out()
    coef = clf.coef_
    weights = {n: [round(float(w), 5) for w in coef[:, j]] for j, n in enumerate(names) if np.any(np.abs(coef[:, j]) > 1e-4)}
    return {"classes": classes, "bias": [round(float(b), 5) for b in clf.intercept_], "weights": weights}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--weak-per", type=int, default=1500, help="weakly labelled IRA posts per (pool, account category); 0 for none")
    ap.add_argument("--crowd", action="store_true", help="also try the GOP-debate crowd sentiment labels (research-only licence; off for the shipped model)")
    ap.add_argument("--c-grid", default="0.1,0.3,1.0", help="inverse regularisation strengths tried by cross-validation")
    ap.add_argument("--weak-weights", default="0.0,0.3,1.0", help="weights of weak labels tried by cross-validation")
    args = ap.parse_args()
    pairs, posts = labelled_items("dev")
    gp, gs = labelled_items.groups  # type: ignore[attr-defined]
    from botwatch.content.features import clean_text

    labelled_texts = {clean_text(r["content"]).strip() for r in csv.DictReader(open(FIX / "ira_stance_posts.csv", encoding="utf-8"))}
    weak_pairs, weak_posts = weak_items(args.weak_per, labelled_texts, args.crowd) if args.weak_per else ([], [])
    print(f"dev: {len(pairs)} pairs, {len(posts)} posts; weak: {len(weak_pairs)} pairs {Counter(l for _, l in weak_pairs)}, {len(weak_posts)} crowd-labelled posts")
    grid = [float(x) for x in args.c_grid.split(",")]
    weights = [float(x) for x in args.weak_weights.split(",")]
    best = {}
    for name, items, groups, classes, extra in (("stance", pairs, gp, STANCES, weak_pairs), ("sentiment", posts, gs, SENTIMENTS, weak_posts)):
        configs = [(c, ew) for c in grid for ew in (weights if extra else [0.0])]
        if len(configs) == 1 and not args.cv_only:
            best[name] = configs[0]
            continue
        scores = {(c, ew): cv(items, groups, classes, c, extra=extra if ew else (), extra_weight=ew) for c, ew in configs}
        for (c, ew), s in scores.items():
            print(f"{name}: C={c} weak weight {ew}: 5-fold CV macro-F1 {s:.3f}")
        best[name] = max(scores, key=lambda k: scores[k])
    extras = {"stance": weak_pairs, "sentiment": weak_posts}
    if args.cv_only:
        return
    model = {"trained_on": "dev part of tests/fixtures/content/ira_stance_labels.csv", "min_count": MIN_COUNT}
    for name, items, classes in (("stance", pairs, STANCES), ("sentiment", posts, SENTIMENTS)):
        c, ew = best[name]
        vec, clf = fit(items, classes, c, extras[name] if ew else (), ew)
        model[name] = export(vec, clf, classes) | {"C": c, "weak_weight": ew, "n": len(items), "n_weak": len(extras[name]) if ew else 0}
    args.out.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
