"""The accounts stage over batches of accounts, where the rows are (`study.map_arrow`).

Why: scoring every account at once in the driver took about 15 KiB of Python memory per account
(11 GiB at 774k accounts) on both engines. Here the relational facts of each account are
computed in the engine (`features.prepare`), and the Python part (features that need Python,
the bot and origin models, the evidence sentences) runs on one batch of accounts at a time: in
this process on DuckDB, on Spark's executors on a lake, writing `account_features`,
`account_scores` and `account_evidence` from there.

Every value is per account but two, which read other accounts: shared-text pooling
(`origin_textpool`: an account takes its text neighbours' mean own log-ratio of Russia) and the
study prior of `origin_prior` (the study's own share of Russia-run accounts, fitted over all
accounts, after pooling). So a first pass computes each account's origin posterior and own
log-ratio (kept in the engine, one row per account); the neighbour pairs and each account's
neighbour mean are an engine table and a SQL join/aggregate; a pass over those stored rows returns
each batch's log-likelihood of the pooled P(Russia) over the prior's grid (one row per batch, the
only thing the stage brings to the driver); the last pass scores with the summed estimate and the
stored origin results, pooled. No per-account or per-pair row reaches the driver.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.origin_rule import origin_home
from botwatch.accounts import features as feats
from botwatch.accounts import origin_desk, origin_table, origin_textpool
from botwatch.accounts.behaviour import KEY, SCRIPT_PATTERNS, account_activity
from botwatch.accounts.botmodel import BotModel
from botwatch.accounts.gc_pause import gc_paused
from botwatch.accounts.origin import OriginResult
from botwatch.accounts.origin_prior import (
    FAR_SCOPE, NEAR_MIN, NEAR_SCOPE, StudyPrior, compress, compress_distinct, estimate_mix, from_log_likelihood, home_base, log_likelihood, mix_codes, study_base,
)
from botwatch.accounts.profile import ALL_FEATURES
from botwatch.accounts.scoring import origin_result_columns, score
from botwatch.schema import ACCOUNT_EVIDENCE, ACCOUNT_SCORES, CANONICAL

BATCH_ROWS = 20_000  # accounts per batch: a few hundred MB of Python at the measured ~15 KiB per account

# Columns `features` derives in Python, after the profile features (all float64 but these).
_DERIVED = (
    ["span_days", "posts_per_day_study", "posts_per_active_hour", "retweet_share", "reply_share", "quote_share", "dup_text_share",
     "hashtags_per_post", "mentions_per_post", "urls_per_post", "gap_cv", "share_gaps_under_10s", "share_gaps_under_60s"]
    + [f"script_{s}_share" for s in SCRIPT_PATTERNS]
    + ["hour_entropy_bits", "best_utc_offset", "human_day_fit_bits", "top_lang", "top_lang_share", "top_client", "top_client_share",
       "english_female_name", "anonymity", "anonymous", "activity_over_72", "activity_over_144", "amplifier", "created_after_trigger",
       "cluster_id", "cluster_size", "in_unison", "female_name_mismatch"]
)
_TYPES = {
    "best_utc_offset": pa.int64(), "cluster_size": pa.int64(), "top_lang": pa.string(), "top_client": pa.string(), "cluster_id": pa.string(),
    **{c: pa.bool_() for c in ("english_female_name", "anonymous", "activity_over_72", "activity_over_144", "amplifier",
                               "created_after_trigger", "in_unison", "female_name_mismatch")},
}


def feature_schema() -> pa.Schema:
    """The `account_features` table's columns and types, declared: a batch cannot infer them (a
    batch whose accounts all lack a value would type the column NULL, another float)."""
    posts = ibis.table(ibis.Schema.from_pyarrow(CANONICAL["posts"]), name="posts")
    activity = [f for f in account_activity(posts).schema().to_pyarrow() if f.name not in KEY]
    fields = [pa.field("platform", pa.string()), pa.field("account_id", pa.string()), pa.field("handle", pa.string()), *activity]
    fields += [pa.field(c, pa.float64()) for c in ALL_FEATURES]
    fields += [pa.field(c, _TYPES.get(c, pa.float64())) for c in _DERIVED]
    return pa.schema(fields)


def to_arrow(df: pd.DataFrame, schema: pa.Schema, *, typed: bool = False) -> pa.Table:
    """A frame as a table of `schema` (every missing marker NULL), failing on a column mismatch.
    `typed`: the frame's columns have their own dtypes (the features frame): Arrow converts them
    as they are and casts to the schema, instead of going through Python objects (several
    seconds per 100k accounts over the hundred feature columns)."""
    missing, extra = set(schema.names) - set(df.columns), set(df.columns) - set(schema.names)
    if missing or extra:
        raise ValueError(f"account table columns differ from the declared ones: missing {sorted(missing)}, unexpected {sorted(extra)}")
    if typed:
        return pa.Table.from_pandas(df[schema.names], preserve_index=False).cast(schema)
    # Column by column from the objects, every missing marker (None, NaN, NA, NaT) NULL: the same
    # conversion `from_pandas` makes, without first copying the frame to objects twice over.
    # A column that is already Arrow (`pd.ArrowDtype`: the evidence sentences and JSON cells,
    # `scoring.score`) is taken as it is, not read back into Python strings; so is pandas' own
    # Arrow-backed text column (the default `str` dtype) bound for a text field, whose missing
    # values are Arrow's nulls either way. In the stage that is one column a batch today, the
    # evidence rows' `feature` (about 150,000 rows a batch on the distinct 106k study: 0.47 → 0.27
    # CPU-s a run, round 20); the scores frame is built as objects and still converts here.
    return pa.Table.from_arrays([pa.array(df[f.name].array, f.type) if _arrow_backed(df[f.name].dtype, f.type)
                                 else pa.array(df[f.name].to_numpy(dtype=object), f.type, from_pandas=True) for f in schema], schema=schema)


def _arrow_backed(dtype: Any, to: pa.DataType) -> bool:
    """Whether `to_arrow` takes a column of `dtype` for a field of type `to` as its Arrow array:
    an Arrow column, or pandas' Arrow-backed text for a text field (for another field the
    objects' conversion decides, which refuses text where a cast would parse it)."""
    if isinstance(dtype, pd.ArrowDtype):
        return True
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
            and (pa.types.is_string(to) or pa.types.is_large_string(to)))


