#!/usr/bin/env python
"""Calibration of P(Russia) on the development part's own study, and the tenth pass's rule
(docs/methods.md, "Tenth pass (issue 13, 2026-12-01): calibration on own studies").

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_calibration.py --work W

Development part only: there is no option to read the test part. Builds (once) the inputs and the
development part's own study W/apart-dev exactly as `validate_origin.py --apart` does, and reads
each account's final P(Russia) unrounded, recomputed in memory as that script's
`score_part_study` does (own posterior, shared-text pooling, study prior). Then:

- the reliability of that P against "is IRA" (Russian-language or posing) overall, by whether the
  account has shared-text neighbours, and by posts per account; ECE, log-loss and Brier;
- each candidate calibration of the rule (K0–K4), its log-loss cross-fitted within the part (folds
  = whole connected components of the shared-text graph, so an account's desk-mates never sit in
  another fold), its placements in Russia (the argmax of the recalibrated vector) and the choice.

Writes docs/figures/origin-calibration-dev.json (`--out` to write elsewhere). About 30 s after the
study exists (the features are built once; nothing is ingested or rescored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_textpool  # noqa: E402
from botwatch.accounts.features import build  # noqa: E402
from botwatch.accounts.origin import origin_posterior  # noqa: E402
from botwatch.accounts.origin_labels import profile_names_russia  # noqa: E402
from botwatch.accounts.origin_prior import adjust, apply_study_prior, estimate  # noqa: E402
from botwatch.accounts.scoring import origin_inputs  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

K0, K1, K2, K3, K4 = "K0 none", "K1 platt", "K2 temper", "K3 platt by neighbours", "K4 study prior by neighbours"
CANDIDATES = (K0, K1, K2, K3, K4)
NOT_ELIGIBLE = frozenset({K3})  # its neighbour intercept is the validation data's composition (the rule says why)
LABEL_PARAMETERS = {K0: 0, K1: 2, K2: 1, K3: 4, K4: 0}  # parameters fitted on labels (the rule's tie-break)
R_DROP, P_DROP = 5, 4  # one share point of 575 Russian-language / 467 posing development accounts, rounded down
F_MAX_SHARE = 0.01  # ordinary accounts placed in Russia, at most this share of them
MIN_GAIN, TIE = 0.001, 0.0005  # log-loss: the least gain over K0 that ships anything; candidates this close are tied
FOLDS = 5
EPS = 1e-6
EDGES = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)  # the validation's reliability bins
POST_BANDS = ((0, 5), (5, 20), (20, 100), (100, 300), (300, 10**9))


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds, clipped as the origin model clips (so a P of 0 or 1 stays finite)."""
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(z, float)))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean log-loss of "is IRA" against P(Russia), clipped to [EPS, 1 − EPS] (the rule's objective)."""
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y = np.asarray(y, float)
    return float(-(y * np.log(p) + (1 - y) * np.log1p(-p)).mean()) if len(p) else 0.0


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """The validation's reliability bins (mean P against the observed IRA share), from unrounded P."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    out = []
    for a, b in zip(EDGES[:-1], EDGES[1:]):
        m = (p >= a) & (p < b)
        if m.any():
            out.append({"p_from": a, "p_to": min(b, 1.0), "n": int(m.sum()), "mean_p": round(float(p[m].mean()), 4),
                        "observed": round(float(y[m].mean()), 4)})
    return out


def ece(p: np.ndarray, y: np.ndarray) -> float:
    """Account-weighted mean |mean P − observed| over the reliability bins (0.0 with no accounts)."""
    table = reliability(p, y)
    n = sum(b["n"] for b in table)
    return sum(b["n"] * abs(b["mean_p"] - b["observed"]) for b in table) / n if n else 0.0


def summary(p: np.ndarray, y: np.ndarray) -> dict:
    """ECE, log-loss, Brier and the reliability bins of one set of accounts."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return {"n": int(len(p)), "ece": round(ece(p, y), 4), "log_loss": round(log_loss(p, y), 5),
            "brier": round(float(((p - y) ** 2).mean()), 5) if len(p) else 0.0, "bins": reliability(p, y)}


