"""Co-action pairs by relational band joins, at bounded cost even on the most popular items.

Two accounts co-act when they leave the same trace within `window` seconds of each other. The
naive way (all pairs of accounts on a trace, then filter by time) is quadratic in a trace's
popularity: one post retweeted 300,000 times would make 45 billion pairs. Here

1. each account counts once per trace (its first action);
2. time is cut into buckets as wide as the window, and the self-join is an *equality* join on
   (platform, behaviour, trace, bucket) against a copy of the right side shifted by one bucket;
   any two actions within the window fall in the same or adjacent buckets, so the engine hashes
   instead of comparing every pair, and the residual filter is the exact time band. A popular
   post costs what its retweets *within a window of each other* cost, not its square;
3. where even that is too much (a post retweeted by thousands within minutes), the trace is
   thinned: its within-window pairs are estimated from the bucket counts and, above
   `max_trace_pairs`, each account on it is kept with probability r = sqrt(budget / pairs)
   (a fixed hash of account and trace), so about `max_trace_pairs` pairs remain. The rate is
   carried on every pair row (`rate`), counted in the summary, and the null model is thinned
   the same way, so the test compares like with like. Popular posts stay in the analysis:
   coordination that only shows on them (a network amplifying the party leaders) is still seen;
4. the remaining traces are down-weighted by an inverse-document-frequency weight (a trace
   shared by few accounts is strong evidence). An optional hard cap (`max_trace_accounts`,
   off by default) still sets the most popular traces aside, and they are counted.

Everything is an Ibis expression, so DuckDB and Spark run the same plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis

DEFAULT_WINDOW_S = 60
DEFAULT_MAX_TRACE_ACCOUNTS = 0  # no hard cap: popular traces are thinned instead
DEFAULT_MAX_TRACE_PAIRS = 250_000
DEFAULT_MIN_REPEATS = 2
# The thinning hash is fixed (not the null seed): the observed data and every null copy draw
# with the same function, at the same per-trace rate.
_THIN_SALT = "|thin"
_THIN_MOD = 1_000_003

_KEY = ["platform", "behaviour", "trace"]


@dataclass(frozen=True)
class PairOptions:
    """How co-actions are paired: the window, the per-trace pair budget and the optional cap."""

    window_s: int = DEFAULT_WINDOW_S
    max_trace_accounts: int = DEFAULT_MAX_TRACE_ACCOUNTS  # 0: no cap
    max_trace_pairs: int = DEFAULT_MAX_TRACE_PAIRS  # 0: never thin

    def capped(self, n: Any) -> Any:
        """Ibis condition: a trace with `n` accounts is set aside by the hard cap."""
        return (n > self.max_trace_accounts) if self.max_trace_accounts and self.max_trace_accounts > 0 else ibis.literal(False)


def first_actions(traces: Any, drop: Callable[[Any], Any] | None = None) -> Any:
    """One row per (trace, account): its first action and that post; repeats add no evidence.

    `drop`, a condition on a trace's key columns (`behaviours.generic_trace`), leaves out the
    traces it holds for (where it is NULL the trace stays). It is aggregated with the rows and
    filtered on after the grouping: a filter on the key itself would be pushed under the grouping,
    where each engine would compute the normalised text again for it."""
    # Ties in time (whole-minute timestamps are common) are broken by post id, so every engine
    # picks the same post and the evidence is reproducible.
    order = traces.t.epoch_seconds().cast("int64").cast("string").lpad(12, "0") + "|" + traces.post_id
    aggs = dict(t=traces.t.min(), post_id=traces.post_id.argmin(order), target=traces.target.max())
    if drop is None:
        return traces.group_by(_KEY + ["account_id"]).agg(**aggs)
    grouped = traces.group_by(_KEY + ["account_id"]).agg(**aggs, _drop=drop(traces).fill_null(False).any())
    return grouped.filter(~grouped._drop).drop("_drop")


def with_popularity(first: Any) -> Any:
    """Adds `n` (accounts on the trace) and `idf` = ln(accounts active in the behaviour / n).

    Counts come from a grouped aggregate joined back, not a window: a window partitioned by the
    trace sorts on it, and co-post traces are whole texts (measured 5x slower on 1M posts).
    """
    per_trace = first.group_by(_KEY).agg(n=first.count())
    active = first.group_by(["platform", "behaviour"]).agg(n_active=first.account_id.nunique())
    first = first.join(per_trace, _KEY).join(active, ["platform", "behaviour"])
    return first.mutate(idf=(first.n_active.cast("float64") / first.n.cast("float64")).ln())


def thinning_rates(f: Any, opts: PairOptions) -> Any:
    """Per trace whose within-window pairs may exceed the budget: (platform, behaviour, trace, rate).

    `f` carries `bucket` (time // window). The pairs within the window are at most, per bucket,
    m(m-1)/2 inside it plus m times the next bucket's m; a trace with fewer than
    sqrt(2 * budget) accounts cannot exceed the budget and is not looked at.
    """
    budget = float(opts.max_trace_pairs)
    heavy = f.filter(f.n.cast("float64") * (f.n - 1).cast("float64") / 2 > budget)
    b = heavy.group_by(_KEY + ["bucket"]).agg(m=heavy.count())
    nxt = b.select(n_platform=b.platform, n_behaviour=b.behaviour, n_trace=b.trace, n_bucket=b.bucket - 1, m_next=b.m)
    j = b.left_join(nxt, [b.platform == nxt.n_platform, b.behaviour == nxt.n_behaviour, b.trace == nxt.n_trace, b.bucket == nxt.n_bucket])
    m = j.m.cast("float64")
    est = (m * (m - 1) / 2 + m * ibis.coalesce(j.m_next, 0).cast("float64"))
    per = j.group_by(_KEY).agg(pairs_est=est.sum())
    return per.select(*_KEY, rate=ibis.least((budget / ibis.greatest(per.pairs_est, 1.0)).sqrt(), 1.0))


def kept_by_thinning(account: Any, trace: Any, rate: Any) -> Any:
    """Ibis condition: this (account, trace) survives thinning at `rate` (1 keeps everything)."""
    u = ((account + "|" + trace + _THIN_SALT).hash() % _THIN_MOD).abs().cast("float64") / _THIN_MOD
    return (rate >= 1.0) | (u < rate)


def pair_rows(first: Any, opts: PairOptions) -> Any:
    """Co-action rows: one per (trace, account pair) within the window, accounts ordered a < b.

    `first` must carry the columns of `with_popularity`. Columns out: platform, behaviour, trace,
    account_a, account_b, t_a, t_b, post_a, post_b, target, idf, n, rate (the trace's thinning
    rate: each account on it was kept with this probability; 1 = all).
    """
    w = max(int(opts.window_s), 1)
    f = first.filter((first.n >= 2) & ~opts.capped(first.n))
    f = f.mutate(bucket=f.t.epoch_seconds() // w)
    if opts.max_trace_pairs and opts.max_trace_pairs > 0:
        rates = thinning_rates(f, opts).rename(r_platform="platform", r_behaviour="behaviour", r_trace="trace")
        f = f.left_join(rates, [f.platform == rates.r_platform, f.behaviour == rates.r_behaviour, f.trace == rates.r_trace])
        f = f.drop("r_platform", "r_behaviour", "r_trace")
        f = f.mutate(rate=ibis.coalesce(f.rate, 1.0))
        f = f.filter(kept_by_thinning(f.account_id, f.trace, f.rate))
    else:
        f = f.mutate(rate=ibis.literal(1.0))
    left = f.select(*_KEY, x_acc=f.account_id, x_t=f.t, x_post=f.post_id, key=f.bucket, target=f.target, idf=f.idf, n=f.n, rate=f.rate)
    r = f.select(
        r_platform=f.platform, r_behaviour=f.behaviour, r_trace=f.trace, y_acc=f.account_id, y_t=f.t, y_post=f.post_id, b=f.bucket
    )
    right = r.mutate(key=r.b, shift=ibis.literal(0)).union(r.mutate(key=r.b - 1, shift=ibis.literal(1))).drop("b")
    j = left.join(
        right,
        [
            left.platform == right.r_platform,
            left.behaviour == right.r_behaviour,
            left.trace == right.r_trace,
            left.key == right.key,
        ],
    )
    gap = (j.y_t.epoch_seconds() - j.x_t.epoch_seconds()).abs()
    j = j.filter((j.x_acc != j.y_acc) & (gap <= w) & ((j.shift == 1) | (j.x_acc < j.y_acc)))
    x_is_a = j.x_acc < j.y_acc
    return j.select(
        *_KEY,
        account_a=ibis.ifelse(x_is_a, j.x_acc, j.y_acc),
        account_b=ibis.ifelse(x_is_a, j.y_acc, j.x_acc),
        t_a=ibis.ifelse(x_is_a, j.x_t, j.y_t),
        t_b=ibis.ifelse(x_is_a, j.y_t, j.x_t),
        post_a=ibis.ifelse(x_is_a, j.x_post, j.y_post),
        post_b=ibis.ifelse(x_is_a, j.y_post, j.x_post),
        target=j.target,
        idf=j.idf,
        n=j.n,
        rate=j.rate,
    )


def aggregate_edges(pairs: Any, *, behaviours: bool = False) -> Any:
    """One row per account pair: how often they co-acted, on how many behaviours, and who led.

    `co_actions` counts distinct post pairs (`trace_matches` the behaviour-trace matches behind
    them, e.g. a retweet matching on the post and its link); `weight_idf` sums the IDF weights (a TF-IDF-style
    weight: common traces count for little); `a_first`/`b_first` count who acted first.
    `behaviours` adds the sorted list of the pair's behaviours as a last column, in this same
    grouping: grouped apart and joined back, it was a shuffle and a join more (Spark jobs on a lake).
    """
    gap = (pairs.t_b.epoch_seconds() - pairs.t_a.epoch_seconds()).cast("float64")
    key = pairs.post_a + "|" + pairs.post_b
    p = pairs.mutate(gap=gap.abs(), _key=key, _a_led=ibis.ifelse(gap > 0, key, ibis.null().cast("string")), _b_led=ibis.ifelse(gap < 0, key, ibis.null().cast("string")))
    return p.group_by(["platform", "account_a", "account_b"]).agg(
        co_actions=p._key.nunique(),
        trace_matches=p.count(),
        weight_idf=p.idf.sum(),
        n_behaviours=p.behaviour.nunique(),
        first_at=ibis.least(p.t_a, p.t_b).min(),
        last_at=ibis.greatest(p.t_a, p.t_b).max(),
        a_first=p._a_led.nunique(),
        b_first=p._b_led.nunique(),
        median_gap_s=p.gap.median(),
        **({"behaviours": p.behaviour.collect(distinct=True).sort()} if behaviours else {}),
    )


NULL_MODELS = ("account-swap", "item-swap", "day-shuffle", "trace-permute")
DEFAULT_NULL_MODEL = "account-swap"
# The null models whose expectation per pair is computed exactly (network.analytic_expectation)
# rather than estimated from a few random copies.
ANALYTIC_NULL_MODELS = ("account-swap",)


def _reassign(first: Any, groups: list[Any], seed: int, moved: list[str]) -> Any:
    """Within each group, every row takes the `moved` columns of the next row in a seeded random
    order (the last takes the first's): a random cyclic permutation of those columns.

    One sort per group and no self-join: the permute-by-rank-join version was the slowest step
    of the whole stage. A single random cycle is not a uniform permutation, but every row still
    receives a random other row's values, which is what the null needs.
    """
    salt = ibis.literal(f"#{int(seed)}")
    # The shuffle key hashes the trace too: a post with two links is two co-link rows, which
    # must not sit side by side in the order (each would hand the other its own link back), and
    # the full key makes the order, hence the null and the kept edges, the same on every run.
    # MD5, not the engine's own hash(): DuckDB and Spark hash differently, MD5 is one function on
    # both, so a lake draws the same null copy as a DuckDB study.
    key = (first.post_id + "|" + first.trace + salt).hexdigest("md5")
    w = ibis.window(group_by=groups, order_by=[key, first.post_id, first.behaviour, first.trace, first.account_id])
    new = {c: ibis.coalesce(first[c].lead().over(w), first[c].first().over(w)) for c in moved}
    return first.select(*[(new[c].name(c) if c in moved else first[c]) for c in first.columns])


def null_times(first: Any, seed: int, model: str = DEFAULT_NULL_MODEL, swap_unit: str | None = None) -> Any:
    """A null-model copy of `first` (same columns) in which coordination has been destroyed.

    - ``account-swap`` (default): within each behaviour and UTC day (`swap_unit`, "D" or "h"),
      the accounts are shuffled among the actions. Every action keeps its item and its exact
      time, so every post keeps its own timing distribution (a post retweeted by thousands in
      its first hour still makes them coincide by chance), and every account keeps how many
      actions it made that day; what breaks is *who* acted when. It is the one null under which
      a network amplifying only the most popular posts still stands out (its members act within
      seconds where the post's crowd spreads over hours) and a burst that is most of a sparse
      stream's hour is not explained away (the day holds enough other actions). Its expectation
      per pair has a closed form (`network.analytic_expectation`), so the test does not depend
      on a few random copies; copies drawn here serve the report's curves and the check of
      that formula.
    - ``item-swap``: within each behaviour and UTC hour (`swap_unit`, "h" or "D"), the
      items (traces) acted on are shuffled among the actions. Every account keeps its exact times (bursts, schedule) and
      every item keeps how often it was acted on in that hour, so popular posts still make
      crowds coincide by chance; what breaks is *which* accounts picked the same item.
    - ``day-shuffle``: each account's action times are shuffled among its own actions of the
      same UTC day (the issue's suggestion). Weaker: accounts run on one schedule (all posting
      in the same minute) still coincide under it, so it explains part of real coordination away.
    - ``trace-permute``: within each trace, its times are shuffled among the accounts on it.
      Blind to coordination that shows in *which* items a group shares.
    """
    if model == "account-swap":
        return _reassign(first, [first.platform, first.behaviour, first.t.truncate(swap_unit or "D")], seed, ["account_id"])
    if model == "item-swap":
        unit = first.t.truncate(swap_unit or "h")
        return _reassign(first, [first.platform, first.behaviour, unit], seed, ["trace", "target", "n", "idf"])
    if model == "day-shuffle":
        return _reassign(first, [first.platform, first.account_id, first.t.truncate("D")], seed, ["t"])
    if model == "trace-permute":
        return _reassign(first, [first.platform, first.behaviour, first.trace], seed, ["t"])
    raise ValueError(f"unknown null model {model!r}; known: {', '.join(NULL_MODELS)}")
