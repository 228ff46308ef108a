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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from botwatch.coordination.behaviours import DEFAULT_BEHAVIOURS, MIN_TEXT_CHARS, check_behaviours, generic_trace, shared_text_sql, traces
from botwatch.coordination.edges import (
    ANALYTIC_NULL_MODELS,
    DEFAULT_MAX_TRACE_ACCOUNTS,
    DEFAULT_MAX_TRACE_PAIRS,
    DEFAULT_MIN_REPEATS,
    DEFAULT_NULL_MODEL,
    DEFAULT_WINDOW_S,
    PairOptions,
    aggregate_edges,
    first_actions,
    null_times,
    pair_rows,
    with_popularity,
)
import numpy as np

from botwatch.coordination.nulltest import MIN_LAMBDA, NullResult, pooled_curves
from botwatch.count_text import counted
from botwatch.study import Study

# With the default null the test uses the closed-form expectation, so the null copies only draw
# the report's observed-vs-chance curve: one is enough.
DEFAULT_NULL_REPLICATES = 1
DEFAULT_MAX_FDR = 0.05
DEFAULT_SEED = 7
NEAR_MAX_TEXTS = 300_000
# DuckDB's share of the stage's memory budget (the rest is Python, Arrow and igraph); above it
# DuckDB spills joins and aggregates to `temp_directory`. 0 leaves DuckDB's own limit.
DEFAULT_MEMORY_MB = 500


@dataclass
class NetworkOptions:
    """Every knob of the coordination stage, with the defaults documented in docs/methods.md."""

    behaviours: tuple[str, ...] = DEFAULT_BEHAVIOURS
    window_s: int = DEFAULT_WINDOW_S
    min_repeats: int = DEFAULT_MIN_REPEATS
    max_trace_accounts: int = DEFAULT_MAX_TRACE_ACCOUNTS
    max_trace_pairs: int = DEFAULT_MAX_TRACE_PAIRS
    null_replicates: int = DEFAULT_NULL_REPLICATES
    null_model: str = DEFAULT_NULL_MODEL
    null_unit: str | None = None  # the null's stratum, "D" (UTC day) or "h" (hour); None: the model's own (account-swap D, item-swap h)
    max_fdr: float = DEFAULT_MAX_FDR
    seed: int = DEFAULT_SEED
    fast_seconds: int = 30
    min_text_chars: int = MIN_TEXT_CHARS
    memory_mb: int = DEFAULT_MEMORY_MB
    temp_directory: str | None = None

    @classmethod
    def option_keys(cls) -> tuple[str, ...]:
        """The `Context.options` keys `from_options` reads: `coordination_` and a field's name."""
        return tuple(f"coordination_{name}" for name in cls.__dataclass_fields__)

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
    traces_thinned: int = 0  # popular traces paired on a sample of their accounts
    thinned_min_rate: float | None = None  # the lowest sampling rate among them
    thinned_actions: int = 0  # actions on thinned traces
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
            d["null_analytic"] = self.null.analytic
            d["tests"] = self.null.per_test
            # How far a kept edge's p-value can move between runs: not at all with the
            # exact expectation; with a simulated null it depends on the copies and the seed.
            d["p_value_stability"] = (
                "exact expectation: identical on every run and seed"
                if self.null.analytic
                else f"estimated from {self.null.replicates} seeded null copies: reproducible for one seed, moves between seeds"
            )
        d["unseen"] = self.unseen()
        return d

    def unseen(self) -> list[str]:
        """What the test could not see, in words (for the CLI and the report)."""
        out = []
        if self.traces_capped:
            out.append(
                f"{self.traces_capped:,} item(s) shared by more than {self.options.max_trace_accounts:,} accounts were set aside "
                "(--max-trace-accounts): coordination that shows only on them is not seen"
            )
        if self.traces_thinned:
            out.append(
                f"{self.traces_thinned:,} popular item(s) ({self.thinned_actions:,} actions) were paired on a sample of their accounts "
                f"(rate down to {self.thinned_min_rate:.3f}, so about {self.options.max_trace_pairs:,} pairs each): a network acting "
                "on them is seen with fewer co-actions than it made"
            )
        return out


def materialise(study: Study, name: str, expr: Any, *, temp: bool = False) -> Any:
    """Write an Ibis expression to a (temporary) DuckDB table and return that table.

    The SQL is compiled by Ibis and run through `study.sql`, which fetches each result fully
    (DuckDB 2 refuses new work while a result is pending); the progress bar is switched off so
    a long join does not scribble over the CLI's own output.
    """
    study.sql("SET enable_progress_bar = false")
    study.write_expr(name, expr, temp=temp)
    return study.ibis.table(name)