def component_folds(ids: Sequence[str], src: Sequence[int], dst: Sequence[int], folds: int = FOLDS) -> np.ndarray:
    """Fold per account: whole connected components of the neighbour graph (src → dst as account
    indices) go to one fold, chosen by sha256 of the component's smallest account id, so that no
    account is scored by a map fitted on its desk-mates."""
    n = len(ids)
    graph = coo_matrix((np.ones(len(src)), (np.asarray(src, np.int64), np.asarray(dst, np.int64))), shape=(n, n))
    _count, label = connected_components(graph, directed=False)
    smallest: dict[int, str] = {}
    for c, a in zip(label.tolist(), ids):
        if c not in smallest or a < smallest[c]:
            smallest[c] = a
    fold = {c: int(hashlib.sha256(a.encode("utf-8")).hexdigest(), 16) % folds for c, a in smallest.items()}
    return np.array([fold[c] for c in label.tolist()], np.int64)


def _fit(link: Callable[[np.ndarray, np.ndarray], np.ndarray], start: Sequence[float], z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Parameters minimising the log-loss of sigmoid(link(params, z)) against y (Nelder–Mead: one or two parameters)."""
    res = minimize(lambda t: log_loss(sigmoid(link(t, z)), y), np.asarray(start, float), method="Nelder-Mead",
                   options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 4000})
    return np.asarray(res.x, float)


def platt(t: np.ndarray, z: np.ndarray) -> np.ndarray:
    """K1's map on the log-odds: z′ = a·z + b."""
    return t[0] * z + t[1]


def tempered(anchor: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """K2's map: z′ = anchor + a·(z − anchor), anchor = logit of the study prior's share."""
    return lambda t, z: anchor + t[0] * (z - anchor)


def fitted_maps(z: np.ndarray, y: np.ndarray, nb: np.ndarray, anchor: float) -> dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """K1–K3 fitted on (z, y); each returned as a function of (z, has neighbours) → P′, with its parameters
    in `.params` (K3: with-neighbours a, b, then without)."""
    a1 = _fit(platt, (1.0, 0.0), z, y)
    a2 = _fit(tempered(anchor), (1.0,), z, y)
    a3 = [_fit(platt, (1.0, 0.0), z[nb == s], y[nb == s]) for s in (True, False)]

    def k1(zz: np.ndarray, _nb: np.ndarray) -> np.ndarray:
        return sigmoid(platt(a1, zz))

    def k2(zz: np.ndarray, _nb: np.ndarray) -> np.ndarray:
        return sigmoid(tempered(anchor)(a2, zz))

    def k3(zz: np.ndarray, nbb: np.ndarray) -> np.ndarray:
        return np.where(nbb, sigmoid(platt(a3[0], zz)), sigmoid(platt(a3[1], zz)))

    k1.params, k2.params, k3.params = a1.tolist(), a2.tolist(), [*a3[0].tolist(), *a3[1].tolist()]  # type: ignore[attr-defined]
    return {K1: k1, K2: k2, K3: k3}


def placed_in_russia(p_new: np.ndarray, p_old: np.ndarray, max_other: np.ndarray) -> np.ndarray:
    """Whether Russia is the most likely country after P(Russia) moves from p_old to p_new with the
    other countries rescaled by (1 − p_new)/(1 − p_old): the argmax of the new vector, so the most
    likely origin shown always agrees with the probabilities shown. max_other: the largest other
    country's probability before the move."""
    p_new, p_old = np.asarray(p_new, float), np.asarray(p_old, float)
    return p_new > np.asarray(max_other, float) * (1 - p_new) / np.clip(1 - p_old, EPS, None)


def admissible(row: Mapping[str, float], base: Mapping[str, float]) -> bool:
    """The rule's placement constraints against K0 (`base`)."""
    return row["R"] >= base["R"] - R_DROP and row["P"] >= base["P"] - P_DROP and row["F"] <= F_MAX_SHARE * row["F_n"]


def choose(rows: Mapping[str, Mapping[str, float]]) -> str:
    """The rule: among eligible admissible candidates that beat K0's cross-fitted log-loss by at least
    MIN_GAIN, the lowest; those within TIE of it go to the fewest parameters fitted on labels. K0
    (ship nothing) when none qualifies."""
    base = rows[K0]
    ok = {k: r for k, r in rows.items() if k != K0 and k not in NOT_ELIGIBLE and admissible(r, base)
          and r["cv_log_loss"] <= base["cv_log_loss"] - MIN_GAIN}
    if not ok:
        return K0
    best = min(r["cv_log_loss"] for r in ok.values())
    return min((k for k, r in ok.items() if r["cv_log_loss"] <= best + TIE), key=lambda k: (LABEL_PARAMETERS[k], ok[k]["cv_log_loss"]))


def dev_accounts(study_path: Path, data: Path, election_name: str) -> tuple[pd.DataFrame, list[int], list[int], dict[str, float]]:
    """Per account of the development part's own study: group, posts, P(Russia) own / pooled / final
    (unrounded), the largest other country's probability, whether it has shared-text neighbours and
    whether its own profile names Russia; the neighbour pairs as row indices; the study prior."""
    election = load_election(election_name)
    with open_study(study_path, read_only=True) as st:
        feats = build(st, election)
        pairs = origin_textpool.neighbours(st)
    ids = feats.features["account_id"].tolist()
    keys = list(zip(feats.features["platform"].tolist(), ids))
    gs = V.groups_and_splits(data, ids)
    if any(s != "dev" for _g, s in gs):
        raise SystemExit(f"{study_path}: accounts of another part in the development part's study")
    inputs = origin_inputs(feats)
    own = [origin_posterior(inp, home=election.country) for inp in inputs]
    pooled = origin_textpool.apply(own, keys, pairs)
    final, prior = apply_study_prior(pooled, election.country)
    if prior is None:
        raise SystemExit("no study prior: the calibration parameters are missing")
    has = V.with_text_neighbours(own, keys, pairs)
    at = {k: i for i, k in enumerate(keys)}
    src, dst = [], []
    for p, a, b in zip(pairs.platform, pairs.account_id, pairs.other_id):
        if (p, a) in at and (p, b) in at:
            src.append(at[(p, a)])
            dst.append(at[(p, b)])
    rows = [{"account_id": a, "group": g, "n_posts": inp.n_posts, "has_evidence": f.country is not None,
             "own_p": o.p_russia, "pooled_p": pl.p_russia, "final_p": f.p_russia, "russia_top": f.country == "RU",
             "max_other": max([v for k, v in f.probabilities.items() if k != "RU"], default=0.0), "has_neighbours": a in has,
             "names_russia": g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone)}
            for a, inp, o, pl, f, (g, _s) in zip(ids, inputs, own, pooled, final, gs)]
    return pd.DataFrame(rows), src, dst, {"share": prior.share, "lo": prior.lo, "hi": prior.hi, "base": prior.base}


def candidates(df: pd.DataFrame, folds: np.ndarray, prior: Mapping[str, float]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict]:
    """Each candidate's P′ for every account with evidence (NaN elsewhere), fitted on the whole part
    and cross-fitted (fold f scored by a map fitted on the other folds), and the fitted parameters."""
    ev = df["has_evidence"].to_numpy()
    fit_rows = ev & df["group"].notna().to_numpy() & ~df["names_russia"].to_numpy()  # the objective's accounts
    y = df["group"].isin([GROUP_RU_LANG, GROUP_POSING]).to_numpy().astype(float)
    z = logit(df["final_p"].fillna(0.5).to_numpy())
    nb = df["has_neighbours"].to_numpy()
    anchor = float(logit(np.array(prior["share"])))
    n = len(df)
    full = {K0: np.where(ev, df["final_p"].fillna(0.0).to_numpy(), np.nan)}
    cross = {K0: full[K0]}
    maps = fitted_maps(z[fit_rows], y[fit_rows], nb[fit_rows], anchor)
    params: dict = {k: f.params for k, f in maps.items()}  # type: ignore[attr-defined]
    for k, f in maps.items():
        full[k] = np.where(ev, f(z, nb), np.nan)
        cross[k] = np.full(n, np.nan)
    for fold in range(FOLDS):
        train, test = fit_rows & (folds != fold), ev & (folds == fold)
        for k, f in fitted_maps(z[train], y[train], nb[train], anchor).items():
            cross[k][test] = f(z[test], nb[test])
    # K4: the study prior again, estimated and applied per stratum on the pooled P (no labels).
    pooled = df["pooled_p"].to_numpy(dtype=float)
    k4 = np.full(n, np.nan)
    params[K4] = {}
    for s in (True, False):
        m = ev & (nb == s)
        est = estimate(pooled[m], prior["base"])
        k4[m] = adjust(pooled[m], est)
        params[K4]["with" if s else "without"] = {"share": round(est.share, 4), "lo": round(est.lo, 4), "hi": round(est.hi, 4), "accounts": int(m.sum())}
    full[K4] = cross[K4] = k4
    return full, cross, params


def measure(df: pd.DataFrame, folds: np.ndarray, prior: Mapping[str, float]) -> dict:
    """Every figure of the pass: the shipped P's reliability tables, each candidate's row and the choice."""
    ev = df["has_evidence"].to_numpy()
    grp = df["group"].notna().to_numpy()
    obj = ev & grp & ~df["names_russia"].to_numpy()
    y = df["group"].isin([GROUP_RU_LANG, GROUP_POSING]).to_numpy().astype(float)
    nb = df["has_neighbours"].to_numpy()
    posts = df["n_posts"].to_numpy()
    full, cross, params = candidates(df, folds, prior)
    old = df["final_p"].fillna(0.0).to_numpy()
    rows: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    for k in CANDIDATES:
        p = full[k]
        top = df["russia_top"].to_numpy() if k == K0 else ev & placed_in_russia(np.nan_to_num(p), old, df["max_other"].to_numpy())
        row: dict = {"cv_log_loss": round(log_loss(cross[k][obj], y[obj]), 5), "log_loss": round(log_loss(p[obj], y[obj]), 5),
                     "log_loss_all": round(log_loss(p[ev & grp], y[ev & grp]), 5), "ece": round(ece(p[obj], y[obj]), 4),
                     "cv_ece": round(ece(cross[k][obj], y[obj]), 4), "brier": round(float(((p[obj] - y[obj]) ** 2).mean()), 5)}
        for key, group in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
            in_group = (df["group"] == group).to_numpy()
            row[key], row[f"{key}_n"] = int((top & in_group).sum()), int(in_group.sum())
        row["eligible"] = k not in NOT_ELIGIBLE
        rows[k] = row
        tables[k] = {
            "all": summary(p[ev & grp], y[ev & grp]),
            "objective (own profile naming Russia set apart)": summary(p[obj], y[obj]),
            "with text neighbours": summary(p[obj & nb], y[obj & nb]),
            "without text neighbours": summary(p[obj & ~nb], y[obj & ~nb]),
            **{(f"posts {a}-{b - 1}" if b < 10**9 else f"posts {a}+"):
               summary(p[obj & (posts >= a) & (posts < b)], y[obj & (posts >= a) & (posts < b)]) for a, b in POST_BANDS},
        }
    for k in CANDIDATES:
        rows[k]["admissible"] = admissible(rows[k], rows[K0])
    return {"study_prior": prior, "accounts_with_evidence": int((ev & grp).sum()), "objective_accounts": int(obj.sum()),
            "set_apart": int((ev & grp & df["names_russia"].to_numpy()).sum()),
            "with_text_neighbours_by_group": {str(g): int(c) for g, c in df[ev & grp & nb]["group"].value_counts().items()},
            "fold_sizes": np.bincount(folds[obj], minlength=FOLDS).tolist(), "parameters": params, "rows": rows,
            "tables": tables, "chosen": choose(rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=V.REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--out", type=Path, default=V.REPO / "docs" / "figures" / "origin-calibration-dev.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    df, src, dst, prior = dev_accounts(path, args.data, args.election)
    folds = component_folds(df["account_id"].tolist(), src, dst)
    out = measure(df, folds, prior)
    print(f"development part's own study: {out['accounts_with_evidence']:,} accounts with origin evidence, study prior "
          f"{prior['share']:.4f} [{prior['lo']:.4f}, {prior['hi']:.4f}] ({time.perf_counter() - t0:.0f} s)")
    for name, t in out["tables"][K0].items():
        print(f"\n## K0 (as shipped), {name}: n={t['n']:,} ECE {t['ece']:.4f} log-loss {t['log_loss']:.4f} Brier {t['brier']:.5f}")
        for b in t["bins"]:
            print(f"  {b['p_from']:.2f}-{b['p_to']:.2f}: mean P {b['mean_p']:.3f} -> observed {b['observed']:.3f} ({b['n']:,})")
    print("\n| candidate | cross-fitted log-loss | in-sample log-loss | ECE | Brier | Russian-language | posing | ordinary | eligible | admissible |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k, r in out["rows"].items():
        print(f"| {k} | {r['cv_log_loss']:.5f} | {r['log_loss']:.5f} | {r['ece']:.4f} | {r['brier']:.5f} | {r['R']}/{r['R_n']} | "
              f"{r['P']}/{r['P_n']} | {r['F']}/{r['F_n']:,} | {'yes' if r['eligible'] else 'no'} | {'yes' if r['admissible'] else 'no'} |")
    print(f"\nparameters (fitted on the whole part): {json.dumps(out['parameters'])}")
    print(f"chosen by the rule: {out['chosen']}")
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
