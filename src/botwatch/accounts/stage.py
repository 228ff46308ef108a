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
from botwatch.count_text import counted
from botwatch.pipeline import Context, register
from botwatch.prob_text import percent
from botwatch.schema import ACCOUNT_SCORES
from botwatch.study import Study


def run_accounts(study: Study, election: object = None, study_prior: bool = True, log=None, *, with_clusters: bool = True,  # type: ignore[no-untyped-def]
                 batch_rows: int = batches.BATCH_ROWS, workers: int | None = None) -> int:
    """Compute and write the four outputs; returns the number of accounts scored.

    `with_clusters=False` (the stage) leaves 'acting in unison' unknown for `accounts_clusters` to
    add after coordination; the default reads `cluster_members` when present, as one call.

    `study_prior`: re-weight P(Russia) by the study's own estimated share of Russia-run accounts,
    and the other countries by its own mix of countries, home's share included (`origin_prior`); off, the share in the calibration data and
    the home prior's fixed share (`origin.HOME_PRIOR`) stand.

    The accounts are scored `batch_rows` at a time where the engine keeps them (`batches`): no
    table as long as the accounts passes through this process on a lake. On DuckDB the batches are
    scored in `workers` forked processes when the study has `accounts.pool.POOL_MIN` accounts or
    more (None: `forkpool.default_workers()`, as the content stage; 1: in this process), the
    same tables row for row.
    """
    n, prior = batches.run(study, election, shipped_model(), use_study_prior=study_prior, with_clusters=with_clusters, batch_rows=batch_rows,
                           workers=workers)
    if log is not None and prior is not None:
        log(f"accounts: study prior: an estimated {prior.estimate()} of {prior.whose()} are run from Russia{prior.held_out()}")
        near = prior.near
        if near is not None and near.scope != prior.scope:
            verb = "is" if near.accounts == 1 else "are"
            log(f"accounts: study prior near Russia: an estimated {near.estimate()} of the {near.whose()} {verb} run from Russia")
        h = prior.home_share
        if h is not None:
            log(f"accounts: study home share: from {counted(h.accounts, 'account')} with origin evidence, each counted by how likely it is not run from Russia, "
                f"{h.claim()} ({h.of_all()}the prior assumed {percent(h.base, 1)} of those not run from Russia)")
    # Columns named and an ON join (not `s.* EXCLUDE` / USING): the same text then gives the same
    # column order on DuckDB and on Spark, where USING puts the keys first.
    score_cols = ", ".join(f"s.{c}" for c in ACCOUNT_SCORES.names if c not in ("platform", "account_id"))
    study.sql(
        f"CREATE OR REPLACE VIEW accounts_scored AS SELECT a.*, {score_cols} "
        "FROM accounts a LEFT JOIN account_scores s ON a.platform = s.platform AND a.account_id = s.account_id"
    )
    return n


# The files the origin model reads (gazetteer, measured likelihood ratios, shift parameters), in
# the order `origin_model_sha256` hashes them.
ORIGIN_FILES = ("countries.tsv", "origin_behaviour_lr.json", "origin_shifts.json", "places.tsv", "regional_languages.tsv", "regions.tsv", "time_zone_rates.tsv", "time_zones.tsv")


def model_files_sha256() -> dict[str, str | None]:
    """The SHA-256 of the model files that made the accounts stage's scores, for its `runs` record.

    The content stage recorded its models' hashes and this stage recorded none, so a reader could
    not tell which bot model (the shipped one or a `BOTWATCH_BOT_MODEL` file, named here too) or
    which origin tables a study's probabilities came from. `bot_model_sha256` is the model file's
    bytes as stored (gzip included: `sha256sum FILE`), `bot_behaviour_sha256` the posting-behaviour
    rates beside it, and `origin_model_sha256` the hash of `sha256sum` output for the origin files in
    `ORIGIN_FILES` order (`cd src/botwatch/accounts/data && sha256sum FILES | sha256sum`)."""
    import hashlib
    import os
    from importlib import resources

    from botwatch.accounts.botmodel import model_sha256

    base = resources.files("botwatch.accounts")
    override = os.environ.get("BOTWATCH_BOT_MODEL") or None
    bot = model_sha256(None)  # hashed where the model was read and parsed (a few MB, once), not read again
    return {
        "bot_model_sha256": bot,
        "bot_model_file": override,
        "bot_behaviour_sha256": hashlib.sha256((base / "data" / "bot_behaviour.json").read_bytes()).hexdigest(),
        "origin_model_sha256": origin_model_sha256(),
    }


def origin_model_sha256() -> str:
    """`model_files_sha256`'s `origin_model_sha256` alone: the report compares it with a study's
    recorded one (`report.staleness.account_models_changed`) without reading the bot model."""
    import hashlib
    from importlib import resources

    base = resources.files("botwatch.accounts")
    lines = "".join(f"{hashlib.sha256((base / 'data' / name).read_bytes()).hexdigest()}  {name}\n" for name in ORIGIN_FILES)
    return hashlib.sha256(lines.encode()).hexdigest()


@register("accounts", needs=("accounts", "posts"), writes=("account_features", "account_scores", "account_evidence", "accounts_scored"),
          options=("origin_study_prior", "workers"))
def accounts_stage(study: Study, ctx: Context) -> int:
    """Per account: features, calibrated bot probability and origin probability, with evidence."""
    ctx.run_params.update(model_files_sha256())  # which models made the scores, as the content stage records its own
    n = run_accounts(study, ctx.election, study_prior=bool(ctx.options.get("origin_study_prior", True)), log=ctx.log, with_clusters=False,
                     workers=ctx.options.get("workers"))
    # Accounts the models were fitted on score better than new ones would: counted, recorded in
    # `runs` (the report's Methods section says so) and said now. The bot count is of the model
    # that scored the study: a user's own (BOTWATCH_BOT_MODEL) when it did, not the shipped one.
    from botwatch.accounts.botmodel import model_meta, shipped_sha256_and_meta
    from botwatch.accounts.training_accounts import count_training_accounts, own_model_digests, sentences

    own = None if ctx.run_params.get("bot_model_sha256") == shipped_sha256_and_meta()[0] else model_meta()
    counts = count_training_accounts(study, own)
    ctx.run_params.update(counts)
    for line in sentences(counts, own_bot=own is not None).values():
        ctx.log(f"accounts: {line}")
    if own is not None and own_model_digests(own) is None:
        ctx.log("accounts: your bot model's file does not record which accounts it was trained on (files `botwatch train-bot-model` "
                "writes do, from labels with an id or screen_name column), so whether any of the study's accounts were among them is unknown")
    return n


@register(
    "accounts_clusters",
    needs=("cluster_members", "accounts", "account_features", "account_scores", "account_evidence"),
    updates=("account_features", "account_scores", "account_evidence"),
)
def accounts_clusters_stage(study: Study, ctx: Context) -> int:
    """Coordination cluster membership as account evidence ('acts in unison'); probabilities unchanged."""
    return add_cluster_evidence(study, ctx.election)