def near_map_table(study: Study, opts: NetworkOptions) -> Any | None:
    """The post_id → near-duplicate group table for `co-post-near` (None if too many texts)."""
    from botwatch.coordination.near import near_duplicate_groups

    text = shared_text_sql(study.columns("posts"))  # without a content warning, as co-post reads it
    own = f"FROM (SELECT post_id, kind, {text} AS text FROM posts) AS p WHERE kind <> 'retweet' AND length(text) >= ?"
    n = study.sql(f"SELECT count(*) {own}", [opts.min_text_chars])[0][0]
    if n > NEAR_MAX_TEXTS:
        return None
    # Collected on purpose: at most NEAR_MAX_TEXTS texts (checked above), grouped by MinHash here.
    rows = study.sql(f"SELECT post_id, text {own}", [opts.min_text_chars])
    mapping = near_duplicate_groups(rows)
    tbl = pa.table({"near_post_id": list(mapping), "near_group": list(mapping.values())}, schema=pa.schema([("near_post_id", pa.string()), ("near_group", pa.string())]))
    with study.temp_view("_coord_near_arrow", tbl):
        study.sql("CREATE OR REPLACE TEMP TABLE _coord_near AS SELECT * FROM _coord_near_arrow")
    return study.ibis.table("_coord_near")


def prepare_first_actions(study: Study, opts: NetworkOptions, posts: Any | None = None) -> Any:
    """Materialise the first action per (trace, account) with its popularity; returns the table."""
    posts = study.table("posts") if posts is None else posts
    behaviours = check_behaviours(opts.behaviours)
    near = near_map_table(study, opts) if "co-post-near" in behaviours else None
    tr = traces(posts, behaviours, near_map=near, fast_seconds=opts.fast_seconds, min_text_chars=opts.min_text_chars,
                accounts=study.table("accounts") if "co-mention" in behaviours else None)
    # The generic traces are left out as the first actions are written, not deleted after (a
    # DELETE rewrote `_coord_first0`: a Spark job on a lake). `_coord_first0` stays a table of
    # its own: written in one statement with its popularity, the first actions are three
    # subqueries of the SQL Ibis compiles (`with_popularity` reads them three times), and DuckDB
    # would extract the traces three times; on Spark that saved no job over these two writes.
    raw = materialise(study, "_coord_first0", first_actions(tr, drop=lambda t: generic_trace(t, opts.min_text_chars)), temp=True)
    first = materialise(study, "_coord_first", with_popularity(raw), temp=True)
    study.sql("DROP TABLE IF EXISTS _coord_first0")
    return first


COMBINED = "*"  # the test on all behaviours together (shown as "combined")


def _test_names(opts: NetworkOptions) -> list[str]:
    """One test per behaviour, plus the combined one when there is more than one behaviour."""
    names = check_behaviours(opts.behaviours)
    return names + [COMBINED] if len(names) > 1 else names


def _per_test_counts(study: Study, source: str, target: str, multi: bool) -> None:
    """Co-actions per (platform, test, pair) from a table of pair rows: per behaviour, and over
    all behaviours together (a co-action is a pair of posts, whatever matched it).

    On a lake the two countings are one grouping (`GROUPING SETS`): each distinct count of a
    UNION ALL branch was two shuffles of its own, so the statement was 5 Spark jobs, and the one
    pass over `source` is 3 (docs/testing.md). DuckDB keeps its UNION ALL as it was."""
    if multi and getattr(study, "engine", "duckdb") != "duckdb":
        study.sql(
            f"CREATE OR REPLACE TEMP TABLE {target} AS "
            f"SELECT platform, CASE WHEN grouping(behaviour) = 1 THEN '{COMBINED}' ELSE behaviour END AS test, account_a, account_b, "
            f"count(DISTINCT (post_a, post_b)) AS co_actions FROM {source} "
            "GROUP BY GROUPING SETS ((platform, behaviour, account_a, account_b), (platform, account_a, account_b))"
        )
        return
    combined = (
        f" UNION ALL SELECT platform, '{COMBINED}' AS test, account_a, account_b, count(DISTINCT (post_a, post_b)) AS co_actions "
        f"FROM {source} GROUP BY ALL"
        if multi
        else ""
    )
    study.sql(
        f"CREATE OR REPLACE TEMP TABLE {target} AS "
        f"SELECT platform, behaviour AS test, account_a, account_b, count(DISTINCT (post_a, post_b)) AS co_actions FROM {source} GROUP BY ALL"
        + combined
    )


def _hist_sql(study: Study, table: str, test: str) -> dict[int, int]:
    rows = study.sql(f"SELECT co_actions, count(*) FROM {table} WHERE test = ? GROUP BY 1", [test])
    return {int(k): int(v) for k, v in rows}


