"""The `account_features` table: profile features, behaviour in the study and the seed signals.

Relational aggregation runs in the engine (`behaviour`'s Ibis, SQL, `group_map_to`): `prepare`
joins it to the profile snapshot as one temp-table row per account. `from_batch` derives, for
any batch of those rows, the per-account values that are Python by nature (hour entropy, the
circadian fit, name checks), so the stage runs them where the batches are (`batches`). One row
per account in `accounts`; for accounts that were only retweeted or looked up and never posted in
the study the post counts are 0 in the stored table and the other behaviour columns NULL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts import json_text, origin_desk, origin_shifts, origin_textpool, signals
from botwatch.accounts.behaviour import KEY, POST_COUNTS, SCRIPT_PATTERNS, all_tables
from botwatch.accounts.circadian import fit_hours
from botwatch.accounts.gc_pause import gc_paused
from botwatch.accounts.frame_values import created_after_seen, profile_seen_at
from botwatch.accounts.origin_behaviour import Behaviour
from botwatch.accounts.profile import ALL_FEATURES, profile_features
from botwatch.language_names import UNKNOWN_TAGS
from botwatch.numeric import sum_left_to_right
from botwatch.study import Study
from botwatch.timeline import zones


@dataclass
class AccountData:
    """Everything the scorers need, keyed by (platform, account_id)."""

    accounts: pd.DataFrame  # canonical accounts rows
    features: pd.DataFrame  # the account_features table (includes KEY)
    hours: dict[tuple[str, str], list[int]]
    langs: dict[tuple[str, str], dict[str, int]]
    clients: dict[tuple[str, str], dict[str, int]]
    behaviour: dict[tuple[str, str], Behaviour] = field(default_factory=dict)  # origin features of the account's own posts, where they offer an origin item (`origin_behaviour_groups.offering`)
    shift_counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # posts by UTC hour of accounts active on enough clock hours (origin_shifts)
    desk_shift: dict[tuple[str, str], int | None] = field(default_factory=dict)  # accounts whose shift_counts are their desk's (origin_desk), with their own dated posts
    # `prepare`'s (k, n) list columns "langs", "clients" and "hours" as Arrow, where `from_batch`
    # did not read them into the `langs`, `clients` and `hours` dicts (`pair_dicts=False`: both
    # passes; the origin columns and the daily clock read the lists whole); `pairs_of` gives the
    # dicts either way.
    lists: dict[str, pa.Array] = field(default_factory=dict)
    # Per account: `frame_values.created_after_seen` of `accounts`, computed once where the features
    # are (`_assemble`) for the age, the created-after-trigger signal and the bot evidence, which each
    # computed it (None: not computed, and a reader computes it).
    created_after_seen: np.ndarray | None = None


def pairs_of(data: AccountData, name: str) -> dict[tuple[str, str], Any]:
    """`data.langs`, `data.clients` or `data.hours` (`name`), built from `data.lists` where
    `from_batch` kept the list column instead (the per-account readers: `scoring.origin_inputs`)."""
    if name in data.lists:
        f = data.features
        keys = list(zip(f["platform"].tolist(), f["account_id"].tolist()))
        return _hour_rows(keys, data.lists[name]) if name == "hours" else _pair_dicts(keys, data.lists[name])
    return {"langs": data.langs, "clients": data.clients, "hours": data.hours}[name]


def _flag(basis: pd.Series, cond: pd.Series) -> pd.Series:
    """A nullable boolean: NULL where the value it is computed from is unknown (whole columns:
    the test per cell cost more than the feature)."""
    out = pd.array(cond.to_numpy(dtype=bool, na_value=False), dtype="boolean")
    out[basis.isna().to_numpy()] = pd.NA
    return pd.Series(out, index=basis.index)


def entropy_bits(counts: list[int]) -> float:
    n = sum(counts)
    if n == 0:
        return math.nan
    return -sum_left_to_right(c / n * math.log2(c / n) for c in counts if c)  # 3.11's addition (botwatch.numeric)


def with_profile_extra(accounts: pd.DataFrame) -> pd.DataFrame:
    """`accounts` plus the profile facts the v1.1 readers keep in `extra` (likes, lists, whether
    a website is linked; see `twitter_v1.profile_extra`), as the columns `profile_features` reads.
    Accounts from formats without them get NULL: unknown, not zero. `declared_bot` is the flag a
    Mastodon profile sets to say it is automated (`other_platforms`, `{"bot": true}`)."""
    likes, listed, has_url, declared = [], [], [], []
    seen: dict[Any, tuple[Any, Any, Any, Any]] = {}  # per distinct `extra` text: a study repeats a few dozen shapes
    for raw in accounts["extra"].tolist() if "extra" in accounts.columns else [None] * len(accounts):
        facts = seen.get(raw) if isinstance(raw, str) else None
        if facts is None:
            obj: Any = None
            if isinstance(raw, str) and raw:
                try:
                    obj = json_text.loads(raw)
                except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
                    obj = None
            obj = obj if isinstance(obj, dict) else {}
            lk, ls, hu, bt = obj.get("likes_count"), obj.get("listed_count"), obj.get("has_url"), obj.get("bot")
            facts = (lk if isinstance(lk, int) and not isinstance(lk, bool) else None,
                     ls if isinstance(ls, int) and not isinstance(ls, bool) else None,
                     hu if isinstance(hu, bool) else None,
                     bt if isinstance(bt, bool) else None)
            if isinstance(raw, str):
                seen[raw] = facts
        likes.append(facts[0])
        listed.append(facts[1])
        has_url.append(facts[2])
        declared.append(facts[3])
    out = accounts.copy()
    out["likes_count"] = np.array([np.nan if v is None else float(v) for v in likes], dtype="float64")
    out["listed_count"] = np.array([np.nan if v is None else float(v) for v in listed], dtype="float64")
    out["has_url"] = has_url
    out["declared_bot"] = declared
    return out


def add_clusters(df: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """`df` with cluster_id, cluster_size and in_unison appended: unknown (NULL) without
    coordination results, False for accounts in no cluster when there are some. One function for
    the accounts stage and `accounts_clusters`, so both give the same columns."""
    if clusters is not None and len(clusters):
        df = df.merge(clusters, on=KEY, how="left")
        df["in_unison"] = df["cluster_id"].notna()
    else:
        df["cluster_id"], df["cluster_size"] = None, None
        df["in_unison"] = pd.array([None if clusters is None else False] * len(df), dtype="boolean")
    return df


# The temp tables `prepare` leaves in the study (dropped by `drop_inputs`): one row per account in
# INPUT, and the relational pieces it is joined from.
INPUT = "_botwatch_accounts_in"
_PIECES = ("_botwatch_acc_activity", "_botwatch_acc_lists", "_botwatch_acc_shift", "_botwatch_acc_behaviour", "_botwatch_acc_clusters",
           "_botwatch_acc_window")
# INPUT's column of whether the account posted in the election window (`prepare` with an election).
IN_WINDOW = "_posted_in_window"
# What each account's nested columns hold: (key, posts) pairs, the key an hour, language or client.
LIST_COLUMNS = ("hours", "langs", "clients", "shift")
# Post languages that name no language (undetermined, no linguistic content, Twitter's media-,
# hashtag- or mention-only "qme", "qht", "qam", ...): never an account's top language. Only "und"
# and "zxx" until 2026-12-04, so an English account whose posts were mostly pictures had "qme" as
# its language, which the female-name signal read as a language other than English.
IGNORED_TOP_LANGS = tuple(sorted(UNKNOWN_TAGS - {""}))


def _lists_expr(accounts: Any, tables: dict[str, Any]) -> Any:
    """Every account's key with its posts per UTC hour, language and client as lists of (key, n)
    pairs (NULL where it has none): one statement, where the three lists were a stored table each
    and then joined, three more Spark jobs per list on a lake."""
    out = accounts.select(*KEY)
    for name, key in (("hours", "hour"), ("langs", "lang"), ("clients", "client")):
        t = tables[name]
        t = t.filter(t[key].notnull())  # a post without a time has no hour (langs/clients already drop NULL)
        agg = t.group_by(KEY).aggregate(**{name: ibis.struct({"k": t[key].cast("string"), "n": t.n}).collect()})
        cols = out.columns
        j = out.left_join(agg, [out[c] == agg[c] for c in KEY])
        out = j.select(*[j[c] for c in cols], **{name: j[name]})
    return out


def prepare(study: Study, *, with_clusters: bool = True, election: Any = None) -> str:
    """Compute every account's relational facts in the engine, as temp table `INPUT`: the
    `accounts` row, the `behaviour` aggregates, its posts per UTC hour, language and client (as
    lists of (key, n) pairs), the office-hours counts of `origin_shifts`, the origin-behaviour
    facts (`origin_behaviour_groups`, Python per account where the posts are) and, with
    `with_clusters`, its coordination cluster. Nothing comes to the driver; `from_batch` turns
    any batch of its rows into `AccountData`. With an `election`, also whether the account
    posted in its window (`IN_WINDOW`, zones.window_utc): `created_after_trigger` is asked only of
    those accounts, as the creation comparison is. Returns the table's name."""
    from botwatch.accounts.origin_behaviour_groups import BEHAVIOUR_ROWS, behaviour_rows
    from botwatch.accounts.origin_behaviour_batch import OWN_TEXT_QUERY
    from botwatch.accounts.transfer_sql import post_query

    tables = all_tables(study.table("posts"))
    study.write_expr(_PIECES[0], tables["activity"], temp=True)
    study.write_expr(_PIECES[1], _lists_expr(study.table("accounts"), tables), temp=True)
    # Office-hours counts: the account's own, or its desk's for a short account on a desk
    # (`origin_desk`; the shared-text pairs are written once here and kept for the stage's pooling).
    study.write_expr(origin_desk.PAIRS_TABLE, origin_textpool.neighbours_expr(study), temp=True)
    study.sql(f"CREATE OR REPLACE TEMP TABLE _botwatch_acc_own_shift AS {SHIFT_SQL}")
    # The desk query reads the paired accounts' posts per clock hour four times: written once here
    # (Spark inlines a CTE at each use: its plan scanned and grouped `posts` about two dozen times).
    study.sql(f"CREATE OR REPLACE TEMP TABLE {origin_desk.SLOT_TABLE} AS {origin_desk.slot_sql()}")
    study.sql(f"CREATE OR REPLACE TEMP TABLE _botwatch_acc_desk_shift AS {origin_desk.desk_sql(slot_table=origin_desk.SLOT_TABLE)}")
    study.sql(
        f"CREATE OR REPLACE TEMP TABLE {_PIECES[2]} AS SELECT coalesce(d.platform, o.platform) AS platform, "
        "coalesce(d.account_id, o.account_id) AS account_id, coalesce(d.shift, o.shift) AS shift, d.platform IS NOT NULL AS shift_desk, d.own_posts AS shift_own "
        "FROM _botwatch_acc_own_shift o FULL OUTER JOIN _botwatch_acc_desk_shift d ON o.platform = d.platform AND o.account_id = d.account_id"
    )
    for name in ("_botwatch_acc_own_shift", "_botwatch_acc_desk_shift", origin_desk.SLOT_TABLE):
        study.sql(f"DROP TABLE IF EXISTS {name}")
    if getattr(study, "engine", "duckdb") == "duckdb":
        sql, params = post_query()
        sql = sql.rsplit(" ORDER BY ", 1)[0]  # group_map_to sorts by account and time itself
        study.group_map_to(_PIECES[3], sql, KEY, gc_paused(behaviour_rows), BEHAVIOUR_ROWS, order_by=["us"], params=params, temp=True)
    else:
        study.group_map_to(_PIECES[3], OWN_TEXT_QUERY, KEY, gc_paused(behaviour_rows), BEHAVIOUR_ROWS, order_by=["created_at"], temp=True)
    clusters = cluster_sql(study) if with_clusters else None
    if clusters:
        study.sql(f"CREATE OR REPLACE TEMP TABLE {_PIECES[4]} AS {clusters}")
    window = zones.window_utc(election) if election is not None else None
    if window is not None:
        lo, hi = (f"TIMESTAMP '{t:%Y-%m-%d %H:%M:%S}'" for t in window)
        study.sql(f"CREATE OR REPLACE TEMP TABLE {_PIECES[5]} AS SELECT DISTINCT platform, account_id FROM posts "
                  f"WHERE created_at >= {lo} AND created_at < {hi}")
    activity = [c for c in tables["activity"].schema().names if c not in KEY]
    beh = [f.name for f in BEHAVIOUR_ROWS if f.name not in KEY]
    cols = (["a.*"] + [f"act.{c}" for c in activity] + [f"li.{c}" for c in ("hours", "langs", "clients")] + ["sh.shift", "sh.shift_desk", "sh.shift_own"]
            + [f"b.{c}" for c in beh] + ["b.platform IS NOT NULL AS has_behaviour"])
    joins = [f"LEFT JOIN {_PIECES[0]} act", f"LEFT JOIN {_PIECES[1]} li", f"LEFT JOIN {_PIECES[2]} sh", f"LEFT JOIN {_PIECES[3]} b"]
    if clusters is not None:
        cols += ["cl.cluster_id", "cl.cluster_size", "cl.platform IS NOT NULL AS in_unison"]
        joins.append(f"LEFT JOIN {_PIECES[4]} cl")
    if window is not None:
        cols.append(f"wi.platform IS NOT NULL AS {IN_WINDOW}")
        joins.append(f"LEFT JOIN {_PIECES[5]} wi")
    on = lambda j: f"{j} ON a.platform = {j.split()[-1]}.platform AND a.account_id = {j.split()[-1]}.account_id"  # noqa: E731
    study.sql(f"CREATE OR REPLACE TEMP TABLE {INPUT} AS SELECT {', '.join(cols)} FROM accounts a {' '.join(on(j) for j in joins)}")
    for name in _PIECES:
        study.sql(f"DROP TABLE IF EXISTS {name}")
    return INPUT


