"""The origin-behaviour facts of every account through `study.group_map_arrow`: the posts stay
where the engine keeps them and only one row per account comes back.

Why: the accounts stage needs, per account, facts computed in Python from all of its timed posts
(`origin_behaviour_batch.behaviours_of`). Reading every post's (account, time, text) into the
driver was O(posts), the largest thing the lake engine collected. Here each group of whole
accounts is turned into `BEHAVIOUR_ROWS` where the posts are: in-process on DuckDB, on Spark's
executors on a lake. The values are those of `behaviours_of` itself (the same function runs on
each group; every fact is per account), so both engines give the same `Behaviour`s.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from botwatch.accounts import origin_behaviour as ob
from botwatch.accounts.origin_behaviour_batch import OWN_TEXT_QUERY, behaviours_of, counted_posts
from botwatch.accounts.transfer_sql import post_query

KEY = ["platform", "account_id"]

# One row per account: a `Behaviour` flattened (NULL where its part is None).
BEHAVIOUR_ROWS = pa.schema([
    ("platform", pa.string()), ("account_id", pa.string()),
    ("shift_h", pa.float64()), ("shift_sd_h", pa.float64()), ("shift_n_winter", pa.int64()), ("shift_n_summer", pa.int64()),
    ("ru_observed", pa.int64()), ("ru_expected", pa.float64()), ("us_observed", pa.int64()), ("us_expected", pa.float64()),
    ("tr_words", pa.int64()), ("tr_articles", pa.int64()), ("tr_mixed", pa.int64()), ("tr_posts", pa.int64()),
])


def behaviour_rows(posts: pa.Table) -> pa.Table:
    """`group_map_arrow`'s function: whole accounts' posts (`post_query`'s columns, or
    `OWN_TEXT_QUERY`'s, whose texts are counted here) to one `BEHAVIOUR_ROWS` row each."""
    if "us" not in posts.column_names:
        posts = counted_posts(posts)
    rows: dict[str, list[Any]] = {f.name: [] for f in BEHAVIOUR_ROWS}
    for (platform, account), b in behaviours_of(posts).items():
        s, h, t = b.shift, b.holidays, b.transfer
        for name, value in (
            ("platform", platform), ("account_id", account),
            ("shift_h", s and s.shift_h), ("shift_sd_h", s and s.sd_h), ("shift_n_winter", s and s.n_winter), ("shift_n_summer", s and s.n_summer),
            ("ru_observed", h and h.ru_observed), ("ru_expected", h and h.ru_expected),
            ("us_observed", h and h.us_observed), ("us_expected", h and h.us_expected),
            ("tr_words", t.words), ("tr_articles", t.articles), ("tr_mixed", t.mixed_words), ("tr_posts", t.posts),
        ):
            rows[name].append(value)
    return pa.table(rows, schema=BEHAVIOUR_ROWS)


def from_rows(table: pa.Table) -> dict[tuple[str, str], ob.Behaviour]:
    """`BEHAVIOUR_ROWS` back into `Behaviour`s keyed (platform, account_id)."""
    out: dict[tuple[str, str], ob.Behaviour] = {}
    for r in table.to_pylist():
        shift = None if r["shift_n_winter"] is None else ob.ShiftEstimate(r["shift_h"], r["shift_sd_h"], r["shift_n_winter"], r["shift_n_summer"])
        holidays = None if r["ru_observed"] is None else ob.HolidayCounts(r["ru_observed"], r["ru_expected"], r["us_observed"], r["us_expected"])
        transfer = ob.TransferCounts(r["tr_words"], r["tr_articles"], r["tr_mixed"], r["tr_posts"])
        out[(r["platform"], r["account_id"])] = ob.Behaviour(shift, holidays, transfer)
    return out


def study_behaviours(study: Any) -> dict[tuple[str, str], ob.Behaviour]:
    """`behaviour_of` for every account with timed posts in `study`, computed where the posts are.

    DuckDB counts the words of each text in SQL (`transfer_sql`); a lake sends each account's
    own texts to its executor, where `text_transfer` counts them (the same numbers)."""
    if getattr(study, "engine", "duckdb") == "duckdb":
        sql, params = post_query()
        sql = sql.rsplit(" ORDER BY ", 1)[0]  # group_map_arrow sorts by account and time itself
        rows = study.group_map_arrow(sql, KEY, behaviour_rows, BEHAVIOUR_ROWS, order_by=["us"], params=params)
    else:
        rows = study.group_map_arrow(OWN_TEXT_QUERY, KEY, behaviour_rows, BEHAVIOUR_ROWS, order_by=["created_at"])
    return from_rows(rows)