def analytic_expectation(study: Study, opts: NetworkOptions, multi: bool, pairs_table: str = "_coord_pairs") -> None:
    """Expected co-actions by chance of every tested pair under `account-swap`, in closed form.

    Under the null each action keeps its item and time and takes an account drawn from its
    stratum (behaviour, UTC day): account a lands on a given action of stratum h with
    probability p_a(h) = (a's actions in h) / (actions in h). Two actions on the same trace
    within the window are a co-action for {a, b} when a lands on one and b on the other, so

        λ_ab = Σ over ordered within-window action pairs (s, s') of p_a(h(s)) · p_b(h(s')),

    summed over behaviours for the combined test. The within-window action pairs are exactly
    the observed pair rows, counted by stratum (each weighted by 1/rate² where the trace was
    thinned, so the expectation is that of the full trace: conservative for pairs the thinning
    dropped). Drawing with replacement, where the permutation draws without, is the one
    approximation; `tests/test_coordination.py` checks λ against the mean of seeded random
    copies. Sums run in fixed-point decimals, so the engine's parallel summation order cannot move
    the last bits: the same study gives the same p-values on every run.
    Writes `_coord_lam` (platform, test, account_a, account_b, lam).
    """
    unit = "hour" if str(opts.null_unit or "D").lower() in ("h", "hour") else "day"
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_p AS
        WITH slot AS (
            SELECT platform, behaviour, date_trunc('{unit}', t) AS h, account_id, count(*)::DOUBLE AS c FROM _coord_first GROUP BY ALL
        )
        SELECT platform, behaviour, h, account_id, c / sum(c) OVER (PARTITION BY platform, behaviour, h) AS p FROM slot
        """
    )
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_w AS
        SELECT platform, behaviour, h1, h2, sum(wt::DECIMAL(38, 12)) AS w FROM (
            SELECT platform, behaviour, date_trunc('{unit}', t_a) AS h1, date_trunc('{unit}', t_b) AS h2, 1.0 / (rate * rate) AS wt FROM {pairs_table}
            UNION ALL
            SELECT platform, behaviour, date_trunc('{unit}', t_b), date_trunc('{unit}', t_a), 1.0 / (rate * rate) FROM {pairs_table}
        ) GROUP BY ALL
        """
    )
    combined = (
        f" UNION ALL SELECT platform, '{COMBINED}', account_a, account_b, sum(lam) FROM per_behaviour GROUP BY ALL" if multi else ""
    )
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_lam AS
        WITH pairs AS (SELECT DISTINCT platform, account_a, account_b FROM _coord_tested),
        qa AS (
            SELECT t.platform, t.account_a, t.account_b, p.behaviour, w.h2, sum((p.p * w.w::DOUBLE)::DECIMAL(38, 12)) AS q
            FROM pairs t
            JOIN _coord_p p ON p.platform = t.platform AND p.account_id = t.account_a
            JOIN _coord_w w ON w.platform = p.platform AND w.behaviour = p.behaviour AND w.h1 = p.h
            GROUP BY ALL
        ), per_behaviour AS (
            SELECT qa.platform, qa.behaviour AS test, qa.account_a, qa.account_b, sum((qa.q::DOUBLE * pb.p)::DECIMAL(38, 12)) AS lam
            FROM qa JOIN _coord_p pb
              ON pb.platform = qa.platform AND pb.behaviour = qa.behaviour AND pb.account_id = qa.account_b AND pb.h = qa.h2
            GROUP BY ALL
        )
        SELECT platform, test, account_a, account_b, lam::DOUBLE AS lam FROM per_behaviour{combined}
        """
    )
    study.sql("DROP TABLE IF EXISTS _coord_p")
    study.sql("DROP TABLE IF EXISTS _coord_w")


def simulated_expectation(study: Study, first: Any, popts: PairOptions, opts: NetworkOptions, multi: bool, null_names: list[str]) -> None:
    """Expected co-actions from the null copies (already counted into `null_names`) plus the
    Chung–Lu style prior, for the models without a closed form. Writes `_coord_lam`."""
    reps = max(len(null_names), 1)
    union = " UNION ALL ".join(f"SELECT platform, test, account_a, account_b, co_actions FROM {n}" for n in null_names) or (
        "SELECT NULL::VARCHAR AS platform, NULL::VARCHAR AS test, NULL::VARCHAR AS account_a, NULL::VARCHAR AS account_b, 0::BIGINT AS co_actions WHERE false"
    )
    shareable = _shareable_sql(popts)
    combined_act = f" UNION ALL SELECT platform, '{COMBINED}', account_id, count(*)::DOUBLE FROM _coord_first WHERE {shareable} GROUP BY ALL" if multi else ""
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_lam AS
        WITH nulls AS ({union}),
        act AS (
            SELECT platform, behaviour AS test, account_id, count(*)::DOUBLE AS act FROM _coord_first WHERE {shareable} GROUP BY ALL{combined_act}
        ), norm AS (
            SELECT platform, test, (sum(act) * sum(act) - sum(act * act)) / 2 AS pairs_mass FROM act GROUP BY ALL
        ),
        total AS (SELECT platform, test, sum(co_actions) / {reps} AS total FROM nulls GROUP BY ALL),
        pair_null AS (SELECT platform, test, account_a, account_b, sum(co_actions) AS null_sum FROM nulls GROUP BY ALL)
        SELECT o.platform, o.test, o.account_a, o.account_b,
               (coalesce(n.null_sum, 0) + coalesce(t.total * pa.act * pb.act / nullif(nm.pairs_mass, 0), 0.0)) / {reps + 1} AS lam
        FROM _coord_tested o
        LEFT JOIN pair_null n USING (platform, test, account_a, account_b)
        LEFT JOIN act pa ON pa.platform = o.platform AND pa.test = o.test AND pa.account_id = o.account_a
        LEFT JOIN act pb ON pb.platform = o.platform AND pb.test = o.test AND pb.account_id = o.account_b
        LEFT JOIN total t ON t.platform = o.platform AND t.test = o.test
        LEFT JOIN norm nm ON nm.platform = o.platform AND nm.test = o.test
        """
    )


