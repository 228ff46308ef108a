#!/usr/bin/env python
"""The second calibration map of P(Russia), after shared-text pooling (`origin_textpool.recalibrate`;
docs/methods.md, "Eighth pass"). Development part only: nothing here reads the test part.

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py --work W        # builds W once
    PYTHONPATH=src .venv/bin/python scripts/fit_origin_pooled_calibration.py --work W [--write]

Why a second map: the first (`origin.calibrate_russia`) is fitted on each account's own evidence.
Pooling then lifts the Russia-run accounts that have text neighbours out of its bins; the final
P(Russia) reads too high at the bottom and too low in the middle. This map is a function of the
pooled P alone: no neighbour indicator (in these archives having neighbours nearly means being an
IRA handle, a fact about how they were collected), no band of posts (that learns the archives'
base rates per band).

The map: the development accounts with origin evidence and known truth (ordinary accounts whose
own profile names Russia set apart, `origin_labels`) sorted by their pooled P; bins of at least
`--min-bin` accounts; each bin's observed Russia-run share shrunk towards its mean P by `--shrink`
pseudo-accounts; made monotone (isotonic over the bins, weighted); stored as each bin centre's
log-odds and its mapped log-odds.

What it prints (the choice was made on these figures):
1. 5-fold cross-fitting within the development part: folds are whole connected groups of accounts
   that share texts (a desk is never split between fitting and scoring), each fold scored by the
   map fitted on the other four; shares with Russia as most likely origin, log-loss, ECE and the
   reliability line, for the full development study and for studies holding 1 % and 3 % of its
   IRA handles (pooled and re-weighted within each, as an election sample would hold part of a
   desk), for an isotonic map without bins, a two-parameter logistic map and a grid of (min bin,
   shrink);
2. the map fitted on the whole development part with the chosen settings (`--write`: into
   `accounts/data/origin_behaviour_lr.json` as `calibration_pooled`).
About 1.5 minutes, under 1 GiB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin_calibration as vc  # noqa: E402  (the same frame, split and inputs)

from botwatch.accounts.origin_signals import parameters  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402

OUT = REPO / "src" / "botwatch" / "accounts" / "data" / "origin_behaviour_lr.json"
FOLDS = 5
MIN_BIN, SHRINK = 50, 30  # chosen (docs/methods.md, "Eighth pass")
GRID = ((30, 10), (50, 10), (50, 30), (100, 10), (100, 30), (100, 100), (300, 30))


def fit_map(z: np.ndarray, y: np.ndarray, min_bin: int, shrink: float) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(bin centres in log-odds, the mapped log-odds at each, accounts per centre) from pooled
    log-odds `z` and truth `y`: equal-count bins of at least `min_bin` (the last one absorbs a
    short tail), the observed share shrunk towards the bin's mean P by `shrink` pseudo-accounts,
    then isotonic over the bins."""
    o = np.argsort(z, kind="stable")
    z, y = z[o], y[o]
    starts = list(range(0, len(z), min_bin))
    if len(starts) > 1 and len(z) - starts[-1] < min_bin:
        starts.pop()
    ends = [*starts[1:], len(z)]
    cz, cy, cn = [], [], []
    for a, b in zip(starts, ends):
        n = b - a
        cz.append(float(z[a:b].mean()))
        cy.append((float(y[a:b].sum()) + shrink * float(vc.sigmoid(z[a:b]).mean())) / (n + shrink))
        cn.append(n)
    centres = np.array(cz)
    mono = vc.logit(np.clip(IsotonicRegression().fit(centres, cy, sample_weight=np.array(cn) + shrink).predict(centres), 1e-6, 1 - 1e-6))
    # Bins of tied P (thousands of accounts share the first map's steps) have one centre: kept once.
    keep = np.r_[True, np.diff(centres) > 0]
    sizes = [int(v) for v in np.add.reduceat(np.array(cn), np.flatnonzero(keep))]
    return centres[keep], mono[keep], sizes


