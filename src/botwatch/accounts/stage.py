"""The `accounts` stage: features, bot and origin probabilities with evidence, and the view.

Writes `account_features`, `account_scores`, `account_evidence` and the VIEW `accounts_scored`
(accounts LEFT JOIN account_scores; the canonical `accounts` table is never altered). Works
without an election (no home-country prior, no trigger-date signal). The stage does not read the
coordination clusters (coordination reads its scores); the later `accounts_clusters` stage adds
'acting in unison' to the same tables. Until it runs the unison signal is NULL, i.e. unknown.
"""

from __future__ import annotations

from botwatch.accounts import batches
from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.cluster_evidence import add_cluster_evidence
from botwatch.pipeline import Context, register
from botwatch.schema import ACCOUNT_SCORES
from botwatch.study import Study


def run_accounts(study: Study, election: object = None, study_prior: bool = True, log=None, *, with_clusters: bool = True,  # type: ignore[no-untyped-def]
                 batch_rows: int = batches.BATCH_ROWS, workers: int | None = None) -> int:
    """Compute and write the four outputs; returns the number of accounts scored.

    `with_clusters=False` (the stage) leaves 'acting in unison' unknown for `accounts_clusters` to
    add after coordination; the default reads `cluster_members` when present, as one call.

    `study_prior`: re-weight P(Russia) by the study's own estimated share of Russia-run accounts
    (`origin_prior`); off, the share in the calibration data stands.

    The accounts are scored `batch_rows` at a time where the engine keeps them (`batches`): no
    table as long as the accounts passes through this process on a lake. On DuckDB the batches are
    scored in `workers` forked processes when the study has `accounts.pool.POOL_MIN` accounts or
    more (None: `forkpool.default_workers()`, as the content stage; 1: in this process), the
    same tables row for row.
    """
    n, prior = batches.run(study, election, shipped_model(), use_study_prior=study_prior, with_clusters=with_clusters, batch_rows=batch_rows,
                           workers=workers)
    if log is not None and prior is not None:
        log(f"accounts: study prior: an estimated {prior.share:.1%} [{prior.lo:.1%}, {prior.hi:.1%}] of {prior.accounts:,} accounts with origin evidence are run from Russia")
    # Columns named and an ON join (not `s.* EXCLUDE` / USING): the same text then gives the same
    # column order on DuckDB and on Spark, where USING puts the keys first.
    score_cols = ", ".join(f"s.{c}" for c in ACCOUNT_SCORES.names if c not in ("platform", "account_id"))
    study.sql(
        f"CREATE OR REPLACE VIEW accounts_scored AS SELECT a.*, {score_cols} "
        "FROM accounts a LEFT JOIN account_scores s ON a.platform = s.platform AND a.account_id = s.account_id"
    )
    return n


@register("accounts", needs=("accounts", "posts"), writes=("account_features", "account_scores", "account_evidence", "accounts_scored"))
def accounts_stage(study: Study, ctx: Context) -> int:
    """Per account: features, calibrated bot probability and origin probability, with evidence."""
    return run_accounts(study, ctx.election, study_prior=bool(ctx.options.get("origin_study_prior", True)), log=ctx.log, with_clusters=False,
                        workers=ctx.options.get("workers"))


@register(
    "accounts_clusters",
    needs=("cluster_members", "accounts", "account_features", "account_scores", "account_evidence"),
    updates=("account_features", "account_scores", "account_evidence"),
)
def accounts_clusters_stage(study: Study, ctx: Context) -> int:
    """Coordination cluster membership as account evidence ('acts in unison'); probabilities unchanged."""
    return add_cluster_evidence(study, ctx.election)
