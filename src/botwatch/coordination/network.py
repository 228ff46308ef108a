"""From posts to a tested co-action network inside the study: traces, pairs, null test, edges.

The relational steps are the Ibis expressions of `behaviours` and `edges`; this module decides
what to materialise (the per-trace first actions and the co-action rows are reused by the null
test and the evidence table, so each is computed once into a temporary table) and writes the
output tables:

- `coordination_edges`: one row per account pair kept (co-actions at or above the tested
  threshold), with counts, the IDF weight, behaviours, first/last co-action and who led;
- `coordination_evidence`: every shared trace behind every kept edge (what, when, who first);
- `coordination_null`: the observed and null curves the threshold was read from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from botwatch.coordination.behaviours import DEFAULT_BEHAVIOURS, MIN_TEXT_CHARS, check_behaviours, drop_generic_traces_sql, traces
from botwatch.coordination.edges import (
    DEFAULT_MAX_TRACE_ACCOUNTS,
    DEFAULT_MIN_REPEATS,
    DEFAULT_WINDOW_S,
    PairOptions,
    aggregate_edges,
    co_action_counts,
    first_actions,
    pair_rows,
    DEFAULT_NULL_MODEL,
    null_times,
    with_popularity,
)
import numpy as np

from botwatch.coordination.nulltest import NullResult, benjamini_hochberg, pair_pvalues, pooled_curves
from botwatch.study import Study

DEFAULT_NULL_REPLICATES = 2
DEFAULT_MAX_FDR = 0.05
DEFAULT_SEED = 7
NEAR_MAX_TEXTS = 300_000


@dataclass
class NetworkOptions:
    """Every knob of the coordination stage, with the defaults documented in docs/methods.md."""

    behaviours: tuple[str, ...] = DEFAULT_BEHAVIOURS
    window_s: int = DEFAULT_WINDOW_S
    min_repeats: int = DEFAULT_MIN_REPEATS
    max_trace_accounts: int = DEFAULT_MAX_TRACE_ACCOUNTS
    null_replicates: int = DEFAULT_NULL_REPLICATES
    null_model: str = DEFAULT_NULL_MODEL
    max_fdr: float = DEFAULT_MAX_FDR
    seed: int = DEFAULT_SEED
    fast_seconds: int = 30
    min_text_chars: int = MIN_TEXT_CHARS

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "NetworkOptions":
        """Read `coordination_*` keys of a pipeline Context's options (unknown keys are ignored)."""
        kw: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            v = options.get(f"coordination_{name}")
            if v is not None:
                kw[name] = tuple(v) if name == "behaviours" else v
        return cls(**kw)


@dataclass
class NetworkResult:
    """What a run found, for the runs table, the CLI and the report."""

    options: NetworkOptions
    trace_rows: int = 0
    traces_shared: int = 0
    traces_capped: int = 0
    co_action_rows: int = 0
    candidate_pairs: int = 0
    edges: int = 0
    evidence_rows: int = 0
    null: NullResult | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k not in ("null", "options")}
        d["options"] = asdict(self.options)
        if self.null is not None:
            d["threshold"] = self.null.threshold
            d["fdr"] = self.null.fdr
            d["tested"] = self.null.tested
            d["family"] = self.null.family
            d["null_replicates"] = self.null.replicates
        return d


def materialise(study: Study, name: str, expr: Any, *, temp: bool = False) -> Any:
    """Write an Ibis expression to a (temporary) DuckDB table and return that table.

    The SQL is compiled by Ibis and run through `study.sql`, which fetches each result fully
    (DuckDB 2 refuses new work while a result is pending); the progress bar is switched off so
    a long join does not scribble over the CLI's own output.
    """
    study.sql("SET enable_progress_bar = false")
    sql = study.ibis.compile(expr)
    kind = "TEMP TABLE" if temp else "TABLE"
    study.sql(f'CREATE OR REPLACE {kind} "{name}" AS {sql}')
    return study.ibis.table(name)


def _hist(backend: Any, counts: Any) -> dict[int, int]:
    h = counts.group_by("co_actions").agg(pairs=counts.count())
    tbl = backend.to_pyarrow(h)
    return {int(k): int(v) for k, v in zip(tbl["co_actions"].to_pylist(), tbl["pairs"].to_pylist())}