def drop_inputs(study: Study) -> None:
    """Drop what `prepare` left (also after a failure half-way)."""
    for name in (INPUT, *_PIECES, "_botwatch_acc_own_shift",
                 "_botwatch_acc_desk_shift", origin_desk.SLOT_TABLE, origin_desk.PAIRS_TABLE):
        study.sql(f"DROP TABLE IF EXISTS {name}")


# `origin_shifts.shift_counts`'s counts, one row per kept account with its (hour, posts) pairs,
# from the same `HOURLY_CTE` (tests/test_accounts_batches.py compares the two), kept in the engine.
SHIFT_SQL = origin_shifts.HOURLY_CTE + (
    " SELECT platform, account_id, list(struct_pack(k := CAST(h AS VARCHAR), n := posts)) AS shift FROM hourly GROUP BY platform, account_id"
)


def cluster_sql(study: Study) -> str | None:
    """(platform, account_id, cluster_id, cluster_size) per clustered account, or None without
    coordination results. NULL-free: an account in no cluster simply has no row."""
    if "cluster_members" not in study.tables():
        return None
    if not {"cluster_id", "platform", "account_id"} <= set(study.columns("cluster_members")):
        return None
    return ("SELECT platform, account_id, min(CAST(cluster_id AS VARCHAR)) AS cluster_id, max(n) AS cluster_size "
            "FROM (SELECT platform, account_id, cluster_id, count(*) OVER (PARTITION BY cluster_id) AS n FROM cluster_members) AS m "
            "GROUP BY platform, account_id")


