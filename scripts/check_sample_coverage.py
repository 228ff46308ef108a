#!/usr/bin/env python
"""How often scaled counts' intervals hold the whole archive's count over repeated samples: the check
behind docs/methods.md, "Coverage of scaled counts over repeated samples", and the report's Methods
sentence on foreign-origin counts in a sample.

    PYTHONPATH=src .venv/bin/python scripts/check_sample_coverage.py --data ../shared/data --work DIR [--samples 40] [--real 4]

1. The ordinary brexit-2016 tweets ingested and analysed once without a rate (the election file of
   `scripts/check_interval_coverage.py`; every stage, about 3 minutes): "the platform".
2. Simulated samples (`--samples` per rate and sampling, seed `--seed`): each campaign-window post kept
   with probability r ("post", as a `collect --sample` hash keeps them) or each account's posts all
   kept or all dropped ("account"); the kept posts' per-account counts, with the whole study's labels
   and account groups, go through the estimates stage's own `cell_rows` at rate r. A scaled zero is
   read as its bound (`zero_upper_bound`), as the report prints it; cells of all and foreign-origin
   accounts the archive holds 50 or more posts of. Each table is given over all samples ("any") and
   by how many of the cell's posts the sample held (0, 1-3, 4-19, 20+): the few-post rows are where
   the percentile bootstrap ran short before its exact Poisson floor (`whole_counts.floored_bounds`).
3. `--real N`: N samples per rate cut from the CSV (seeds 21.. at 0.1, 31.. at 0.02), each ingested
   and analysed with the sample rate in this process (`botwatch.api`), their estimates held against
   the whole study's; foreign-origin campaign posts (all parties) are printed per sample.
Prints the tables and writes them as JSON (`--out`, default WORK/sample-coverage.json). Nothing is fitted.
"""

from __future__ import annotations

import argparse
import json
import types
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from check_interval_coverage import COLUMNS, REPO, election_file  # also puts the repository's src/ on sys.path

from botwatch import api  # noqa: E402
from botwatch.estimates.compute import EstimateOptions, cell_rows  # noqa: E402
from botwatch.estimates.relational import account_groups, post_party_measured  # noqa: E402
from botwatch.estimates.whole_counts import zero_upper_bound  # noqa: E402

# Stages the estimates do not read, skipped in the samples as the first pass skipped them (the whole study runs them all, as its did).
SKIP = ("coordination", "timeline", "bursts", "creation", "circadian", "impact")
GROUPS = ("all", "foreign_origin")
COUNTS = ("posts", "support_posts", "oppose_posts")
METRICS = (*COUNTS, "support_share")
COLS = ["posts", "support", "oppose", "neutral", "scored", "positive", "negative", "measured"]
REAL_SEEDS = {0.1: 21, 0.02: 31}
MIN_POSTS = 50


def analysed(work: Path, name: str, csv: Path, rate: float | None, skip: tuple[str, ...] = SKIP) -> Path:
    """A study of `csv` ingested and analysed in this process; reused when a finished one is there (re-running adds nothing)."""
    study = work / name / "study.duckdb"
    done = work / name / "done"
    if done.exists():
        return study
    study.parent.mkdir(parents=True, exist_ok=True)
    study.unlink(missing_ok=True)
    api.ingest(study, [csv], columns=COLUMNS)
    api.analyze(study, election_file(work), skip=list(skip), options={"sample_rate": rate} if rate else None, log=None)
    done.write_text("ok\n", encoding="utf-8")
    return study


def campaign(raw: duckdb.DuckDBPyConnection) -> tuple[Any, Any]:
    """The campaign window the estimates stage counted in."""
    return raw.sql("SELECT DISTINCT period_start, period_end FROM estimates WHERE period = 'campaign'").fetchall()[0]


def post_counts(study: Path) -> tuple[pd.DataFrame, np.ndarray, int, dict[str, set | None]]:
    """Per (post, party) rows of the campaign window with the stage's count columns, each post's account index, and the groups."""
    import ibis

    con = ibis.duckdb.connect(str(study), read_only=True)
    raw = duckdb.connect(str(study), read_only=True)
    start, end = campaign(raw)
    pp = con.table("post_party").filter(lambda t: t.in_election)
    df = pp.mutate(measured=post_party_measured(pp)).select("post_id", "account_id", "party", "stance", "sentiment", "measured", "created_at").execute()
    df = df[(df.created_at >= start) & (df.created_at < end)].copy()
    # Ordered, so that a seed keeps the same posts on every run (the first pass's order was DuckDB's, and varied).
    posts = raw.sql("SELECT post_id, account_id FROM post_labels WHERE in_election AND created_at >= ? AND created_at < ? ORDER BY post_id", params=[start, end]).df()
    g = account_groups(con.table("account_scores"), "GB").execute()
    accs = sorted(posts.account_id.unique())
    ix = {a: i for i, a in enumerate(accs)}
    df["ai"] = df.account_id.map(ix)
    df["pi"] = df.post_id.map({p: i for i, p in enumerate(posts.post_id)})
    for stance in ("support", "oppose", "neutral"):
        df[stance] = ((df.stance == stance) & df.measured).astype(int)
    df["scored"] = df.sentiment.notna().astype(int)
    df["positive"] = (df.sentiment >= 0.05).astype(int)
    df["negative"] = (df.sentiment <= -0.05).astype(int)
    df["measured"] = (df.stance.notna() & df.measured).astype(int)
    df["posts"] = 1
    flags = {"all": None, "foreign_origin": set(g.account_id[g.foreign])}
    return df, posts.account_id.map(ix).to_numpy(), len(accs), flags


