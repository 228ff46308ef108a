"""The `accounts` stage: features, bot and origin probabilities with evidence, and the view.

Writes `account_features`, `account_scores`, `account_evidence` and the VIEW `accounts_scored`
(accounts LEFT JOIN account_scores; the canonical `accounts` table is never altered). Works
without an election (no home-country prior, no trigger-date signal). The stage does not read the
coordination clusters (coordination reads its scores); the later `accounts_clusters` stage adds
'acting in unison' to the same tables. Until it runs the unison signal is NULL, i.e. unknown.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from botwatch.accounts import features as feats
from botwatch.accounts import origin_textpool
from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.cluster_evidence import add_cluster_evidence
from botwatch.accounts.scoring import score
from botwatch.pipeline import Context, register
from botwatch.schema import ACCOUNT_EVIDENCE, ACCOUNT_SCORES
from botwatch.study import Study

def _arrow(df: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    if schema is not None:
        df = df.astype({f.name: "object" for f in schema if f.name in df.columns})
        df = df.where(pd.notna(df), None)
        return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    return pa.Table.from_pandas(df, preserve_index=False)


def run_accounts(study: Study, election: object = None, study_prior: bool = True, log=None, *, with_clusters: bool = True) -> int:  # type: ignore[no-untyped-def]
    """Compute and write the four outputs; returns the number of accounts scored.

    `with_clusters=False` (the stage) leaves 'acting in unison' unknown for `accounts_clusters` to
    add after coordination; the default reads `cluster_members` when present, as one call.

    `study_prior`: re-weight P(Russia) by the study's own estimated share of Russia-run accounts
    (`origin_prior`); off, the share in the calibration data stands.
    """
    home = getattr(election, "country", None)
    data = feats.build(study, election, with_clusters=with_clusters)
    scores, evidence = score(data, shipped_model(), home, study_prior=study_prior, text_neighbours=origin_textpool.neighbours(study))
    if log is not None and "study_prior" in scores.attrs:
        share, lo, hi, n = scores.attrs["study_prior"]
        log(f"accounts: study prior: an estimated {share:.1%} [{lo:.1%}, {hi:.1%}] of {n:,} accounts with origin evidence are run from Russia")
    study.write_table("account_features", _arrow(feats.table_columns(data.features)))
    study.write_table("account_scores", _arrow(scores, ACCOUNT_SCORES))
    study.write_table("account_evidence", _arrow(evidence, ACCOUNT_EVIDENCE))
    # Columns named and an ON join (not `s.* EXCLUDE` / USING): the same text then gives the same
    # column order on DuckDB and on Spark, where USING puts the keys first.
    score_cols = ", ".join(f"s.{c}" for c in ACCOUNT_SCORES.names if c not in ("platform", "account_id"))
    study.sql(
        f"CREATE OR REPLACE VIEW accounts_scored AS SELECT a.*, {score_cols} "
        "FROM accounts a LEFT JOIN account_scores s ON a.platform = s.platform AND a.account_id = s.account_id"
    )
    return len(scores)


@register("accounts", needs=("accounts", "posts"), writes=("account_features", "account_scores", "account_evidence", "accounts_scored"))
def accounts_stage(study: Study, ctx: Context) -> int:
    """Per account: features, calibrated bot probability and origin probability, with evidence."""
    return run_accounts(study, ctx.election, study_prior=bool(ctx.options.get("origin_study_prior", True)), log=ctx.log, with_clusters=False)


@register(
    "accounts_clusters",
    needs=("cluster_members", "accounts", "account_features", "account_scores", "account_evidence"),
    updates=("account_features", "account_scores", "account_evidence"),
)
def accounts_clusters_stage(study: Study, ctx: Context) -> int:
    """Coordination cluster membership as account evidence ('acts in unison'); probabilities unchanged."""
    return add_cluster_evidence(study, ctx.election)
