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

Writes docs/figures/origin-calibration-dev.json (`--out` to write elsewhere). About 20 s (whole
process; 18–26 s measured) once W/apart-dev exists: the features are built once, nothing is
ingested or rescored. A first run on a fresh W builds the inputs and ingests W/apart-dev first,
which takes minutes. A missing input or a half-built or locked study stops with one line saying so.

The development part is in-sample for the model being calibrated (its isotonic calibration map and
likelihood ratios were fitted on it), so these figures describe in-sample fit; out-of-sample evidence
can only come from the test part, read once by a pass that ships something.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402
from choose_desk_bound import ece as table_ece  # noqa: E402  (the ninth pass's ECE over a reliability table)
from validate_origin_calibration import logit, sigmoid  # noqa: E402  (clipped as the origin model clips)

from botwatch.accounts import origin_textpool  # noqa: E402
from botwatch.accounts.origin import codes, posterior_vector  # noqa: E402
from botwatch.accounts.origin_labels import profile_names_russia  # noqa: E402
from botwatch.accounts.origin_prior import adjust, estimate  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, calibration  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.study import StudyError  # noqa: E402

K0, K1, K2, K3, K4 = "K0 none", "K1 platt", "K2 temper", "K3 platt by neighbours", "K4 study prior by neighbours"
CANDIDATES = (K0, K1, K2, K3, K4)
NOT_ELIGIBLE = frozenset({K3})  # its neighbour intercept is the validation data's composition (the rule says why)
LABEL_PARAMETERS = {K0: 0, K1: 2, K2: 1, K3: 4, K4: 0}  # parameters fitted on labels (the rule's tie-break)
R_DROP, P_DROP = 5, 4  # one share point of 575 Russian-language / 467 posing development accounts, rounded down
F_MAX_SHARE = 0.01  # ordinary accounts placed in Russia, at most this share of them
MIN_GAIN, TIE = 0.001, 0.0005  # log-loss: the least gain over K0 that ships anything; candidates this close are tied
FOLDS = 5
EPS = 1e-6
POST_BANDS = ((0, 5), (5, 20), (20, 100), (100, 300), (300, 10**9))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean log-loss of "is IRA" against P(Russia), clipped to [EPS, 1 − EPS] (the rule's objective)."""
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y = np.asarray(y, float)
    return float(-(y * np.log(p) + (1 - y) * np.log1p(-p)).mean()) if len(p) else 0.0


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """The validation's reliability table (`validation.calibration`: its seven bins, Wilson bounds)
    of unrounded P against "is IRA"."""
    return calibration(zip(np.asarray(p, float).tolist(), np.asarray(y, float).astype(bool).tolist()))


def ece(p: np.ndarray, y: np.ndarray) -> float:
    """Account-weighted mean |mean P − observed| over the reliability bins (0.0 with no accounts)."""
    return table_ece(reliability(p, y))


class Summary(TypedDict):
    """One set of accounts' figures: size, ECE, log-loss, Brier and the reliability table."""

    n: int
    ece: float
    log_loss: float
    brier: float
    bins: list[dict[str, float]]


class PriorFigures(TypedDict):
    """The study prior's estimate on the part (share and 95 % interval) and the calibration mix."""

    share: float
    lo: float
    hi: float
    base: float


def summary(p: np.ndarray, y: np.ndarray) -> Summary:
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


@dataclass(frozen=True)
class FittedMap:
    """One fitted candidate (K1–K3): P′ from (z, has neighbours), and the parameters it was fitted to
    (K3: with-neighbours a, b, then without), kept for the figures file."""

    apply: Callable[[np.ndarray, np.ndarray], np.ndarray]
    params: list[float]


def fitted_maps(z: np.ndarray, y: np.ndarray, nb: np.ndarray, anchor: float) -> dict[str, FittedMap]:
    """K1–K3 fitted on (z, y)."""
    a1 = _fit(platt, (1.0, 0.0), z, y)
    a2 = _fit(tempered(anchor), (1.0,), z, y)
    a3 = [_fit(platt, (1.0, 0.0), z[nb == s], y[nb == s]) for s in (True, False)]
    return {
        K1: FittedMap(lambda zz, _nb: sigmoid(platt(a1, zz)), a1.tolist()),
        K2: FittedMap(lambda zz, _nb: sigmoid(tempered(anchor)(a2, zz)), a2.tolist()),
        K3: FittedMap(lambda zz, nbb: np.where(nbb, sigmoid(platt(a3[0], zz)), sigmoid(platt(a3[1], zz))),
                      [*a3[0].tolist(), *a3[1].tolist()]),
    }


def placed_in_russia(p_new: np.ndarray, p_old: np.ndarray, max_other: np.ndarray) -> np.ndarray:
    """Whether Russia is the most likely country after P(Russia) moves from p_old to p_new with the
    other countries rescaled by (1 − p_new)/(1 − p_old): the argmax of the new vector, so the most
    likely origin shown always agrees with the probabilities shown. max_other: the largest other
    country's probability before the move, unrounded (`largest_other`)."""
    p_new, p_old = np.asarray(p_new, float), np.asarray(p_old, float)
    return p_new > np.asarray(max_other, float) * (1 - p_new) / np.clip(1 - p_old, EPS, None)


def largest_other(vector: np.ndarray | None, p_final: float | None) -> float:
    """The largest country other than Russia in the final vector, unrounded: its share of the
    non-Russia mass of the account's own posterior (`posterior_vector`), which pooling and the study
    prior keep (they rescale the other countries together), times the final 1 − P(Russia). The
    shown probabilities (`OriginResult.probabilities`) will not do: rounded to 4 places, cut to 8
    countries and below 0.005, they make a country at 0.004 count as 0 and Russia win by default."""
    if vector is None or p_final is None:
        return 0.0
    ru = codes().index("RU")
    return float(np.delete(vector, ru).max() / max(1 - float(vector[ru]), EPS) * (1 - p_final))


def admissible(row: Mapping[str, float], base: Mapping[str, float]) -> bool:
    """The rule's placement constraints against K0 (`base`): R, P, F placed in Russia, F_n ordinary accounts."""
    return row["R"] >= base["R"] - R_DROP and row["P"] >= base["P"] - P_DROP and row["F"] <= F_MAX_SHARE * row["F_n"]


def choose(rows: Mapping[str, Mapping[str, float]]) -> str:
    """The rule: among eligible admissible candidates that beat K0's cross-fitted log-loss by at least
    MIN_GAIN, the lowest; those within TIE of it go to the fewest parameters fitted on labels. K0
    (ship nothing) when none qualifies. Compares the unrounded log-losses (`measure` rounds only what
    it writes), so a rounding cannot move a candidate across the margin."""
    base = rows[K0]
    ok = {k: r for k, r in rows.items() if k != K0 and k not in NOT_ELIGIBLE and admissible(r, base)
          and r["cv_log_loss"] <= base["cv_log_loss"] - MIN_GAIN}
    if not ok:
        return K0
    best = min(r["cv_log_loss"] for r in ok.values())
    return min((k for k, r in ok.items() if r["cv_log_loss"] <= best + TIE), key=lambda k: (LABEL_PARAMETERS[k], ok[k]["cv_log_loss"]))


@dataclass(frozen=True)
class DevPart:
    """The development part's own study as the pass reads it: one row per account (`account_frame`),
    the shared-text neighbour pairs as row indices (src → dst) and the study prior's estimate."""

    df: pd.DataFrame
    src: list[int]
    dst: list[int]
    prior: PriorFigures


def account_frame(ids: Sequence[str], keys: Sequence[tuple[str, str]], inputs: Sequence, groups: Sequence[str | None],
                  pairs: origin_textpool.Neighbours, home: str | None) -> DevPart:
    """Per account: group, posts, P(Russia) own / pooled / final (unrounded, as `run_accounts`
    computes them: `validate_origin.origin_stages`), the largest other country's final probability
    (unrounded), whether it has shared-text neighbours and whether its own profile names Russia."""
    own, pooled, final, prior = V.origin_stages(list(inputs), list(keys), pairs, home)
    if prior is None:
        raise SystemExit("no study prior: the calibration parameters are missing")
    has = V.with_text_neighbours(own, list(keys), pairs)
    src, dst = origin_textpool.pair_rows(list(keys), pairs)
    rows = [{"account_id": a, "group": g, "n_posts": inp.n_posts, "has_evidence": f.country is not None,
             "own_p": o.p_russia, "pooled_p": pl.p_russia, "final_p": f.p_russia, "russia_top": f.country == "RU",
             "max_other": largest_other(posterior_vector(inp, home=home) if o.country is not None else None, f.p_russia),
             "has_neighbours": a in has, "names_russia": g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone)}
            for a, inp, o, pl, f, g in zip(ids, inputs, own, pooled, final, groups)]
    return DevPart(pd.DataFrame(rows), src, dst, {"share": prior.share, "lo": prior.lo, "hi": prior.hi, "base": prior.base})


