#!/usr/bin/env python
"""Measure the behaviour component of the bot probability on real accounts with posts.

    PYTHONPATH=src .venv/bin/python scripts/fit_bot_behaviour.py [--work /tmp/botbehav] [--fresh] [--write]

1. Inputs (real, never generated): the ordinary election accounts of ../shared/data/ordinary
   (brexit-2016 and gop-debate-2015, written as v1.1 statuses; gop retweets, marked in the
   source, become v1.1 retweets) and the IRA accounts' own posts from 1 Sep to 30 Nov 2016 (every
   post of each handle in that window, so the gaps between posts are real).
2. `botwatch ingest` of both into one study and `features.build` (the accounts stage's own
   feature code), so the columns are exactly those the stage computes.
3. Every account falls for good into a fit part or a test part (`validation.split_of`, a salted
   hash of the account key). On the fit part only: per behaviour pattern and posts-per-account
   bin, how often ordinary accounts show it (the false-alarm side, Wilson upper bound) and how
   often IRA accounts show it (the organised side, Wilson lower bound); the bounded ratio is
   `bot_behaviour.json`, written with `--write`.
4. On the test part only: how often each pattern fires on ordinary accounts, the AUC of the
   behaviour ratio IRA vs ordinary, and (pairing real profiles with real behaviour, see the model
   card) false alarms at p >= 0.5 and AUC before and after the profile probability is combined
   with the behaviour ratio. Gilani 2017 (labelled, with per-account behaviour counts from its
   collection window) gives a second, fully labelled check: held-out AUC before and after.

Writes docs/figures/bot-behaviour.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import pandas as pd

from botwatch.accounts.ordinary_archives import ordinary_as_v1

REPO = Path(__file__).resolve().parents[1]
IRA_WINDOW = ("2016-09-01", "2016-12-01")  # [from, to): the last quarter of the 2016 campaign
# The ordinary archives were collected by keyword ("Brexit", the GOP debate), so their accounts'
# posts are the on-topic ones only. An election study collects IRA accounts the same way: only
# their posts naming the 2016 race (a fixed list, written before looking at any rate) are kept,
# so both sides are seen as a keyword study sees them. `--ira-all-posts` keeps every post instead.
ELECTION_TERMS = r"trump|clinton|hillary|election|vote|voting|voter|debate|maga|imwithher|potus|gop|democrat|republican|kaine|pence|ballot"


def cut_ira(src: Path, dst: Path, all_posts: bool = False) -> None:
    """The IRA posts in IRA_WINDOW (naming the race unless `all_posts`), same columns and CSV dialect."""
    con = duckdb.connect()
    topic = "" if all_posts else f" AND regexp_matches(lower(content), '{ELECTION_TERMS}')"
    con.execute(
        f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true, header=true) WHERE publish_date >= '{IRA_WINDOW[0]}' "
        f"AND publish_date < '{IRA_WINDOW[1]}'{topic}) TO '{dst}' (HEADER, COMPRESSION gzip)"
    )


def prepare(data: Path, work: Path, fresh: bool = False, all_posts: bool = False) -> Path:
    """Build (once) the inputs and the account_features of a study holding both; the parquet's path."""
    from botwatch import open_study
    from botwatch.accounts.features import build, table_columns
    from botwatch.ingest.runner import ingest

    work.mkdir(parents=True, exist_ok=True)
    ira, ordinary, study_path = work / "ira-window.csv.gz", work / "ordinary-v1.jsonl.gz", work / "study.duckdb"
    feats = work / "account_features.parquet"
    if fresh:
        for p in (ira, ordinary, study_path, feats):
            p.unlink(missing_ok=True)
    if feats.exists():
        return feats
    if not ira.exists():
        cut_ira(data / "ira" / "tweets.csv.gz", ira, all_posts)
    if not ordinary.exists():
        ordinary_as_v1(data, ordinary)
    study_path.unlink(missing_ok=True)
    with open_study(study_path, read_only=False) as st:
        ingest(st, [str(ira), str(ordinary)])
        table_columns(build(st, None).features).to_parquet(feats)
    return feats


