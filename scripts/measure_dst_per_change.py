#!/usr/bin/env python
"""How much a daylight-saving test *per change date* could say about origin (development part only).

    PYTHONPATH=src .venv/bin/python scripts/measure_dst_per_change.py [--work /tmp/origin-val] [--window 28] [--min-side 10]

The shipped `dst_shift` item pools every post within six weeks of any US clock change into one
winter/summer comparison. Issue 13 asks for the shift tested at *every* change date the account
spans, with its uncertainty from the posts on each side, turned into a likelihood ratio measured
on real data. This script measures that on the study `validate_origin.py` builds, before anything
is built into the model:

1. Change dates 2009-2018: US (second Sunday of March, first Sunday of November) and UK/EU (last
   Sundays of March and October). For each date an account has at least `--min-side` posts on
   each side of within `--window` days, the shift of its posting times in UTC across the date
   (`origin_behaviour.shift_from_bins`: smoothed quarter hours, circular cross-correlation,
   bootstrap spread), signed so that a person keeping local clock time gives +μ.
2. μ for the account's own country: the move of its clocks averaged over the window's posts
   (London for the brexit-2016 archive, New York for gop-debate-2015: a British account moves
   fully at the UK date and partly across a US date whose window reaches the UK one); Russia 0.
3. Per date, δ ~ (1 − ε) N(μ, sd² + τ²) + ε U(−3, 3), (ε, τ) by maximum a posteriori (Beta(2,2)
   on ε) for Russia-run accounts (the IRA handles, μ = 0) and for ordinary ones (μ as above);
   an account's log-ratio of Russia against its own country is the sum over its dates.
4. Two-fold cross-validation inside the development part (fit on one half of the accounts, score
   the other), so the separation printed is not measured on the accounts it was fitted on: AUC of
   the summed log-ratio, Russia-run against ordinary, and its quantiles in each group.

The test part (`validation.split_of`) is skipped before anything is computed.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_origin import REPO, groups_and_splits  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts.origin_behaviour import BINS, shift_from_bins, us_changes  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY  # noqa: E402

U_WIDTH = 6.25  # the estimate lives on -3..+3 h in quarter hours (as origin_signals.SHIFT_RANGE_H)
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def last_sunday(year: int, month: int) -> date:
    d = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def change_dates(first: int = 2009, last: int = 2018) -> list[tuple[str, date, int]]:
    """(zone family, date, +1 spring / -1 autumn) for the US and UK/EU clock changes."""
    out = []
    for y in range(first, last + 1):
        spring, autumn = us_changes(y)
        out += [("US", spring, 1), ("US", autumn, -1), ("UK/EU", last_sunday(y, 3), 1), ("UK/EU", last_sunday(y, 10), -1)]
    return out


def _offset_h(d: date, tz: ZoneInfo) -> float:
    off = datetime(d.year, d.month, d.day, 12, tzinfo=tz).utcoffset()
    return 0.0 if off is None else off.total_seconds() / 3600


def per_date_shifts(days: np.ndarray, bins: np.ndarray, tz: ZoneInfo | None, window: int, min_side: int) -> list[tuple[float, float, float]]:
    """(shift, sd, μ) for each change date with enough posts on each side; μ from `tz` (None: 0)."""
    out = []
    for _zone, d, sign in change_dates():
        before = (days < d) & (days >= d - timedelta(days=window))
        after = (days >= d) & (days < d + timedelta(days=window))
        if before.sum() < min_side or after.sum() < min_side:
            continue
        s = shift_from_bins(bins[before], bins[after]) if sign > 0 else shift_from_bins(bins[after], bins[before])
        mu = 0.0 if tz is None else sign * (np.mean([_offset_h(x, tz) for x in days[after]]) - np.mean([_offset_h(x, tz) for x in days[before]]))
        out.append((s.shift_h, s.sd_h, float(mu)))
    return out


def fit_mixture(rows: list[tuple[float, float, float]]) -> tuple[float, float]:
    """MAP (ε, τ) of the per-date mixture over (shift, sd, μ) rows (Beta(2,2) prior on ε)."""
    d, sd, mu = (np.array([r[i] for r in rows]) for i in range(3))
    best = (-math.inf, 0.5, 0.5)
    for eps in np.arange(0.02, 0.96, 0.02):
        for tau in np.arange(0.0, 1.55, 0.05):
            ll = float(np.log((1 - eps) * norm.pdf(d, mu, np.sqrt(sd**2 + tau**2)) + eps / U_WIDTH).sum()) + math.log(eps * (1 - eps))
            if ll > best[0]:
                best = (ll, float(eps), float(tau))
    return best[1], best[2]


def log_density(r: tuple[float, float, float], mu: float, p: tuple[float, float]) -> float:
    eps, tau = p
    return math.log((1 - eps) * norm.pdf(r[0], mu, math.sqrt(r[1] ** 2 + tau**2)) + eps / U_WIDTH)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--window", type=int, default=28, help="days on each side of a change date")
    ap.add_argument("--min-side", type=int, default=10, help="posts needed on each side")
    args = ap.parse_args()
    with open_study(args.work / "study.duckdb", read_only=True) as st:
        df = st.query_pandas("SELECT account_id, created_at FROM posts WHERE created_at IS NOT NULL "
                             "AND created_at >= TIMESTAMP '2009-01-01' AND created_at < TIMESTAMP '2019-01-01' ORDER BY 1, 2")
    ids = sorted(set(df["account_id"]))
    gs = dict(zip(ids, groups_and_splits(args.data, ids)))
    rows: dict[str, list[tuple[float, float, float]]] = {}
    is_ira: dict[str, bool] = {}
    for aid, g in df.groupby("account_id", sort=False):
        group, split = gs[aid]
        if group is None or split != "dev":  # the test part is never read
            continue
        t = g["created_at"]
        bins = ((t.dt.hour * 60 + t.dt.minute) * BINS // 1440).to_numpy()
        ordinary = group == GROUP_ORDINARY
        tz = (NEW_YORK if aid.startswith("gop-") else LONDON) if ordinary else None
        r = per_date_shifts(t.dt.date.to_numpy(), bins, tz, args.window, args.min_side)
        if r:
            rows[aid], is_ira[aid] = r, not ordinary
    accounts = sorted(rows)
    n_ira = sum(is_ira[a] for a in accounts)
    print(f"development accounts with a per-date estimate (±{args.window} days, ≥{args.min_side} posts a side): "
          f"{n_ira} Russia-run, {len(accounts) - n_ira} ordinary; dates {sum(len(rows[a]) for a in accounts)}")
    sds = {k: np.median([r[1] for a in accounts if is_ira[a] == k for r in rows[a]]) for k in (True, False)}
    print(f"median bootstrap sd per date: Russia-run {sds[True]:.2f} h, ordinary {sds[False]:.2f} h")
    full_ru = fit_mixture([r for a in accounts if is_ira[a] for r in rows[a]])
    full_od = fit_mixture([r for a in accounts if not is_ira[a] for r in rows[a]])
    print(f"all development accounts: Russia-run eps {full_ru[0]:.2f} tau {full_ru[1]:.2f}; ordinary eps {full_od[0]:.2f} tau {full_od[1]:.2f}")
    # Two folds by a fixed split of the accounts; each fold scored with the other's parameters.
    fold = {a: i % 2 for i, a in enumerate(accounts)}
    score: dict[str, float] = defaultdict(float)
    for k in (0, 1):
        train = [a for a in accounts if fold[a] != k]
        p_ru = fit_mixture([r for a in train if is_ira[a] for r in rows[a]])
        p_od = fit_mixture([r for a in train if not is_ira[a] for r in rows[a]])
        for a in accounts:
            if fold[a] == k:
                score[a] = sum(log_density(r, 0.0, p_ru) - log_density(r, r[2], p_od) for r in rows[a])
    y = [is_ira[a] for a in accounts]
    s = [score[a] for a in accounts]
    print(f"two-fold AUC of the summed log-ratio (Russia against the account's own country): {roc_auc_score(y, s):.3f}")
    for name, k in (("Russia-run", True), ("ordinary", False)):
        v = np.array([score[a] for a in accounts if is_ira[a] == k])
        q = np.quantile(v, [0.1, 0.25, 0.5, 0.75, 0.9])
        print(f"  {name:10s} log-ratio quantiles 10/25/50/75/90 %: " + " ".join(f"{x:+.2f}" for x in q)
              + f"; share favouring Russia {np.mean(v > 0):.2f}")


if __name__ == "__main__":
    main()
