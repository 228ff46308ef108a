#!/usr/bin/env python
"""The shipped calibration map of P(Russia) against other maps, cross-validated on the development part.

    PYTHONPATH=src .venv/bin/python scripts/cv_origin_calibration_map.py --work W [--out FILE]

Why: the shipped map (binned isotonic, `scripts/fit_origin_behaviour.py`) is flat at 0.065 up to a
raw P(Russia) of 0.066 and then climbs to 0.90 by 0.17, and it stops at 0.969; whether a smoother
map or one with a fitted ceiling does better can only be said on accounts its fit did not see.
Development part only (no option reads the test part): the part's own study W/apart-dev, built
once as `validate_origin.py --apart` builds it. Folds are whole connected components of the
shared-text graph (`measure_origin_calibration.component_folds`), so no account is scored by a map
fitted on its desk-mates. For each candidate (`origin_calibration_maps.FITTERS`):

- *the map alone*: each account's own raw P mapped by the map fitted on the other folds; log-loss,
  Brier, ECE and the reliability table against "run from Russia" (accounts with origin evidence);
  also one map per stratum (with / without shared-text neighbours) for the record;
- *end to end*: the whole accounts stage (own posterior, shared-text pooling, the study prior per
  stratum: `validate_origin.origin_stages`) run once per fold with that fold's map in place of the
  shipped one; the fold's accounts' final P and placements (Russia the most likely country) kept.
  So every figure of a fold comes from a map that did not see the fold's labels.

Also the map fitted on the whole part (what would ship) run end to end, in-sample. Writes the
figures to `--out` (default docs/figures/origin-calibration-map-dev.json) and the per-account arrays
to W/calibration-map-dev.npz (scratch). 545 s on two shared cores once W/apart-dev exists (six
candidates, six stage runs each); `--only NAME,...` runs fewer.
"""

from __future__ import annotations

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
from botwatch.accounts.origin_labels import profile_names_russia  # noqa: E402
from botwatch.accounts.origin_prior import adjust, estimate  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

_spec = importlib.util.spec_from_file_location("measure_origin_calibration", Path(__file__).resolve().parent / "measure_origin_calibration.py")
assert _spec is not None and _spec.loader is not None
moc = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = moc
_spec.loader.exec_module(moc)


def scores(p: np.ndarray, y: np.ndarray) -> dict:
    """Log-loss, Brier, ECE and the reliability table (seven bins, counts, Wilson bounds)."""
    return {"n": int(len(p)), "log_loss": round(moc.log_loss(p, y), 5), "brier": round(float(((p - y) ** 2).mean()), 5),
            "ece": round(moc.ece(p, y), 4), "bins": moc.reliability(p, y)}


def shares(placed: np.ndarray, groups: list) -> dict:
    """Accounts placed in Russia per group, of all the group's accounts, with a Wilson interval."""
    out = {}
    for key, g in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
        m = np.array([x == g for x in groups])
        k, n = int((placed & m).sum()), int(m.sum())
        _p, lo, hi = wilson(k, n)
        out[key] = {"placed": k, "of": n, "share": round(k / n, 4), "lo": round(lo, 4), "hi": round(hi, 4)}
    return out


UNKNOWN_OUT = "binned isotonic, accounts of unknown origin left out of the fit"


def candidates() -> dict[str, tuple[M.Fitter, bool]]:
    """Each candidate: its fitter and whether the ordinary accounts whose own profile names Russia
    (true origin unknown; they hold the shipped map's ceiling at 0.969) are left out of its fit."""
    return {**{n: (f, False) for n, f in M.FITTERS.items()}, UNKNOWN_OUT: (M.binned_isotonic, True)}