def vectors(rows: pd.DataFrame, members: set | None, n: int, keep: np.ndarray) -> np.ndarray:
    """Per-account count vectors of one (group, party) cell, for the accounts `keep` holds."""
    x = np.zeros((n, len(COLS)))
    s = rows if members is None else rows[rows.account_id.isin(members)]
    agg = s.groupby("ai")[COLS].sum()
    x[agg.index.to_numpy()] = agg.to_numpy()
    return x[keep]


def estimates(x: np.ndarray, rate: float, seed: int) -> dict[str, dict] | None:
    """The estimates stage's own rows for one cell (None when no account has a post in it)."""
    has = x[:, 0] > 0
    if not has.any():
        return None
    uniq, mult = np.unique(x[has], axis=0, return_counts=True)
    opts = EstimateOptions(sample_rate=rate, reps=1000, seed=seed)
    got = cell_rows(types.SimpleNamespace(key="check"), [("campaign", None, None)], opts, ("campaign", "all", "p"), uniq, mult, population=len(x))
    return {r["metric"]: r for r in got}


def held(row: dict, truth: float, metric: str, rate: float) -> bool | None:
    """Whether a row's interval holds `truth`; a scaled zero count reads as its bound; None: no interval."""
    lo, hi = row["ci_low"], row["ci_high"]
    if metric != "support_share" and row["estimate"] == 0 and rate < 1:
        lo, hi = 0.0, zero_upper_bound(rate)
    if lo is None or hi is None:
        return None
    return bool(lo <= truth <= hi)


def simulate(study: Path, rates: list[float], samples: int, modes: list[str], seed: int) -> list[dict]:
    """Covered / with an interval per (sampling, group, count or share, rate) over simulated samples."""
    df, post_acc, n, flags = post_counts(study)
    cells = [(g, p) for g in GROUPS for p in sorted(df.party.unique())]
    every = np.ones(n, bool)
    truth = {}
    for g, p in cells:
        r = estimates(vectors(df[df.party == p], flags[g], n, every), 1.0, 1)
        truth[(g, p)] = {m: (r[m]["estimate"] if r else 0.0) for m in METRICS}
    cells = [c for c in cells if truth[c]["posts"] >= MIN_POSTS]
    agg: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for mode in modes:
        rng = np.random.default_rng(seed)
        for rate in rates:
            for s in range(samples):
                kept = rng.random(len(post_acc)) < rate if mode == "post" else (rng.random(n) < rate)[post_acc]
                keep = np.zeros(n, bool)
                keep[np.unique(post_acc[kept])] = True
                sub = df[df.pi.isin(np.nonzero(kept)[0])]
                for g, p in cells:
                    r = estimates(vectors(sub[sub.party == p], flags[g], n, keep), rate, s)
                    for m in METRICS:
                        # A cell with no interval stays out before a zero is read as its bound, as in the first pass.
                        ok = None if r is None or r[m]["ci_low"] is None or r[m]["ci_high"] is None else held(r[m], truth[(g, p)][m], m, rate)
                        if ok is not None:
                            measure = "share" if m == "support_share" else "count"
                            for key in ((mode, measure, rate, "any"), (mode, measure, rate, sampled_bucket(r[m]))):
                                a = agg[key]
                                a[0] += 1
                                a[1] += ok
    return [{"sampling": k[0], "measure": k[1], "rate": k[2], "sampled": k[3], "with_interval": v[0], "covered": v[1]} for k, v in sorted(agg.items())]


def sampled_bucket(row: dict) -> str:
    """How many of the cell's posts the sample held, in the bands the small-count check reads
    ("0", "1-3", "4-19", "20+"): a count's row holds its sampled count in `observed`; a share's
    band is that of its denominator's accounts, as it rests on them."""
    k = row["observed"] if row["metric"] in COUNTS else row["n_accounts"]
    return "0" if not k else "1-3" if k <= 3 else "4-19" if k < 20 else "20+"


def sample_csv(data: Path, work: Path, rate: float, seed: int) -> Path:
    """Each tweet of the archive kept with probability `rate` (seeded), written as its own CSV."""
    out = work / f"r{rate:g}-s{seed}" / "tweets.csv.gz"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        df = pd.read_csv(data / "ordinary/brexit-2016/tweets.csv.gz", dtype=str, keep_default_na=False)
        df[np.random.default_rng(seed).random(len(df)) < rate].to_csv(out, index=False)
    return out


