"""The relational core of ingest, written once in Ibis so DuckDB and Spark run the same logic.

Readers stage raw rows (with a `_seq` column: their order in the file). These expressions turn
staged rows into canonical ones: one row per post (the first occurrence wins), and one row per
account in which every field is the latest non-NULL value seen (so a v2 snapshot without
`account_lang` does not erase the language an older v1.1 snapshot gave). Ties are broken
deterministically, because re-running a stage must give the same tables.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from botwatch.schema import ACCOUNTS, POSTS, PROFILE_VALUE_FIELDS

POST_KEY = ["platform", "post_id"]
ACCOUNT_KEY = ["platform", "account_id"]
_EPOCH = ibis.timestamp("1970-01-01 00:00:00")
_SEQ_SPAN = 1 << 32  # `_seq` below 2**32 rows per file keeps (seconds, seq) exact in the key
# The (seconds, seq) key is a 38-digit decimal, not an int64: seconds * 2**32 leaves int64 at
# 2038-01-19 03:14:08 UTC, and one post dated after it would fail the whole file's merge.
_KEY_TYPE = "decimal(38, 0)"


def first_posts(staged: ir.Table, keep: tuple[str, ...] = ()) -> ir.Table:
    """One row per (platform, post_id): the first one read. `staged` has a `_seq` column.

    `keep` names bookkeeping columns to carry along (the Spark ingest keeps `_file` to count
    each file's stored posts)."""
    ranked = staged.mutate(_rn=ibis.row_number().over(group_by=POST_KEY, order_by=staged._seq))
    return ranked.filter(ranked._rn == 0).select(*POSTS.names, *keep)


def new_posts(candidates: ir.Table, existing: ir.Table, keep: tuple[str, ...] = ()) -> ir.Table:
    """Posts not already stored (re-ingesting a file adds nothing)."""
    return candidates.anti_join(existing, POST_KEY).select(*POSTS.names, *keep)


def _one_per_time(t: ir.Table) -> ir.Table:
    """Keep one row per account and observation time, so "latest" is never a tie.

    The row kept is the one with the largest `source` ("<file>:<line>", the name as given), then,
    where two reads of one name give the same line (a capture rewritten and read again, two reads
    of stdin, one relative name given in two folders), the one first in `_tie_order`: without a
    total order the engine's sort picked, which moved with how rows were spread over tasks, and
    DuckDB and Spark differed. It cannot be the one read last, as `reduce_snapshots` keeps within
    a file: a stored snapshot does not record which read gave it.
    """
    order = [ibis.desc(t.source), *_tie_order(t)]
    ranked = t.mutate(_rn=ibis.row_number().over(group_by=[*ACCOUNT_KEY, "observed_at"], order_by=order))
    return ranked.filter(ranked._rn == 0).drop("_rn")


def _tie_order(t: ir.Table) -> list[ir.Value]:
    """A fixed order over a snapshot's values: per field, a value before a NULL, then the larger
    value first (text compares by its bytes on both engines); the seen range last. The NULL test
    is its own key because DuckDB and Spark put NULLs at opposite ends of an ascending sort."""
    keys: list[ir.Value] = []
    for field in [*PROFILE_VALUE_FIELDS, "first_seen", "last_seen"]:
        keys += [t[field].isnull(), ibis.desc(t[field])]
    return keys


@ibis.udf.scalar.builtin
def json_merge_patch(a: str, b: str) -> str:  # type: ignore[empty-body]
    """RFC 7396 merge of two JSON objects (DuckDB builtin; registered as a function on Spark)."""


def _merge_json(a: ir.StringValue, b: ir.StringValue) -> ir.StringValue:
    return ibis.cases((a.isnull(), b), (b.isnull(), a), else_=json_merge_patch(a, b))


def _latest_fields(t: ir.Table, key: ir.Value, undated_key: ir.Value) -> dict[str, ir.Value]:
    """Per profile field, its value at the largest `key` among rows where it is not NULL."""
    out: dict[str, ir.Value] = {f: t[f].argmax(key, where=t[f].notnull()) for f in PROFILE_VALUE_FIELDS}
    # `extra` holds format-specific facts from different files (an IRA authors row has the
    # account's category, its tweets rows the region): merge them, timed values winning over
    # undated ones, rather than letting one file's object hide another's.
    undated = t.extra.argmax(undated_key, where=t.extra.notnull() & t.observed_at.isnull())
    dated = t.extra.argmax(key, where=t.extra.notnull() & t.observed_at.notnull())
    out["extra"] = _merge_json(undated, dated)
    return out


def reduce_snapshots(staged: ir.Table, per: tuple[str, ...] = ()) -> ir.Table:
    """A file's account snapshots, one row per account: latest non-NULL fields and when seen.

    "Latest" orders by observation time, then by arrival in the file (`_seq`), so two different
    profiles seen in the same second resolve to the one read last. `per` names extra grouping
    columns (e.g. `_file`) to reduce many files' snapshots in one pass.
    """
    seconds = staged.observed_at.fill_null(_EPOCH).epoch_seconds().cast("int64").cast(_KEY_TYPE)
    # The key is computed once per row, before grouping: written inside each of the sixteen
    # aggregates, it is sixteen times the arithmetic for an engine that does not share it.
    staged = staged.mutate(_key=seconds * ibis.literal(_SEQ_SPAN, _KEY_TYPE) + staged._seq.cast(_KEY_TYPE))
    return staged.group_by([*ACCOUNT_KEY, *per]).aggregate(
        **_latest_fields(staged, staged._key, staged._key),
        observed_at=staged.observed_at.max(),
        first_seen=staged.first_seen.min(),
        last_seen=staged.last_seen.max(),
        source=staged.source.argmax(staged._seq),
    )


def accounts_from_snapshots(snapshots: ir.Table) -> ir.Table:
    """The accounts table: per account, the latest non-NULL value of each field over all files."""
    dedup = _one_per_time(snapshots)
    out = dedup.group_by(ACCOUNT_KEY).aggregate(
        **_latest_fields(dedup, dedup.observed_at.fill_null(_EPOCH), dedup.source),
        first_seen=dedup.first_seen.min(),
        last_seen=dedup.last_seen.max(),
    )
    return out.select(*ACCOUNTS.names)


def new_snapshots(reduced: ir.Table, existing: ir.Table) -> ir.Table:
    """Snapshots not already stored (same account, same first/last seen and time)."""
    key = [*ACCOUNT_KEY, "observed_at", "first_seen", "last_seen"]
    cond = [reduced[k].identical_to(existing[k]) for k in key]
    return reduced.anti_join(existing, cond)