GROUP_ORDINARY, GROUP_IRA = "ordinary", "ira"
# Where a pattern's column means something: brexit-2016 does not mark retweets (the scraper left
# them out), so the amplifier's false-alarm side is measured on gop-debate-2015 alone; that archive
# spans one night (16 hours), where nobody can post round the clock, so that pattern's false-alarm
# side is measured on brexit-2016 (seven months) alone.
ORDINARY_SOURCES = {"amplifier": ("gop-debate-2015",), "round_the_clock": ("brexit-2016",)}


def labelled_groups(df: pd.DataFrame, data: Path) -> pd.DataFrame:
    """Accounts that posted, with group (ira / ordinary), ordinary source and fit/test part."""
    from botwatch.accounts.validation import split_of

    authors = pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str)
    ira_ids = set(authors["author_id"].str.strip().str.lower())
    df = df[df["n_posts"].fillna(0) >= 1].copy()
    aid = df["account_id"].astype(str)
    df["group"] = [GROUP_IRA if a.lower() in ira_ids else GROUP_ORDINARY for a in aid]
    category = dict(zip(authors["author_id"].str.strip().str.lower(), authors["account_category"]))
    df["category"] = [category.get(a.lower()) for a in aid]
    df["ordinary_source"] = ["gop-debate-2015" if a.startswith("gop-") else "brexit-2016" for a in aid]
    df["part"] = ["fit" if split_of(a) == "dev" else "test" for a in aid]
    return df.reset_index(drop=True)


def fit(df: pd.DataFrame) -> dict:
    """Rates per pattern and posts bin on the fit part; the bounded ratios."""
    from botwatch.accounts import bot_behaviour as bb
    from botwatch.stats import wilson

    part = df[df["part"] == "fit"]
    b = bb.post_bins(part["n_posts"].to_numpy(dtype="float64"))
    f = bb.fired(part)
    out: dict = {"patterns": {}}
    for j, p in enumerate(bb.PATTERNS):
        srcs = ORDINARY_SOURCES.get(p.name, ("brexit-2016", "gop-debate-2015"))
        cells = {}
        for i, lab in enumerate(bb.bin_labels()):
            ordm = (part["group"] == GROUP_ORDINARY).to_numpy() & part["ordinary_source"].isin(srcs).to_numpy() & (b == i)
            orgm = (part["group"] == GROUP_IRA).to_numpy() & (b == i)
            ko, no = int(f[ordm, j].sum()), int(ordm.sum())
            kr, nr = int(f[orgm, j].sum()), int(orgm.sum())
            ro, _lo, ro_hi = wilson(ko, no)
            rr, rr_lo, _hi = wilson(kr, nr)
            lr = (rr_lo / ro_hi) if no and nr and ro_hi > 0 else 1.0
            cells[lab] = {"ordinary": [ko, no], "organised": [kr, nr], "ordinary_rate": _r(ro), "ordinary_hi": _r(ro_hi),
                          "organised_rate": _r(rr), "organised_lo": _r(rr_lo), "lr": round(min(max(lr, 1.0), bb.LR_CAP), 3)}
        out["patterns"][p.name] = {"column": p.column, "threshold": p.threshold, "fires_when": ">=" if p.above else "<",
                                   "ordinary_sources": list(srcs), "bins": cells}
    return out


def _r(x: float) -> float | None:
    return None if x != x else round(float(x), 5)


def _auc(y, s) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, s)), 4) if len(set(y)) == 2 else float("nan")


