#!/usr/bin/env python
"""A calibration map of its own for the accounts far from Russia, measured through the whole accounts stage on the development part.

    PYTHONPATH=src OMP_NUM_THREADS=1 .venv/bin/python scripts/measure_origin_far_map.py --work W [--out FILE]

Why: docs/methods.md ("A map per stratum (the repair named above)") simulated a map fitted on the
far stratum (accounts with no shared-text neighbour placed in Russia by its own evidence) on the
far accounts without text neighbours only, and named what shipping it needs: the whole stage
measured, the pooled far accounts and the near stratum included. This script is that measurement,
on the **development part only** (no option reads the test part): the part's own study
W/apart-dev, built as `validate_origin.py --apart` builds it.

The stage as it would run with a far map (`far_stage`), per fold of whole shared-text components
(`measure_origin_calibration.component_folds`, seedless: components are dealt to folds by size):

1. every account's own posterior calibrated with the one map (fitted on the fold's training
   accounts), as today; the near flags (`origin_textpool.near_russia`) read from it;
2. the far accounts' P(Russia) mapped instead from their raw P by the far map (binned isotonic,
   the shipped procedure, fitted on the fold's training accounts of the far stratum), the other
   countries rescaled;
3. shared-text pooling: each account moved by its neighbours' mean *one-map* log-ratio (what the
   pooling slope was fitted on), its own P being the one it holds after step 2;
4. the study prior per stratum, the far one estimated against the far map's own mix.

The baseline is the same function without a far map (the shipped procedure refitted per fold), so
the two differ only in the far map. Every fold's figures come from maps that did not see its
accounts' labels. Also the whole-part maps run in-sample. Writes the figures to `--out`
(default docs/figures/origin-far-map-dev.json); with `--write`, the far map that ships
(`calibration_far` in src/botwatch/accounts/data/origin_behaviour_lr.json): fitted on every
development account with origin evidence that the *shipped* one map leaves far from Russia (the
near flags the stage will compute), by the shipped procedure (`origin_calibration_maps.binned_isotonic`).
Nothing here is random (no seed: the folds are dealt by component size, the fit is deterministic),
so a rerun writes the same knots. Rerun it whenever `scripts/fit_origin_behaviour.py` refits the
one map, since the near flags, and so the far stratum, follow that map.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import origin_calibration_maps as M  # noqa: E402
import validate_origin as V  # noqa: E402

from botwatch.accounts import origin_signals, origin_textpool  # noqa: E402
from botwatch.accounts.origin import codes, posterior_vector  # noqa: E402
from botwatch.accounts.origin_batch import origin_posteriors  # noqa: E402
from botwatch.accounts.origin_pool import with_p_russia  # noqa: E402
from botwatch.accounts.origin_prior import FAR_SCOPE, NEAR_SCOPE, apply_study_prior, estimate, evidence_p_russia  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

_spec = importlib.util.spec_from_file_location("measure_origin_calibration", Path(__file__).resolve().parent / "measure_origin_calibration.py")
assert _spec is not None and _spec.loader is not None
moc = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = moc
_spec.loader.exec_module(moc)


def scores(p: np.ndarray, y: np.ndarray) -> dict:
    """Log-loss, Brier and ECE of final P(Russia) against "run from Russia"."""
    return {"n": int(len(p)), "log_loss": round(moc.log_loss(p, y), 5), "brier": round(float(((p - y) ** 2).mean()), 5), "ece": round(moc.ece(p, y), 4)}


def shares(placed: np.ndarray, groups: list) -> dict:
    """Accounts placed in Russia per validation group, of all the group's accounts, with a Wilson interval."""
    out = {}
    for key, g in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
        m = np.array([x == g for x in groups])
        k, n = int((placed & m).sum()), int(m.sum())
        _p, lo, hi = wilson(k, n)
        out[key] = {"placed": k, "of": n, "share": round(k / n, 4), "lo": round(lo, 4), "hi": round(hi, 4)}
    return out


