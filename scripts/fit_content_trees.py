"""Fit the content model's tree blends (issue 14, eleventh round's `gbm40-blend`, twelfth round).

The `gbm40` LightGBM of `scripts/cv_stacking.py` (40 rounds, learning rate 0.1, 7 leaves; that
script's fixed settings: at least 20 items a leaf, row and column subsampling 0.8, L2 1, seed 0)
fitted on the dense features of every dev and training hand label (cv_stacking's items cache,
hand labels only, the first level's class weights), written with the blend weights as
`src/botwatch/content/content_trees.json` (`modelrun.shipped_trees` reads it). The blend weights
are the medians of those the eleventh round's CV chose per outer fold (stance 0.4, sentiment 0.6),
not a new choice; the gate (0.7) is the thirteenth round's CV choice. The frozen test part is not read. Prints, per task, the largest difference
between the numpy leaf tables and LightGBM's own `predict_proba` on the training rows.

Usage: OMP_NUM_THREADS=1 python scripts/fit_content_trees.py --cache DIR [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stacking as C  # noqa: E402

from botwatch.content import fit_record  # noqa: E402
from botwatch.content.modelrun import TREES_FILE  # noqa: E402
from botwatch.content.trees import LeafTable, TreeEnsemble  # noqa: E402

WEIGHTS = {"stance": 0.4, "sentiment": 0.6}
GATE = C.GATES["gbm40-gate70"]  # the thirteenth round's choice: blend only where the linear top probability is below it
LEARNER = "gbm40"


def columns(rows: list[dict[str, float]]) -> list[str]:
    """The input columns: the vector blocks first, each in index order, then every other dense
    feature, sorted (any order would do: the file names each column)."""
    keys = set().union(*rows)
    out = [f"{b}{i}" for b in ("vp", "vt") for i in range(64) if f"{b}{i}" in keys]
    return out + sorted(keys - set(out))


def task_matrix(d: "C.Data", task: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(columns, [item, column] dense features, labels, class weights) of every dev and training
    hand label of `task`."""
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
    return cols, x, y, w


def matrix_sha256(cols: list[str], x: np.ndarray, y: np.ndarray, w: np.ndarray) -> str:
    """sha256 of a task's training matrix (columns, values, labels, weights): the record of what
    the trees were fitted on, which changes when the code building the features does."""
    h = hashlib.sha256(json.dumps(cols).encode("utf-8"))
    for a in (x, y, w):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def fit(d: "C.Data", task: str) -> tuple[TreeEnsemble, float]:
    """The task's trees and their largest |p numpy - p LightGBM| over the training rows
    (`fit.matrix_sha256[task]`: the hash of what they were fitted on)."""
    cols, x, y, w = task_matrix(d, task)
    fit.matrix_sha256[task] = matrix_sha256(cols, x, y, w)  # type: ignore[attr-defined]
    m = C.make_learner(LEARNER, 0)
    m.fit(x, y, sample_weight=w)
    if list(m.classes_) != [0, 1, 2]:
        raise SystemExit("a class is missing")
    ens = TreeEnsemble.from_lightgbm(m.booster_.dump_model(), cols)
    table = LeafTable.of(ens)
    diff = float(np.abs(table.predict_proba_t(np.ascontiguousarray(x[:, table.used].T)) - m.predict_proba(x)).max())
    return ens, diff


fit.matrix_sha256 = {}  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "botwatch" / "content" / TREES_FILE)
    args = ap.parse_args()
    d = C.Data(C.build_items(args.cache), json.loads(C.T.OUT.read_text(encoding="utf-8")))
    out: dict = {"about": f"{LEARNER} (scripts/cv_stacking.py) on every dev and training hand label; issue 14, docs/methods.md, twelfth and thirteenth rounds"}
    for task in C.TASKS:
        ens, diff = fit(d, task)
        print(f"{task}: {len(ens.roots)} trees over {len(ens.features)} inputs, depth {ens.depth}; numpy vs LightGBM max |dp| {diff:.1e}")
        out[task] = {"trees": ens.to_dict(), "weight": WEIGHTS[task], "classes": C.CLASSES[task], "gate": GATE}
    # How to fit them again (botwatch.content.fit_record; scripts/refit_content_model.py reads it):
    # the linear model's settings they read (class balance), what they were fitted on, the versions.
    out["fit"] = {"command": ["python", "scripts/cv_stacking.py", "--build-only", "DIR", "&&", "OMP_NUM_THREADS=1", "python", "scripts/fit_content_trees.py", "--cache", "DIR"],
                  "balance": {t: d.settings[t]["balance"] for t in C.TASKS}, "matrix_sha256": dict(fit.matrix_sha256),  # type: ignore[attr-defined]
                  "inputs": fit_record.input_hashes(ROOT, C.T.SHARED), "versions": fit_record.library_versions()}
    args.out.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
