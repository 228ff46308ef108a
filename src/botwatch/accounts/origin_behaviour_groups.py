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
    found = behaviours_of(posts)
    keys, bs = list(found), list(found.values())
    shifts, days, texts = [b.shift for b in bs], [b.holidays for b in bs], [b.transfer for b in bs]
    # Column by column (one comprehension each), not 14 appends per account.
    rows: dict[str, list[Any]] = {
        "platform": [k[0] for k in keys], "account_id": [k[1] for k in keys],
        "shift_h": [s and s.shift_h for s in shifts], "shift_sd_h": [s and s.sd_h for s in shifts],
        "shift_n_winter": [s and s.n_winter for s in shifts], "shift_n_summer": [s and s.n_summer for s in shifts],
        "ru_observed": [h and h.ru_observed for h in days], "ru_expected": [h and h.ru_expected for h in days],
        "us_observed": [h and h.us_observed for h in days], "us_expected": [h and h.us_expected for h in days],
        "tr_words": [t.words for t in texts], "tr_articles": [t.articles for t in texts],
        "tr_mixed": [t.mixed_words for t in texts], "tr_posts": [t.posts for t in texts],
    }
    return pa.table(rows, schema=BEHAVIOUR_ROWS)


def from_rows(table: pa.Table) -> dict[tuple[str, str], ob.Behaviour]:
    """`BEHAVIOUR_ROWS` back into `Behaviour`s keyed (platform, account_id)."""
    c = {name: table.column(name).to_pylist() for name in table.column_names}  # columns, not a dict per row
    shifts = [None if nw is None else ob.ShiftEstimate(h, sd, nw, ns)
              for h, sd, nw, ns in zip(c["shift_h"], c["shift_sd_h"], c["shift_n_winter"], c["shift_n_summer"])]
    days = [None if ro is None else ob.HolidayCounts(ro, re_, uo, ue)
            for ro, re_, uo, ue in zip(c["ru_observed"], c["ru_expected"], c["us_observed"], c["us_expected"])]
    texts = map(ob.TransferCounts, c["tr_words"], c["tr_articles"], c["tr_mixed"], c["tr_posts"])
    return {key: ob.Behaviour(s, h, t) for key, s, h, t in zip(zip(c["platform"], c["account_id"]), shifts, days, texts)}


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