def apply_map(z: np.ndarray, centres: np.ndarray, target: np.ndarray) -> np.ndarray:
    """P after the map (as `origin_textpool.recalibrate` computes it): the log-odds shift
    target − centre interpolated between centres, the end's shift beyond them."""
    return vc.sigmoid(z + np.interp(z, centres, target - centres))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--min-bin", type=int, default=MIN_BIN)
    ap.add_argument("--shrink", type=float, default=SHRINK)
    ap.add_argument("--write", action="store_true", help="write the map fitted on the whole development part")
    args = ap.parse_args()
    df, src, dst = vc.frame(args.work, args.data, args.election)
    base = float(parameters()["calibration"]["russia_share"])
    n = len(df)
    has, y = df.has_ev.to_numpy(), df.y.to_numpy()
    fit = ((df.split == "dev") & df.group.notna() & df.has_ev & ~df.names_ru).to_numpy()
    # pooled P before any second map: recomputed from the own (first-map) P, whatever is installed
    pooled_full = vc.pooled_from_own(df.p_own.to_numpy(), src, dst, base)
    _k, comp = connected_components(coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)), directed=False)
    fold = np.array([int(hashlib.sha256(str(c).encode()).hexdigest(), 16) % FOLDS for c in comp])
    groups, part = df.group.to_numpy(), (df.split == "dev").to_numpy() & df.group.notna().to_numpy()
    thr = df.threshold.to_numpy()

    def keep_of(mix: float | None, seed: int) -> np.ndarray:
        if mix is None:
            return np.ones(n, bool)
        ira, od = np.flatnonzero(part & (y == 1)), np.flatnonzero(part & (y == 0))
        keep = np.zeros(n, bool)
        keep[od] = True
        keep[np.random.default_rng(seed).choice(ira, min(len(ira), round(mix * len(od) / (1 - mix))), replace=False)] = True
        return keep

    designs = [("development study", keep_of(None, 0))] + [(f"dev, {m:.0%} of IRA, seed {s}", keep_of(m, s)) for m in (0.01, 0.03) for s in (13, 1)]
    pooled = {}
    for name, keep in designs:
        inside = keep[src] & keep[dst]
        pooled[name] = vc.pooled_from_own(np.where(keep, df.p_own.to_numpy(), np.nan), src[inside], dst[inside], base)

    def report(label: str, maker: Callable[[int], Callable[[np.ndarray], np.ndarray]] | None) -> None:
        print(f"\n### {label}")
        maps = [maker(f) if maker else None for f in range(FOLDS)]
        for name, keep in designs:
            hs = keep & has
            out = np.full(n, np.nan)
            for f in range(FOLDS):
                q = pooled[name].copy()
                if maps[f] is not None:
                    q[hs] = maps[f](vc.logit(q[hs]))
                out[fold == f] = vc.final_from_pooled(q, hs, base)[fold == f]
            m = hs & part
            ru = out > thr
            cnt = [int((ru & m & (groups == g)).sum()) for g in (GROUP_RU_LANG, GROUP_POSING, GROUP_ORDINARY)]
            known = keep & fit
            ll, ece = vc.scores(out[known], y[known])
            rel = "  ".join(f"{mp:.3f}->{ob:.3f} ({k})" for _e, mp, k, ob, _l, _h in vc.reliability(out[known], y[known]))
            print(f"  {name:26s} RU-lang/posing/ordinary {cnt[0]}/{cnt[1]}/{cnt[2]}  log-loss {ll:.4f}  ECE {ece:.4f} | {rel}")

    print("## 5-fold cross-fitting within the development part (folds: whole groups of accounts sharing texts)")
    report("no second map (as before)", None)
    zf = vc.logit(pooled_full)

    def isotonic(f: int) -> Callable[[np.ndarray], np.ndarray]:
        iso = IsotonicRegression(y_min=1e-4, y_max=1 - 1e-4, out_of_bounds="clip").fit(zf[fit & (fold != f)], y[fit & (fold != f)])
        return lambda zz: iso.predict(zz)

    def logistic(f: int) -> Callable[[np.ndarray], np.ndarray]:
        lr = LogisticRegression(C=1e6).fit(zf[fit & (fold != f)][:, None], y[fit & (fold != f)])
        return lambda zz: lr.predict_proba(zz[:, None])[:, 1]

    report("isotonic map of the pooled P, no bins, no shrinkage", isotonic)
    report("two-parameter logistic map of the pooled P", logistic)
    for mb, sh in GRID:
        report(f"second map, bins >= {mb}, shrink {sh:g}",
               lambda f, mb=mb, sh=sh: (lambda c, s, _n: (lambda zz: apply_map(zz, c, s)))(*fit_map(zf[fit & (fold != f)], y[fit & (fold != f)], mb, sh)))
    centres, target, counts = fit_map(zf[fit], y[fit], args.min_bin, args.shrink)
    grid = np.array([0.001, 0.005, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999])
    print(f"\n## the map on the whole development part (bins >= {args.min_bin}, shrink {args.shrink:g}; {len(centres)} bins, {int(fit.sum()):,} accounts)")
    print("  " + "  ".join(f"{a:g}->{b:.3f}" for a, b in zip(grid, apply_map(vc.logit(grid), centres, target))))
    if args.write:
        par = json.loads(OUT.read_text(encoding="utf-8"))
        # rounding is monotone, so the stored map stays monotone
        par["calibration_pooled"] = {"logit_x": [round(float(v), 5) for v in centres], "logit_y": [round(float(v), 5) for v in target],
                                     "bin_accounts": counts, "min_bin": args.min_bin, "shrink": args.shrink,
                                     "russia_share": round(float(y[fit].mean()), 4), "accounts": int(fit.sum()),
                                     "fitted_on": "development part, pooled P(Russia) before the study prior; set-apart accounts left out"}
        OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
        print(f"wrote calibration_pooled into {OUT}")


if __name__ == "__main__":
    main()
