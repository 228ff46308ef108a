#!/usr/bin/env python
"""How often the estimates' account-bootstrap intervals hold a figure drawn again: the check behind
`report/concentration.py` (docs/methods.md, "estimates: intervals where a few accounts write most posts").

    PYTHONPATH=src .venv/bin/python scripts/check_interval_coverage.py --work /tmp/cover [--halves 200] [--light]

1. The ordinary brexit-2016 tweets (../shared/data/ordinary) ingested with their columns mapped and
   analysed with the uk-ge2017 parties over a 2016 window (20 Feb - 2 Oct 2016, polling day 23 June:
   the archive's own months; an election file written from the preset with those dates and no
   events), sample rate 0.01. Nothing is fitted: real posts, the shipped models.
2. Per party, each account's counts in the campaign window (posts, support, oppose, measured,
   scored, positive, negative), as the estimates stage counts them.
3. For each of `--halves` random halves of the accounts: the estimates stage's own cell bootstrap
   (`estimates.compute.cell_rows`, 1,000 replicates, rate 0.005 so a half scales to the whole) and
   whether its 95% interval holds the whole study's estimate. A half is part of the whole, so an
   honest interval holds it about 99% of the time (|Z| < 1.96 * sqrt 2), not 95%.
4. Prints the share held over all cells and per (party, measure), and the posts of each party's
   five most active accounts. `--light` drops, per party, the accounts with more than 5 posts about
   it first: the control that shows the shortfall comes from heavy posters.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from pathlib import Path

import duckdb
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from botwatch.estimates.compute import EstimateOptions, cell_rows  # noqa: E402

PARTIES = ("conservative", "labour", "ukip", "snp", "libdem", "green")
METRICS = ("posts", "support_posts", "oppose_posts", "support_share", "oppose_share", "positive_share", "negative_share")
COLUMNS = "post_id=tweet_id,account_id=user_id,created_at=created_at,text=text,location=user_location,hashtags=hashtags"
# The estimates stage's rule for a pair whose stance counts as measured (`estimates.relational`).
MEASURED = ("(coalesce(lang='en',false) or (coalesce(stance_rule<>'no_cue',true) and not (coalesce(stance_rule in ('account_prior','retweet_neighbours'),false) "
            "and not coalesce(list_has_any(signals, ['pro_tag','anti_tag','pro_kw','anti_kw','own_account','retweet_account','quote_account']),false))))")


def election_file(work: Path) -> Path:
    """The uk-ge2017 preset with the archive's 2016 months and its own key, events left out."""
    text = (REPO / "src/botwatch/elections/presets/uk-ge2017.toml").read_text(encoding="utf-8")
    text = text.split("\n[[events]]", 1)[0] + "\n"
    for old, new in (('key = "uk-ge2017"', 'key = "uk-brexit2016-window"'), ('name = "UK general election 2017"', 'name = "UK parties, 2016 window"'),
                     ("trigger_date = 2017-04-18", "trigger_date = 2016-02-20"), ("polling_day = 2017-06-08", "polling_day = 2016-06-23"),
                     ("start = 2017-04-18", "start = 2016-02-20"), ("end = 2017-06-09", "end = 2016-10-02")):
        assert old in text, old
        text = text.replace(old, new, 1)
    out = work / "uk-brexit2016-window.toml"
    out.write_text(text, encoding="utf-8")
    return out


def build(work: Path, data: Path) -> Path:
    study = work / "brexit.duckdb"
    if study.exists():
        return study
    bw = [sys.executable, "-m", "botwatch.cli"]
    subprocess.run([*bw, "ingest", str(study), str(data / "ordinary/brexit-2016/tweets.csv.gz"), "--columns", COLUMNS], check=True)
    subprocess.run([*bw, "analyze", str(study), "--election", str(election_file(work)), "--sample-rate", "0.01"], check=True)
    return study


def account_counts(study: Path) -> dict[str, np.ndarray]:
    c = duckdb.connect(str(study), read_only=True)
    start, end = c.sql("SELECT DISTINCT period_start, period_end FROM estimates WHERE period = 'campaign'").fetchall()[0]
    accs = [r[0] for r in c.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election AND created_at >= ? AND created_at < ? ORDER BY 1",
                                params=[start, end]).fetchall()]
    ix = {a: i for i, a in enumerate(accs)}
    out = {p: np.zeros((len(accs), 8)) for p in PARTIES}
    for a, p, *v in c.sql(
        f"""SELECT account_id, party, count(*), count(*) FILTER (WHERE stance = 'support' AND {MEASURED}), count(*) FILTER (WHERE stance = 'oppose' AND {MEASURED}),
        count(*) FILTER (WHERE stance = 'neutral' AND {MEASURED}), count(sentiment), count(*) FILTER (WHERE sentiment >= 0.05),
        count(*) FILTER (WHERE sentiment <= -0.05), count(*) FILTER (WHERE stance IS NOT NULL AND {MEASURED})
        FROM post_party WHERE in_election AND created_at >= ? AND created_at < ? GROUP BY 1, 2""", params=[start, end]).fetchall():
        if p in out and a in ix:
            out[p][ix[a]] = v
    return out


def rows_for(x: np.ndarray, rate: float, seed: int) -> dict[str, dict]:
    keep = x[:, 0] > 0
    uniq, mult = np.unique(x[keep], axis=0, return_counts=True)
    el = types.SimpleNamespace(key="check")
    windows = [("campaign", None, None)]
    opts = EstimateOptions(sample_rate=rate, reps=1000, seed=seed)
    return {r["metric"]: r for r in cell_rows(el, windows, opts, ("campaign", "all", "p"), uniq, mult, population=len(x))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/interval-coverage"))
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--halves", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--light", action="store_true", help="drop, per party, accounts with more than 5 posts about it (the control)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    counts = account_counts(build(args.work, args.data))
    if args.light:
        for x in counts.values():
            x[x[:, 0] > 5] = 0
    for p, x in counts.items():
        top = np.sort(x[:, 0])[::-1]
        print(f"{p}: {int(x[:, 0].sum()):,} posts by {int((x[:, 0] > 0).sum()):,} accounts; the five most active wrote {int(top[:5].sum()):,}")
    whole = {p: rows_for(x, 0.01, 2017) for p, x in counts.items()}
    n = len(next(iter(counts.values())))
    rng = np.random.default_rng(args.seed)
    held: dict[tuple[str, str], list[int]] = {}
    for r in range(args.halves):
        half = rng.random(n) < 0.5
        for p, x in counts.items():
            if (x[half][:, 0] > 0).sum() < 5:
                continue
            got = rows_for(x[half], 0.005, r)
            for m in METRICS:
                lo, hi = got[m]["ci_low"], got[m]["ci_high"]
                if lo is None or hi is None or abs(hi - lo) < 1e-12:
                    continue  # no interval (too few accounts, or every replicate the same)
                c = held.setdefault((p, m), [0, 0])
                c[0] += 1
                c[1] += lo <= whole[p][m]["estimate"] <= hi
    tot, hit = sum(v[0] for v in held.values()), sum(v[1] for v in held.values())
    print(f"{args.halves} halves: the whole study's estimate inside the half's 95% interval {hit:,}/{tot:,} = {hit / tot:.1%} (about 99% is due)")
    for (p, m), (k, h) in sorted(held.items()):
        print(f"  {p:12s} {m:15s} {h}/{k} = {h / k:.0%}")


if __name__ == "__main__":
    main()
