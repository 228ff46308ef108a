"""Fit the eleventh round's tree ensembles for the content stage's tree blend (issue 14).

A timing and wiring prototype, not the shipped model: it fits the `gbm40` LightGBM of
`scripts/cv_stacking.py` (40 rounds, learning rate 0.1, 7 leaves; the round's fixed settings) on
the dense features of every dev and training hand label (the items cache of cv_stacking.py, hand
labels only, the first level's class weights) and writes the trees, with fixed blend weights, as
JSON for `botwatch.content.modelrun.shipped_trees` (read only when `$BOTWATCH_CONTENT_TREES`
names the file). The blend weights are the medians of the weights the CV chose per outer fold
(stance 0.4, sentiment 0.6), not a new choice. The frozen test part is not read.

Usage: OMP_NUM_THREADS=1 python scripts/fit_content_trees.py --cache /tmp/cv_stacking --out PATH
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stacking as C  # noqa: E402

from botwatch.content.trees import TreeEnsemble  # noqa: E402

WEIGHTS = {"stance": 0.4, "sentiment": 0.6}


def columns(rows: list[dict[str, float]]) -> list[str]:
    """The input columns: the vector blocks first, each in index order (the stage writes a block
    at once), then every other dense feature, sorted."""
    keys = set().union(*rows)
    out = [f"{b}{i}" for b in ("vp", "vt") for i in range(64) if f"{b}{i}" in keys]
    return out + sorted(keys - set(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/cv_stacking"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--learner", default="gbm40")
    args = ap.parse_args()
    d = C.Data(C.build_items(args.cache), json.loads(C.T.OUT.read_text(encoding="utf-8")))
    out = {}
    for task in C.TASKS:
        ycls = {c: n for n, c in enumerate(C.CLASSES[task])}
        idx = list(range(len(d.items[task])))
        y = np.array([ycls[d.items[task][i][1]] for i in idx])
        w = C.class_weights(y, d.settings[task]["balance"])
        rows = [C.dense_row(d, task, i, False) for i in idx]
        cols = columns(rows)
        at = {k: j for j, k in enumerate(cols)}
        x = np.zeros((len(rows), len(cols)))
        for r, f in enumerate(rows):
            for k, v in f.items():
                x[r, at[k]] = v
        m = C.make_learner(args.learner, 0)
        m.fit(x, y, sample_weight=w)
        if list(m.classes_) != [0, 1, 2]:
            raise SystemExit("a class is missing")
        ens = TreeEnsemble.from_lightgbm(m.booster_.dump_model(), cols)
        diff = float(np.abs(ens.compile().predict_proba(x) - m.predict_proba(x)).max())
        print(f"{task}: {len(ens.roots)} trees over {len(cols)} inputs, depth {ens.depth}; numpy vs LightGBM max |dp| {diff:.1e}")
        out[task] = {"trees": ens.to_dict(), "weight": WEIGHTS[task], "classes": C.CLASSES[task], "learner": args.learner}
    args.out.write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    main()