# One row per batch: its accounts with origin evidence and their log-likelihoods over the grid of
# the Russia share (`ll`); for the home share, its accounts' distinct likelihood rows over
# `origin_prior.mix_codes` (`home_rows`, flattened) with their summed weights 1 − P(Russia)
# (`home_weights`, `origin_prior.compress`), over `home_accounts` accounts: a study's accounts
# mostly share a few stored distributions, so a batch's rows are far fewer than its accounts.
# The accounts near Russia (`origin_prior.apply_stratified`) are summed apart: `near_accounts`, `near_ll`.
PRIOR_PARTS = pa.schema([("accounts", pa.int64()), ("ll", pa.list_(pa.float64())), ("home_rows", pa.list_(pa.float64())),
                         ("home_weights", pa.list_(pa.float64())),
                         ("home_accounts", pa.int64()), ("near_accounts", pa.int64()), ("near_ll", pa.list_(pa.float64()))])
# Each account's origin result from the first pass, so later passes do not compute it again: the
# result's fields as typed columns (`_o_*`; a JSON text per account, written and parsed again, was
# a tenth of the stage), its P(Russia) where it has origin evidence, and its own log-ratio of
# Russia (what it gives its shared-text neighbours, `origin_textpool`), and its office-hours factor
# (`_o_office`, `OriginResult.office`: the score pass writes it as that evidence row's `value`).
_TEXTS = pa.list_(pa.string())
ORIGIN_FIELDS = pa.schema([("_o_country", pa.string()), ("_o_probability", pa.float64()), ("_o_keys", _TEXTS),
                           ("_o_values", pa.list_(pa.float64())), ("_o_evidence", _TEXTS), ("_o_items", _TEXTS),
                           ("_o_p_russia", pa.float64()), ("_o_office", pa.float64())])
