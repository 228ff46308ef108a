"""The origin-behaviour facts of every account through `study.group_map_arrow`: the posts stay
where the engine keeps them and only one row per account comes back.

Why: the accounts stage needs, per account, facts computed in Python from all of its timed posts
(`origin_behaviour_batch.behaviours_of`). Reading every post's (account, time, text) into the
driver was O(posts), the largest thing the lake engine collected. Here each group of whole
accounts is turned into `BEHAVIOUR_ROWS` where the posts are: in-process on DuckDB, on Spark's
executors on a lake. The values are those of `behaviours_of` (the same per-account columns,
`account_columns`, run on each group; every fact is per account), so both engines give the same
`Behaviour`s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts import origin_behaviour as ob
from botwatch.accounts.origin_behaviour_batch import OWN_TEXT_QUERY, account_columns, counted_posts
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
    `OWN_TEXT_QUERY`'s, whose texts are counted here) to one `BEHAVIOUR_ROWS` row each: the
    values of `behaviours_of`'s `Behaviour`s, written column by column from the per-account
    columns both are made from (`account_columns`), with no object per account."""
    if "us" not in posts.column_names:
        posts = counted_posts(posts)
    if posts.num_rows == 0:
        return BEHAVIOUR_ROWS.empty_table()
    c = account_columns(posts)
    n = len(c.n_sane)
    no_days = ~c.has_holidays()
    # Expected holiday posts: posts × holiday days ÷ span days, each an exact integer below 2**53,
    # so the float division is Python's `n * days / span` (one correctly rounded quotient).
    span = np.where(no_days, 1, c.span_days).astype(np.float64)
    ru_exp = (c.n_sane * c.ru_days).astype(np.float64) / span
    us_exp = (c.n_sane * c.us_days).astype(np.float64) / span
    at = np.fromiter(c.shifts, np.int64, len(c.shifts))
    est = list(c.shifts.values())
    no_shift = np.ones(n, bool)
    no_shift[at] = False
    shift_h, shift_sd = np.zeros(n), np.zeros(n)
    n_w, n_s = np.zeros(n, np.int64), np.zeros(n, np.int64)
    shift_h[at] = [e.shift_h for e in est]
    shift_sd[at] = [e.sd_h for e in est]
    n_w[at] = [e.n_winter for e in est]
    n_s[at] = [e.n_summer for e in est]
    cols = {
        "platform": c.platform, "account_id": c.account_id,
        "shift_h": pa.array(shift_h, mask=no_shift), "shift_sd_h": pa.array(shift_sd, mask=no_shift),
        "shift_n_winter": pa.array(n_w, mask=no_shift), "shift_n_summer": pa.array(n_s, mask=no_shift),
        "ru_observed": pa.array(c.ru_obs, mask=no_days), "ru_expected": pa.array(ru_exp, mask=no_days),
        "us_observed": pa.array(c.us_obs, mask=no_days), "us_expected": pa.array(us_exp, mask=no_days),
        "tr_words": pa.array(c.tr[:, 0]), "tr_articles": pa.array(c.tr[:, 1]), "tr_mixed": pa.array(c.tr[:, 2]),
        "tr_posts": pa.array(c.tr_posts),
    }
    return pa.table([cols[f.name].cast(f.type) for f in BEHAVIOUR_ROWS], schema=BEHAVIOUR_ROWS)


def offering(table: pa.Table) -> pa.Table:
    """The `BEHAVIOUR_ROWS` rows whose `Behaviour` offers an origin item: `origin_signals.offers_nothing`
    on the columns (no shift: `shift_n_winter` NULL; no holidays: `ru_observed` NULL), NULL counts
    kept as offering, so that nothing is dropped the per-object test would not drop.

    Why: every account of a one-status study has a row and none offers anything (about three in
    four of a real study's accounts), and building a `Behaviour` per row only for the origin model
    to skip it was most of the origin pass's `from_batch`; an account left out reads as None,
    for which `behaviour_items` and `precompute` do exactly what they do for a row offering nothing."""
    from botwatch.accounts.origin_signals import MIN_ARTICLE_WORDS

    nothing = pc.and_kleene(
        pc.and_kleene(pc.is_null(table.column("shift_n_winter")), pc.is_null(table.column("ru_observed"))),
        pc.and_kleene(pc.less(table.column("tr_words"), MIN_ARTICLE_WORDS), pc.equal(table.column("tr_mixed"), 0)),
    )
    return table.filter(pc.invert(pc.fill_null(nothing, False)))


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
