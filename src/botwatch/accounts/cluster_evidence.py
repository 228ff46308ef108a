"""Coordination clusters as account evidence: the `accounts_clusters` stage's work.

The accounts stage scores accounts without the coordination clusters (coordination reads those
scores, so it runs after them); this step then adds what depends on cluster membership and
nothing else: `account_features` cluster_id / cluster_size / in_unison, the "also observed"
signal sentences in `account_scores` (bot_evidence, signals, n_signals) and the `signal` rows of
`account_evidence`. The probabilities do not use clusters, so they are not touched. The result is
the tables a full accounts run with the clusters present gives (tests/test_accounts_clusters.py
checks that value for value).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from botwatch.accounts import features as feats
from botwatch.accounts import signals
from botwatch.accounts.behaviour import KEY
from botwatch.accounts.scoring import OBSERVED_PREFIX, ROW_COLUMNS, _clean
from botwatch.schema import ACCOUNT_EVIDENCE, ACCOUNT_SCORES

CLUSTER_COLUMNS = ("cluster_id", "cluster_size", "in_unison")
KIND_ORDER = {"bot": 0, "signal": 1, "origin": 2}  # how the accounts stage writes an account's evidence rows
SIGNAL_ROWS = "_botwatch_signal_rows"
_F = "_f_"  # prefix of the account_features values beside each account_scores row


def add_cluster_evidence(study: Any, election: Any = None) -> int:
    """Rewrite the cluster-dependent columns and rows; returns the number of accounts updated.

    Everything runs where the engine keeps the tables: the cluster columns are joined in SQL, the
    signal sentences are written per batch of accounts (`study.map_arrow`, on Spark's executors
    on a lake) and the evidence rows are merged and ordered in SQL. Nothing as long as the
    accounts comes to this process on a lake."""
    home = getattr(election, "country", None)
    _update_features(study)
    feature_cols = set(study.columns("account_features"))
    cols = [c for c in ROW_COLUMNS if c in feature_cols and c not in KEY and c != "display_name"]
    source = (
        "SELECT s.*, f.platform IS NOT NULL AS _has_features, "
        + ", ".join([f'f.{c} AS {_F}{c}' for c in cols] + [f"a.display_name AS {_F}display_name"])
        + " FROM account_scores s LEFT JOIN account_features f ON s.platform = f.platform AND s.account_id = f.account_id"
        " LEFT JOIN accounts a ON s.platform = a.platform AND s.account_id = a.account_id ORDER BY s.platform, s.account_id"
    )
    study.map_arrow(source, _Rewrite(home), {"account_scores": ACCOUNT_SCORES, SIGNAL_ROWS: ACCOUNT_EVIDENCE}, temp=(SIGNAL_ROWS,))
    try:
        order = " ".join(f"WHEN '{k}' THEN {v}" for k, v in KIND_ORDER.items())
        names = ", ".join(ACCOUNT_EVIDENCE.names)
        study.sql(
            f"CREATE OR REPLACE TABLE account_evidence AS SELECT {names} FROM ("
            f"SELECT {names}, CASE kind {order} ELSE {len(KIND_ORDER)} END AS _kind FROM account_evidence WHERE kind <> 'signal' "
            f"UNION ALL SELECT {names}, {KIND_ORDER['signal']} AS _kind FROM {SIGNAL_ROWS}) AS u "
            "ORDER BY platform, account_id, _kind, rank"
        )
    finally:
        study.sql(f"DROP TABLE IF EXISTS {SIGNAL_ROWS}")
    return study.count("account_features")


def _update_features(study: Any) -> None:
    """`account_features` with cluster_id, cluster_size and in_unison from `cluster_members` (as
    `features.add_clusters` gives them: unknown without coordination results, False outside a
    cluster when there are some), joined in the engine."""
    clusters = feats.cluster_sql(study)
    if clusters is not None:
        study.sql(f"CREATE OR REPLACE TEMP TABLE _botwatch_acc_clusters AS {clusters}")
        new = {"cluster_id": "cl.cluster_id", "cluster_size": "CAST(cl.cluster_size AS BIGINT)", "in_unison": "cl.platform IS NOT NULL"}
        join = " LEFT JOIN _botwatch_acc_clusters cl ON f.platform = cl.platform AND f.account_id = cl.account_id"
    else:
        new = {"cluster_id": "CAST(NULL AS VARCHAR)", "cluster_size": "CAST(NULL AS BIGINT)", "in_unison": "CAST(NULL AS BOOLEAN)"}
        join = ""
    cols = ", ".join(f"{new[c]} AS {c}" if c in new else f"f.{c}" for c in study.columns("account_features"))
    try:
        study.sql(f"CREATE OR REPLACE TABLE account_features AS SELECT {cols} FROM account_features f{join} ORDER BY f.platform, f.account_id")
    finally:
        study.sql("DROP TABLE IF EXISTS _botwatch_acc_clusters")


class _Rewrite:
    """`map_arrow`'s function: a batch of account_scores rows (with their features beside them)
    as the same rows with the observed signals rewritten, and their `signal` evidence rows.

    bot_evidence keeps the model's sentences and ends with the observed signals; signals and
    n_signals are the observed list; the signal rows are ranked in that order."""

    def __init__(self, home: str | None) -> None:
        self.home = home

    def __call__(self, batch: pa.RecordBatch) -> tuple[pa.Table, pa.Table]:
        table = pa.Table.from_batches([batch])
        row_cols = [c for c in table.column_names if c.startswith(_F)]
        recs = table.select(["platform", "account_id", *row_cols]).to_pandas().to_dict("records")
        has = table.column("_has_features").to_pylist()
        bot_ev, sig, n_sig = [], [], []
        ev: dict[str, list[Any]] = {name: [] for name in ACCOUNT_EVIDENCE.names}
        for rec, ok, old in zip(recs, has, table.column("bot_evidence").to_pylist()):
            row = {k[len(_F):] if k.startswith(_F) else k: _clean(v) for k, v in rec.items()}
            obs = signals.signal_sentences(row, self.home) if ok else []
            kept = [s for s in (json.loads(old) if old else []) if not s.startswith(OBSERVED_PREFIX)]
            bot_ev.append(json.dumps(kept + [OBSERVED_PREFIX + s for s in obs], ensure_ascii=False))
            sig.append(json.dumps(obs, ensure_ascii=False))
            n_sig.append(len(obs))
            for r, sentence in enumerate(obs):
                for name, value in zip(ACCOUNT_EVIDENCE.names, (row["platform"], row["account_id"], "signal", r + 1, None, None, None, sentence)):
                    ev[name].append(value)
        scores = table.select(ACCOUNT_SCORES.names)
        for name, values in (("bot_evidence", bot_ev), ("signals", sig), ("n_signals", n_sig)):
            i = scores.schema.get_field_index(name)
            scores = scores.set_column(i, scores.schema.field(i), pa.array(values, type=scores.schema.field(i).type))
        return scores, pa.table(ev, schema=ACCOUNT_EVIDENCE)