ORIGIN_ROWS = pa.schema([("platform", pa.string()), ("account_id", pa.string()), *ORIGIN_FIELDS,
                         ("_p", pa.float64()), ("_lam", pa.float64())])


def origin_columns(results: list[OriginResult]) -> dict[str, pa.Array]:
    """`results` as the `ORIGIN_FIELDS` columns (exact: floats stay float64, the probabilities
    keep their order as two parallel lists)."""
    return {
        "_o_country": pa.array([r.country for r in results], pa.string()),
        "_o_probability": pa.array([r.probability for r in results], pa.float64()),
        "_o_keys": pa.array([list(r.probabilities) for r in results], _TEXTS),
        "_o_values": pa.array([list(r.probabilities.values()) for r in results], pa.list_(pa.float64())),
        "_o_evidence": pa.array([r.evidence for r in results], _TEXTS),
        "_o_items": pa.array([r.items for r in results], _TEXTS),
        "_o_p_russia": pa.array([r.p_russia for r in results], pa.float64()),
        "_o_office": pa.array([r.office for r in results], pa.float64()),
    }


def _floats(col: "pa.ChunkedArray | pa.Array", fill: float = np.nan) -> np.ndarray:
    """A float column as numpy, NULL as `fill`."""
    return np.asarray(pc.fill_null(pc.cast(col, pa.float64()), fill).to_numpy(zero_copy_only=False), float)


class OriginPass:
    """`map_arrow`'s first pass: a batch's origin results before any study prior and before
    pooling, one row per account, kept in the engine for the later passes. `pool_base`: the
    calibration mix the own log-ratio of Russia is taken against (None: no pooling, no ratio)."""

    def __init__(self, election: Any, pool_base: float | None) -> None:
        self.election, self.pool_base = election, pool_base

    @gc_paused
    def __call__(self, batch: pa.RecordBatch) -> pa.Table:
        if not batch.num_rows:
            return ORIGIN_ROWS.empty_table()
        home = origin_home(getattr(self.election, "country", None))  # None for a country the model cannot name
        # The results as columns straight away (`origin_columns`): no `OriginResult` per account.
        got = origin_result_columns(feats.from_batch(batch, self.election, origin_only=True, pair_dicts=False), home)
        p = got.p_russia  # `origin_textpool.evidence_p` of the results
        lam = origin_textpool.own_log_ratio(p, self.pool_base) if self.pool_base is not None else np.full(len(p), np.nan)
        return pa.table({"platform": batch.column("platform"), "account_id": batch.column("account_id"), **got.columns,
                         "_p": pa.array(p, pa.float64(), from_pandas=True), "_lam": pa.array(lam, pa.float64(), from_pandas=True)},
                        schema=ORIGIN_ROWS)


