#!/usr/bin/env python
"""What the study prior reads on small samples of ordinary accounts, on the development part only.

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_prior_small.py --work W [--election uk-ge2017]
    PYTHONPATH=src .venv/bin/python scripts/measure_origin_prior_small.py --work W --election us-2016 --archive gop-debate-2015

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

`--archive gop-debate-2015` takes the short samples from the part's American archive instead (its
keys are prefixed 'gop-'), read under the election given (us-2016: the country a US study is read
with), beside the British runs read under us-2016 that a US study is quoted
(`origin_prior.HELD_OUT_SHORT["US"]`; the American ones read lower, over one night). That
archive is one evening (about 5,400 development tweets over 16 hours): its consecutive runs are
hours of one debate night, not days, and as many as the part holds gives one sample; it is drawn
at random at each size too (`ARCHIVES`). Writes W/origin-prior-small-dev-ELECTION-gop-debate-2015.json.
"""

from __future__ import annotations

import datetime
import gzip
import json
import sys
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Archive:
    """Whose statuses the short samples are cut from: the archive's accounts (`validate_origin.ordinary_source`),
    the consecutive runs' sizes in tweets (None: as many as the part holds) and the sizes drawn at random."""

    source: str
    consecutive: tuple[int | None, ...]
    at_random: tuple[int, ...]


# brexit-2016 as it was measured on 2026-12-06 (10,000 tweets: four runs). gop-debate-2015 holds about
# 5,400 development tweets of one evening: its 1,000-tweet runs are five, its 3,000-tweet run one, and
# the whole part one more, so its sizes are drawn at random as well, to give each size more than a handful.
ARCHIVES = {
    "brexit-2016": Archive(V.ORDINARY_UK, SAMPLE_TWEETS, (RANDOM_TWEETS,)),
    "gop-debate-2015": Archive(V.ORDINARY_US, (1_000, 3_000, None), (1_000, RANDOM_TWEETS)),
}


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


def dev_tweets(work: Path, source: str = V.ORDINARY_UK) -> list[bytes]:
    """The development part's statuses of one ordinary archive (`source`, as `validate_origin.ordinary_source`
    names it; v1.1 lines as `prepare_part` wrote them), oldest first. Reads W/apart-dev only."""
    def when(line: bytes) -> datetime.datetime:
        return datetime.datetime.strptime(json.loads(line)["created_at"], "%a %b %d %H:%M:%S %z %Y")

    with gzip.open(work / "apart-dev" / "ordinary-v1-dev.jsonl.gz", "rb") as f:
        lines = [ln for ln in f if ln.strip() and V.ordinary_source(str(json.loads(ln)["user"]["id_str"])) == source]
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


def sample_plans(lines: list[bytes], archive: Archive, rng: np.random.Generator) -> list[tuple[int, str, list[list[bytes]]]]:
    """(tweets, how, samples) for each size: every run of that many consecutive statuses (what a
    collection over a few days holds: each account's few posts fall in the same hours; None: all of
    them, one sample), and `RANDOM_SAMPLES` of each random size drawn at random over the whole period."""
    plans = []
    for size in archive.consecutive:
        n = len(lines) if size is None else size
        plans.append((n, "all the part holds" if size is None else "consecutive", [lines[s:s + n] for s in range(0, len(lines) - n + 1, n)]))
    for n in archive.at_random:
        plans.append((n, "at random", [[lines[i] for i in sorted(rng.choice(len(lines), n, replace=False))] for _ in range(RANDOM_SAMPLES)]))
    return plans


def short_samples(work: Path, data: Path, election: object, rng: np.random.Generator, name: str = "brexit-2016") -> list[dict]:
    """The study prior of short samples of the part's statuses of the archive `name` (`ARCHIVES`),
    each ingested as a study of its own (`sample_plans`)."""
    lines = dev_tweets(work, ARCHIVES[name].source)
    rows = []
    for n, how, samples in sample_plans(lines, ARCHIVES[name], rng):
        got = np.array([sample_estimate(s, work, data, election) for s in samples])
        rows.append({"sample": f"{n:,} {name} tweets, {how}", "samples": len(samples), "median_accounts": int(np.median(got[:, 3])),
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
    ap.add_argument("--archive", choices=sorted(ARCHIVES), default="brexit-2016",
                    help="the ordinary archive the short samples are cut from (development part only)")
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
    if args.archive != "brexit-2016":  # last, and only here, so the British run draws what it drew on 2026-12-06
        subsets["gop-debate-2015 only"] = ~uk
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
    samples = short_samples(args.work, args.data, election, rng, args.archive)
    out = args.work / (f"origin-prior-small-dev-{args.election}" + ("" if args.archive == "brexit-2016" else f"-{args.archive}") + ".json")
    out.write_text(json.dumps({"election": args.election, "archive": args.archive, "base": base, "accounts": len(p), "near_left_out": left,
                               "all": [round(whole.share, 5), round(whole.lo, 5), round(whole.hi, 5)], "draws": DRAWS, "seed": SEED,
                               "rows": rows, "short_samples": samples}, indent=1), encoding="utf-8")
    print(f"wrote {out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
