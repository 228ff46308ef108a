#!/usr/bin/env python
"""Fit the `office_hours` hour-of-day profiles (accounts/origin_shifts.py) on the DEVELOPMENT part only.

    PYTHONPATH=src .venv/bin/python scripts/fit_origin_shifts.py [--work /tmp/origin-val]

Called by `fit_origin_behaviour.py` before it fits the slopes and the calibration (which need
these profiles); runnable alone to print the figures. Uses the study `validate_origin.py` builds.

* Office in Moscow: development IRA handles (Russian-language and posing) that
  `origin_shifts.shift_counts` keeps (enough posts over enough clock hours), posts by UTC hour;
  a mixture of `K_OFFICE` multinomials
  fitted by EM (several seeds, best likelihood kept).
* Human day: development ordinary accounts whose profile location names the United Kingdom and
  only it, kept by the same rule; their posts by London clock hour (summer time included); a mixture of `K_HUMAN` multinomials.
* Each family's Dirichlet-multinomial concentration: maximum likelihood over a grid, on the same
  accounts (one number per family; the shapes are smoothed with `SMOOTH` pseudo-posts per hour).

Writes src/botwatch/accounts/data/origin_shifts.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_origin import REPO, groups_and_splits, prepare  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_shifts as osh  # noqa: E402
from botwatch.accounts.gazetteer import countries_in_location  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY  # noqa: E402

OUT = REPO / "src" / "botwatch" / "accounts" / "data" / osh.PARAM_FILE
K_OFFICE = 8
K_HUMAN = 4
SMOOTH = 0.5
SEEDS = 5
ALPHAS = np.exp(np.linspace(np.log(3), np.log(3000), 40))


def em_mixture(x: np.ndarray, k: int, seed: int, iters: int = 300) -> tuple[np.ndarray, np.ndarray, float]:
    """Mixture of k multinomials over 24 hours by EM: (shapes k×24, weights k, log-likelihood)."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(24, 5.0), k)
    w = np.full(k, 1.0 / k)
    ll = -np.inf
    for _ in range(iters):
        lj = x @ np.log(p).T + np.log(w)[None]
        norm = logsumexp(lj, axis=1, keepdims=True)
        r = np.exp(lj - norm)
        c = r.T @ x + SMOOTH
        p = c / c.sum(1, keepdims=True)
        w = (r.sum(0) + 1.0) / (r.sum() + k)
        new = float(norm.sum())
        if new - ll < 1e-6 * abs(new):
            break
        ll = new
    return p, w, ll


def best_mixture(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    fits = [em_mixture(x, k, s) for s in range(SEEDS)]
    p, w, _ = max(fits, key=lambda f: f[2])
    order = np.argsort(-w)
    return p[order], w[order]


def fit_alpha(x: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Maximum-likelihood Dirichlet-multinomial concentration of the mixture on these accounts."""
    lls = [float(logsumexp(osh.dm_log_likelihood(x, p, a) + np.log(w)[None], axis=1).sum()) for a in ALPHAS]
    return float(ALPHAS[int(np.argmax(lls))])


def hour_tables(study_path: Path, data: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """Development posts by hour of accounts `origin_shifts.shift_counts` keeps: IRA handles by UTC
    hour, UK-located ordinary accounts by London clock hour (summer time included)."""
    with open_study(study_path, read_only=True) as st:
        counts = osh.shift_counts(st)
        distinct = st.con.sql("SELECT p.account_id, epoch_us(p.created_at) // 3600000000 AS s, any_value(a.location) AS location, count(*) AS posts "
                              "FROM posts p LEFT JOIN accounts a USING (platform, account_id) WHERE p.created_at IS NOT NULL GROUP BY ALL").df()
    ids = sorted({a for _, a in counts})
    gs = dict(zip(ids, groups_and_splits(data, ids)))
    dev = {a for a in ids if gs[a][1] == "dev" and gs[a][0] is not None}
    busy = {a for (_, a) in counts if a in dev}
    office = np.array([v for (_, a), v in sorted(counts.items()) if a in busy and gs[a][0] != GROUP_ORDINARY], float)
    loc = distinct.groupby("account_id")["location"].first()
    uk = {a for a, s in loc.items() if a in busy and gs[a][0] == GROUP_ORDINARY and isinstance(s, str) and set(countries_in_location(s)) == {"GB"}}
    d = distinct[distinct["account_id"].isin(uk)]
    d = d.assign(h=pd.to_datetime(d["s"] * 3600, unit="s", utc=True).dt.tz_convert("Europe/London").dt.hour.to_numpy())
    human = d.groupby(["account_id", "h"])["posts"].sum().unstack(fill_value=0).reindex(columns=range(24), fill_value=0).to_numpy(float)
    counts = {"office_accounts": len(office), "office_posts": int(office.sum()), "human_accounts": len(human), "human_posts": int(human.sum())}
    return office, human, counts


def fit(study_path: Path, data: Path) -> dict:
    """Fit both families and write the parameter file; returns what was written."""
    office, human, counts = hour_tables(study_path, data)
    po, wo = best_mixture(office, K_OFFICE)
    ph, wh = best_mixture(human, K_HUMAN)
    par = {
        "measured_on": "development part of validation.split_of: IRA handles (office, UTC hours) and ordinary accounts "
                       "whose profile names only the United Kingdom (human day, London clock hours); accounts with at "
                       f"least {osh.MIN_POSTS} posts over at least {osh.MIN_HOURS} clock hours (origin_shifts.shift_counts)",
        "office": {"templates": np.round(po, 6).tolist(), "weights": np.round(wo, 6).tolist(), "alpha": round(fit_alpha(office, po, wo), 3)},
        "human": {"templates": np.round(ph, 6).tolist(), "weights": np.round(wh, 6).tolist(), "alpha": round(fit_alpha(human, ph, wh), 3)},
        "counts": counts,
    }
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    osh.parameters.cache_clear()
    return par


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    args = ap.parse_args()
    par = fit(prepare(args.data, args.work), args.data)
    print(json.dumps({k: v for k, v in par.items() if k not in ("office", "human")}, indent=1))
    for fam in ("office", "human"):
        print(f"{fam}: alpha {par[fam]['alpha']}, weights {par[fam]['weights']}")
        for p in par[fam]["templates"]:
            shown = np.roll(np.asarray(p), osh.MSK_UTC) if fam == "office" else np.asarray(p)
            print("  " + " ".join(f"{100 * v:4.1f}" for v in shown) + ("  (Moscow hours 0-23)" if fam == "office" else "  (London hours 0-23)"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