def far_stratum_check(raw: np.ndarray, raw_other: np.ndarray, y: np.ndarray, fit_rows: np.ndarray, folds: np.ndarray,
                      near: np.ndarray, nb: np.ndarray, groups: list) -> dict:
    """The per-stratum map docs/methods.md's "Found and left for a next pass" names, measured where
    it can be without changing the stage: the accounts far from Russia (no neighbour placed there by
    its own evidence) that have no shared-text neighbour at all, so pooling does not move them. Per
    fold, either the one map (the shipped procedure) or a map fitted on the far stratum's training
    accounts only, then the study prior estimated over the whole far stratum against that map's own
    mix (`origin_prior.estimate`, no labels) and applied (`adjust`); placements as the argmax of the
    rescaled vector. A simulation of the stage for these accounts, not the stage itself."""
    far = fit_rows & ~near
    target = far & ~nb
    out: dict = {"accounts": int(target.sum()), "russia_run": int(y[target].sum())}
    for name in ("one map (shipped procedure)", "far-stratum map"):
        fin = np.full(len(raw), np.nan)
        ests = []
        for f in range(moc.FOLDS):
            tr = fit_rows & (folds != f) & (True if name.startswith("one") else ~near)
            te = target & (folds == f)
            knots = M.binned_isotonic(raw[tr], y[tr])
            est = estimate(M.apply(knots, raw[far]), float(y[tr].mean()))
            ests.append([round(est.share, 4), round(est.lo, 4), round(est.hi, 4)])
            fin[te] = adjust(M.apply(knots, raw[te]), est)
        placed = target & (fin > np.nan_to_num(raw_other) * (1 - fin) / np.clip(1 - np.nan_to_num(raw), moc.EPS, None))
        out[name] = {**scores(fin[target], y[target]), "mean_p": round(float(fin[target].mean()), 4),
                     "study_prior_per_fold": ests, "placed": shares(placed, [g if t else None for g, t in zip(groups, target)])}
    out["true_share"] = round(float(y[target].mean()), 4)
    out["far_stratum"] = {"accounts": int(far.sum()), "russia_run": int(y[far].sum()), "true_share": round(float(y[far].mean()), 4)}
    return out