def _shareable_sql(popts: PairOptions) -> str:
    cap = f" AND n <= {int(popts.max_trace_accounts)}" if popts.max_trace_accounts and popts.max_trace_accounts > 0 else ""
    return f"n >= 2{cap}"


# The words of the null test's count ("N of M pair tests read"): a pair is tested once
# per behaviour and once for all together, so the rows are pair-test combinations, not pairs.
TAIL_UNIT = "pair tests"


def test_pairs(study: Study, first: Any, pairs: Any, popts: PairOptions, opts: NetworkOptions) -> NullResult:
    """Test every candidate pair against the null model; leaves the kept pairs in `_coord_kept`
    (platform, account_a, account_b, expected_by_chance, p_value, carried_by, best_co_actions) and returns the result.

    Each behaviour is tested on its own, and all behaviours together: an edge is kept when any
    of these tests keeps it (Benjamini–Hochberg within each test, over that test's family), so
    adding a behaviour can never hide an edge that one behaviour alone finds. `carried_by` names
    the tests that kept it; `p_value` and `expected_by_chance` are those of its strongest test.
    """
    tests = _test_names(opts)
    multi = COMBINED in tests
    curve_test = COMBINED if multi else tests[0]
    _per_test_counts(study, "_coord_pairs", "_coord_obs", multi)
    observed = _hist_sql(study, "_coord_obs", curve_test)
    study.sql(f"CREATE OR REPLACE TEMP TABLE _coord_tested AS SELECT * FROM _coord_obs WHERE co_actions >= {int(opts.min_repeats)}")
    nulls: list[dict[int, int]] = []
    null_names: list[str] = []
    for r in range(opts.null_replicates):
        name = f"_coord_null{r}"
        materialise(study, "_coord_nullpairs", pair_rows(null_times(first, opts.seed + r, opts.null_model, opts.null_unit), popts), temp=True)
        _per_test_counts(study, "_coord_nullpairs", name, multi)
        study.sql("DROP TABLE IF EXISTS _coord_nullpairs")
        nulls.append(_hist_sql(study, name, curve_test))
        null_names.append(name)
    analytic = opts.null_model in ANALYTIC_NULL_MODELS
    if analytic:
        analytic_expectation(study, opts, multi)
    else:
        simulated_expectation(study, first, popts, opts, multi, null_names)
    for n in null_names:
        study.sql(f"DROP TABLE IF EXISTS {n}")
    # The Poisson tail runs batch by batch on the engine (`map_arrow`), BH and the strongest test
    # per pair are engine SQL: only per-test counts and the kept pairs' summary reach the driver.
    # Its pairs read so far, of how many, go to the stage's "still running" lines and spinner
    # (`ticker.note_done`), which said only that the stage ran; on a lake to its Spark progress line,
    # and only where there is one: the count was two more Spark jobs on the small test lake.
    if getattr(study, "engine", "duckdb") == "duckdb":
        counted = {"count_as": TAIL_UNIT, "total": int(study.sql("SELECT count(*) FROM _coord_tested")[0][0])}
    else:
        counted = {"count_as": TAIL_UNIT, "total": study.count("_coord_tested")} if getattr(study, "progress", None) is not None else {}
    study.map_arrow(
        """
        SELECT o.platform, o.test, o.account_a, o.account_b, o.co_actions, coalesce(l.lam, 0.0) AS lam
        FROM _coord_tested o LEFT JOIN _coord_lam l
          ON l.platform = o.platform AND l.test = o.test AND l.account_a = o.account_a AND l.account_b = o.account_b
        """,
        poisson_tail,
        POISSON_SCHEMA,
        "_coord_pv",
        temp=True,
        **counted,
    )
    study.sql("DROP TABLE IF EXISTS _coord_lam")
    families = _family_sizes(study, popts, multi)
    _bh_on_engine(study, families, opts.max_fdr)
    study.sql("DROP TABLE IF EXISTS _coord_pv")
    got = {str(t): (int(n), int(k or 0)) for t, n, k in study.sql("SELECT test, count(*), sum(CASE WHEN kept THEN 1 ELSE 0 END) FROM _coord_bh GROUP BY test")}
    per_test: dict[str, dict[str, int]] = {}
    for test in tests:
        n, k = got.get(test, (0, 0))
        per_test[_display(test)] = {"tested": n, "kept": k, "family": families.get(test, 0)}
    kept_n, kept_min = _kept_on_engine(study)
    obs_ge, null_ge = pooled_curves(observed, nulls)
    tested_pairs = _tested_pairs(observed, opts.min_repeats)
    study.sql("DROP TABLE IF EXISTS _coord_tested")
    return NullResult(
        threshold=kept_min if kept_n else opts.min_repeats,
        fdr=opts.max_fdr if kept_n else None,
        replicates=opts.null_replicates,
        tested=tested_pairs,
        family=families.get(curve_test, 0),
        kept=kept_n,
        observed_ge=obs_ge,
        null_ge=null_ge,
        analytic=analytic,
        per_test=per_test,
    )