def _pool_columns(batch: pa.RecordBatch, pool_base: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(neighbours' mean log-ratio, neighbour count) from `POOL_TABLE`'s columns, NULL as none;
    None when pooling is off or the batch has no pooling columns."""
    if pool_base is None or "_pool_n" not in batch.schema.names:
        return None
    return _floats(batch.column("_pool_mean"), 0.0), _floats(batch.column("_pool_n"), 0).astype(np.int64)


def _near_column(batch: pa.RecordBatch) -> np.ndarray | None:
    """Per account: whether it is near Russia (`origin_prior.NEAR_MIN` or more shared-text neighbours
    whose own evidence places them in Russia, `_pool_ru`); None where the batch has no such column."""
    if "_pool_ru" not in batch.schema.names:
        return None
    return _floats(batch.column("_pool_ru"), 0.0) >= NEAR_MIN


class PriorPass:
    """`map_arrow`'s pass over the stored origins (pooled): a batch's accounts with origin evidence
    and their study-prior log-likelihood over the grid, one row per batch. Reads only the stored
    P(Russia) and pooling columns: the same arithmetic as `origin_textpool.apply_means`, no JSON."""

    def __init__(self, base: float, pool_base: float | None, home: str | None = None) -> None:
        self.base, self.pool_base, self.home = base, pool_base, home
        self.home_base = home_base(home)

    @gc_paused
    def __call__(self, batch: pa.RecordBatch) -> pa.Table:
        if not batch.num_rows:
            return PRIOR_PARTS.empty_table()
        p = _floats(batch.column("_p"))
        home_rows, home_weights, home_n = None, None, 0
        if self.home_base is not None and "_o_keys" in batch.schema.names:
            # The home share reads the stored results before pooling (pooling and the Russia prior
            # leave the countries other than Russia in their proportions: `origin_prior`).
            distinct, which, weights = origin_table.distinct_home_rows_columns(batch, self.home)  # type: ignore[arg-type]
            if len(which):
                rows, summed, _ = compress_distinct(distinct, which, weights)
                home_rows, home_weights, home_n = rows.ravel().tolist(), summed.tolist(), len(which)
        pool = _pool_columns(batch, self.pool_base)
        if pool is not None:
            p = origin_textpool.pooled_p(p, *pool, self.pool_base)
        near = _near_column(batch)
        near = np.zeros(len(p), bool) if near is None else near
        ok = np.isfinite(p)
        far_p, near_p = p[ok & ~near], p[ok & near]
        return pa.table({"accounts": [len(far_p)], "ll": [log_likelihood(far_p, self.base).tolist() if len(far_p) else None],
                         "home_rows": [home_rows], "home_weights": [home_weights],
                         "home_accounts": [home_n], "near_accounts": [len(near_p)],
                         "near_ll": [log_likelihood(near_p, self.base).tolist() if len(near_p) else None]}, schema=PRIOR_PARTS)


class ScoreBatch:
    """`map_arrow`'s second pass: a batch's three tables (features, scores, evidence)."""

    def __init__(self, model: BotModel, election: Any, prior: StudyPrior | None, schema: pa.Schema, pool_base: float | None = None) -> None:
        self.model, self.election, self.prior, self.schema, self.pool_base = model, election, prior, schema, pool_base

    @gc_paused
    def __call__(self, batch: pa.RecordBatch) -> tuple[pa.Table, pa.Table, pa.Table]:
        if not batch.num_rows:
            return self.schema.empty_table(), ACCOUNT_SCORES.empty_table(), ACCOUNT_EVIDENCE.empty_table()
        stored = "_o_country" in batch.schema.names  # the first pass's results, joined beside each account
        data = feats.from_batch(batch, self.election, origin_inputs=not stored, pair_dicts=False)
        origins = None
        if stored:  # the stored columns as they are (`origin_table`): no `OriginResult` per account
            origins = origin_table.from_columns(batch)
            pool = _pool_columns(batch, self.pool_base)
            if pool is not None and self.pool_base is not None:
                origins = origin_table.apply_means(origins, *pool, self.pool_base)
        scores, evidence = score(data, self.model, origin_home(getattr(self.election, "country", None)),
                                 study_prior=self.prior if self.prior is not None else False, origins=origins,
                                 near_russia=_near_column(batch) if stored else None,
                                 office=batch.column("_o_office").to_pylist() if stored and "_o_office" in batch.schema.names else None)
        return to_arrow(feats.table_columns(data.features), self.schema, typed=True), to_arrow(scores, ACCOUNT_SCORES), to_arrow(evidence, ACCOUNT_EVIDENCE)


ORIGINS_TABLE = "_botwatch_origins"
PAIRS_TABLE = origin_desk.PAIRS_TABLE
POOL_TABLE = "_botwatch_origin_pool"
_TEMPS = (ORIGINS_TABLE, PAIRS_TABLE, POOL_TABLE)  # (the prior's per-batch rows are collected, never stored)

# Each account's stored origin with its neighbours' mean own log-ratio of Russia and how many
# neighbours with origin evidence it has: a join and an aggregate in the engine, as
# `origin_textpool.neighbour_mean` does in memory. Only an account with evidence of its own is
# moved, only neighbours with evidence count, and only pairs of scored accounts.
POOL_SQL = f"""
SELECT o.platform, o.account_id, {", ".join("o." + c for c in ORIGIN_FIELDS.names)}, o._p, m._pool_mean, m._pool_n, m._pool_ru
FROM {ORIGINS_TABLE} o LEFT JOIN (
    SELECT n.platform, n.account_id, AVG(x._lam) AS _pool_mean, COUNT(*) AS _pool_n,
           SUM(CASE WHEN x._o_country = 'RU' THEN 1 ELSE 0 END) AS _pool_ru
    FROM {PAIRS_TABLE} n JOIN {ORIGINS_TABLE} x ON n.platform = x.platform AND n.other_id = x.account_id
    WHERE x._lam IS NOT NULL
    GROUP BY n.platform, n.account_id
) m ON o.platform = m.platform AND o.account_id = m.account_id AND o._lam IS NOT NULL
"""


# The words of each pass's count ("N of M accounts (scoring pass) read"): the stage reads
# every account twice, and a count starting again with no word of why read as going backwards.
ORIGIN_PASS_UNIT = "accounts (origin pass)"
SCORING_PASS_UNIT = "accounts (scoring pass)"


def map_pass(study: Any, source: str, fn: Callable[[pa.RecordBatch], Any], schema: Any, out_name: str | None = None, *,
             batch_rows: int = BATCH_ROWS, temp: bool = False, workers: int = 1, count_as: str | None = None, total: int | None = None) -> dict[str, int]:
    """`study.map_arrow` of one pass, in `workers` forked processes when more than one
    (`accounts.pool`, DuckDB only: the caller decides, `pool_workers`), in this process
    otherwise. The same rows in the same order either way. `count_as`, `total`: the accounts read
    so far, of how many, for the stage's "still running" lines and spinner (`ticker.note_done`),
    and on a lake for its Spark progress line (as each task ends)."""
    counted = {"count_as": count_as, "total": total} if count_as else {}
    if workers <= 1:
        return study.map_arrow(source, fn, schema, out_name, batch_rows=batch_rows, temp=temp, **counted)
    from botwatch.accounts.pool import BatchPool
    from botwatch.forkpool import OneBatchLate

    with BatchPool(fn, workers) as pool:
        return study.map_arrow(source, OneBatchLate(pool, pool.depth), schema, out_name, batch_rows=batch_rows, temp=temp, **counted)


def pool_workers(study: Any, source: str, workers: int | None, batch_rows: int = BATCH_ROWS) -> int:
    """How many forked workers the passes run in: 1 (this process) on a lake (Spark's executors
    are the parallelism), below `pool.POOL_MIN` accounts, or with `workers` <= 1; else `workers`
    (None: `forkpool.default_workers()`, the content stage's default), but never more than the
    cores (`forkpool.worker_count`) nor than the study has batches of `batch_rows`: a worker
    holds a whole batch (about a gigabyte at 20k accounts), and one without a batch only costs
    its fork."""
    from botwatch.accounts.pool import POOL_MIN
    from botwatch.forkpool import worker_count

    n = worker_count(workers)
    if n <= 1 or getattr(study, "engine", "duckdb") != "duckdb":
        return 1
    accounts = study.sql(f"SELECT count(*) FROM {source}")[0][0]
    return min(n, -(-accounts // max(1, batch_rows))) if accounts >= POOL_MIN else 1


@contextmanager
def one_engine_thread(study: Any, workers: int) -> Iterator[None]:
    """DuckDB on one thread while `workers` > 1 forked workers compute (as the content stage
    does): they hold the cores, a second engine thread only waited for them, and no engine
    thread is at work when a pass forks its workers (`pool.BatchPool`). As it was after."""
    if workers <= 1:
        yield
        return
    threads = study.sql("SELECT current_setting('threads')")[0][0]
    study.sql("SET threads = 1")
    try:
        yield
    finally:
        study.sql(f"SET threads = {int(threads)}")


def stored_origins(study: Any, source: str, election: Any, pool_base: float | None, batch_rows: int = BATCH_ROWS, *, workers: int = 1,
                   accounts: int | None = None) -> str:
    """First pass: every account's origin result (before pooling and prior) into the engine, and,
    when pooling applies, each account's neighbour mean beside it, from the shared-text pairs
    `features.prepare` wrote (`PAIRS_TABLE`, one Ibis query, `origin_textpool.neighbours_expr`). Nothing per account or per pair reaches the
    driver. Returns the temp table later passes read (`POOL_TABLE` or `ORIGINS_TABLE`).
    `workers`, `accounts` (how many the pass reads, for its progress): see `map_pass`."""
    with one_engine_thread(study, workers):
        map_pass(study, source, OriginPass(election, pool_base), ORIGIN_ROWS, ORIGINS_TABLE, batch_rows=batch_rows, temp=True, workers=workers,
                 count_as=ORIGIN_PASS_UNIT, total=accounts)
    if pool_base is None:
        return ORIGINS_TABLE
    # The pairs were written by `features.prepare` (the desk hours of `origin_desk` read them first).
    study.sql(f"CREATE OR REPLACE TEMP TABLE {POOL_TABLE} AS {POOL_SQL}")
    study.sql(f"DROP TABLE IF EXISTS {PAIRS_TABLE}")
    return POOL_TABLE


def study_prior(study: Any, stored: str, base: float, pool_base: float | None, batch_rows: int = BATCH_ROWS,
                home: str | None = None) -> StudyPrior | None:
    """The study prior over all accounts (None without accounts with origin evidence), from one
    log-likelihood row per batch of the stored (pooled) P(Russia): a few KB per batch of
    `batch_rows` accounts, whatever the study's size. With `home` (the election's country) the
    study's home share is estimated in the same pass, from the stored results before pooling, and
    carried as the prior's `home_share`: for it each batch sends its distinct likelihood rows (57
    numbers each, `origin_prior.compress`), which are far fewer than its accounts where most
    accounts share a stored distribution (731 rows for the development part's 15,394 accounts) but
    bounded only by the accounts where each account's evidence is its own (posting hours)."""
    cols = "_p, _pool_mean, _pool_n, _pool_ru" if stored == POOL_TABLE else "_p"
    if home_base(home) is not None:
        cols += ", _o_country, _o_keys, _o_values, _o_p_russia, _o_evidence"
    # Straight back from the batches (`map_collect`): stored in a temp table and read back, they
    # were two Spark jobs on a lake.
    parts = study.map_collect(f"SELECT {cols} FROM {stored}", PriorPass(base, pool_base, home), PRIOR_PARTS, batch_rows=batch_rows)
    n = sum(parts.column("accounts").to_pylist())
    lls = [v for v in parts.column("ll").to_pylist() if v is not None]
    n_near = sum(parts.column("near_accounts").to_pylist())
    near_lls = [v for v in parts.column("near_ll").to_pylist() if v is not None]
    if not n and not n_near:
        return None
    # Exactly rounded sums: the same estimate whatever order the engine returns the batches in.
    near = None
    if n_near:  # the accounts near Russia on a share of their own (`origin_prior.apply_stratified`)
        near = dataclasses.replace(from_log_likelihood(np.array([math.fsum(col) for col in zip(*near_lls)]), n_near, base, country=home), scope=NEAR_SCOPE)
    if n:
        prior = from_log_likelihood(np.array([math.fsum(col) for col in zip(*lls)]), n, base, country=home)
        prior = dataclasses.replace(prior, scope=FAR_SCOPE, near=near) if near is not None else prior
    else:
        prior = dataclasses.replace(near, near=near)  # type: ignore[arg-type]
    got = [(r, w) for r, w in zip(parts.column("home_rows").to_pylist(), parts.column("home_weights").to_pylist()) if r]
    if home_base(home) is not None and got:
        # The batches' distinct rows merged again (`compress`: the same whatever order they come in).
        rows, summed, _ = compress(np.array([x for r, _ in got for x in r], float).reshape(-1, len(mix_codes())),
                                   np.array([x for _, w in got for x in w], float))
        home_n = sum(parts.column("home_accounts").to_pylist())
        home_share = dataclasses.replace(estimate_mix(rows, summed, home_n, home), russia=prior.overall())  # type: ignore[arg-type]
        prior = dataclasses.replace(prior, home_share=home_share)
    return prior


def in_key_order(study: Any, prefix: str = "") -> str:
    """The ORDER BY of a pass's source: by account on DuckDB, which keeps that order in the tables
    it writes; nothing on a lake, where Spark writes the batches in its own order whatever the
    source's and every value is per account (a batch's size or company changes none,
    tests/test_accounts_batches.py), while a sort cost a sampling job and a shuffle job per pass
    (accounts stage on the sample's lake: 76 jobs, 72 without)."""
    if getattr(study, "engine", "duckdb") != "duckdb":
        return ""
    return f" ORDER BY {prefix}platform, {prefix}account_id"


def run(study: Any, election: Any, model: BotModel, *, use_study_prior: bool = True, with_clusters: bool = False,
        batch_rows: int = BATCH_ROWS, workers: int | None = None) -> tuple[int, StudyPrior | None]:
    """Write the three tables batch by batch; returns (accounts scored, the study prior used).

    Passes: (1) origin results into the engine, neighbour means joined beside them (when
    shared-text pooling applies); (2) the study prior from the pooled P(Russia) (when it
    applies); (3) the three tables, each batch pooling and re-weighting the stored results.
    Passes (1) and (3) run in `workers` forked processes on a DuckDB study of `pool.POOL_MIN`
    accounts or more (`pool_workers`; None: the default), the same tables row for row; pass (2)
    reads one float per account and stays here."""
    try:
        source = feats.prepare(study, with_clusters=with_clusters, election=election)
        workers = pool_workers(study, source, workers, batch_rows)
        # How many accounts each pass reads, for its "N of M": on a lake only where its progress line
        # will say it (a count there can be a Spark job of its own), as the content stage takes its posts'.
        if getattr(study, "engine", "duckdb") == "duckdb":
            accounts = int(study.sql(f"SELECT count(*) FROM {source}")[0][0])
        else:
            accounts = study.count(source) if getattr(study, "progress", None) is not None else None
        query = f"SELECT * FROM {source}{in_key_order(study)}"
        base = study_base(origin_home(getattr(election, "country", None))) if use_study_prior else None
        pool_base = origin_textpool.base_mix()
        prior = None
        if base is not None or pool_base is not None:
            stored = stored_origins(study, query, election, pool_base, batch_rows, workers=workers, accounts=accounts)
            if base is not None:
                prior = study_prior(study, stored, base, pool_base, batch_rows, origin_home(getattr(election, "country", None)))
            # Score with the first pass's origin results instead of computing them again.
            extra = ", o._pool_mean, o._pool_n, o._pool_ru" if stored == POOL_TABLE else ""
            query = (f"SELECT i.*, {', '.join('o.' + c for c in ORIGIN_FIELDS.names)}{extra} FROM {source} i JOIN {stored} o ON i.platform = o.platform AND i.account_id = o.account_id"
                     f"{in_key_order(study, 'i.')}")
        schema = feature_schema()
        with one_engine_thread(study, workers):
            counts = map_pass(
                study, query, ScoreBatch(model, election, prior, schema, pool_base),
                {"account_features": schema, "account_scores": ACCOUNT_SCORES, "account_evidence": ACCOUNT_EVIDENCE},
                batch_rows=batch_rows, workers=workers, count_as=SCORING_PASS_UNIT, total=accounts,
            )
    finally:
        for t in _TEMPS:
            study.sql(f"DROP TABLE IF EXISTS {t}")
        feats.drop_inputs(study)
    return counts["account_scores"], prior