def loso_probabilities(labelled: Path) -> pd.DataFrame:
    """Every labelled account's held-out profile probability (model trained on the other sources)."""
    import importlib.util

    from botwatch.accounts.retrain import _fit
    from botwatch.accounts.training import SHIPPED_FEATURES

    spec = importlib.util.spec_from_file_location("train_bot_model", REPO / "scripts" / "train_bot_model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    pooled = pd.concat(mod.load_sources(labelled), ignore_index=True)
    parts = []
    for src in pooled["source"].drop_duplicates().tolist():
        test = pooled[pooled["source"] == src].reset_index(drop=True)
        predict = _fit(pooled[pooled["source"] != src].reset_index(drop=True), SHIPPED_FEATURES)
        parts.append(test.assign(p_profile=predict(test)))
    return pd.concat(parts, ignore_index=True)


def gilani_behaviour(folder: Path) -> pd.DataFrame:
    """Gilani's per-account counts in its collection window as the study columns they match:
    posts (tweets + retweets + replies), retweet share. Only `amplifier` can be read from them."""
    frames = []
    for folder_name in ("bots", "humans"):
        for f in sorted((folder / folder_name).glob("*.csv.gz")):
            frames.append(pd.read_csv(f, skipinitialspace=True))
    raw = pd.concat(frames, ignore_index=True)
    n = raw["user_tweeted"].astype(float) + raw["user_retweeted"].astype(float) + raw["user_replied"].astype(float)
    out = pd.DataFrame({"handle": raw["screen_name"].astype(str).str.strip(), "n_posts": n,
                        "retweet_share": raw["user_retweeted"].astype(float) / n.where(n > 0)})
    return out.drop_duplicates(subset=["handle"])


def evaluate(df: pd.DataFrame, params: dict, probs: pd.DataFrame, gilani: pd.DataFrame, seed: int = 11, draws: int = 50) -> dict:
    """Figures on the test part only (and on Gilani, never used to set anything)."""
    import numpy as np

    from botwatch.accounts import bot_behaviour as bb
    from botwatch.stats import wilson

    res: dict = {}
    test = df[df["part"] == "test"].reset_index(drop=True)
    r = bb.likelihood_ratios(test, params)
    is_ira = (test["group"] == GROUP_IRA).to_numpy()
    enough = r.bin >= 0
    res["test_accounts"] = {"ordinary": int((~is_ira).sum()), "ordinary_10plus": int((~is_ira & enough).sum()),
                            "ira": int(is_ira.sum()), "ira_10plus": int((is_ira & enough).sum())}
    fires = {}
    for j, p in enumerate(bb.PATTERNS):
        applied = r.pattern == j
        fires[p.name] = {"ordinary_10plus": _r(applied[~is_ira & enough].mean()), "ira_10plus": _r(applied[is_ira & enough].mean())}
    fires["any"] = {"ordinary_10plus": _r(r.applied[~is_ira & enough].mean()), "ira_10plus": _r(r.applied[is_ira & enough].mean()),
                    "ordinary_all": _r(r.applied[~is_ira].mean()), "ira_all": _r(r.applied[is_ira].mean())}
    res["applied_share_test"] = fires
    k = int(r.applied[~is_ira & enough].sum())
    n = int((~is_ira & enough).sum())
    res["ordinary_test_10plus_applied"] = {"k": k, "n": n, "wilson95": [_r(x) for x in wilson(k, n)]}
    by_cat = {}
    for cat in sorted(test.loc[is_ira, "category"].dropna().unique().tolist()):
        m = is_ira & enough & (test["category"] == cat).to_numpy()
        if m.any():
            by_cat[cat] = {"n_10plus": int(m.sum()), "applied": _r(r.applied[m].mean())}
    res["ira_test_10plus_applied_by_category"] = by_cat
    logs = np.log(r.lr)
    res["auc_behaviour_alone_test"] = {"accounts_10plus": _auc(is_ira[enough].astype(int), logs[enough]),
                                       "all_accounts": _auc(is_ira.astype(int), logs)}
    # Real profiles paired with real behaviour: the archives hold no profiles, the labelled sets no
    # posts. Each test account draws a held-out profile probability of its class (labelled humans
    # for ordinary accounts, labelled bots for IRA accounts), independently of its behaviour.
    hum = probs.loc[probs["label"] == 0, "p_profile"].to_numpy()
    bot = probs.loc[probs["label"] == 1, "p_profile"].to_numpy()
    ordinary_lr = r.lr[~is_ira]
    fa_before = float((hum >= 0.5).mean())
    fa_after_each = np.array([(bb.combine(hum, np.full(len(hum), x)) >= 0.5).mean() for x in np.unique(ordinary_lr)])
    uniq, counts = np.unique(ordinary_lr, return_counts=True)
    fa_after = float((fa_after_each * counts).sum() / counts.sum())
    en = ordinary_lr[enough[~is_ira]]
    u2, c2 = np.unique(en, return_counts=True)
    fa_after_10 = float(sum((bb.combine(hum, np.full(len(hum), x)) >= 0.5).mean() * c for x, c in zip(u2, c2)) / max(c2.sum(), 1))
    res["false_alarms_paired_test"] = {"before": round(fa_before, 4), "after_all_ordinary": round(fa_after, 4),
                                       "after_ordinary_10plus": round(fa_after_10, 4), "human_profiles": int(len(hum))}
    rng = np.random.default_rng(seed)
    aucs_b, aucs_a, aucs_b10, aucs_a10 = [], [], [], []
    y = is_ira.astype(int)
    for _ in range(draws):
        p0 = np.where(is_ira, rng.choice(bot, len(test)), rng.choice(hum, len(test)))
        p1 = bb.combine(p0, r.lr)
        aucs_b.append(_auc(y, p0)), aucs_a.append(_auc(y, p1))
        aucs_b10.append(_auc(y[enough], p0[enough])), aucs_a10.append(_auc(y[enough], p1[enough]))
    res["auc_paired_test"] = {"draws": draws, "before_all": round(float(np.mean(aucs_b)), 4), "after_all": round(float(np.mean(aucs_a)), 4),
                              "before_10plus": round(float(np.mean(aucs_b10)), 4), "after_10plus": round(float(np.mean(aucs_a10)), 4)}
    g = probs[probs["source"] == "gilani2017"].merge(gilani, on="handle", how="left")
    rg = bb.likelihood_ratios(g, params)
    pg = bb.combine(g["p_profile"].to_numpy(), rg.lr)
    yg = g["label"].to_numpy(int)
    res["gilani_heldout"] = {"n": int(len(g)), "bots": int(yg.sum()), "with_10plus_posts": int((rg.bin >= 0).sum()),
                             "amplifier_applied_bots": _r(rg.applied[yg == 1].mean()), "amplifier_applied_humans": _r(rg.applied[yg == 0].mean()),
                             "auc_before": _auc(yg, g["p_profile"].to_numpy()), "auc_after": _auc(yg, pg),
                             "fa_at_0.5_before": _r((g["p_profile"].to_numpy()[yg == 0] >= 0.5).mean()), "fa_at_0.5_after": _r((pg[yg == 0] >= 0.5).mean()),
                             "recall_at_0.5_before": _r((g["p_profile"].to_numpy()[yg == 1] >= 0.5).mean()), "recall_at_0.5_after": _r((pg[yg == 1] >= 0.5).mean())}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/botbehav-kw"))
    ap.add_argument("--fresh", action="store_true", help="rebuild the inputs and the study")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--ira-all-posts", action="store_true", help="keep every IRA post in the window, not only those naming the race (use another --work)")
    ap.add_argument("--write", action="store_true", help="write the fitted ratios to src/botwatch/accounts/data/bot_behaviour.json")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "figures" / "bot-behaviour.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    feats = prepare(args.data, args.work, args.fresh, args.ira_all_posts)
    print(f"features ready: {feats} ({time.perf_counter() - t0:.0f} s)")
    if args.prepare_only:
        return
    from botwatch.accounts import bot_behaviour as bb

    df = labelled_groups(pd.read_parquet(feats), args.data)
    params = fit(df)
    params.update({"min_posts": bb.MIN_POSTS, "lr_cap": bb.LR_CAP, "bins": list(bb.bin_labels()),
                   "measured_on": "fit part (validation.split_of 'dev') of ordinary/brexit-2016 + ordinary/gop-debate-2015 "
                                  f"and IRA handles' posts {IRA_WINDOW[0]}..{IRA_WINDOW[1]}"
                                  f"{' (all posts)' if args.ira_all_posts else ' naming the race'} (scripts/fit_bot_behaviour.py)"})
    for name, c in params["patterns"].items():
        print(f"{name:16s} " + "  ".join(f"{lab}: ord {v['ordinary'][0]}/{v['ordinary'][1]} ira {v['organised'][0]}/{v['organised'][1]} LR {v['lr']}"
                                        for lab, v in c["bins"].items()))
    if args.write:
        target = REPO / "src" / "botwatch" / "accounts" / "data" / "bot_behaviour.json"
        target.write_text(json.dumps(params, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        bb.parameters.cache_clear()
        print(f"wrote {target}")
    probs = loso_probabilities(args.data / "labelled")
    res = evaluate(df, params, probs, gilani_behaviour(args.data / "labelled" / "gilani2017"))
    res["parameters"] = params
    print(json.dumps({k: v for k, v in res.items() if k != "parameters"}, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
