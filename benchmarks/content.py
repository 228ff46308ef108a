"""Content-stage benchmark: posts/s for the whole `content` stage (match, language, sentiment,
stance, writing both tables) on generated election posts, plus the `estimates` stage after it.

Posts are generated with the mix that drives the cost: mostly English (VADER runs on each distinct
English text), a share of retweets that repeat earlier texts (scored once), other languages
(no VADER), posts without a language tag (py3langid runs), hashtags and mentions of party accounts.
The generated talk is harder than real election talk: about 70% of posts name a party (1.3
post-party rows per post, against 0.19 in 200k IRA tweets and 0.07 in the ordinary Brexit tweets
under uk-ge2017), so the stance and sentiment models, the dearest step, run far more often; its
60-word vocabulary makes VADER cheap. `--study` times real posts.

On a DuckDB study of 20,000 posts or more the stage labels in forked workers (content/pool.py)
while this process reads and writes: the CPU line splits this process (and the account prior,
a whole-study engine step after the labelling, within it) from the workers, and
"2 idle cores" is the wall time two otherwise idle cores would take: the workers' CPU and this
process's CPU while they held a batch (it writes the batch before and reads the next meanwhile:
content.pool.OneBatchLate) shared over two cores, plus the rest of this process's CPU, which runs
alone (loading, handing batches out and gathering them, the account prior). The figure in
brackets counts all of this process's CPU as run alone (the estimate before the overlap).

Usage: python benchmarks/content.py [N=200000] [--retweets 0.3] [--workers K] [--preset uk-ge2017]
       python benchmarks/content.py --study COPY_OF_A_STUDY.duckdb --preset us-2016   (real posts;
       the study's post_labels / post_party / estimates are replaced)
Prints one line per stage with rows, seconds and rows/s, and the machine's core count.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

WORDS = ("the a we they it this that today tonight vote election manifesto debate poll nhs schools cuts tax jobs brexit "
         "people country future leader campaign promise plan housing police security economy wages").split()
TONE = "good great love brilliant hope win proud strong bad awful hate terrible lies failed weak disaster corrupt".split()
PARTY = "labour corbyn tories tory theresa may conservatives snp sturgeon ukip farage lib dems farron greens plaid".split()
TAGS = ["GE2017", "VoteLabour", "ForTheMany", "ToriesOut", "StrongAndStable", "DementiaTax", "VoteSNP", "VoteLibDem", "GE17", "BBCDebate", "brexit", "nhs"]
HANDLES = ["UKLabour", "jeremycorbyn", "theresa_may", "Conservatives", "LibDems", "theSNP", "UKIP", "BBCNews", "someone_else"]
FOREIGN = {
    "de": "Die Wahl in Großbritannien wird spannend, sagen die Umfragen heute",
    "fr": "Les élections britanniques approchent et les sondages bougent encore",
    "ru": "Выборы в Британии: опросы показывают неожиданные результаты сегодня",
    "es": "Las elecciones británicas se acercan y las encuestas cambian cada día",
}


def generate(n: int, retweet_share: float, seed: int = 1) -> tuple[pa.Table, pa.Table]:
    """`n` posts and their accounts, shaped like the canonical tables."""
    rng = random.Random(seed)
    n_accounts = max(n // 20, 1)
    start = datetime(2017, 4, 18)
    rows: dict[str, list] = {k: [] for k in ("post_id", "platform", "account_id", "created_at", "text", "lang", "kind", "ref_post_id", "ref_account_id", "ref_handle", "hashtags", "mentions", "urls", "client", "source", "source_format")}
    originals: list[tuple[str, list[str]]] = []
    for i in range(n):
        # Half the posts from the busiest 2% of accounts, half spread over all: a heavy tail.
        acct = f"a{rng.randrange(max(n_accounts // 50, 1)) if rng.random() < 0.5 else rng.randrange(n_accounts)}"
        if originals and rng.random() < retweet_share:
            text, tags = rng.choice(originals)
            kind, lang, ref = "retweet", "en", rng.choice(HANDLES)
        else:
            r = rng.random()
            if r < 0.08:
                lang = rng.choice(list(FOREIGN))
                text, tags = FOREIGN[lang] + f" {i}", []
            else:
                words = rng.choices(WORDS, k=rng.randint(6, 16)) + rng.choices(TONE, k=rng.randint(0, 3)) + rng.choices(PARTY, k=rng.randint(0, 2))
                rng.shuffle(words)
                tags = rng.sample(TAGS, k=rng.randint(0, 2))
                text = " ".join(words) + "".join(f" #{t}" for t in tags) + f" https://t.co/{i:x}"
                lang = "en" if r < 0.97 else None
                originals.append((text, tags))
            kind, ref = "original", None
        rows["post_id"].append(str(10**15 + i))
        rows["platform"].append("twitter")
        rows["account_id"].append(acct)
        rows["created_at"].append(start + timedelta(seconds=rng.randrange(52 * 86400)))
        rows["text"].append(text)
        rows["lang"].append(lang)
        rows["kind"].append(kind)
        rows["ref_post_id"].append(None)
        rows["ref_account_id"].append(None)
        rows["ref_handle"].append(ref)
        rows["hashtags"].append(tags)
        rows["mentions"].append(rng.sample(HANDLES, k=1) if rng.random() < 0.15 else [])
        rows["urls"].append([])
        rows["client"].append(None)
        rows["source"].append(f"generated:{i}")
        rows["source_format"].append("generated")
    from botwatch.schema import ACCOUNTS, POSTS

    for f in POSTS:  # columns generated posts have no value for (Mastodon's content `warning`, layout 2)
        rows.setdefault(f.name, [None] * len(rows["post_id"]))
    posts = pa.Table.from_pydict(rows, schema=POSTS)
    ids = sorted(set(rows["account_id"]))
    acc = {f.name: [None] * len(ids) for f in ACCOUNTS}
    acc["account_id"] = ids
    acc["platform"] = ["twitter"] * len(ids)
    acc["handle"] = [f"user_{a}" for a in ids]
    return posts, pa.Table.from_pydict(acc, schema=ACCOUNTS)


def _cpu() -> tuple[float, float]:
    """CPU seconds of (this process, its reaped children: the labelling workers)."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=200_000)
    ap.add_argument("--retweets", type=float, default=0.3)
    ap.add_argument("--workers", type=int, default=None, help="labelling worker processes (default: min(cores, 4); 1: one process)")
    ap.add_argument("--preset", default="uk-ge2017")
    ap.add_argument("--study", type=Path, default=None, help="time an existing study instead of generated posts")
    args = ap.parse_args()

    from botwatch.content.sentiment import SentimentScorer
    from botwatch.elections import load_election
    from botwatch.study import Study

    election = load_election(args.preset)
    if args.study is not None:
        with Study(args.study) as st:
            _time(st, election)
        return
    t0 = time.perf_counter()
    posts, accounts = generate(args.n, args.retweets)
    print(f"generated {posts.num_rows:,} posts by {accounts.num_rows:,} accounts in {time.perf_counter() - t0:.1f} s; cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        with Study(Path(tmp) / "bench.duckdb") as st:
            for name, table in (("posts", posts), ("accounts", accounts)):
                st.con.register("_in", table)
                st.sql(f"INSERT INTO {name} SELECT * FROM _in")
                st.con.unregister("_in")
            if args.workers is not None:
                original = SentimentScorer.__init__

                def init(self, *a, **k):  # type: ignore[no-untyped-def]
                    original(self, *a, **{**k, "workers": args.workers})

                SentimentScorer.__init__ = init  # type: ignore[method-assign]
            _time(st, election)


def _time(st, election) -> None:  # type: ignore[no-untyped-def]
    from botwatch.content import stage as content_stage
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates

    # This process's CPU in the account prior (`propagate_in_engine`, a whole-study step after the
    # labelling) is counted apart, so the parent's share can be split without a profiler.
    prior_cpu = [0.0]
    propagate = content_stage.propagate_in_engine

    def timed_prior(*a, **k):  # type: ignore[no-untyped-def]
        c = _cpu()[0]
        try:
            return propagate(*a, **k)
        finally:
            prior_cpu[0] += _cpu()[0] - c

    content_stage.propagate_in_engine = timed_prior
    # This process's CPU while the workers held a batch (it writes batch k - 1 and reads k + 1
    # while they label batch k: content.pool.OneBatchLate) shares the two cores with them.
    late = content_stage.OneBatchLate
    beside: list = []

    class Counted(late):  # type: ignore[misc, valid-type]
        def __init__(self, *a, **k):  # type: ignore[no-untyped-def]
            super().__init__(*a, **k)
            beside.append(self)

    content_stage.OneBatchLate = Counted
    try:
        t, (c_self, c_kids) = time.perf_counter(), _cpu()
        n, pp = content_stage.run_content(st, election, log=lambda m: None)
        secs = time.perf_counter() - t
    finally:
        content_stage.propagate_in_engine = propagate
        content_stage.OneBatchLate = late
    me, kids = _cpu()[0] - c_self, _cpu()[1] - c_kids
    shared = sum(b.overlapped_cpu for b in beside)
    cpu, idle2, serial2 = me + kids, me - shared + (shared + kids) / 2, me + kids / 2
    print(f"content:   {n:,} posts, {pp:,} post-party rows in {secs:.2f} s wall = {n / secs:,.0f} posts/s "
          f"(CPU {cpu:.2f} s = {me:.2f} this process ({prior_cpu[0]:.2f} of it the account prior, {shared:.2f} beside the workers) + {kids:.2f} workers = "
          f"{n / max(cpu, 1e-9):,.0f} posts per CPU-second; "
          f"2 idle cores: {idle2:.2f} s = {n / max(idle2, 1e-9):,.0f} posts/s "
          f"(all of this process's CPU counted alone: {serial2:.2f} s = {n / max(serial2, 1e-9):,.0f} posts/s); load average {os.getloadavg()[0]:.1f})")
    t = time.perf_counter()
    rows = write_estimates(st, compute_estimates(st, election, EstimateOptions(sample_rate=0.01), log=lambda m: None))
    print(f"estimates: {rows:,} rows (1,000 bootstrap replicates per cell) in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
