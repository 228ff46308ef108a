#!/usr/bin/env python
"""What the study prior reads on small samples of ordinary accounts, on the development part only.

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_prior_small.py --work W [--election uk-ge2017]

Why: the study prior's sentence (`origin_prior.StudyPrior.held_out`) says what such an estimate read
where no account was Russia-run, measured on the test part's ~13,000 ordinary accounts. A user's
study is often far smaller: 3,000 brexit-2016 tweets (1,579 accounts) read "4.7% [1.5%, 9.0%]". Most
accounts of a small sample carry little evidence, and the calibration map puts a weak account's
P(Russia) a little below the calibration mix, so a handful of stronger accounts set the mixture
estimate. This draws random subsets of the development part's ORDINARY accounts (none Russia-run)
and estimates the share on each with the shipped `origin_prior.estimate`, as a study of that many
accounts would.

Each account's P(Russia) is the one the study prior reads (`run_accounts`: own evidence,
`origin_textpool.apply` shared-text pooling, the accounts not near Russia, `evidence_p_russia`).
Pooling and the near-Russia split are computed once over all the part's ordinary accounts (a
subset drawn from them pools with its neighbours outside the draw too: a close stand-in, not the
exact figure of a study of those accounts alone). Subsets: all ordinary accounts, the brexit-2016
ones only (British, as in the finding), accounts with 1-4 posts and with 1-2 posts; `SIZES` accounts,
`DRAWS` draws each, seeded. And short samples as a user collects them: the part's brexit-2016
statuses ingested `SAMPLE_TWEETS` at a time as studies of their own, every run of consecutive ones
(a collection over a few days: an account's few posts fall in the same hours) and `RANDOM_SAMPLES`
drawn at random, each read as `run_accounts` reads it (`validate_origin.origin_stages`, pooling and
the near-Russia split within the sample). Reports the estimate's median and 5-95% range and how
often the 95% interval lies above 0.1%. Development part only (W/apart-dev, as `measure_origin_dev.py`
builds it); there is no option to read the test part. Writes W/origin-prior-small-dev-ELECTION.json.
"""

from __future__ import annotations

import datetime
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_textpool  # noqa: E402
from botwatch.accounts.origin_batch import origin_posteriors  # noqa: E402
from botwatch.accounts.origin_prior import NEAR_MIN, estimate, evidence_p_russia, study_base  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.ingest.runner import ingest  # noqa: E402

SIZES = (300, 1_000, 3_000)
DRAWS = 200
SEED = 13
ABOVE = 0.001  # "the interval excludes 0.1%": its lower end above this
SAMPLE_TWEETS = (1_000, 3_000, 10_000)  # short samples' sizes in tweets (the finding's: 3,000)
RANDOM_TWEETS = 3_000  # the size also drawn at random over the whole period
RANDOM_SAMPLES = 16  # how many such random samples (the windows are as many as the part holds)


