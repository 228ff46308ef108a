"""Per-item CPU of the eleventh round's tree blend against the stage's linear model (issue 14).

On the labelled IRA posts (tests/fixtures/content/ira_stance_posts.csv) under both presets, with
the stage's folded features: building the feature sets, the linear model's batched call, and what
the tree blend adds (its input columns read from those sets, without the vector means, and the
numpy leaf tables). Process CPU, best of five. The frozen test part's labels are not read (only
the posts' texts, which the stage would read anyway).

Usage: OMP_NUM_THREADS=1 python scripts/tree_blend_cost.py TREES.json   (from scripts/fit_content_trees.py)
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content.modelrun import ContentModelInputs, shipped_models, shipped_trees  # noqa: E402
from botwatch.elections import load_election  # noqa: E402


def best(fn, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return min(out)


def main() -> None:
    rows = list(csv.DictReader(open(ROOT / "tests" / "fixtures" / "content" / "ira_stance_posts.csv", encoding="utf-8")))
    n = len(rows)
    table = pa.table({
        "post_id": [r["tweet_id"] for r in rows], "text": [r["content"] for r in rows],
        "kind": ["retweet" if r["retweet"] == "1" else "original" for r in rows],
        "hashtags": pa.array([[]] * n, pa.list_(pa.string())), "mentions": pa.array([[]] * n, pa.list_(pa.string())),
        "ref_handle": pa.array([None] * n, pa.string()), "handle": [r["author"] for r in rows],
    })
    models = shipped_models()
    trees = shipped_trees(sys.argv[1])
    assert models is not None and trees is not None
    for preset in ("uk-ge2017", "us-2016"):
        inp = ContentModelInputs.build(load_election(preset), table)
        inp.names.use_folded(models[0].folded, models[1].folded)
        for task, its, model in (("stance", [(i, p) for i in range(n) for p in inp.named_parties(i)], models[0]),
                                 ("sentiment", [(i, None) for i in range(n)], models[1])):
            build = lambda: [inp.pair_features(i, p) if p else inp.post_features(i) for i, p in its]  # noqa: E731
            feats = build()
            tb, m = trees[task], len(its)
            t_feat = best(build)
            t_lin = best(lambda: model.predict_many(feats, 3 if task == "stance" else 0))
            none = [None] * m
            t_mat = best(lambda: tb.matrix(feats, none))
            x = tb.matrix(feats, none)
            t_tree = best(lambda: tb.table.predict_proba(x))
            print(f"{preset} {task} ({m} items), µs per item: features {t_feat / m * 1e6:.1f}, linear model {t_lin / m * 1e6:.1f}; "
                  f"tree inputs (no vector means) {t_mat / m * 1e6:.1f}, trees {t_tree / m * 1e6:.1f}")


if __name__ == "__main__":
    main()