def real(whole: Path, data: Path, work: Path, rates: list[float], n: int) -> dict[str, Any]:
    """Real samples analysed with their rate, held against the whole study's estimates."""
    q = (f"SELECT account_group, party, metric, estimate, ci_low, ci_high FROM estimates WHERE period = 'campaign' "
         f"AND metric IN {METRICS} AND account_group IN {GROUPS} AND party <> 'any_party'")
    full = {r[:3]: r[3] for r in duckdb.connect(str(whole), read_only=True).sql(q).fetchall()}
    agg: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    foreign: list[dict] = []
    for rate in rates:
        for k in range(n):
            seed = REAL_SEEDS.get(rate, 41) + k
            study = analysed(work, f"r{rate:g}-s{seed}", sample_csv(data, work, rate, seed), rate)
            for g, p, m, est, lo, hi in duckdb.connect(str(study), read_only=True).sql(q).fetchall():
                t = full.get((g, p, m))
                if (g, p, m) == ("foreign_origin", "*", "posts"):
                    foreign.append({"rate": rate, "seed": seed, "estimate": est, "ci_low": lo, "ci_high": hi, "whole": t})
                if t is None or t < (0.01 if m == "support_share" else MIN_POSTS):
                    continue
                ok = held({"estimate": est, "ci_low": lo, "ci_high": hi}, t, m, rate)
                if ok is not None:
                    a = agg[(g, "share" if m == "support_share" else "count", rate)]
                    a[0] += 1
                    a[1] += ok
    cells = [{"group": k[0], "measure": k[1], "rate": k[2], "with_interval": v[0], "covered": v[1]} for k, v in sorted(agg.items())]
    return {"cells": cells, "foreign_origin_campaign_posts": foreign}


def show(simulated: list[dict], got: dict[str, Any] | None) -> None:
    """The tables as docs/methods.md gives them."""
    for r in simulated:
        print(f"simulated per {r['sampling']:7s} {r['measure']:5s} r={r['rate']:<5g} sampled {r['sampled']:4s} covered {r['covered']}/{r['with_interval']} = {r['covered'] / max(r['with_interval'], 1):.1%}")
    for r in (got or {}).get("cells", []):
        print(f"real {r['group']:14s} {r['measure']:5s} r={r['rate']:<5g} covered {r['covered']}/{r['with_interval']}")
    for r in (got or {}).get("foreign_origin_campaign_posts", []):
        print(f"real r={r['rate']:<5g} seed {r['seed']}: foreign-origin campaign posts {r['estimate']:,.0f} [{r['ci_low']}–{r['ci_high']}], whole archive {r['whole']:,.0f}")


def parse_rates(ap: argparse.ArgumentParser, text: str) -> list[float]:
    """The `--rates` list, or a usage error saying what a rate must be (not a traceback)."""
    try:
        rates = [float(r) for r in text.split(",")]
    except ValueError:
        ap.error(f"--rates {text!r}: give shares above 0 and below 1, comma-separated (0.1,0.02)")
    if not all(0 < r < 1 for r in rates):
        ap.error(f"--rates {text!r}: each rate must be above 0 and below 1 (0.1 for a 10% sample)")
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, required=True, help="folder for the studies (reused when run again)")
    ap.add_argument("--rates", default="0.1,0.02", help="sample rates, comma-separated")
    ap.add_argument("--samples", type=int, default=40, help="simulated samples per rate and sampling")
    ap.add_argument("--sampling", default="post,account", help="post, account or both")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--real", type=int, default=0, help="real samples per rate, each ingested and analysed (about a minute each)")
    ap.add_argument("--out", type=Path, help="JSON of the tables (default WORK/sample-coverage.json)")
    args = ap.parse_args()
    rates = parse_rates(ap, args.rates)
    if not (args.data / "ordinary/brexit-2016/tweets.csv.gz").exists():
        ap.error(f"no ordinary/brexit-2016/tweets.csv.gz under {args.data}: give --data the shared data folder (../shared/data)")
    if args.samples < 1 or args.real < 0 or not set(args.sampling.split(",")) <= {"post", "account"}:
        ap.error("--samples must be 1 or more, --real 0 or more, and --sampling post, account or post,account")
    args.work.mkdir(parents=True, exist_ok=True)
    whole = analysed(args.work, "whole", args.data / "ordinary/brexit-2016/tweets.csv.gz", None, skip=())
    simulated = simulate(whole, rates, args.samples, args.sampling.split(","), args.seed)
    got = real(whole, args.data, args.work, rates, args.real) if args.real else None
    show(simulated, got)
    out = args.out or args.work / "sample-coverage.json"
    out.write_text(json.dumps({"simulated": simulated, "real": got, "rates": rates, "seed": args.seed, "samples": args.samples, "real_per_rate": args.real}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