def dev_accounts(study_path: Path, data: Path, election_name: str) -> DevPart:
    """The development part's own study read (features, neighbours, groups; stops if it holds an
    account of another part) and scored by `account_frame`."""
    election = load_election(election_name)
    p = V.load_part(study_path, data, election)
    return account_frame(p.ids, p.keys, p.inputs, p.groups, p.neighbours, election.country)


class Candidates(TypedDict):
    """Each candidate's P′ per account with evidence (NaN elsewhere): fitted on the whole part, and
    cross-fitted (fold f scored by a map fitted on the other folds); the fitted parameters."""

    full: dict[str, np.ndarray]
    cross: dict[str, np.ndarray]
    params: dict[str, object]


def candidates(df: pd.DataFrame, folds: np.ndarray, prior: PriorFigures) -> Candidates:
    """K0–K4 on every account with evidence. K1–K3 are fitted on the objective's accounts only (the
    ordinary accounts whose own profile names Russia left out); K4 fits nothing on labels."""
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
    params: dict[str, object] = {k: f.params for k, f in maps.items()}
    for k, f in maps.items():
        full[k] = np.where(ev, f.apply(z, nb), np.nan)
        cross[k] = np.full(n, np.nan)
    for fold in range(FOLDS):
        train, test = fit_rows & (folds != fold), ev & (folds == fold)
        for k, f in fitted_maps(z[train], y[train], nb[train], anchor).items():
            cross[k][test] = f.apply(z[test], nb[test])
    # K4: the study prior again, estimated and applied per stratum on the pooled P (no labels).
    pooled = df["pooled_p"].to_numpy(dtype=float)
    k4 = np.full(n, np.nan)
    k4_params: dict[str, dict[str, float]] = {}
    for s in (True, False):
        m = ev & (nb == s)
        est = estimate(pooled[m], prior["base"])
        k4[m] = adjust(pooled[m], est)
        k4_params["with" if s else "without"] = {"share": round(est.share, 4), "lo": round(est.lo, 4), "hi": round(est.hi, 4), "accounts": int(m.sum())}
    params[K4] = k4_params
    full[K4] = cross[K4] = k4
    return {"full": full, "cross": cross, "params": params}


