#!/usr/bin/env python
"""Calibration of the final P(Russia): where the validation study's reliability table is off, why,
and what a map fitted on the development part would cost (docs/methods.md, "Fourth pass").

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py --work W      # builds W once
    PYTHONPATH=src .venv/bin/python scripts/validate_origin_calibration.py --work W [--test]

Reads the study `validate_origin.py` built in W (same inputs, same split) and scores each account
as the accounts stage does: own evidence, calibration map, shared-text pooling, study prior
estimated on all accounts. Then, on the development part only:

1. the reliability table of the final P(Russia) as shipped, with the ordinary accounts whose own
   profile names Russia set apart (their truth is unknown, `origin_labels`), and the same table
   split by whether the account has shared-text neighbours: the table's middle bins average two
   groups that are off in opposite directions;
2. candidate recalibrations, each fitted on the development part only (set-apart accounts left
   out), with the shares they give (Russia as most likely origin) and what they cost:
   - an isotonic map of the final P (input: P only),
   - a two-parameter logistic (Platt) map of the final P (also 2-fold cross-validated within the
     development part),
   - for reference only, the same with "has shared-text neighbours" as a second input: the
     collection artefact a map must not learn (in these archives nearly every account with
     neighbours is an IRA handle),
   - a logistic map per band of posts per account (inputs: P and the amount of evidence),
   - a temperature per band (the same without a band intercept: it cannot learn a band's base rate),
   - the pooled evidence tempered by the number of neighbours, k / (k + k0),
   - the own-evidence calibration map refitted with the neighbours' evidence as an offset
     (a monotone logistic map of the raw posterior, jointly with the pooling), in-sample and by
     2-fold cross-validation within the development part.
   Log-loss and the count-weighted gap between mean P and the observed share (ECE) are over the
   development accounts with known truth.
3. studies that hold only part of each desk (1 % and 3 % of the part's IRA handles among its
   ordinary accounts), pooled and re-weighted within each such study, as an election sample would
   be: how the reliability reads when fewer Russia-run accounts have neighbours.
4. `--test`: the shipped model's tables (1 and 3) on the test part (score it once, at the end).

Prints only; writes nothing. About 1 minute, under 1 GiB.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as vo  # noqa: E402  (the same groups, split and inputs)

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_prior, origin_textpool  # noqa: E402
from botwatch.accounts.features import build  # noqa: E402
from botwatch.accounts.origin import origin_posterior  # noqa: E402
from botwatch.accounts.origin_labels import profile_names_russia  # noqa: E402
from botwatch.accounts.origin_signals import parameters  # noqa: E402
from botwatch.accounts.scoring import origin_inputs  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, wilson  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

EDGES = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)
BANDS = (0, 4, 19, 99, 10**9)  # posts per account: 1-4, 5-19, 20-99, 100+
EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds, P clipped to [EPS, 1 − EPS] as the origin model clips, so a P of 0 or 1 stays finite."""
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The inverse of `logit` (the logistic function), for maps fitted on the log-odds."""
    return 1 / (1 + np.exp(-np.asarray(z, float)))


def frame(work: Path, data: Path, election_key: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per account of the validation study: truth, split, posts, P(Russia) raw (before the
    calibration map), own (calibrated), pooled and final (study prior), neighbours with evidence,
    and the P(Russia) above which Russia is the most likely country; plus the neighbour pairs."""
    election = load_election(election_key)
    with open_study(work / "study.duckdb", read_only=True) as st:
        d = build(st, election)
        nb = origin_textpool.neighbours(st)
    ids = d.features["account_id"].tolist()
    keys = list(zip(d.features["platform"].tolist(), ids))
    inputs = origin_inputs(d)
    raw = [origin_posterior(inp, home=election.country, calibrate=False) for inp in inputs]
    own = [origin_posterior(inp, home=election.country) for inp in inputs]
    pooled = origin_textpool.apply(own, keys, nb)
    final, _prior = origin_prior.apply_study_prior(pooled, election.country)
    at = {k: i for i, k in enumerate(keys)}
    pairs = [(at[(p, a)], at[(p, b)]) for p, a, b in zip(nb.platform, nb.account_id, nb.other_id) if (p, a) in at and (p, b) in at]
    src, dst = (np.array(x, np.int64) for x in (zip(*pairs) if pairs else ((), ())))
    has = np.array([r.country is not None for r in own])
    n_nb = np.bincount(src[has[dst]], minlength=len(ids)) if len(src) else np.zeros(len(ids), int)
    gs = vo.groups_and_splits(data, ids)
    ira = set(pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str)["author_id"].str.strip().str.lower())

    def threshold(r) -> float:  # noqa: ANN001
        """P(Russia) above which Russia leads: the other countries keep their relative sizes under
        every map here, so the largest of them is a fixed share q of 1 − P(Russia)."""
        if r.country is None:
            return np.nan
        other = max((v for c, v in r.probabilities.items() if c != "RU"), default=0.0)
        q = other / max(1 - (r.p_russia or 0.0), 1e-9)
        return q / (1 + q)

    df = pd.DataFrame({
        "account_id": ids, "group": [g for g, _ in gs], "split": [s for _, s in gs], "y": [int(a in ira) for a in ids],
        "n_posts": [inp.n_posts for inp in inputs], "has_ev": has,
        "names_ru": [g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone) for inp, (g, _) in zip(inputs, gs)],
        "p_raw": [np.nan if r.p_russia is None else r.p_russia for r in raw],
        "p_own": [np.nan if r.p_russia is None else r.p_russia for r in own],
        "p_pooled": [np.nan if r.p_russia is None else r.p_russia for r in pooled],
        "p_final": [np.nan if r.p_russia is None else r.p_russia for r in final],
        "n_nb": n_nb, "threshold": [threshold(r) for r in final],
        "band": np.searchsorted(np.array(BANDS[1:]), [inp.n_posts for inp in inputs], side="left"),
    })
    return df, src, dst