def _tested_pairs(observed: dict[int, int], min_repeats: int) -> int:
    """Account pairs tested by any test, read off the observed histogram of the curve's test.

    That test is the combined one when there are several behaviours, and a pair's combined
    co-actions (distinct post pairs over all behaviours) are at least its co-actions in any one
    behaviour, so a pair reaches `min_repeats` in some test exactly when it does in the curve's.
    Counting `_coord_tested`'s distinct pairs again was 3 Spark jobs on a lake for a figure the
    driver already held."""
    return sum(n for k, n in observed.items() if k >= int(min_repeats))


def _family_sizes(study: Study, popts: PairOptions, multi: bool) -> dict[str, int]:
    """Per test, how many account pairs could have coincided (the BH family, untested pairs included).

    A behaviour's family counts its accounts; the combined test's adds up each platform's
    accounts over all behaviours (accounts of two platforms never share a trace). Both groupings
    are one statement (`GROUPING SETS`): two queries were 6 Spark jobs on a lake, and the
    second scanned `_coord_first` again."""
    sets, key = ("(behaviour), (platform)", "CASE WHEN grouping(behaviour) = 1 THEN platform ELSE behaviour END") if multi else ("(behaviour)", "behaviour")
    rows = study.sql(
        f"SELECT grouping(behaviour) AS by_platform, {key} AS k, "
        f"count(DISTINCT (platform, account_id)) AS a FROM _coord_first WHERE {_shareable_sql(popts)} GROUP BY GROUPING SETS ({sets})"
    )
    families: dict[str, int] = {}
    combined: list[int] = []
    for by_platform, key, a in rows:
        pairs = int(a) * (int(a) - 1) // 2
        if int(by_platform):
            combined.append(pairs)
        else:
            families[str(key)] = pairs
    if multi:
        families[COMBINED] = sum(combined)
    return families


POISSON_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("test", pa.string()),
        ("account_a", pa.string()),
        ("account_b", pa.string()),
        ("co_actions", pa.int64()),
        ("lam", pa.float64()),
        ("p", pa.float64()),
        ("expected", pa.float64()),
    ]
)


def poisson_tail(batch: pa.RecordBatch) -> pa.Table:
    """P(X >= co_actions) under Poisson(λ) per tested pair, λ floored at MIN_LAMBDA; and λ rounded
    to 4 places by Python's `round` (exact decimal rounding, which SQL ROUND need not match).
    Module-level so Spark can ship it to executors."""
    lam = np.maximum(batch.column("lam").to_numpy(zero_copy_only=False).astype(float), MIN_LAMBDA)
    k = batch.column("co_actions").to_numpy(zero_copy_only=False).astype(float)
    from scipy.stats import poisson  # here, not at the top: `botwatch.cli` says why

    p = poisson.sf(k - 1, lam)
    return pa.table(
        {
            "platform": batch.column("platform"),
            "test": batch.column("test"),
            "account_a": batch.column("account_a"),
            "account_b": batch.column("account_b"),
            "co_actions": pa.array(k.astype(np.int64), pa.int64()),
            "lam": pa.array(lam, pa.float64()),
            "p": pa.array(p, pa.float64()),
            "expected": pa.array([round(float(x), 4) for x in lam], pa.float64()),
        }
    )