ROUNDING = {"cv_log_loss": 5, "log_loss": 5, "log_loss_all": 5, "brier": 5, "ece": 4, "cv_ece": 4}


def _range(v: np.ndarray, digits: int) -> list[float]:
    """[min, max] of v rounded for the figures file ([] when empty)."""
    if not len(v):
        return []
    lo, hi = round(float(v.min()), digits), round(float(v.max()), digits)
    return [int(lo), int(hi)] if digits == 0 else [lo, hi]


def movers(df: pd.DataFrame, top: np.ndarray, new_p: np.ndarray) -> dict[str, dict]:
    """Against K0 (the shipped placements), by stratum (with / without shared-text neighbours): per
    group the accounts a candidate places in Russia that K0 does not (gained) and the reverse (lost);
    and the gained ordinary accounts described: posts, shipped P(Russia), new P(Russia)."""
    k0 = df["russia_top"].to_numpy()
    nb = df["has_neighbours"].to_numpy()
    out: dict[str, dict] = {}
    for s, name in ((True, "with text neighbours"), (False, "without text neighbours")):
        cell: dict = {}
        for key, group in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
            m = (df["group"] == group).to_numpy() & (nb == s)
            cell[key] = {"placed": int((top & m).sum()), "of": int(m.sum()), "gained": int((top & ~k0 & m).sum()), "lost": int((~top & k0 & m).sum())}
        g = (df["group"] == GROUP_ORDINARY).to_numpy() & (nb == s) & top & ~k0
        shipped = df["final_p"].to_numpy(dtype=float)[g]
        cell["F gained"] = {"accounts": int(g.sum()), "posts": _range(df["n_posts"].to_numpy()[g], 0),
                            "shipped_p": _range(shipped, 4), "shipped_p_below_0.04": int((shipped < 0.04).sum()),
                            "new_p": _range(new_p[g], 4)}
        out[name] = cell
    return out