def study_prior_inputs(loaded: V.LoadedStudy, home: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """P(Russia) as the study prior reads it, the posts per account and whether it is British
    (brexit-2016), for the ordinary accounts with origin evidence not near Russia; and how many
    ordinary accounts with evidence the near-Russia split left out."""
    idx = [i for i, g in enumerate(loaded.groups) if g == GROUP_ORDINARY]
    keys = [loaded.keys[i] for i in idx]
    own = origin_posteriors([loaded.inputs[i] for i in idx], home=home)
    pooled = origin_textpool.apply(own, keys, loaded.neighbours)
    near = origin_textpool.near_russia(own, keys, loaded.neighbours, NEAR_MIN)
    far = [(r, i) for r, i, nr in zip(pooled, idx, near) if not nr and r.country is not None and r.p_russia is not None]
    p = evidence_p_russia([r for r, _ in far])
    posts = np.array([loaded.inputs[i].n_posts for _, i in far], int)
    uk = np.array([V.ordinary_source(loaded.ids[i]) == V.ORDINARY_UK for _, i in far], bool)
    left = sum(bool(nr) and r.country is not None for r, nr in zip(pooled, near))
    return p, posts, uk, left


def draws(p: np.ndarray, size: int, base: float, rng: np.random.Generator) -> dict:
    """The study prior's estimate over `DRAWS` random subsets of `size` of these accounts."""
    got = []
    for _ in range(DRAWS):
        pr = estimate(p[rng.choice(len(p), size, replace=False)], base)
        got.append((pr.share, pr.lo, pr.hi))
    a = np.array(got)
    return {"accounts": size, "pool": len(p), "median": round(float(np.median(a[:, 0])), 5),
            "p5": round(float(np.quantile(a[:, 0], 0.05)), 5), "p95": round(float(np.quantile(a[:, 0], 0.95)), 5),
            "median_lo": round(float(np.median(a[:, 1])), 5), "median_hi": round(float(np.median(a[:, 2])), 5),
            "interval_above_0.1%": round(float(np.mean(a[:, 1] > ABOVE)), 3)}


def brexit_dev_tweets(work: Path) -> list[bytes]:
    """The development part's brexit-2016 statuses (v1.1 lines as `prepare_part` wrote them), oldest first."""
    def when(line: bytes) -> datetime.datetime:
        return datetime.datetime.strptime(json.loads(line)["created_at"], "%a %b %d %H:%M:%S %z %Y")

    with gzip.open(work / "apart-dev" / "ordinary-v1-dev.jsonl.gz", "rb") as f:
        lines = [ln for ln in f if ln.strip() and V.ordinary_source(str(json.loads(ln)["user"]["id_str"])) == V.ORDINARY_UK]
    return sorted(lines, key=when)


def sample_estimate(lines: list[bytes], work: Path, data: Path, election: object) -> tuple[float, float, float, int]:
    """Ingest these statuses as a study of their own (as a user's short sample is ingested) and read
    its study prior as `run_accounts` computes it (`validate_origin.origin_stages`): the far
    stratum's (share, lo, hi, accounts)."""
    d = work / "prior-small-sample"
    d.mkdir(parents=True, exist_ok=True)
    src, path = d / "sample.jsonl.gz", d / "study.duckdb"
    path.unlink(missing_ok=True)
    with gzip.open(src, "wb") as f:
        f.writelines(lines)
    with open_study(path, read_only=False) as st:
        ingest(st, [str(src)])
    loaded = V.load_part(path, data, election, "dev")
    _own, _pooled, _final, prior = V.origin_stages(loaded.inputs, loaded.keys, loaded.neighbours, election.country)  # type: ignore[attr-defined]
    return prior.share, prior.lo, prior.hi, prior.accounts


def short_samples(work: Path, data: Path, election: object, rng: np.random.Generator) -> list[dict]:
    """The study prior of short samples of the part's brexit-2016 statuses: for each size in
    `SAMPLE_TWEETS`, every run of that many consecutive ones (what a collection over a few days
    holds: each account's few posts fall in the same hours), and `RANDOM_SAMPLES` of `RANDOM_TWEETS`
    drawn at random over the whole period."""
    lines = brexit_dev_tweets(work)
    plans = [(n, "consecutive", [lines[s:s + n] for s in range(0, len(lines) - n + 1, n)]) for n in SAMPLE_TWEETS]
    plans.append((RANDOM_TWEETS, "at random", [[lines[i] for i in sorted(rng.choice(len(lines), RANDOM_TWEETS, replace=False))]
                                               for _ in range(RANDOM_SAMPLES)]))
    rows = []
    for n, name, samples in plans:
        got = np.array([sample_estimate(s, work, data, election) for s in samples])
        rows.append({"sample": f"{n:,} brexit-2016 tweets, {name}", "samples": len(samples), "median_accounts": int(np.median(got[:, 3])),
                     "median": round(float(np.median(got[:, 0])), 5), "p5": round(float(np.quantile(got[:, 0], 0.05)), 5),
                     "p95": round(float(np.quantile(got[:, 0], 0.95)), 5), "median_lo": round(float(np.median(got[:, 1])), 5),
                     "median_hi": round(float(np.median(got[:, 2])), 5), "interval_above_0.1%": round(float(np.mean(got[:, 1] > ABOVE)), 3),
                     "estimates": [round(float(x), 5) for x in got[:, 0]]})
        r = rows[-1]
        print(f"{r['sample']}: {r['samples']} samples, median {r['median_accounts']:,} accounts with evidence; estimate median {r['median']:.2%} "
              f"[{r['p5']:.2%}, {r['p95']:.2%}], median interval [{r['median_lo']:.2%}, {r['median_hi']:.2%}], "
              f"interval above 0.1% in {r['interval_above_0.1%']:.0%}", flush=True)
    return rows


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    args = ap.parse_args()
    t0 = time.perf_counter()
    election = load_election(args.election)
    base = study_base(election.country)
    if base is None:
        raise SystemExit(f"{args.election}: the study prior does not apply (home Russia or no calibration)")
    path = V.prepare_part(*V.prepare_inputs(args.data, args.work), args.work, "dev")
    p, posts, uk, left = study_prior_inputs(V.load_part(path, args.data, election, "dev"), election.country)
    whole = estimate(p, base)
    print(f"{args.election}: {len(p):,} ordinary accounts with origin evidence not near Russia ({left:,} near Russia left out); "
          f"all together: {whole.estimate()}")
    subsets = {"all ordinary": np.ones(len(p), bool), "brexit-2016 only": uk, "1-4 posts": posts <= 4, "1-2 posts": posts <= 2}
    rng = np.random.default_rng(SEED)
    rows = []
    print("subset".ljust(26) + "pool".rjust(7) + "size".rjust(7) + "  median  [5%, 95%] of the estimate   median interval   interval above 0.1%")
    for name, mask in subsets.items():
        for size in SIZES:
            if mask.sum() < size:
                continue
            r = {"subset": name, **draws(p[mask], size, base, rng)}
            rows.append(r)
            print(name.ljust(26) + f"{r['pool']:7,d}{size:7,d}  {r['median']:.2%}  [{r['p5']:.2%}, {r['p95']:.2%}]".ljust(50)
                  + f"[{r['median_lo']:.2%}, {r['median_hi']:.2%}]".ljust(20) + f"{r['interval_above_0.1%']:.0%}", flush=True)
    samples = short_samples(args.work, args.data, election, rng)
    out = args.work / f"origin-prior-small-dev-{args.election}.json"
    out.write_text(json.dumps({"election": args.election, "base": base, "accounts": len(p), "near_left_out": left,
                               "all": [round(whole.share, 5), round(whole.lo, 5), round(whole.hi, 5)], "draws": DRAWS, "seed": SEED,
                               "rows": rows, "short_samples": samples}, indent=1), encoding="utf-8")
    print(f"wrote {out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