def _bh_on_engine(study: Study, families: dict[str, int], q: float) -> None:
    """Benjamini–Hochberg per test as window SQL into `_coord_bh` (`_coord_pv` plus `kept`).

    The arithmetic is `stats.bh_adjusted`'s, operation for operation, so the kept set is the
    same bit for bit: p_(r)·(n/r) with n/r one division, the running minimum from the largest
    rank down, capped at 1, then scaled by m/n (m the family, untested pairs as p = 1) and capped
    again when m > n. Tied p-values get the same adjusted value whatever rank order the engine
    gives them (the minimum from below covers the whole tie)."""
    fam = " ".join(f"WHEN '{t}' THEN {int(m)}" for t, m in sorted(families.items()))
    fam_sql = f"CASE test {fam} ELSE 0 END" if fam else "0"
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_bh AS
        WITH ranked AS (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY test ORDER BY p) AS bh_rank,
                   COUNT(*) OVER (PARTITION BY test) AS bh_n, {fam_sql} AS bh_m
            FROM _coord_pv
        ), scaled AS (
            SELECT *, p * (CAST(bh_n AS DOUBLE) / CAST(bh_rank AS DOUBLE)) AS bh_s FROM ranked
        ), adjusted AS (
            SELECT *, LEAST(CAST(1 AS DOUBLE), MIN(bh_s) OVER (PARTITION BY test ORDER BY bh_rank ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)) AS bh_q
            FROM scaled
        )
        SELECT platform, test, account_a, account_b, co_actions, p, expected,
               (CASE WHEN bh_m > bh_n THEN LEAST(CAST(1 AS DOUBLE), bh_q * (CAST(bh_m AS DOUBLE) / CAST(bh_n AS DOUBLE))) ELSE bh_q END)
                 <= CAST({float(q)!r} AS DOUBLE) AS kept
        FROM adjusted
        """
    )


def _kept_on_engine(study: Study) -> tuple[int, int]:
    """The kept pairs as the temp table `_coord_kept` (platform, account_a, account_b,
    expected_by_chance, p_value, carried_by, best_co_actions): per pair, the strongest test
    (smallest p, ties to the first test by name), the sorted tests that kept it and that test's
    co-actions. Returns (kept pairs, fewest co-actions among their strongest tests), the only
    figures the driver needs.

    Written once and unordered (its readers join it; `coordination_edges` is ordered where it is
    written): it was written to `_coord_kept_best`, then copied in order without `co_actions`
    into `_coord_kept`, a second write and a sort that cost 3 Spark jobs on a lake. Readers drop
    `best_co_actions` where it would clash (`_write_edges`)."""
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _coord_kept AS
        WITH k AS (SELECT * FROM _coord_bh WHERE kept),
        best AS (
            SELECT platform, account_a, account_b, expected, p, co_actions,
                   ROW_NUMBER() OVER (PARTITION BY platform, account_a, account_b ORDER BY p, test) AS r
            FROM k
        ), carried AS (
            SELECT platform, account_a, account_b,
                   list_sort(list(CASE WHEN test = '{COMBINED}' THEN 'combined' ELSE test END)) AS carried_by
            FROM k GROUP BY platform, account_a, account_b
        )
        SELECT b.platform, b.account_a, b.account_b, b.expected AS expected_by_chance, b.p AS p_value, c.carried_by,
               b.co_actions AS best_co_actions
        FROM best b JOIN carried c ON c.platform = b.platform AND c.account_a = b.account_a AND c.account_b = b.account_b
        WHERE b.r = 1
        """
    )
    study.sql("DROP TABLE IF EXISTS _coord_bh")
    # A lake reads both figures off the Parquet footers of what it has just written: the query
    # was 2 Spark jobs (docs/testing.md). Where the footers cannot say, and on DuckDB, the query.
    stored = getattr(study, "stored_count_min", None)
    got = stored("_coord_kept", "best_co_actions") if stored is not None else None
    n, low = got if got is not None else study.sql("SELECT count(*), min(best_co_actions) FROM _coord_kept")[0]
    return int(n), int(low) if low is not None else 0


def _display(test: str) -> str:
    return "combined" if test == COMBINED else test


@contextmanager
def memory_budget(study: Study, opts: NetworkOptions) -> Iterator[None]:
    """DuckDB's memory limit (and spill folder) for the stage, restored afterwards.

    DuckDB's own default is 80% of the machine; on a shared machine the stage would take what
    the others need. Above the limit DuckDB spills hash joins, aggregates and sorts to disk.
    Insertion order is not needed for any of the stage's tables (every output is ordered
    explicitly), and keeping it costs memory.
    """
    if not opts.memory_mb or opts.memory_mb <= 0 or getattr(study, "engine", "duckdb") != "duckdb":
        yield  # a lake's memory is Spark's (executor settings), not a per-stage DuckDB limit
        return
    keys = ("memory_limit", "preserve_insertion_order") + (("temp_directory",) if opts.temp_directory else ())
    previous = {k: study.sql(f"SELECT current_setting('{k}')")[0][0] for k in keys}
    study.sql(f"SET memory_limit = '{int(opts.memory_mb)}MB'")
    study.sql("SET preserve_insertion_order = false")
    if opts.temp_directory:
        study.sql(f"SET temp_directory = '{str(opts.temp_directory).replace(chr(39), chr(39) * 2)}'")
    try:
        yield
    finally:
        for k, v in previous.items():
            if isinstance(v, bool):
                study.sql(f"SET {k} = {str(v).lower()}")
            elif v is not None and v != "":
                study.sql(f"SET {k} = '{str(v).replace(chr(39), chr(39) * 2)}'")