def reliability(p: np.ndarray, y: np.ndarray) -> list[tuple[float, float, int, float, float, float]]:
    """(lower edge, mean P, accounts, observed, Wilson lo, hi) per bin."""
    out = []
    b = np.digitize(p, EDGES) - 1
    for i in range(len(EDGES) - 1):
        m = b == i
        if m.any():
            k, n = int(y[m].sum()), int(m.sum())
            _s, lo, hi = wilson(k, n)
            out.append((EDGES[i], float(p[m].mean()), n, k / n, lo, hi))
    return out


def scores(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Log-loss and count-weighted |mean P − observed| over the reliability bins (ECE)."""
    q = np.clip(p, EPS, 1 - EPS)
    ll = float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
    return ll, sum(n * abs(mp - ob) for _e, mp, n, ob, _l, _h in reliability(p, y)) / max(len(p), 1)


def line(name: str, df: pd.DataFrame, p: np.ndarray, part: str) -> dict:
    """Shares with Russia most likely (all accounts of the part) and calibration (truth known)."""
    m = ((df.split == part) & df.group.notna() & df.has_ev).to_numpy()
    g, ru = df.group.to_numpy()[m], p[m] > df.threshold.to_numpy()[m]
    cnt = {k: (int((ru & (g == k)).sum()), int((g == k).sum())) for k in (GROUP_RU_LANG, GROUP_POSING, GROUP_ORDINARY)}
    band = df.band.to_numpy()[m]
    o20 = int((ru & (g == GROUP_ORDINARY) & (band == 2)).sum())
    known = ~df.names_ru.to_numpy()[m]
    ll, ece = scores(p[m][known], df.y.to_numpy()[m][known])
    rel = reliability(p[m][known], df.y.to_numpy()[m][known])
    print(f"{name:44s} RU-lang {cnt[GROUP_RU_LANG][0]}/{cnt[GROUP_RU_LANG][1]}  posing {cnt[GROUP_POSING][0]}/{cnt[GROUP_POSING][1]}  "
          f"ordinary {cnt[GROUP_ORDINARY][0]} (20-99 posts {o20})  log-loss {ll:.4f}  ECE {ece:.4f}")
    print("    " + "  ".join(f"{mp:.2f}->{ob:.2f} (n={n})" for _e, mp, n, ob, _l, _h in rel))
    return {"shares": cnt, "log_loss": ll, "ece": ece}


def print_reliability(title: str, p: np.ndarray, y: np.ndarray) -> None:
    print(f"\n## {title}")
    print("  P(Russia)     accounts  mean P  observed [95%]")
    for e, mp, n, ob, lo, hi in reliability(p, y):
        print(f"  >= {e:.2f}  {n:10,d}  {mp:6.3f}  {ob:.3f} [{lo:.3f}, {hi:.3f}]")


def shipped_tables(df: pd.DataFrame, part: str) -> None:
    """The shipped model's reliability on one part: truth-known accounts, then by neighbours."""
    m = (df.split == part) & df.group.notna() & df.has_ev
    known = m & ~df.names_ru
    print_reliability(f"{part} part: final P(Russia) as shipped, all accounts with evidence", df.p_final[m].to_numpy(), df.y[m].to_numpy())
    print_reliability(f"{part} part: the same, ordinary accounts whose profile names Russia set apart", df.p_final[known].to_numpy(), df.y[known].to_numpy())
    for has, words in ((False, "without"), (True, "with")):
        s = known & ((df.n_nb > 0) == has)
        print_reliability(f"{part} part: set apart as above, accounts {words} shared-text neighbours ({int(s.sum()):,})",
                          df.p_final[s].to_numpy(), df.y[s].to_numpy())


def final_from_pooled(pooled: np.ndarray, has: np.ndarray, base: float) -> np.ndarray:
    """The study prior (estimated on all accounts with evidence, as the stage does) on pooled P."""
    out = np.full(len(pooled), np.nan)
    prior = origin_prior.estimate(pooled[has], base)
    out[has] = origin_prior.adjust(pooled[has], prior)
    return out


def pooled_from_own(p_own: np.ndarray, src: np.ndarray, dst: np.ndarray, base: float, weight: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Shared-text pooling as shipped (slope × neighbours' mean own log-ratio), optionally tempered
    by a factor of the number of neighbours."""
    mean, k = origin_textpool.neighbour_mean(p_own, src, dst, base)
    w = np.ones(len(k)) if weight is None else weight(k)
    return np.where((k > 0) & np.isfinite(p_own), sigmoid(logit(np.nan_to_num(p_own, nan=base)) + origin_textpool.slope() * mean * w), p_own)


def joint_map(df: pd.DataFrame, src: np.ndarray, dst: np.ndarray, base: float, train: np.ndarray, iters: int = 6) -> np.ndarray:
    """The own-evidence calibration map refitted with the neighbours' pooled evidence as an offset:
    logit P = a + Σ b_j ramp_j(logit raw) + slope × neighbours' mean, b_j ≥ 0 (monotone), fitted
    by maximum likelihood on `train`; the neighbours' means are recomputed from the new map and
    the fit repeated. Returns the new own (calibrated) P for every account."""
    cal = parameters()["calibration"]
    has = df.has_ev.to_numpy()
    raw = df.p_raw.to_numpy()
    z = logit(np.nan_to_num(raw, nan=0.5))
    knots = np.unique(np.quantile(z[train], np.linspace(0, 1, 13)))
    ramps = np.stack([np.clip((z - a) / (b - a), 0, 1) for a, b in zip(knots[:-1], knots[1:])], 1)
    y = df.y.to_numpy().astype(float)
    p_own = np.where(has, np.clip(np.interp(np.nan_to_num(raw), cal["x"], cal["y"]), EPS, 1 - EPS), np.nan)
    for _ in range(iters):
        mean, k = origin_textpool.neighbour_mean(p_own, src, dst, base)
        off = np.where(k > 0, origin_textpool.slope() * mean, 0.0)[train]
        x, t = ramps[train], y[train]

        def nll(w: np.ndarray, x: np.ndarray = x, t: np.ndarray = t, off: np.ndarray = off) -> tuple[float, np.ndarray]:
            p = sigmoid(w[0] + x @ w[1:] + off)
            g = p - t
            val = -(t * np.log(np.clip(p, 1e-12, 1)) + (1 - t) * np.log(np.clip(1 - p, 1e-12, 1))).sum()
            return float(val), np.concatenate([[g.sum()], x.T @ g])

        w = minimize(nll, np.r_[-6.0, np.full(x.shape[1], 0.5)], jac=True, method="L-BFGS-B",
                     bounds=[(None, None)] + [(0.0, None)] * x.shape[1]).x
        p_own = np.where(has, sigmoid(w[0] + ramps @ w[1:]), np.nan)
    return p_own


def candidates(df: pd.DataFrame, src: np.ndarray, dst: np.ndarray) -> None:
    """Each recalibration fitted on the development part (truth-known accounts), scored there."""
    base = float(parameters()["calibration"]["russia_share"])
    has = df.has_ev.to_numpy()
    p = df.p_final.to_numpy()
    fit = ((df.split == "dev") & df.group.notna() & df.has_ev & ~df.names_ru).to_numpy()
    y = df.y.to_numpy()
    print("\n## development part: recalibrations of the final P(Russia), each fitted on this part (set-apart accounts left out)")
    print("## shares: Russia as most likely origin; ordinary: of the ordinary accounts with evidence; the reliability line is 'mean P->observed'")
    line("shipped", df, p, "dev")
    iso = IsotonicRegression(y_min=1e-4, y_max=1 - 1e-4, out_of_bounds="clip").fit(logit(p[fit]), y[fit])
    line("isotonic map of the final P", df, np.where(has, iso.predict(logit(np.nan_to_num(p, nan=0.5))), np.nan), "dev")
    platt = LogisticRegression(C=1e6).fit(logit(p[fit])[:, None], y[fit])
    line(f"logistic map of the final P (slope {platt.coef_[0][0]:.2f})", df,
         np.where(has, platt.predict_proba(logit(np.nan_to_num(p, nan=0.5))[:, None])[:, 1], np.nan), "dev")
    fold = np.random.default_rng(0).integers(0, 2, len(df))
    cv = p.copy()
    for f in (0, 1):
        lr = LogisticRegression(C=1e6).fit(logit(p[fit & (fold != f)])[:, None], y[fit & (fold != f)])
        at = has & (fold == f)
        cv[at] = lr.predict_proba(logit(p[at])[:, None])[:, 1]
    line("the same, 2-fold cross-validated", df, cv, "dev")
    nb = (df.n_nb > 0).to_numpy().astype(float)
    x_nb = np.c_[logit(np.nan_to_num(p, nan=0.5)), nb]
    with_nb = LogisticRegression(C=1e6).fit(x_nb[fit], y[fit])
    line("for reference: 'has text neighbours' as input", df, np.where(has, with_nb.predict_proba(x_nb)[:, 1], np.nan), "dev")
    band = df.band.to_numpy()
    per_band = p.copy()
    temp = p.copy()
    pivot = logit(np.nanmean(df.p_final[has]))  # about the study prior's π: a temperature leaves P = π where it is
    for b in range(len(BANDS) - 1):
        tr, at = fit & (band == b), has & (band == b)
        lr = LogisticRegression(C=1e6).fit(logit(p[tr])[:, None], y[tr])
        per_band[at] = lr.predict_proba(logit(p[at])[:, None])[:, 1]
        grid = np.arange(0.3, 3.001, 0.05)
        loss = [scores(sigmoid(pivot + t * (logit(p[tr]) - pivot)), y[tr])[0] for t in grid]
        temp[at] = sigmoid(pivot + grid[int(np.argmin(loss))] * (logit(p[at]) - pivot))
    line("logistic map per band of posts per account", df, per_band, "dev")
    line("temperature per band of posts per account", df, temp, "dev")
    p_own = df.p_own.to_numpy()
    for k0 in (0.5, 1.0, 2.0, 5.0):
        pooled = pooled_from_own(p_own, src, dst, base, lambda k, k0=k0: k / (k + k0))
        line(f"pooled evidence tempered by k/(k+{k0:g})", df, final_from_pooled(pooled, has, base), "dev")
    dev = fit
    joint = joint_map(df, src, dst, base, dev)
    line("own-evidence map refitted with pooling (in-sample)", df, final_from_pooled(pooled_from_own(joint, src, dst, base), has, base), "dev")
    cv = np.full(len(df), np.nan)
    for f in (0, 1):
        pf = final_from_pooled(pooled_from_own(joint_map(df, src, dst, base, dev & (fold != f)), src, dst, base), has, base)
        cv[fold == f] = pf[fold == f]
    line("the same, 2-fold cross-validated", df, cv, "dev")


def sampled_study(df: pd.DataFrame, src: np.ndarray, dst: np.ndarray, part: str, mix: float, seed: int = 13) -> None:
    """A study that holds only part of each desk: a random `mix` share of IRA handles among the
    part's ordinary accounts, pooled over shared texts *within that study only* and re-weighted by
    its own study prior. In the validation study every account of a desk is present, so nearly
    every Russia-run account has neighbours; an election sample catches some of a desk's accounts."""
    base = float(parameters()["calibration"]["russia_share"])
    lab = ((df.split == part) & df.group.notna()).to_numpy()
    ira = np.flatnonzero(lab & (df.y == 1).to_numpy())
    od = np.flatnonzero(lab & (df.y == 0).to_numpy())
    n_ira = min(len(ira), round(mix * len(od) / (1 - mix)))
    keep = np.zeros(len(df), bool)
    keep[od] = True
    keep[np.random.default_rng(seed).choice(ira, n_ira, replace=False)] = True
    inside = keep[src] & keep[dst]
    p_own = np.where(keep, df.p_own.to_numpy(), np.nan)
    has = keep & df.has_ev.to_numpy()
    p = final_from_pooled(pooled_from_own(p_own, src[inside], dst[inside], base), has, base)
    sub = df.assign(split=np.where(keep, df.split, "out"))
    n_nb = np.bincount(src[inside & has[dst]], minlength=len(df))
    with_nb = int((has & (n_nb > 0) & (df.y == 1).to_numpy()).sum())
    print(f"\n## {part} part, a study holding {n_ira} of {len(ira)} IRA handles ({mix:.0%}) and the part's ordinary accounts; "
          f"{with_nb} of its Russia-run accounts with evidence have neighbours within it")
    line("pooled within this study", sub, p, part)
    known = has & ~df.names_ru.to_numpy()
    for hv, words in ((False, "without"), (True, "with")):
        m = known & ((n_nb > 0) == hv)
        print(f"    accounts {words} neighbours: " + "  ".join(f"{mp:.2f}->{ob:.2f} (n={n})" for _e, mp, n, ob, _l, _h in reliability(p[m], df.y.to_numpy()[m])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--test", action="store_true", help="also print the shipped model's reliability on the test part")
    args = ap.parse_args()
    if not (args.work / "study.ingested").exists():
        raise SystemExit(f"no validation study in {args.work}: run scripts/validate_origin.py --work {args.work} first")
    df, src, dst = frame(args.work, args.data, args.election)
    shipped_tables(df, "dev")
    candidates(df, src, dst)
    for mix in (0.01, 0.03):
        sampled_study(df, src, dst, "dev", mix)
    if args.test:
        shipped_tables(df, "test")
        line("\nshipped, test part", df, df.p_final.to_numpy(), "test")
        for mix in (0.01, 0.03):
            sampled_study(df, src, dst, "test", mix)


if __name__ == "__main__":
    main()