def near_map_table(study: Study, opts: NetworkOptions) -> Any | None:
    """The post_id → near-duplicate group table for `co-post-near` (None if too many texts)."""
    from botwatch.coordination.near import near_duplicate_groups

    n = study.sql("SELECT count(*) FROM posts WHERE kind <> 'retweet' AND length(text) >= ?", [opts.min_text_chars])[0][0]
    if n > NEAR_MAX_TEXTS:
        return None
    rows = study.con.execute(
        "SELECT post_id, text FROM posts WHERE kind <> 'retweet' AND length(text) >= ?", [opts.min_text_chars]
    ).fetchall()
    mapping = near_duplicate_groups(rows)
    tbl = pa.table({"near_post_id": list(mapping), "near_group": list(mapping.values())}, schema=pa.schema([("near_post_id", pa.string()), ("near_group", pa.string())]))
    study.con.register("_coord_near_arrow", tbl)
    study.sql("CREATE OR REPLACE TEMP TABLE _coord_near AS SELECT * FROM _coord_near_arrow")
    study.con.unregister("_coord_near_arrow")
    return study.ibis.table("_coord_near")


def prepare_first_actions(study: Study, opts: NetworkOptions, posts: Any | None = None) -> Any:
    """Materialise the first action per (trace, account) with its popularity; returns the table."""
    backend = study.ibis
    posts = study.table("posts") if posts is None else posts
    behaviours = check_behaviours(opts.behaviours)
    near = near_map_table(study, opts) if "co-post-near" in behaviours else None
    tr = traces(posts, behaviours, near_map=near, fast_seconds=opts.fast_seconds, min_text_chars=opts.min_text_chars)
    raw = materialise(study, "_coord_first0", first_actions(tr), temp=True)
    study.sql(f"DELETE FROM _coord_first0 WHERE {drop_generic_traces_sql(opts.min_text_chars)}")
    first = materialise(study, "_coord_first", with_popularity(raw), temp=True)
    study.sql("DROP TABLE IF EXISTS _coord_first0")
    return first