def build_network(study: Study, opts: NetworkOptions, log: Callable[[str], None] = lambda m: None) -> NetworkResult:
    """Run the whole projection → pairs → null test → edges/evidence chain and write the tables,
    within the stage's memory budget (`memory_budget`)."""
    with memory_budget(study, opts):
        return _build_network(study, opts, log)


def _build_network(study: Study, opts: NetworkOptions, log: Callable[[str], None]) -> NetworkResult:
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
    popts = PairOptions(window_s=opts.window_s, max_trace_accounts=opts.max_trace_accounts, max_trace_pairs=opts.max_trace_pairs)
    pairs = materialise(study, "_coord_pairs", pair_rows(first, popts), temp=True)
    res.co_action_rows = int(study.sql("SELECT count(*) FROM _coord_pairs")[0][0])
    _count_traces(study, res, opts)
    lap("pairs")
    res.null = test_pairs(study, first, pairs, popts, opts)
    res.candidate_pairs = res.null.observed_ge.get(1, 0)
    lap("null")
    basis = "exact expectation" if res.null.analytic else f"{res.null.replicates} null runs"
    log(
        f"coordination: {counted(res.candidate_pairs, 'pair')} co-acted, {res.null.tested:,} tested, {res.null.kept:,} beat chance "
        f"(Poisson vs {opts.null_model} {basis}, BH FDR {opts.max_fdr} per test)"
    )
    for line in res.unseen():
        log(f"coordination: not seen: {line}")

    pairs = _write_edges(study, pairs)
    res.edges = study.count("coordination_edges")
    _write_evidence(study, pairs)
    res.evidence_rows = study.count("coordination_evidence")
    _write_null_curve(study, res.null, opts.window_s)
    lap("edges")
    for tmp in ("_coord_pairs", "_coord_kept_pairs", "_coord_first", "_coord_near", "_coord_kept", "_coord_obs", "_coord_tested"):
        study.sql(f"DROP TABLE IF EXISTS {tmp}")
    return res


def _count_traces(study: Study, res: NetworkResult, opts: NetworkOptions) -> None:
    """The shared, capped and thinned trace counts of `res`, in one statement.

    Shared and capped traces are read off `_coord_first`, thinned ones off `_coord_pairs` (only
    pair rows carry the sampling rate); each trace is one row of its table's DISTINCT, tagged by
    the table it came from. Two statements, one per table, were 5 Spark jobs on a lake."""
    cap = opts.max_trace_accounts if opts.max_trace_accounts and opts.max_trace_accounts > 0 else None
    row = study.sql(
        "SELECT count(*) FILTER (WHERE src = 0 AND n >= 2 AND (? IS NULL OR n <= ?)), count(*) FILTER (WHERE src = 0 AND n > ?), "
        "count(*) FILTER (WHERE src = 1), min(rate) FILTER (WHERE src = 1), coalesce(sum(n) FILTER (WHERE src = 1), 0) "
        "FROM (SELECT DISTINCT src, platform, behaviour, trace, rate, n FROM ("
        "SELECT 0 AS src, platform, behaviour, trace, CAST(1 AS DOUBLE) AS rate, n FROM _coord_first "
        "UNION ALL SELECT 1 AS src, platform, behaviour, trace, CAST(rate AS DOUBLE) AS rate, n FROM _coord_pairs WHERE rate < 1) AS t) AS d",
        [cap, cap, cap],
    )[0]
    res.traces_shared, res.traces_capped, res.traces_thinned = (int(x or 0) for x in row[:3])
    res.thinned_min_rate = round(float(row[3]), 4) if row[3] is not None else None
    res.thinned_actions = int(row[4])


def _write_edges(study: Study, pairs: Any) -> Any:
    """`coordination_edges` from the kept pairs' co-actions; returns those co-actions (a temp table)."""
    kept_t = study.ibis.table("_coord_kept").drop("best_co_actions")
    # Only the kept pairs' rows are aggregated (most co-action rows belong to pairs that lost).
    pairs = materialise(study, "_coord_kept_pairs", pairs.semi_join(kept_t, ["platform", "account_a", "account_b"]), temp=True)
    edges = aggregate_edges(pairs, behaviours=True)
    edges = edges.join(kept_t, ["platform", "account_a", "account_b"])
    # `behaviours` stays the column after the kept pair's own, where its join used to put it.
    edges = edges.relocate("behaviours", after=kept_t.columns[-1])
    edges = edges.mutate(weight=edges.co_actions.cast("float64"), weight_idf=edges.weight_idf.round(4))
    materialise(study, "coordination_edges", edges.order_by(["platform", "account_a", "account_b"]))
    return pairs