def measure(df: pd.DataFrame, folds: np.ndarray, prior: PriorFigures) -> dict:
    """Every figure of the pass: the shipped P's reliability tables (on the objective's accounts, and
    again including the accounts of unknown truth), each candidate's row, its placements by stratum
    against K0, and the choice (made on the unrounded rows; the rows written rounded)."""
    ev = df["has_evidence"].to_numpy()
    grp = df["group"].notna().to_numpy()
    apart = ev & grp & df["names_russia"].to_numpy()
    obj = ev & grp & ~apart
    y = df["group"].isin([GROUP_RU_LANG, GROUP_POSING]).to_numpy().astype(float)
    nb = df["has_neighbours"].to_numpy()
    posts = df["n_posts"].to_numpy()
    got = candidates(df, folds, prior)
    full, cross = got["full"], got["cross"]
    old = df["final_p"].fillna(0.0).to_numpy()
    with_apart = f"including the {int(apart.sum())} of unknown truth (own profile naming Russia)"

    def strata(m: np.ndarray, p: np.ndarray) -> dict[str, Summary]:
        bands = {(f"posts {a}-{b - 1}" if b < 10**9 else f"posts {a}+"): m & (posts >= a) & (posts < b) for a, b in POST_BANDS}
        return {k: summary(p[mm], y[mm]) for k, mm in {"with text neighbours": m & nb, "without text neighbours": m & ~nb, **bands}.items()}

    rows: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    tables_apart: dict[str, dict] = {}
    placements: dict[str, dict] = {}
    for k in CANDIDATES:
        p = full[k]
        top = df["russia_top"].to_numpy() if k == K0 else ev & placed_in_russia(np.nan_to_num(p), old, df["max_other"].to_numpy())
        row: dict = {"cv_log_loss": log_loss(cross[k][obj], y[obj]), "log_loss": log_loss(p[obj], y[obj]),
                     "log_loss_all": log_loss(p[ev & grp], y[ev & grp]), "ece": ece(p[obj], y[obj]),
                     "cv_ece": ece(cross[k][obj], y[obj]), "brier": float(((p[obj] - y[obj]) ** 2).mean())}
        for key, group in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
            in_group = (df["group"] == group).to_numpy()
            row[key], row[f"{key}_n"] = int((top & in_group).sum()), int(in_group.sum())
        row["eligible"] = k not in NOT_ELIGIBLE
        rows[k] = row
        tables[k] = {"all": summary(p[ev & grp], y[ev & grp]), "objective (own profile naming Russia set apart)": summary(p[obj], y[obj]), **strata(obj, p)}
        tables_apart[k] = strata(ev & grp, p)
        placements[k] = movers(df, top, np.nan_to_num(p))
    for k in CANDIDATES:
        rows[k]["admissible"] = admissible(rows[k], rows[K0])
    chosen = choose(rows)
    for r in rows.values():
        r.update({key: round(r[key], d) for key, d in ROUNDING.items()})
    return {"study_prior": prior, "accounts_with_evidence": int((ev & grp).sum()), "objective_accounts": int(obj.sum()),
            "set_apart": int(apart.sum()),
            "with_text_neighbours_by_group": {str(g): int(c) for g, c in df[ev & grp & nb]["group"].value_counts().items()},
            "fold_sizes": np.bincount(folds[obj], minlength=FOLDS).tolist(), "parameters": got["params"], "rows": rows,
            "tables": tables, f"tables {with_apart}": tables_apart, "placements_against_K0_by_stratum": placements, "chosen": chosen}


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=V.REPO / "docs" / "figures" / "origin-calibration-dev.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    try:
        ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
        path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
        part = dev_accounts(path, args.data, args.election)
    except (StudyError, FileNotFoundError, duckdb.IOException) as e:
        # A missing shared-data file, or a half-built or locked W/apart-dev: say which, not a traceback.
        raise SystemExit(f"cannot build or read the development part's own study under {args.work} (inputs from {args.data}): "
                         f"{type(e).__name__}: {e}".splitlines()[0]) from None
    df, prior = part.df, part.prior
    folds = component_folds(df["account_id"].tolist(), part.src, part.dst)
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