def far_stage(inputs: list, keys: list, neighbours: origin_textpool.Neighbours, home: str | None, raw: np.ndarray,
              one: tuple[M.Knots, float], far: "tuple[M.Knots, float] | None", near_fit: "np.ndarray | None" = None) -> tuple[list, np.ndarray, dict]:
    """The accounts stage's origin part with the one map `one` and, for the far stratum, the map
    `far` ((knots, the mix it was fitted on); None: the one map for every account, the shipped
    procedure). Returns the final results, the near flags and the study prior per stratum."""
    knots, mix = one
    origin_signals.parameters()["calibration"] = {"x": knots[0], "y": knots[1], "russia_share": round(mix, 4), "accounts": 0}
    own = origin_posteriors(inputs, home=home)
    near = np.asarray(origin_textpool.near_russia(own, keys, neighbours, V.NEAR_MIN), bool)
    mapped = list(own)
    if far is not None:
        p_far = M.apply(far[0], raw)
        for i in np.flatnonzero(~near & np.isfinite(raw)).tolist():
            r = own[i]
            if r.country is not None and r.p_russia is not None:
                mapped[i] = with_p_russia(r, float(r.p_russia), float(p_far[i]), "far-stratum calibration", "calibration_far")
    src, dst = origin_textpool.pair_rows(keys, neighbours)
    mean, others = origin_textpool.neighbour_mean(origin_textpool.evidence_p(own), src, dst, mix)
    pooled = origin_textpool.apply_means(mapped, mean, others, mix)
    final = list(pooled)
    priors: dict = {}
    for name, mask, base, scope in (("near", near, mix, NEAR_SCOPE), ("far", ~near, mix if far is None else far[1], FAR_SCOPE)):
        idx = np.flatnonzero(mask).tolist()
        rs = [pooled[i] for i in idx]
        p = evidence_p_russia(rs)
        if not len(p):
            continue
        pr = dataclasses.replace(estimate(p, base, country=home), scope=scope)
        got, _ = apply_study_prior(rs, home, pr)
        for i, r in zip(idx, got):
            final[i] = r
        priors[name] = [round(pr.share, 4), round(pr.lo, 4), round(pr.hi, 4)]
    return final, near, priors


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=V.REPO / "docs" / "figures" / "origin-far-map-dev.json")
    ap.add_argument("--write", action="store_true", help="write the far map fitted on the whole development part into the shipped parameters")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    election = load_election(args.election)
    home = election.country
    part = V.load_part(path, args.data, election)
    ids, keys, inputs = part.ids, part.keys, list(part.inputs)
    groups = [g for g, _s in part.groups_splits]
    ru = codes().index("RU")
    vectors = [posterior_vector(inp, home=home, calibrate=False) for inp in inputs]
    raw = np.array([np.nan if v is None else float(v[ru]) for v in vectors])
    y = np.array([g in (GROUP_RU_LANG, GROUP_POSING) for g in groups], float)
    fit_rows = ~np.isnan(raw) & np.array([g is not None for g in groups])
    src, dst = origin_textpool.pair_rows(keys, part.neighbours)
    folds = moc.component_folds(ids, src, dst)
    shipped = origin_signals.parameters()["calibration"]
    origin_signals.parameters().pop("calibration_far", None)  # measured here per fold, never the shipped one
    print(f"{int(fit_rows.sum()):,} development accounts with origin evidence, {int(y[fit_rows].sum())} Russia-run; {time.perf_counter() - t0:.0f} s", flush=True)
    out: dict = {"accounts": int(fit_rows.sum()), "russia_run": int(y[fit_rows].sum()), "folds": moc.FOLDS, "variants": {}}
    try:
        for name in ("one map (shipped procedure)", "far-stratum map"):
            final = np.full(len(ids), np.nan)
            placed = np.zeros(len(ids), bool)
            near_all = np.zeros(len(ids), bool)
            per_fold = []
            for f in range(moc.FOLDS):
                train, test = fit_rows & (folds != f), folds == f
                one = (M.binned_isotonic(raw[train], y[train]), float(y[train].mean()))
                far = None
                if name.startswith("far"):
                    # The near flags depend on the one map only, so they are known before the far map is fitted.
                    _f, near0, _p = far_stage(inputs, keys, part.neighbours, home, raw, one, None)
                    tr = train & ~near0
                    far = (M.binned_isotonic(raw[tr], y[tr]), float(y[tr].mean()))
                fin, near, priors = far_stage(inputs, keys, part.neighbours, home, raw, one, far)
                final[test] = [np.nan if r.p_russia is None or r.country is None else r.p_russia for r, t in zip(fin, test) if t]
                placed[test] = [r.country == "RU" for r, t in zip(fin, test) if t]
                near_all[test] = near[test]
                per_fold.append({"study_prior": priors, "far_mix": None if far is None else round(far[1], 4)})
                print(f"  {name} fold {f}: {priors} ({time.perf_counter() - t0:.0f} s)", flush=True)
            ev = fit_rows & ~np.isnan(final)
            row = {"final_cross_fitted": scores(final[ev], y[ev]), "far_stratum": scores(final[ev & ~near_all], y[ev & ~near_all]),
                   "near_stratum": scores(final[ev & near_all], y[ev & near_all]), "placed_cross_fitted": shares(placed, groups), "per_fold": per_fold,
                   "far_true_share": round(float(y[ev & ~near_all].mean()), 4)}
            out["variants"][name] = row
            e, pc = row["final_cross_fitted"], row["placed_cross_fitted"]
            print(f"{name}: LL {e['log_loss']:.5f} Brier {e['brier']:.5f} ECE {e['ece']:.4f} | far LL {row['far_stratum']['log_loss']:.5f} "
                  f"near LL {row['near_stratum']['log_loss']:.5f} | R {pc['R']['placed']}/{pc['R']['of']} P {pc['P']['placed']}/{pc['P']['of']} "
                  f"F {pc['F']['placed']}/{pc['F']['of']:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        # What would ship: both maps fitted on the whole part, run in-sample.
        one = (M.binned_isotonic(raw[fit_rows], y[fit_rows]), float(y[fit_rows].mean()))
        _f, near0, _p = far_stage(inputs, keys, part.neighbours, home, raw, one, None)
        tr = fit_rows & ~near0
        far = (M.binned_isotonic(raw[tr], y[tr]), float(y[tr].mean()))
        fin, _near, priors = far_stage(inputs, keys, part.neighbours, home, raw, one, far)
        out["whole_part_far_map"] = {"x": [round(v, 6) for v in far[0][0]], "y": [round(v, 5) for v in far[0][1]], "russia_share": round(far[1], 4),
                                     "accounts": int(tr.sum())}
        out["whole_part_in_sample"] = {"placed": shares(np.array([r.country == "RU" for r in fin]), groups), "study_prior": priors}
        print(f"whole part: far map {out['whole_part_far_map']}; in-sample {out['whole_part_in_sample']}", flush=True)
        # What ships: the near flags of the shipped one map (what the stage computes), the far map fitted on the rest.
        _f, near_s, _p = far_stage(inputs, keys, part.neighbours, home, raw, ((shipped["x"], shipped["y"]), float(shipped["russia_share"])), None)
        tr = fit_rows & ~near_s
        knots = M.binned_isotonic(raw[tr], y[tr])
        out["shipped_far_map"] = {"x": [round(v, 6) for v in knots[0]], "y": [round(v, 5) for v in knots[1]],
                                  "russia_share": round(float(y[tr].mean()), 4), "accounts": int(tr.sum())}
        print(f"shipped far map: {out['shipped_far_map']}", flush=True)
    finally:
        origin_signals.parameters()["calibration"] = shipped
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.write:
        lr = V.REPO / "src" / "botwatch" / "accounts" / "data" / origin_signals.LR_FILE
        par = json.loads(lr.read_text(encoding="utf-8"))
        par["calibration_far"] = out["shipped_far_map"]
        lr.write_text(json.dumps(par, indent=1), encoding="utf-8")
        print(f"wrote calibration_far into {lr}")
    print(f"wrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