def _write_evidence(study: Study, pairs: Any) -> None:
    """`coordination_evidence`: every co-action behind a kept edge, who acted first, and whether
    its behaviour carries the edge."""
    backend = study.ibis
    kept = backend.table("coordination_edges").select("platform", "account_a", "account_b")
    ev = pairs.semi_join(kept, ["platform", "account_a", "account_b"])
    gap = ev.t_b.epoch_seconds() - ev.t_a.epoch_seconds()
    ev = ev.select(
        "platform", "account_a", "account_b", "behaviour", "trace", "target", "post_a", "post_b", "t_a", "t_b",
        gap_s=gap.abs().cast("float64"),  # DuckDB's epoch is a DOUBLE, Spark's a BIGINT
        first_actor=ibis.ifelse(gap > 0, ev.account_a, ibis.ifelse(gap < 0, ev.account_b, ibis.null().cast("string"))),
        trace_accounts=ev.n,
        idf=ev.idf.round(4),
        sample_rate=ev.rate.round(4),
    )
    carried = backend.table("coordination_edges").select("platform", "account_a", "account_b", "carried_by")
    ev = ev.join(carried, ["platform", "account_a", "account_b"])
    # Does this row's behaviour carry its edge (a test on it alone kept the edge, or the
    # combined test did)?
    ev = ev.mutate(carries=ev.carried_by.contains(ev.behaviour) | ev.carried_by.contains("combined")).drop("carried_by")
    materialise(study, "coordination_evidence", ev.order_by(["platform", "account_a", "account_b", "t_a"]))


def _write_null_curve(study: Study, null: NullResult, window_s: int) -> None:
    """`coordination_null`: pairs co-acting at least k times, observed against the null, per k."""
    null_rows = null.rows()
    # One Arrow write, not one INSERT per k: a pair of hyperactive accounts can share thousands
    # of co-actions, and the curve has a row for every k up to that (measured 4 s at 1M posts).
    study.write_table(
        "coordination_null",
        pa.table(
            {
                "k": pa.array([r[0] for r in null_rows], pa.int64()),
                "observed_pairs": pa.array([r[1] for r in null_rows], pa.int64()),
                "null_pairs": pa.array([float(r[2]) for r in null_rows], pa.float64()),
                "null_ratio": pa.array([r[3] for r in null_rows], pa.float64()),
                "min_kept": pa.array([r[0] == null.threshold for r in null_rows], pa.bool_()),
                "window_s": pa.array([window_s] * len(null_rows), pa.int64()),
                "replicates": pa.array([null.replicates] * len(null_rows), pa.int64()),
            }
        ),
    )


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
    d = d.filter((d.n >= 2) & ~PairOptions(max_trace_accounts=o.max_trace_accounts).capped(d.n) & (d.delay > 0))
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
    first = prepare_first_actions(study, opts)
    out = []
    for w in windows:
        popts = PairOptions(window_s=w, max_trace_accounts=opts.max_trace_accounts, max_trace_pairs=opts.max_trace_pairs)
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


MINUTE_S = 60


def minute_stamped(study: Study, min_posts: int = 10) -> dict[str, Any]:
    """Which input formats' posts all carry whole-minute timestamps (seconds and fractions zero),
    with their post counts: `{"sources": [(format, posts)], "posts": n, "total": all posts}`.

    The IRA release writes `publish_date` to the minute, so on its posts two actions can be timed
    no closer than 60 s (see `estimate_window`): a window below a minute catches only posts stamped
    in the same minute, and "within 60 s" means stamped at most a minute apart, a real gap of up to
    two. A format counts with at least `min_posts` posts, so a handful of posts that happen to
    fall on :00 does not. `date_trunc` is spelt the same in DuckDB and Spark SQL."""
    if "posts" not in study.tables():
        return {"sources": [], "posts": 0, "total": 0}
    fmt = "source_format" if "source_format" in study.columns("posts") else "CAST(NULL AS VARCHAR)"
    rows = study.sql(
        f"SELECT {fmt} AS f, count(*) AS n, count(CASE WHEN date_trunc('minute', created_at) <> created_at THEN 1 END) AS finer "
        "FROM posts WHERE created_at IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    sources = [(f or "unknown format", int(n)) for f, n, finer in rows if n >= min_posts and not finer]
    return {"sources": sources, "posts": sum(n for _, n in sources), "total": sum(int(n) for _, n, _ in rows)}
