"""Fit the shipped content model files again from their own record and say whether they come back.

Why: "a researcher can re-run it". The model file (content_model.json) and the tree blend
(content_trees.json) each carry a `fit` block (botwatch.content.fit_record): the command that fits
them with the shipped settings pinned, the sha256 of every input file and of the training items,
and the library versions. This script

1. names every input file whose sha256 is not the recorded one;
2. runs the recorded commands into DIR: `train_content_model.py` (the linear models, with their
   5-fold CV figures) and `cv_stacking.py --build-only` + `fit_content_trees.py` (the trees),
   with one BLAS/OpenMP thread;
3. compares DIR's files with the shipped ones, the `fit` block's library versions aside: equal,
   or which training items changed (the cause lies upstream of the fit: an input file or the code
   that reads it) and how far the weights moved.

Exit status 0 when both files come back equal, 1 when either differs, 2 when it cannot run.
`--ship` then copies DIR's files over the shipped ones: only after measuring the change (dev CV
figures) and updating content.stance.MEASURED_MODEL (tests/test_content_training.py).

Usage: python scripts/refit_content_model.py [--out DIR] [--ship]
Needs ../shared/data (the weak labels); about 5 CPU-minutes on two busy cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content import fit_record  # noqa: E402

PKG = ROOT / "src" / "botwatch" / "content"
FILES = ("content_model.json", "content_trees.json")
SHARED = ROOT.parent / "shared" / "data"


def without_versions(d: dict) -> dict:
    """The file's content less the library versions of its fit record (another install may
    have other versions and still give the same numbers: those are reported, not compared)."""
    d = json.loads(json.dumps(d))
    d.get("fit", {}).pop("versions", None)
    return d


def weight_changes(old: dict, new: dict) -> list[str]:
    """Per task of two linear model files: features only in one, and how far the shared
    weights and the biases moved."""
    lines = []
    for task in ("stance", "sentiment"):
        a, b = old[task]["weights"], new[task]["weights"]
        both = sorted(set(a) & set(b))
        d = np.array([np.abs(np.subtract(a[k], b[k])).max() for k in both]) if both else np.zeros(1)
        db = float(np.abs(np.subtract(old[task]["bias"], new[task]["bias"])).max())
        lines.append(f"{task}: {len(a)} -> {len(b)} weights ({len(set(a) - set(b))} gone: {sorted(set(a) - set(b))[:8]}, "
                     f"{len(set(b) - set(a))} new: {sorted(set(b) - set(a))[:8]}); of the {len(both)} shared, {int((d != 0).sum())} moved, "
                     f"largest |dw| {d.max():.5f}, median {float(np.median(d)):.5f}; largest |d bias| {db:.5f}")
        for key in sorted(set(old[task]) | set(new[task])):
            if key not in ("weights", "bias") and old[task].get(key) != new[task].get(key):
                lines.append(f"  {task} {key}: {old[task].get(key)} -> {new[task].get(key)}")
    return lines


def record_changes(old: dict, new: dict, key: str) -> list[str]:
    """The hashes of `fit[key]` (training items or matrices) that differ between two files."""
    a, b = old.get("fit", {}).get(key, {}), new.get("fit", {}).get(key, {})
    return [f"{key} {k}: {a.get(k, 'not recorded')} -> {b.get(k, 'not recorded')}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def compare(name: str, shipped: dict, refit: dict) -> tuple[bool, list[str]]:
    """(equal, lines saying what differs) for one file."""
    vs, vr = shipped.get("fit", {}).get("versions"), refit.get("fit", {}).get("versions")
    lines = [f"library versions: shipped {vs}, here {vr}"] if vs != vr else []
    if without_versions(shipped) == without_versions(refit):
        return True, lines
    if name == "content_model.json":
        lines += record_changes(shipped, refit, "items_sha256") + weight_changes(shipped, refit)
    else:
        lines += record_changes(shipped, refit, "matrix_sha256")
        for task in ("stance", "sentiment"):
            if shipped.get(task) != refit.get(task):
                lines.append(f"{task} trees differ")
    return False, lines


def command_of_settings(model: dict) -> list[str]:
    """The pinned train_content_model.py command of a model file without a fit record, from the
    settings each task records (weak labels: the script's defaults, which those files were fitted with)."""
    st, se = model["stance"], model["sentiment"]

    def switch(key: str) -> str:
        return {(True, True): "both", (True, False): "stance", (False, True): "sentiment", (False, False): "none"}[(bool(st.get(key)), bool(se.get(key)))]

    return ["python", "scripts/train_content_model.py", "--weak-per", "800", "--weak-elections", "us-2016", "--c-grid", str(st["C"]),
            "--weak-weights", str(st["weak_weight"]), "--balance-grid", str(st["balance"]), "--sentiment-c-grid", str(se["C"]),
            "--sentiment-balance-grid", str(se["balance"]), "--char-ngrams", switch("char_ngrams"), "--word-vectors", switch("word_vectors"),
            "--party-features", switch("party_features")]


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), flush=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT / "src"))
    subprocess.run([sys.executable, *cmd[1:]] if cmd[0] == "python" else cmd, cwd=ROOT, env=env, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="folder for the refitted files (default: a new temporary folder)")
    ap.add_argument("--ship", action="store_true", help="copy the refitted files over the shipped ones")
    args = ap.parse_args()
    shipped = {n: json.loads((PKG / n).read_text(encoding="utf-8")) for n in FILES}
    record = shipped["content_model.json"].get("fit")
    if record is None:
        record = {"command": command_of_settings(shipped["content_model.json"]), "inputs": {}}
        print("the shipped content_model.json has no fit record (fitted before it was kept): refitting with the settings it "
              "records and train_content_model.py's defaults for the rest (--weak-per 800 --weak-elections us-2016)")
    if not SHARED.is_dir():
        print(f"the weak labels' archive is absent ({SHARED}): the shipped model cannot be fitted again here", file=sys.stderr)
        return 2
    if record["inputs"]:
        changed = fit_record.changed_inputs(record["inputs"], fit_record.input_hashes(ROOT, SHARED))
        print("input files: " + ("as recorded" if not changed else "CHANGED since the fit:\n  " + "\n  ".join(changed)))
    else:
        print("input files: not recorded")
    out = args.out or Path(tempfile.mkdtemp(prefix="botwatch-refit-"))
    out.mkdir(parents=True, exist_ok=True)
    items = out / "tree-items"
    if items.exists():
        shutil.rmtree(items)  # cv_stacking reuses a cached build: never a stale one
    run([*record["command"], "--out", str(out / FILES[0])])
    run(["python", "scripts/cv_stacking.py", "--build-only", str(items)])
    run(["python", "scripts/fit_content_trees.py", "--cache", str(items), "--out", str(out / FILES[1])])
    same = True
    for name in FILES:
        ok, lines = compare(name, shipped[name], json.loads((out / name).read_text(encoding="utf-8")))
        same &= ok
        print(f"{name}: " + ("the same as shipped" if ok else "DIFFERS from the shipped file"))
        for line in lines:
            print("  " + line)
    if args.ship:
        for name in FILES:
            shutil.copyfile(out / name, PKG / name)
        print(f"copied {', '.join(FILES)} from {out} into {PKG}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