def _pairs(values: list[Any]) -> list[dict[str, int] | None]:
    """A list column of (k, n) structs as one {k: n} per row, keys in sorted order (a group-by
    returns them in any order, and the order reaches the evidence: which of two equally common
    languages is named first, which regional client is named); None where the list is NULL."""
    return [None if v is None else {str(d["k"]): int(d["n"]) for d in sorted(v, key=lambda d: str(d["k"]))} for v in values]


def _rows_of(col: "pa.Array | pa.ChunkedArray") -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """A list column of (k, n) structs flattened: each pair's row, its keys and its counts."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    flat = pc.list_flatten(col)
    rows = np.asarray(pc.list_parent_indices(col).to_numpy(zero_copy_only=False), np.int64)
    return rows, pc.cast(flat.field("k"), pa.string()), np.asarray(flat.field("n").to_numpy(zero_copy_only=False), np.int64)


def hour_matrix(col: "pa.Array | pa.ChunkedArray") -> tuple[np.ndarray, np.ndarray]:
    """A list column of (hour, n) structs as (rows × 24 counts, which rows have a list): `_hour_list`
    of every row at once."""
    rows, hour, n = _rows_of(col)
    counts = np.zeros((len(col), 24), np.int64)
    np.add.at(counts, (rows, np.asarray(pc.cast(hour, pa.int64()).to_numpy(zero_copy_only=False), np.int64)), n)
    return counts, np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), bool)


def _hour_rows(keys: list[tuple[str, str]], col: "pa.Array | pa.ChunkedArray") -> dict[tuple[str, str], list[int]]:
    """`_hour_list(_pairs(...))` of every row with a list, keyed, at once: one (rows × 24) sum."""
    return _keyed_rows(keys, *hour_matrix(col))


def _keyed_rows(keys: list[tuple[str, str]], counts: np.ndarray, valid: np.ndarray) -> dict[tuple[str, str], list[int]]:
    return {keys[i]: c for i, c in zip(np.flatnonzero(valid).tolist(), counts[valid].tolist())}


def _pair_dicts(keys: list[tuple[str, str]], col: "pa.Array | pa.ChunkedArray") -> dict[tuple[str, str], dict[str, int]]:
    """`_pairs` of every row with a list, keyed, at once: the pairs sorted by (row, key) in Arrow
    (UTF-8 byte order is code-point order, as Python's `sorted`), read into Python once."""
    rows, k, n = _rows_of(col)
    order = pc.sort_indices(pa.table({"r": rows, "k": k}), sort_keys=[("r", "ascending"), ("k", "ascending")])
    order_np = np.asarray(order.to_numpy(zero_copy_only=False), np.int64)
    names = k.take(order).to_pylist()
    counts = n[order_np].tolist()
    ends = np.cumsum(np.bincount(rows, minlength=len(keys))).tolist()
    valid = pc.is_valid(col).to_pylist()
    out: dict[tuple[str, str], dict[str, int]] = {}
    start = 0
    for key, end, ok in zip(keys, ends, valid):
        if ok:
            out[key] = dict(zip(names[start:end], counts[start:end]))
        start = end
    return out


def top_keys(col: "pa.Array | pa.ChunkedArray", exclude: tuple[str, ...] = ()) -> tuple[list[str | None], np.ndarray]:
    """Per row of a list column of (k, n) structs: the key with the most posts (ties: the larger
    key, as `max(d, key=lambda x: (d[x], x))` picks) and its share of the row's posts, leaving
    out the keys in `exclude`; None and NaN where no posts are left. Each key appears at most once
    per row (`prepare` groups the pairs by account and key); a repeated key would be counted twice.

    Why: the per-account loop over `{key: posts}` dicts (`_top_of_dicts`) and
    building those dicts for it were most of the score pass's cost of these four columns; here one
    Arrow sort of all pairs by (row, posts, key) puts each row's top pair first. UTF-8 byte order
    is code-point order, the order in which Python compares the keys; the share divides two whole
    numbers below 2**53 (exact as floats), as Python's `int / int` does."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    n_rows = len(col)
    rows, k, n = _rows_of(col)
    if k.null_count:  # not from `prepare` (it drops NULL keys): the dict loop's reading of them
        dicts = _pair_dicts(list(range(n_rows)), col)  # type: ignore[arg-type]
        return _top_of_dicts([dicts.get(i) for i in range(n_rows)], exclude)  # type: ignore[call-overload]
    if exclude:
        keep = np.asarray(pc.invert(pc.is_in(k, pa.array(list(exclude), pa.string()))).to_numpy(zero_copy_only=False), bool)
        rows, k, n = rows[keep], k.filter(pa.array(keep)), n[keep]
    total = np.bincount(rows, weights=n, minlength=n_rows)  # whole numbers, exact in float64 below 2**53
    order = np.asarray(pc.sort_indices(pa.table({"r": rows, "n": n, "k": k}),
                                       sort_keys=[("r", "ascending"), ("n", "descending"), ("k", "descending")]).to_numpy(zero_copy_only=False), np.int64)
    sorted_rows = rows[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_rows[1:] != sorted_rows[:-1]
    at = order[first]
    top: list[str | None] = [None] * n_rows
    share = np.full(n_rows, np.nan)
    has = rows[at]
    ok = total[has] > 0
    for r, key in zip(has[ok].tolist(), k.take(pa.array(at[ok])).to_pylist()):
        top[r] = key
    share[has[ok]] = n[at[ok]].astype("float64") / total[has[ok]]
    return top, share


def _top_of_dicts(pairs: list[dict[str, int] | None], exclude: tuple[str, ...]) -> tuple[list[str | None], np.ndarray]:
    """`top_keys` over {key: posts} dicts, one account at a time (the reference the tests hold
    `top_keys` to, and its path for keys it cannot sort)."""
    top: list[str | None] = []
    share: list[float] = []
    for d in pairs:
        d = {} if d is None else d
        if any(x in d for x in exclude):
            d = {x: c for x, c in d.items() if x not in exclude}
        tot = sum(d.values())
        if d and tot:
            key = next(iter(d)) if len(d) == 1 else max(d, key=lambda x: (d[x], x))
            top.append(key), share.append(d[key] / tot)
        else:
            top.append(None), share.append(math.nan)
    return top, np.array(share, dtype="float64")


def _hour_list(pairs: dict[str, int]) -> list[int]:
    """{hour: posts} as the 24 counts the clock fits read."""
    out = [0] * 24
    for h, n in pairs.items():
        out[int(h)] += n
    return out


def _whole_numbers(table: pa.Table) -> pa.Table:
    """`table` with its whole-number decimals (DuckDB's SUM of integers is a 128-bit HUGEINT) as
    int64, as Spark's SUM gives them and as `account_features` declares them: pandas holds a
    decimal column as one Python `Decimal` per cell, which cost more than every other feature
    column together to convert and divide (a count is far below 2**63; the cast checks it)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type) and f.type.scale == 0:
            table = table.set_column(i, f.name, pc.cast(table.column(i), pa.int64()))
    return table


@gc_paused
def from_batch(batch: "pa.RecordBatch | pa.Table", election: Any = None, *, origin_only: bool = False, origin_inputs: bool = True,
               pair_dicts: bool = True) -> AccountData:
    """The `AccountData` of one batch of `prepare`'s rows (any batch: every value is per account).

    Why per batch: the Python part of the stage (name and handle shapes, the daily clock, the
    seed signals, then the bot and origin models) then runs where the rows are, batch by batch
    (`study.map_arrow`), and no engine brings every account to one process. `origin_only`:
    only what `scoring.origin_inputs` reads (the features are the engine's aggregates alone),
    for the study prior's first pass. `origin_inputs=False`: leave out what only the origin
    model reads (office-hours counts, behaviour facts, and the language and client dicts: the
    score pass takes the top language and client from the columns, `top_keys`), for a caller
    with the origin results. `pair_dicts=False`: keep the language, client and hours list columns
    as Arrow (`AccountData.lists`) instead of one dict per account: `origin_columns` and the daily
    clock read them whole (both passes; building the dicts was most of what those slots cost)."""
    from botwatch.accounts.origin_behaviour_groups import BEHAVIOUR_ROWS, from_rows, offering
    from botwatch.engines.lake_arrow import duck_like_pandas
    from botwatch.schema import ACCOUNTS

    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    acc_cols = [c for c in ACCOUNTS.names if c in table.column_names]
    accounts = duck_like_pandas(table.select(acc_cols))
    keys = list(zip(table.column("platform").to_pylist(), table.column("account_id").to_pylist()))
    # Without the dicts the hours stay a list column too: the origin columns and the daily clock
    # read it whole (`hour_matrix`).
    lazy = not pair_dicts
    # The first pass without dicts needs no matrix here: its origin columns build their own.
    clock = None if lazy and origin_only else hour_matrix(table.column("hours"))
    hours = {} if clock is None or lazy else _keyed_rows(keys, *clock)
    langs: dict[tuple[str, str], dict[str, int]] = {}
    clients: dict[tuple[str, str], dict[str, int]] = {}
    shift_counts: dict[tuple[str, str], list[int]] = {}
    desk_shift: dict[tuple[str, str], int | None] = {}
    behaviour: dict[tuple[str, str], Behaviour] = {}
    lists: dict[str, pa.Array] = {}
    if origin_inputs:  # what only the origin model reads (the features take the top language and client from the columns)
        if pair_dicts:
            langs = _pair_dicts(keys, table.column("langs"))
            clients = _pair_dicts(keys, table.column("clients"))
        else:
            lists = {name: _combined(table.column(name)) for name in ("langs", "clients")}
        shift_counts = _hour_rows(keys, table.column("shift"))
        if "shift_desk" in table.column_names:
            own = table.column("shift_own").to_pylist() if "shift_own" in table.column_names else [None] * len(keys)
            desk_shift = {k: (None if n is None else int(n)) for k, d, n in zip(keys, table.column("shift_desk").to_pylist(), own) if d}
        behaviour = from_rows(offering(table.filter(pc.fill_null(table.column("has_behaviour"), False)).select(BEHAVIOUR_ROWS.names)))
    if lazy:
        lists["hours"] = _combined(table.column("hours"))
        # The score pass reads the post languages too: the study home share moves an account only
        # among the countries they fit (`origin_columns.language_groups`).
        lists.setdefault("langs", _combined(table.column("langs")))
    skip = set(acc_cols) | set(LIST_COLUMNS) | set(BEHAVIOUR_ROWS.names) | {"has_behaviour", "shift_desk", "shift_own", "cluster_id", "cluster_size", "in_unison"}
    # Columns a caller joined beside `prepare`'s start with an underscore and are not features.
    act = _whole_numbers(table.select(KEY + [c for c in table.column_names if c not in skip and not c.startswith("_")])).to_pandas()
    # Side by side, not merged on the key: both come from the same rows in the same order.
    df = pd.concat([accounts[KEY + ["handle", "display_name", "created_at"]].reset_index(drop=True), act.drop(columns=KEY)], axis=1)
    if origin_only:
        return AccountData(accounts, df, hours, langs, clients, behaviour, shift_counts, desk_shift, lists)
    clusters = None
    if "in_unison" in table.column_names:
        got = table.select([*KEY, "cluster_id", "cluster_size"]).filter(pc.fill_null(table.column("in_unison"), False))
        clusters = duck_like_pandas(got)
    tops = (top_keys(table.column("langs"), IGNORED_TOP_LANGS), top_keys(table.column("clients")))
    in_window = table.column(IN_WINDOW).to_numpy(zero_copy_only=False) if IN_WINDOW in table.column_names else None
    data = _assemble(accounts, df, hours, langs, clients, behaviour, shift_counts, desk_shift, clusters, election, tops, clock, in_window)
    data.lists = lists
    return data


def _combined(col: "pa.Array | pa.ChunkedArray") -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _assemble(accounts: pd.DataFrame, df: pd.DataFrame, hours: dict[tuple[str, str], list[int]], langs: dict[tuple[str, str], dict[str, int]],
              clients: dict[tuple[str, str], dict[str, int]], behaviour: dict[tuple[str, str], Behaviour],
              shift_counts: dict[tuple[str, str], list[int]], desk_shift: dict[tuple[str, str], int | None], clusters: pd.DataFrame | None,
              election: Any, tops: tuple[tuple[list[str | None], np.ndarray], tuple[list[str | None], np.ndarray]],
              clock: tuple[np.ndarray, np.ndarray] | None = None, in_window: np.ndarray | None = None) -> AccountData:
    """The per-account Python features over `df` (accounts joined to their activity); `tops`:
    `top_keys` of the language and client columns; `clock`: `hour_matrix` of the hours column
    (None: the daily clock from the `hours` dicts, account by account); `in_window`: per row,
    whether the account posted in the election window (`prepare`'s `IN_WINDOW`)."""
    # No reference time, so no age, where the creation date is after the study first saw the
    # account: posting 11 hours before it was "created", it read "account age (days) 1: raised the
    # bot score" and a bot probability of 0.95 from a date that cannot be right.
    after_seen = created_after_seen(accounts)
    ref = profile_seen_at(accounts).mask(pd.Series(after_seen, index=accounts.index))
    prof = profile_features(with_profile_extra(accounts), ref)
    for c in ALL_FEATURES:
        df[c] = prof[c].to_numpy()
    n = df["n_posts"].astype("float64")
    span_days = (pd.to_datetime(df["last_post"]) - pd.to_datetime(df["first_post"])).dt.total_seconds() / 86400.0
    df["span_days"] = span_days
    df["posts_per_day_study"] = n / np.maximum(np.ceil(span_days.fillna(0) + 1e-9), 1.0)
    df["posts_per_active_hour"] = n / df["active_hours"].astype("float64")
    for count, share in (("n_retweets", "retweet_share"), ("n_replies", "reply_share"), ("n_quotes", "quote_share")):
        df[share] = df[count].astype("float64") / n
    df["dup_text_share"] = 1.0 - df["n_distinct_texts"].astype("float64") / df["n_texts"].astype("float64").where(lambda s: s > 0)
    for k in ("hashtags", "mentions", "urls"):
        df[f"{k}_per_post"] = df[f"n_{k}"].astype("float64") / n
    df["gap_cv"] = df["gap_std_s"] / df["gap_mean_s"].where(lambda s: s > 0)
    df["share_gaps_under_10s"] = df["n_gaps_under_10s"].astype("float64") / (n - 1).where(lambda s: s > 0)
    df["share_gaps_under_60s"] = df["n_gaps_under_60s"].astype("float64") / (n - 1).where(lambda s: s > 0)
    for s in SCRIPT_PATTERNS:
        df[f"script_{s}_share"] = df[f"n_script_{s}"].astype("float64") / n
    keys = list(zip(df["platform"].tolist(), df["account_id"].tolist()))  # tolist: iterating an Arrow-backed column is per value
    if clock is None:
        _add_daily_clock(df, keys, hours)
    else:
        _add_daily_clock_matrix(df, *clock)
    (df["top_lang"], df["top_lang_share"]), (df["top_client"], df["top_client_share"]) = tops
    _add_seed_signals(df, accounts, n, election, in_window, after_seen)
    df = add_clusters(df, clusters)
    return AccountData(accounts, df, hours, langs, clients, behaviour, shift_counts, desk_shift, created_after_seen=after_seen)


def build(study: Study, election: Any = None, *, with_clusters: bool = True) -> AccountData:
    """The features of every account in the study, at once in this process (for scripts and
    tests that want the whole `AccountData`; the stage runs `from_batch` per batch instead).

    `with_clusters=False` leaves cluster membership unknown (the accounts stage: the
    `accounts_clusters` stage adds it once coordination has run)."""
    try:
        name = prepare(study, with_clusters=with_clusters, election=election)
        table = study.query_arrow(f"SELECT * FROM {name} ORDER BY platform, account_id")
    finally:
        drop_inputs(study)
    return from_batch(table, election)


def _add_daily_clock(df: pd.DataFrame, keys: list[tuple[str, str]], hours: dict[tuple[str, str], list[int]]) -> None:
    """Hour-of-day entropy, best-fitting UTC offset and how well a human day fits, per account."""
    ent, best, bits = [], [], []
    for k in keys:
        h = hours.get(k)
        if h is None:
            ent.append(math.nan), best.append(None), bits.append(math.nan)
            continue
        fit = fit_hours(tuple(h))
        ent.append(entropy_bits(h))
        best.append(fit.best_offset if fit.informative else None)
        bits.append(fit.human_fit_bits)
    df["hour_entropy_bits"] = ent
    df["best_utc_offset"] = pd.array(best, dtype="Int64")
    df["human_day_fit_bits"] = bits


def _add_daily_clock_matrix(df: pd.DataFrame, counts: np.ndarray, valid: np.ndarray) -> None:
    """`_add_daily_clock` from the accounts' 24 hour counts as one matrix (`hour_matrix`; rows
    without a list are not `valid`): the fit and the entropy once per distinct row of counts,
    with the same functions on the same Python integers, then taken for every account. Accounts
    with few posts share a handful of rows; on accounts that all differ it is the same work plus
    one factorisation."""
    from botwatch.accounts.origin_columns import distinct_rows

    n = len(df)
    code = np.full(n, -1, np.int64)  # -1: no hours, the last entry of each table below
    ent: list[float] = []
    best: list[int | None] = []
    bits: list[float] = []
    rows = np.flatnonzero(valid)
    if len(rows):
        uniq, inverse = distinct_rows(counts[rows])
        code[rows] = inverse
        for h in uniq.tolist():
            fit = fit_hours(tuple(h))
            ent.append(entropy_bits(h))
            best.append(fit.best_offset if fit.informative else None)
            bits.append(fit.human_fit_bits)
    take = lambda values, missing: np.array([*values, missing], dtype=object)[code].tolist()  # noqa: E731
    df["hour_entropy_bits"] = take(ent, math.nan)
    df["best_utc_offset"] = pd.array(take(best, None), dtype="Int64")
    df["human_day_fit_bits"] = take(bits, math.nan)


def _add_seed_signals(df: pd.DataFrame, accounts: pd.DataFrame, n: pd.Series, election: Any, in_window: np.ndarray | None = None,
                      after_seen: np.ndarray | None = None) -> None:
    """The documented seed signals (female English name, anonymity, activity, amplification,
    created after the election was called).

    `created_after_trigger` follows the report's creation comparison (timeline `creation`): the
    trigger is local midnight of the day the election was called (zones.trigger_utc), and only
    an account that posted in the election window (`in_window`) is asked; any other is NULL, as
    one without a creation date is. Counted on every account, it called an account that posted
    only years later "created after the election was called", and the report's signal table
    counted such accounts while its creation section left them out. A creation date later than the
    study first saw the account is not asked either, as the creation section leaves it out; nor is a
    Mastodon account made on the UTC day the trigger falls in (`_day_holds`). The signal is reported
    beside the bot probability, never a model feature. `after_seen`: `created_after_seen(accounts)`
    where the caller has it."""
    df["english_female_name"], df["anonymity"] = name_signals(accounts)
    df["anonymous"] = _flag(df["anonymity"], df["anonymity"] >= signals.ANONYMOUS_SHARE)
    df["activity_over_72"] = _flag(df["posts_per_day_study"], df["posts_per_day_study"] > signals.ACTIVITY_HIGH)
    df["activity_over_144"] = _flag(df["posts_per_day_study"], df["posts_per_day_study"] > signals.ACTIVITY_VERY_HIGH)
    # Unknown (NULL), not "no", below the posts the signal needs: gop-debate-2015's signal table
    # read "80%+ retweets: known for 6,517 accounts, showing it 12" where 34 accounts had 10+
    # posts and 3,644 posted only retweets, fewer than 10 of them.
    decidable = df["retweet_share"].where((n >= signals.AMPLIFIER_MIN_POSTS).to_numpy())
    df["amplifier"] = _flag(decidable, decidable >= signals.AMPLIFIER_SHARE)
    if election is not None and in_window is not None:
        trig = pd.Timestamp(zones.trigger_utc(election))
        created = pd.to_datetime(accounts["created_at"])
        # NaT: not asked, or a creation date later than the study first saw the account, which
        # cannot be right (`created_after_seen`): 2031 read "created after the election was called".
        after = created_after_seen(accounts) if after_seen is None else after_seen
        asked = in_window.astype(bool) & ~after & ~_day_holds(accounts, created, trig)
        eligible = created.where(pd.Series(asked, index=created.index))
        df["created_after_trigger"] = _flag(eligible, eligible >= trig)  # whole column, NULL where not asked or unknown
    else:
        df["created_after_trigger"] = pd.array([None] * len(df), dtype="boolean")


def _day_holds(accounts: pd.DataFrame, created: pd.Series, at: pd.Timestamp) -> np.ndarray:
    """Per account: whether its creation date is a Mastodon creation day (the API gives the day
    only, as midnight UTC) holding the instant `at`, so that the account may have been made before
    it or after it (timeline stage `creation`'s DAY_HOLDS_TRIGGER). Read from its midnight, an
    account of a US study made on the day the election was called was "not created after"."""
    mastodon = (accounts["platform"] == "mastodon").fillna(False).to_numpy(dtype=bool)
    day = (created == created.dt.normalize()) & (created < at) & (created > at - pd.Timedelta(days=1))
    return mastodon & day.fillna(False).to_numpy(dtype=bool)


def name_signals(accounts: pd.DataFrame) -> tuple[pd.arrays.BooleanArray, np.ndarray]:
    """Per account: `signals.english_female_first` of its display name's first name (NA where the
    archive gives no display name), and `signals.anonymity` of its profile, equal to the
    per-account calls (`name_signals_per_account` in testsupport/accounts_reference.py).

    The name test is unknown, not "no", without a name: on the IRA release (no display names)
    the report's seed-signal table read "English woman's first name: known for 21,278 accounts,
    showing it 0", a finding about names no one had seen.

    Why: the per-account calls were most of the seed signals' cost. Here the first name and
    both of its tests run once per distinct display name, the description and location tests
    once per distinct text (a real archive repeats few of these: there it saves only the calls),
    and the anonymity share is the count of anonymous parts over the count of known ones in
    numpy: each part is 0.0 or 1.0, so Python's `sum(parts)` is that whole number exactly and
    `/ len(parts)` the same correctly rounded quotient."""
    n = len(accounts)
    name_code, names = _codes(accounts["display_name"])
    named = [isinstance(v, str) for v in names]  # per distinct value: a display name to read
    firsts = [signals.first_name(v) if ok else None for v, ok in zip(names, named)]
    female = pd.array(np.array([signals.english_female_first(f) for f in firsts] + [False], bool)[name_code], dtype="boolean")
    female[~np.array(named + [False], bool)[name_code]] = pd.NA
    known = np.zeros(n, np.int64)
    anonymous = np.zeros(n, np.int64)

    def add(code: np.ndarray, per_value: list[tuple[bool, bool]]) -> None:  # (known, anonymous) per distinct value
        table = np.array(per_value + [(False, False)], bool).reshape(-1, 2)
        known[:] += table[code, 0]
        anonymous[:] += table[code, 1]

    add(name_code, [(ok, ok and not signals.personal_first(f)) for ok, f in zip(named, firsts)])
    for col in ("description", "location"):
        code, values = _codes(accounts[col])
        add(code, [(isinstance(v, str), isinstance(v, str) and not v.strip()) for v in values])
    img = accounts["default_image"].to_numpy(dtype=object)
    img_known = ~pd.isna(img)
    known += img_known
    anonymous[img_known] += np.array([bool(d) for d in img[img_known]], bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(known >= signals.MIN_IDENTITY_FIELDS, anonymous.astype(np.float64) / known, np.nan)
    return female, share


def _codes(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(code per value, distinct values); a missing marker (None, NaN, NA) gets -1, the last entry of a table indexed by code."""
    code, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return np.asarray(code, np.int64), list(uniques)


def table_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The account_features table as stored: drop helper columns that duplicate `accounts`; the
    post counts of an account with no post of its own are 0 (its aggregates' NULL, which the
    scorers read as "no activity", read as an unknown count in an export or SQL)."""
    out = df.drop(columns=["display_name", "created_at"], errors="ignore")
    counts = [c for c in POST_COUNTS if c in out.columns]
    out[counts] = out[counts].fillna(0)
    return out