def test_pairs(study: Study, first: Any, pairs: Any, popts: PairOptions, opts: NetworkOptions) -> NullResult:
    """Test every candidate pair against the null model; leaves the kept pairs in `_coord_kept`
    (platform, account_a, account_b, expected_by_chance, p_value) and returns the result."""
    backend = study.ibis
    obs = materialise(study, "_coord_obs", co_action_counts(pairs), temp=True)
    observed = _hist(backend, obs)
    nulls: list[dict[int, int]] = []
    null_names: list[str] = []
    for r in range(opts.null_replicates):
        name = f"_coord_null{r}"
        nt = materialise(study, name, co_action_counts(pair_rows(null_times(first, opts.seed + r, opts.null_model), popts)), temp=True)
        nulls.append(_hist(backend, nt))
        null_names.append(name)
    union = " UNION ALL ".join(f"SELECT platform, account_a, account_b, co_actions FROM {n}" for n in null_names) or (
        "SELECT NULL::VARCHAR AS platform, NULL::VARCHAR AS account_a, NULL::VARCHAR AS account_b, 0::BIGINT AS co_actions WHERE false"
    )
    reps = max(opts.null_replicates, 1)
    study.sql(f"CREATE OR REPLACE TEMP TABLE _coord_nulls AS {union}")
    # The Chung-Lu style prior: chance co-actions spread over pairs in proportion to the product
    # of the two accounts' activity on shareable traces, scaled to the null's total.
    tbl = study.con.sql(
        f"""
        WITH act AS (
            SELECT platform, account_id, count(*)::DOUBLE AS act FROM _coord_first
            WHERE n >= 2 AND n <= {int(popts.max_trace_accounts)} GROUP BY ALL
        ), norm AS (
            SELECT platform, (sum(act) * sum(act) - sum(act * act)) / 2 AS pairs_mass FROM act GROUP BY ALL
        ),
        total AS (SELECT platform, sum(co_actions) / {reps} AS total FROM _coord_nulls GROUP BY ALL),
        pair_null AS (SELECT platform, account_a, account_b, sum(co_actions) AS null_sum FROM _coord_nulls GROUP BY ALL)
        SELECT o.platform, o.account_a, o.account_b, o.co_actions, coalesce(n.null_sum, 0) AS null_sum,
               coalesce(t.total * pa.act * pb.act / nullif(nm.pairs_mass, 0), 0.0) AS prior
        FROM _coord_obs o
        LEFT JOIN pair_null n USING (platform, account_a, account_b)
        LEFT JOIN act pa ON pa.platform = o.platform AND pa.account_id = o.account_a
        LEFT JOIN act pb ON pb.platform = o.platform AND pb.account_id = o.account_b
        LEFT JOIN total t ON t.platform = o.platform
        LEFT JOIN norm nm ON nm.platform = o.platform
        WHERE o.co_actions >= {int(opts.min_repeats)}
        """
    ).to_arrow_table()
    study.sql("DROP TABLE IF EXISTS _coord_nulls")
    for n in null_names:
        study.sql(f"DROP TABLE IF EXISTS {n}")
    lam, p = pair_pvalues(tbl["co_actions"].to_numpy(), tbl["null_sum"].to_numpy(), opts.null_replicates, tbl["prior"].to_numpy())
    active = study.sql(f"SELECT platform, count(DISTINCT account_id) FROM _coord_first WHERE n >= 2 AND n <= {int(popts.max_trace_accounts)} GROUP BY ALL")
    family = sum(int(a) * (int(a) - 1) // 2 for _, a in active)
    keep = benjamini_hochberg(p, opts.max_fdr, m_total=family)
    kept = pa.table(
        {
            "platform": tbl["platform"].filter(pa.array(keep)),
            "account_a": tbl["account_a"].filter(pa.array(keep)),
            "account_b": tbl["account_b"].filter(pa.array(keep)),
            "expected_by_chance": pa.array(np.round(lam[keep], 4)),
            "p_value": pa.array(p[keep]),
        }
    )
    study.con.register("_coord_kept_arrow", kept)
    study.sql("CREATE OR REPLACE TEMP TABLE _coord_kept AS SELECT * FROM _coord_kept_arrow")
    study.con.unregister("_coord_kept_arrow")
    obs_ge, null_ge = pooled_curves(observed, nulls)
    counts = tbl["co_actions"].to_numpy()[keep]
    return NullResult(
        threshold=int(counts.min()) if counts.size else opts.min_repeats,
        fdr=opts.max_fdr if counts.size else None,
        replicates=opts.null_replicates,
        tested=int(len(tbl)),
        family=family,
        kept=int(keep.sum()),
        observed_ge=obs_ge,
        null_ge=null_ge,
    )


def build_network(study: Study, opts: NetworkOptions, log: Callable[[str], None] = lambda m: None) -> NetworkResult:
    """Run the whole projection → pairs → null test → edges/evidence chain and write the tables."""
    backend = study.ibis
    res = NetworkResult(options=opts)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        res.seconds[name] = round(now - clock, 3)
        clock = now

    first = prepare_first_actions(study, opts)
    lap("traces")
    res.trace_rows = int(study.sql("SELECT count(*) FROM _coord_first")[0][0])
    res.traces_shared, res.traces_capped = (
        int(x or 0)
        for x in study.sql(
            "SELECT count(*) FILTER (WHERE n >= 2 AND n <= ?), count(*) FILTER (WHERE n > ?) "
            "FROM (SELECT DISTINCT platform, behaviour, trace, n FROM _coord_first)",
            [opts.max_trace_accounts, opts.max_trace_accounts],
        )[0]
    )
    popts = PairOptions(window_s=opts.window_s, max_trace_accounts=opts.max_trace_accounts)
    pairs = materialise(study, "_coord_pairs", pair_rows(first, popts), temp=True)
    res.co_action_rows = int(study.sql("SELECT count(*) FROM _coord_pairs")[0][0])
    lap("pairs")
    res.null = test_pairs(study, first, pairs, popts, opts)
    res.candidate_pairs = res.null.observed_ge.get(1, 0)
    lap("null")
    log(
        f"coordination: {res.candidate_pairs:,} pairs co-acted, {res.null.tested:,} tested, {res.null.kept:,} beat chance "
        f"(Poisson vs {res.null.replicates} null runs, BH FDR {opts.max_fdr})"
    )

    kept_t = study.ibis.table("_coord_kept")
    edges = aggregate_edges(pairs)
    edges = edges.join(kept_t, ["platform", "account_a", "account_b"])
    behav = pairs.group_by(["platform", "account_a", "account_b"]).agg(behaviours=pairs.behaviour.collect(distinct=True).sort())
    edges = edges.join(behav, ["platform", "account_a", "account_b"])
    edges = edges.mutate(weight=edges.co_actions.cast("float64"), weight_idf=edges.weight_idf.round(4))
    materialise(study, "coordination_edges", edges.order_by(["platform", "account_a", "account_b"]))
    res.edges = study.count("coordination_edges")
    kept = backend.table("coordination_edges").select("platform", "account_a", "account_b")
    ev = pairs.semi_join(kept, ["platform", "account_a", "account_b"])
    gap = ev.t_b.epoch_seconds() - ev.t_a.epoch_seconds()
    ev = ev.select(
        "platform", "account_a", "account_b", "behaviour", "trace", "target", "post_a", "post_b", "t_a", "t_b",
        gap_s=gap.abs(),
        first_actor=ibis.ifelse(gap > 0, ev.account_a, ibis.ifelse(gap < 0, ev.account_b, ibis.null().cast("string"))),
        trace_accounts=ev.n,
        idf=ev.idf.round(4),
    )
    materialise(study, "coordination_evidence", ev.order_by(["platform", "account_a", "account_b", "t_a"]))
    res.evidence_rows = study.count("coordination_evidence")
    null_rows = res.null.rows()
    study.sql("CREATE OR REPLACE TABLE coordination_null (k BIGINT, observed_pairs BIGINT, null_pairs DOUBLE, null_ratio DOUBLE, min_kept BOOLEAN, window_s BIGINT, replicates BIGINT)")
    if null_rows:
        study.con.executemany(
            "INSERT INTO coordination_null VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[k, o, n, f, k == res.null.threshold, opts.window_s, res.null.replicates] for k, o, n, f in null_rows],
        )
    lap("edges")
    for tmp in ("_coord_pairs", "_coord_first", "_coord_near", "_coord_kept", "_coord_obs"):
        study.sql(f"DROP TABLE IF EXISTS {tmp}")
    return res


def estimate_window(study: Study, behaviours: tuple[str, ...] = ("co-retweet",), quantile: float = 0.1, opts: NetworkOptions | None = None) -> dict[str, Any]:
    """A data-driven window: how soon after an item's first share the quickest shares follow.

    For every trace shared by at least two accounts, each later share's delay after the first is
    measured; the window is that delay's `quantile` (the quickest tenth by default), rounded up to
    whole seconds and at least 1 s. Coordinated shares are the unusually quick ones, so a window
    read from the data's own quick tail adapts to its platform and timestamp resolution (the IRA
    release has whole minutes, so nothing under 60 s can be told apart there).
    """
    o = opts or NetworkOptions()
    first = prepare_first_actions(study, NetworkOptions(**{**asdict(o), "behaviours": tuple(behaviours)}))
    starts = first.group_by(["platform", "behaviour", "trace"]).agg(t0=first.t.min())
    j = first.join(starts, ["platform", "behaviour", "trace"])
    d = j.mutate(delay=(j.t.epoch_seconds() - j.t0.epoch_seconds()))
    d = d.filter((d.n >= 2) & (d.n <= o.max_trace_accounts) & (d.delay > 0))
    agg = d.aggregate(
        q=d.delay.quantile(quantile), median=d.delay.quantile(0.5), shares=d.count(),
    )
    row = study.ibis.to_pyarrow(agg).to_pylist()[0]
    study.sql("DROP TABLE IF EXISTS _coord_first")
    q = row["q"]
    window = max(1, int(-(-float(q) // 1))) if q is not None else DEFAULT_WINDOW_S
    return {"window_s": window, "quantile": quantile, "median_delay_s": row["median"], "later_shares": row["shares"], "behaviours": list(behaviours)}


def sweep(study: Study, windows: list[int], opts: NetworkOptions) -> list[dict[str, Any]]:
    """Pairs, threshold and kept edges for several windows (the first-action table is built once).

    Nothing is written; it shows how sensitive the network is to the window before choosing one.
    """
    backend = study.ibis
    first = prepare_first_actions(study, opts)
    out = []
    for w in windows:
        popts = PairOptions(window_s=w, max_trace_accounts=opts.max_trace_accounts)
        pairs = materialise(study, "_coord_pairs", pair_rows(first, popts), temp=True)
        nr = test_pairs(study, first, pairs, popts, opts)
        accounts = int(study.sql("SELECT count(*) FROM (SELECT account_a FROM _coord_kept UNION SELECT account_b FROM _coord_kept)")[0][0])
        out.append(
            {"window_s": w, "pairs": nr.observed_ge.get(1, 0), "tested": nr.tested, "edges": nr.kept, "accounts": accounts, "min_co_actions": nr.threshold}
        )
    for tmp in ("_coord_pairs", "_coord_kept", "_coord_obs"):
        study.sql(f"DROP TABLE IF EXISTS {tmp}")
    study.sql("DROP TABLE IF EXISTS _coord_first")
    return out