def with_map(knots: M.Knots, russia_share: float, n: int) -> dict:
    """The calibration entry the origin model reads, holding this map."""
    return {"x": knots[0], "y": knots[1], "russia_share": round(russia_share, 4), "accounts": n}


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=V.REPO / "docs" / "figures" / "origin-calibration-map-dev.json")
    ap.add_argument("--only", default="", help="comma-separated candidate names (default: all)")
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
    raw_other = np.array([np.nan if v is None else float(np.delete(v, ru).max()) for v in vectors])
    y = np.array([g in (GROUP_RU_LANG, GROUP_POSING) for g in groups], float)
    fit_rows = ~np.isnan(raw) & np.array([g is not None for g in groups])
    src, dst = origin_textpool.pair_rows(keys, part.neighbours)
    folds = moc.component_folds(ids, src, dst)
    shipped = origin_signals.parameters()["calibration"]
    own0, _pooled0, _final0, _prior0 = V.origin_stages(inputs, keys, part.neighbours, home)
    has = V.with_text_neighbours(own0, keys, part.neighbours)
    nb = np.array([a in has for a in ids])
    near = np.asarray(origin_textpool.near_russia(own0, keys, part.neighbours, V.NEAR_MIN), bool)
    names_ru = np.array([g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone) for g, inp in zip(groups, inputs)])
    # The per-account arrays, for map-only comparisons without rescoring (scratch, in W).
    np.savez(args.work / "calibration-map-dev.npz", raw=raw, y=y, fit_rows=fit_rows, folds=folds, nb=nb, near=near, raw_other=raw_other, names_ru=names_ru,
             group=np.array([g or "" for g in groups]))
    print(f"{int(fit_rows.sum()):,} development accounts with origin evidence, {int(y[fit_rows].sum())} Russia-run; "
          f"fold sizes {np.bincount(folds[fit_rows], minlength=moc.FOLDS).tolist()}; {time.perf_counter() - t0:.0f} s")
    far = far_stratum_check(raw, raw_other, y, fit_rows, folds, near, nb, groups)
    for k in ("one map (shipped procedure)", "far-stratum map"):
        r = far[k]
        print(f"far stratum without neighbours ({far['accounts']:,}, {far['russia_run']} Russia-run, {far['true_share']:.2%}), {k}: "
              f"LL {r['log_loss']:.5f} Brier {r['brier']:.5f} ECE {r['ece']:.4f} mean P {r['mean_p']:.4f} study prior {r['study_prior_per_fold']} "
              f"R {r['placed']['R']['placed']}/{r['placed']['R']['of']} P {r['placed']['P']['placed']}/{r['placed']['P']['of']} "
              f"F {r['placed']['F']['placed']}/{r['placed']['F']['of']:,}")
    names = [n for n in candidates() if not args.only or n in args.only.split(",")]
    out: dict = {"accounts": int(fit_rows.sum()), "russia_run": int(y[fit_rows].sum()), "folds": moc.FOLDS,
                 "fold_sizes": np.bincount(folds[fit_rows], minlength=moc.FOLDS).tolist(),
                 "own_profile_naming_russia": int((names_ru & fit_rows).sum()), "far_stratum_without_neighbours": far, "candidates": {}}
    try:
        for name in names:
            fitter, unknown_out = candidates()[name]
            known = fit_rows & ~names_ru if unknown_out else fit_rows
            cross = np.full(len(ids), np.nan)
            cross_nb = np.full(len(ids), np.nan)
            final = np.full(len(ids), np.nan)
            placed = np.zeros(len(ids), bool)
            for f in range(moc.FOLDS):
                train, test = known & (folds != f), folds == f
                knots = fitter(raw[train], y[train])
                cross[test] = M.apply(knots, raw[test])
                for s in (True, False):  # one map per stratum, for the record
                    tr = train & (nb == s)
                    cross_nb[test & (nb == s)] = M.apply(fitter(raw[tr], y[tr]), raw[test & (nb == s)])
                origin_signals.parameters()["calibration"] = with_map(knots, float(y[train].mean()), int(train.sum()))
                _own, _pl, fin, _pr = V.origin_stages(inputs, keys, part.neighbours, home)
                final[test] = [np.nan if r.p_russia is None or r.country is None else r.p_russia for r, t in zip(fin, test) if t]
                placed[test] = [r.country == "RU" for r, t in zip(fin, test) if t]
            knots = fitter(raw[known], y[known])
            origin_signals.parameters()["calibration"] = with_map(knots, float(y[known].mean()), int(known.sum()))
            _own, _pl, fin_all, prior = V.origin_stages(inputs, keys, part.neighbours, home)
            placed_all = np.array([r.country == "RU" for r in fin_all])
            p_all = np.array([np.nan if r.p_russia is None or r.country is None else r.p_russia for r in fin_all])
            ev = fit_rows & ~np.isnan(final)
            row = {
                "map_cross_fitted": scores(cross[fit_rows], y[fit_rows]),
                "map_per_stratum_cross_fitted": scores(cross_nb[fit_rows], y[fit_rows]),
                "final_cross_fitted": scores(final[ev], y[ev]),
                # The same with the ordinary accounts whose own profile names Russia set apart (truth unknown).
                "map_cross_fitted_known_origin": scores(cross[fit_rows & ~names_ru], y[fit_rows & ~names_ru]),
                "final_cross_fitted_known_origin": scores(final[ev & ~names_ru], y[ev & ~names_ru]),
                "placed_cross_fitted": shares(placed, groups),
                "whole_part_map": {"x": [round(v, 6) for v in knots[0]], "y": [round(v, 5) for v in knots[1]]} if len(knots[0]) <= 40 else
                                  {"knots": len(knots[0]), "at": {str(r): round(float(M.apply(knots, np.array([r]))[0]), 4)
                                                                  for r in (0.001, 0.01, 0.023, 0.05, 0.066, 0.1, 0.117, 0.15, 0.173, 0.21, 0.3, 0.5, 0.9, 0.99)}},
                "placed_in_sample": shares(placed_all, groups),
                "final_in_sample": scores(p_all[fit_rows & ~np.isnan(p_all)], y[fit_rows & ~np.isnan(p_all)]),
                "study_prior_in_sample": None if prior is None else {"far": [round(prior.share, 4), round(prior.lo, 4), round(prior.hi, 4)],
                                                                     "near": None if prior.near is None else [round(prior.near.share, 4), round(prior.near.lo, 4), round(prior.near.hi, 4)]},
                "mean_final_p_placed_in_sample": {g: round(float(np.nanmean(p_all[placed_all & (np.array(groups, dtype=object) == g)])), 4)
                                                  for g in (GROUP_RU_LANG, GROUP_POSING, GROUP_ORDINARY) if (placed_all & (np.array(groups, dtype=object) == g)).any()},
            }
            out["candidates"][name] = row
            m, e, pc = row["map_cross_fitted"], row["final_cross_fitted"], row["placed_cross_fitted"]
            print(f"{name}: map LL {m['log_loss']:.5f} Brier {m['brier']:.5f} ECE {m['ece']:.4f} | per-stratum LL {row['map_per_stratum_cross_fitted']['log_loss']:.5f} | "
                  f"final LL {e['log_loss']:.5f} Brier {e['brier']:.5f} ECE {e['ece']:.4f} | R {pc['R']['placed']} P {pc['P']['placed']} F {pc['F']['placed']} "
                  f"| in-sample R {row['placed_in_sample']['R']['placed']} P {row['placed_in_sample']['P']['placed']} F {row['placed_in_sample']['F']['placed']} "
                  f"prior {row['study_prior_in_sample']} ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        origin_signals.parameters()["calibration"] = shipped
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
