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
import pyarrow.compute as pc

from botwatch.accounts import features as feats
from botwatch.accounts import signals
from botwatch.accounts.behaviour import KEY
from botwatch.accounts.scoring import OBSERVED_PREFIX, ROW_COLUMNS, _clean

CLUSTER_COLUMNS = ("cluster_id", "cluster_size", "in_unison")
KIND_ORDER = {"bot": 0, "signal": 1, "origin": 2}  # how the accounts stage writes an account's evidence rows


def add_cluster_evidence(study: Any, election: Any = None) -> int:
    """Rewrite the cluster-dependent columns and rows; returns the number of accounts updated."""
    home = getattr(election, "country", None)
    features = study.arrow("account_features")
    keys = features.select(list(KEY)).to_pandas()
    clustered = feats.add_clusters(keys, feats.cluster_membership(study))
    new_cols = pa.Table.from_pandas(clustered[list(CLUSTER_COLUMNS)], preserve_index=False)
    for name in CLUSTER_COLUMNS:
        features = features.set_column(features.schema.get_field_index(name), name, new_cols.column(name))
    observed = _observed(study, features, home)
    study.write_table("account_features", features)
    study.write_table("account_scores", _scores(study.arrow("account_scores"), observed))
    study.write_table("account_evidence", _evidence(study.arrow("account_evidence"), observed))
    return features.num_rows


def _observed(study: Any, features: pa.Table, home: str | None) -> dict[tuple[str, str], list[str]]:
    """Each account's signal sentences, from the same row values the accounts stage reads."""
    names = {(p, a): d for p, a, d in study.sql("SELECT platform, account_id, display_name FROM accounts")}
    cols = [c for c in ROW_COLUMNS if c in features.column_names]
    f = features.select(cols).to_pandas()
    out: dict[tuple[str, str], list[str]] = {}
    for rec in f.to_dict("records"):
        rec = {k: _clean(v) for k, v in rec.items()}
        key = (rec["platform"], rec["account_id"])
        rec["display_name"] = _clean(names.get(key))
        out[key] = signals.signal_sentences(rec, home)
    return out


def _scores(scores: pa.Table, observed: dict[tuple[str, str], list[str]]) -> pa.Table:
    """bot_evidence keeps the model's sentences and ends with the observed signals; signals and
    n_signals are the observed list."""
    bot_ev, sig, n_sig = [], [], []
    for p, a, ev in zip(scores.column("platform").to_pylist(), scores.column("account_id").to_pylist(), scores.column("bot_evidence").to_pylist()):
        obs = observed.get((p, a), [])
        kept = [s for s in (json.loads(ev) if ev else []) if not s.startswith(OBSERVED_PREFIX)]
        bot_ev.append(json.dumps(kept + [OBSERVED_PREFIX + s for s in obs], ensure_ascii=False))
        sig.append(json.dumps(obs, ensure_ascii=False))
        n_sig.append(len(obs))
    for name, values in (("bot_evidence", bot_ev), ("signals", sig), ("n_signals", n_sig)):
        i = scores.schema.get_field_index(name)
        scores = scores.set_column(i, scores.schema.field(i), pa.array(values, type=scores.schema.field(i).type))
    return scores


def _evidence(evidence: pa.Table, observed: dict[tuple[str, str], list[str]]) -> pa.Table:
    """The evidence rows with each account's `signal` rows replaced, in the stage's row order
    (account, then model reasons, signals, origin; each by rank)."""
    kept = evidence.filter(pc.not_equal(evidence.column("kind"), "signal"))
    rows = [
        {"platform": p, "account_id": a, "kind": "signal", "rank": r + 1, "feature": None, "value": None, "contribution": None, "sentence": s}
        for (p, a), sentences in observed.items()
        for r, s in enumerate(sentences)
    ]
    table = pa.concat_tables([kept, pa.Table.from_pylist(rows, schema=evidence.schema)])
    kind_rank = pa.array([KIND_ORDER.get(k, len(KIND_ORDER)) for k in table.column("kind").to_pylist()], type=pa.int64())
    order = pc.sort_indices(
        table.append_column("_kind", kind_rank),
        sort_keys=[("platform", "ascending"), ("account_id", "ascending"), ("_kind", "ascending"), ("rank", "ascending")],
    )
    return table.take(order)

