#!/usr/bin/env python
"""Choose, on the development part only, whether accounts posting the same texts as accounts placed in
Russia get a study prior of their own (`origin_textpool.near_russia`).

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_neighbour_prior.py --work W

Why: the study prior (`origin_prior`) estimates one share of Russia-run accounts for the whole
study. A desk's accounts post the same texts, and the accounts around an account whose own evidence
places it in Russia are a different population from the rest of an election sample: one share for
both makes the posing accounts of a desk borrow the election sample's small share. The variant
estimates the share twice, over the accounts with at least K shared-text neighbours whose own
evidence places them in Russia ("near Russia") and over the rest, each from its own accounts as
the study prior is estimated, and re-weights each account by its stratum's share.

The rule, written before the run: among K in `KS` and the single prior (K = none), keep those
whose ordinary accounts placed in Russia are at most 1 % of the ordinary accounts and at most as
many as with the single prior; of those, the one with the lowest expected calibration error of the
final P(Russia) (account-weighted |mean P − observed| over the reliability table's bins, accounts
with origin evidence); a tie (three decimals) goes to more Russian-language + posing accounts
placed in Russia, then to the larger K (fewer accounts moved). Development part only: the study of
that part (W/apart-dev, as `validate_origin.py --apart` builds it), scored with the shipped model,
the per-account stages as `run_accounts` computes them (own evidence, shared-text pooling, study
prior, study home share). There is no option to read the test part. Writes W/neighbour-prior-dev.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402
from choose_desk_bound import ece  # noqa: E402

from botwatch.accounts import origin_textpool  # noqa: E402
from botwatch.accounts.origin_batch import origin_posteriors  # noqa: E402
from botwatch.accounts.origin_prior import apply_home_share, apply_study_prior, estimate_home  # noqa: E402
from botwatch.accounts.scoring import origin_inputs  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, calibration, share_table  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

KS = (1, 2, 3, 4, 5)


def final_results(own: list, pooled: list, keys: list, neighbours: origin_textpool.Neighbours, home: str, k: int | None) -> tuple[list, list]:
    """Each account's result after the study prior (one for the study, or one per stratum with
    `k`) and the study home share; and the strata's estimates."""
    share = estimate_home(own, home)
    if k is None:
        final, prior = apply_study_prior(pooled, home)
        priors = [prior]
    else:
        near = origin_textpool.near_russia(own, keys, neighbours, k)
        final, priors = list(pooled), []
        for flag in (True, False):
            idx = [i for i, x in enumerate(near) if x == flag]
            got, prior = apply_study_prior([pooled[i] for i in idx], home)
            for i, r in zip(idx, got):
                final[i] = r
            priors.append(prior)
    if share is not None:
        final = apply_home_share(final, share)
    return final, priors


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    args = ap.parse_args()
    t0 = time.perf_counter()
    path = V.prepare_part(*V.prepare_inputs(args.data, args.work), args.work, "dev")
    election = load_election(args.election)
    _scores, feats, neighbours = V.scored_study(path, election, lambda _m: None)
    ids = feats.features["account_id"].tolist()
    keys = list(zip(feats.features["platform"].tolist(), ids))
    gs = V.check_part(path, ids, V.groups_and_splits(args.data, ids), "dev", feats.features["n_posts"].tolist())
    inputs = origin_inputs(feats)
    own = origin_posteriors(inputs, home=election.country)
    pooled = origin_textpool.apply(own, keys, neighbours)
    rows_out: dict[str, dict] = {}
    for k in (None, *KS):
        final, priors = final_results(own, pooled, keys, neighbours, election.country, k)
        rows = [(s, g, inp.n_posts, r.country == "RU") for r, inp, (g, s) in zip(final, inputs, gs) if g is not None]
        sh = share_table(rows)["dev"]
        cal = calibration([(r.p_russia, g != GROUP_ORDINARY) for r, (g, _s) in zip(final, gs) if g is not None and r.country is not None])
        name = "single" if k is None else f"K{k}"
        got = {key: sh[f"{g} | all"]["russia"] for key, g in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY))}
        got.update(F_n=sh[f"{GROUP_ORDINARY} | all"]["n"], ece=ece(cal), priors=[None if p is None else [round(p.share, 4), round(p.lo, 4), round(p.hi, 4), p.accounts] for p in priors],
                   bands={b: sh[f"{GROUP_ORDINARY} | {b}"]["russia"] for b in ("1-4", "5-19", "20-99") if f"{GROUP_ORDINARY} | {b}" in sh},
                   posing_bands={b: sh[f"{GROUP_POSING} | {b}"]["russia"] for b in ("1-4", "5-19", "20-99", "100-299", "300+") if f"{GROUP_POSING} | {b}" in sh})
        rows_out[name] = got
        print(f"{name}: R {got['R']}/575  P {got['P']}/467  F {got['F']}/{got['F_n']:,}  ECE {got['ece']:.4f}  priors {got['priors']}  "
              f"ordinary by posts {got['bands']}  posing by posts {got['posing_bands']}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    base = rows_out["single"]
    ok = {n: r for n, r in rows_out.items() if r["F"] <= 0.01 * r["F_n"] and r["F"] <= base["F"]}
    pick = min(ok, key=lambda n: (round(ok[n]["ece"], 3), -(ok[n]["R"] + ok[n]["P"]), -int(n[1:]) if n != "single" else 0))
    print(f"\nchosen by the rule: {pick}")
    out = args.work / "neighbour-prior-dev.json"
    out.write_text(json.dumps({"rows": rows_out, "chosen": pick}, indent=1), encoding="utf-8")
    print(f"wrote {out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
