"""`origin_behaviour.behaviour_of` for every account of a study at once, with the same values.

Why: the per-account path turns each post into a Python `datetime` and asks `zoneinfo` about it
(Moscow day, US Eastern day, US summer time, distance to a clock change); on a study of 35k
accounts and 390k posts that was most of the accounts stage. Here the posts come out of DuckDB
as one Arrow table of UTC microseconds, and the calendar facts are numpy lookups over day
numbers, computed once for all posts, and the language-transfer word counts come out of the same
query (`transfer_sql`). What stays per account: the DST-shift bootstrap's resample draws (only
for accounts with enough posts near a clock change, each from its own generator as
`origin_behaviour.shift_from_bins` draws them); the smoothing and matching of all such accounts
of a batch run together (`origin_behaviour.shifts_from_bins`).

Exactness: every fact is taken from the same definitions as `origin_behaviour` (its holiday
sets, `us_changes`, `eu_changes`, `clock_gaps`, `_us_summer_hour`), evaluated once per distinct day or hour rather than per
post, and the tests compare the two paths on real-shaped posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts import origin_behaviour as ob
from botwatch.accounts.transfer_sql import post_query

_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000
_EPOCH = date(1970, 1, 1)
# Sane times (1990..2100, as `behaviour_of` keeps them), with a year's margin for clock changes.
_FIRST_YEAR, _LAST_YEAR = 1989, 2101
_DAY0 = (date(_FIRST_YEAR, 1, 1) - _EPOCH).days
_MSK4_FROM = (date(2011, 3, 27) - _EPOCH).days * _US_PER_DAY  # Moscow UTC+4 (see `moscow_offset`)
_MSK4_TO = (date(2014, 10, 26) - _EPOCH).days * _US_PER_DAY
_SANE_FROM = (date(1990, 1, 1) - _EPOCH).days * _US_PER_DAY
_SANE_TO = (date(2101, 1, 1) - _EPOCH).days * _US_PER_DAY


def _day_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day from `_DAY0`: Russian holiday?, US holiday?, and the sorted clock-change day numbers.

    The holidays are placed year by year from the rules `origin_behaviour` asks by (its
    `RU_HOLIDAYS_MD` days, 4 July and its `_thanksgiving`) instead of asking `is_ru_holiday` and
    `is_us_holiday` about each of the 41,000 days, 0.13 CPU-s at every import; the tables are
    those answers (`day_tables_per_day` in testsupport/accounts_reference.py asks them day by
    day, the tests' reference)."""
    first = date(_FIRST_YEAR, 1, 1)
    n = (date(_LAST_YEAR, 12, 31) - first).days + 1
    ru, us = np.zeros(n, bool), np.zeros(n, bool)
    for y in range(_FIRST_YEAR, _LAST_YEAR + 1):
        for m, d in ob.RU_HOLIDAYS_MD:
            try:
                ru[(date(y, m, d) - first).days] = True
            except ValueError:  # no such day this year (29 February)
                pass
        us[(date(y, 7, 4) - first).days] = us[(ob._thanksgiving(y) - first).days] = True
    years = range(_FIRST_YEAR, _LAST_YEAR + 1)
    changes = np.array(sorted((c - _EPOCH).days for y in years for c in ob.us_changes(y) + ob.eu_changes(y)), np.int64)
    return ru, us, changes


def _gap_tables() -> tuple[np.ndarray, np.ndarray]:
    """First and last day numbers of `origin_behaviour.clock_gaps`, year by year (sorted, disjoint)."""
    gaps = [((lo - _EPOCH).days, (hi - _EPOCH).days) for y in range(_FIRST_YEAR, _LAST_YEAR + 1) for lo, hi in ob.clock_gaps(y)]
    return np.array([g[0] for g in gaps], np.int64), np.array([g[1] for g in gaps], np.int64)


_RU, _US, _CHANGES = _day_tables()
_GAP_FIRST, _GAP_LAST = _gap_tables()
_RU_CUM = np.concatenate([[0], np.cumsum(_RU)])  # holidays before day i: counts over a span in O(1)
_US_CUM = np.concatenate([[0], np.cumsum(_US)])


def _summer_at(hours: np.ndarray) -> np.ndarray:
    """`origin_behaviour._us_summer_hour` for each distinct UTC hour number (since the epoch)."""
    flags = np.empty(len(hours), bool)
    for i, h in enumerate(hours.tolist()):
        t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h)
        flags[i] = ob._us_summer_hour(t.year, t.timetuple().tm_yday, t.hour)
    return flags


def _us_summer(us: np.ndarray) -> np.ndarray:
    """`origin_behaviour.us_summer` per post, asked at the first and last hour of each distinct
    UTC day, and hour by hour only on days where the two differ: New York changes its clock at
    most once in a UTC day (at 06:00 or 07:00 UTC, months apart), so a day that starts and ends
    on the same side of a change is on that side all day. (Asking every distinct hour was most
    of the calendar work: tens of thousands of zone look-ups.)"""
    hours = us // _US_PER_HOUR
    days, inverse = np.unique(hours // 24, return_inverse=True)
    first, last = _summer_at(days * 24), _summer_at(days * 24 + 23)
    out = first[inverse]
    changing = (first != last)[inverse]
    if changing.any():
        h, inv = np.unique(hours[changing], return_inverse=True)
        out[changing] = _summer_at(h)[inv]
    return out


def _near_change(day: np.ndarray, window_days: int = ob.WINDOW_DAYS) -> np.ndarray:
    """`origin_behaviour.near_change` per day number: the nearest US or EU clock change is close
    enough and the day is not one on which the two rules disagree (`clock_gaps`)."""
    i = np.searchsorted(_CHANGES, day)
    after = _CHANGES[np.minimum(i, len(_CHANGES) - 1)]
    before = _CHANGES[np.maximum(i - 1, 0)]
    g = np.searchsorted(_GAP_FIRST, day, side="right") - 1  # the last gap starting on or before the day
    in_gap = (g >= 0) & (day <= _GAP_LAST[np.maximum(g, 0)])
    return (np.minimum(np.abs(after - day), np.abs(day - before)) <= window_days) & ~in_gap


def post_table(source: Any) -> pa.Table:
    """Posts with a time, in (platform, account_id, time) order: UTC microseconds `us` and the
    language-transfer counts of the post's own text (`tr_words`, `tr_articles`, `tr_mixed`).

    `source` is a study or a DuckDB connection. On DuckDB the counts come out of the query
    (`transfer_sql`, the regular expressions over the whole column in C++); a lake study sends
    the posts' own text and `origin_behaviour.text_transfer` counts it here, which gives the same
    numbers. Either way one account's posts must come together (see docs/architecture.md).
    The accounts stage no longer reads this (it uses `origin_behaviour_groups.study_behaviours`);
    the tests keep it as the whole-study reference that path and `transfer_sql` are checked against."""
    if getattr(source, "engine", "duckdb") == "duckdb":
        sql, params = post_query()
        return source.query_arrow(sql, params) if hasattr(source, "query_arrow") else source.sql(sql, params=params).to_arrow_table()
    return counted_posts(source.query_arrow(OWN_TEXT_QUERY + " ORDER BY 1, 2, 3"))


# Posts with a time and their own text (a retweet's is not), for engines without `post_query`'s SQL.
OWN_TEXT_QUERY = (f"SELECT platform, account_id, created_at, {ob.own_text_sql()} AS text "
                  "FROM posts WHERE created_at IS NOT NULL")


def counted_posts(tbl: pa.Table) -> pa.Table:
    """`OWN_TEXT_QUERY`'s rows as `post_query`'s: `us` and the `text_transfer` counts of each text."""
    # Microseconds since the epoch, taken in Arrow (DuckDB's epoch_us has no Spark spelling).
    us = pc.cast(pc.cast(tbl.column("created_at"), pa.timestamp("us")), pa.int64())
    counts = np.array([ob.text_transfer(t) for t in tbl.column("text").to_pylist()], np.int64).reshape(-1, 3)
    return pa.table({
        "platform": tbl.column("platform"), "account_id": tbl.column("account_id"), "us": us,
        "tr_words": counts[:, 0], "tr_articles": counts[:, 1], "tr_mixed": counts[:, 2],
    })


def _changes(col: pa.ChunkedArray) -> np.ndarray:
    """Per row after the first: does the value differ from the row before? (NULL equals NULL, as
    Python's `None == None`.)"""
    a, b = col.slice(1), col.slice(0, len(col) - 1)
    ne = pc.not_equal(a, b)
    ne = pc.if_else(pc.is_null(ne), pc.xor(pc.is_null(a), pc.is_null(b)), ne)
    return np.asarray(ne.to_numpy(zero_copy_only=False), bool)


def behaviours(source: Any) -> dict[tuple[str, str], ob.Behaviour]:
    """`behaviour_of` for every account with timed posts, keyed (platform, account_id); `source`
    is a study or a DuckDB connection. Reference path of the tests (see `post_table`)."""
    return behaviours_of(post_table(source))


@dataclass(frozen=True)
class AccountColumns:
    """`behaviours_of`'s facts per account, as columns (row j: the j-th account of the table, in
    its order). Why: building a `Behaviour` object per account and flattening it again into a row
    cost more than the calendar work; `origin_behaviour_groups.behaviour_rows` writes its rows
    straight from these columns, and `behaviours_of` builds its objects from the same ones."""
    platform: pa.Array
    account_id: pa.Array
    n_sane: np.ndarray  # posts with a sane time
    span_days: np.ndarray  # Moscow days from the first to the last sane post, both counted (0: none)
    ru_days: np.ndarray  # Russian holidays in that span
    us_days: np.ndarray  # US holidays in that span
    ru_obs: np.ndarray
    us_obs: np.ndarray
    tr: np.ndarray  # (accounts, 3): words, articles, mixed words of the English-looking own texts
    tr_posts: np.ndarray
    shifts: dict[int, ob.ShiftEstimate]  # by row, for the accounts with a shift estimate

    def has_holidays(self) -> np.ndarray:
        """Rows with a `HolidayCounts` (a sane post, a span of at least 2 days, not all of them
        Russian holidays: `origin_behaviour.no_working_day`)."""
        return (self.n_sane > 0) & (self.span_days >= 2) & ~ob.no_working_day(self.ru_days, self.span_days)


def account_columns(tbl: pa.Table) -> AccountColumns:
    """The per-account facts of `tbl` (`post_table`'s columns, whole accounts, in order, at least one row)."""
    us = tbl.column("us").to_numpy().astype(np.int64)
    # Each account's posts are one run of rows: its first row is where the key changes, found
    # column-wise (reading 390k keys into Python tuples cost more than the calendar work).
    change = _changes(tbl.column("platform")) | _changes(tbl.column("account_id"))
    at = np.concatenate([[0], np.flatnonzero(change) + 1]).astype(np.int64)
    ends = np.concatenate([at[1:], [tbl.num_rows]])
    at_start = tbl.take(pa.array(at, pa.int64()))

    sane = (us >= _SANE_FROM) & (us < _SANE_TO)
    day = us // _US_PER_DAY
    msk_day = (us + np.where((us >= _MSK4_FROM) & (us < _MSK4_TO), 4, 3) * _US_PER_HOUR) // _US_PER_DAY
    summer = np.zeros(len(us), bool)
    summer[sane] = _us_summer(us[sane])
    ny_day = (us - np.where(summer, 4, 5) * _US_PER_HOUR) // _US_PER_DAY  # New York is UTC-4 or UTC-5 in these years
    near = np.zeros(len(us), bool)
    near[sane] = _near_change(day[sane])
    bins = ((us // 60_000_000) % 1440) * ob.BINS // 1440
    idx = lambda d: np.clip(d - _DAY0, 0, len(_RU) - 1)  # noqa: E731 (only sane days are read)

    # Per account, by segment sums over the posts (each account's posts are one run of rows).
    n_sane = np.add.reduceat(sane.astype(np.int64), at)
    first = np.minimum.reduceat(np.where(sane, msk_day, np.iinfo(np.int64).max), at)
    last = np.maximum.reduceat(np.where(sane, msk_day, np.iinfo(np.int64).min), at)
    ru_obs = np.add.reduceat((sane & _RU[idx(msk_day)]).astype(np.int64), at)
    us_obs = np.add.reduceat((sane & _US[idx(ny_day)]).astype(np.int64), at)
    near_sane = sane & near
    n_summer = np.add.reduceat((near_sane & summer).astype(np.int64), at)
    n_winter = np.add.reduceat((near_sane & ~summer).astype(np.int64), at)
    per_text = np.column_stack([tbl.column(c).to_numpy().astype(np.int64) for c in ("tr_words", "tr_articles", "tr_mixed")])
    tr = np.add.reduceat(per_text, at, axis=0)
    tr_posts = np.add.reduceat((per_text[:, 0] > 0).astype(np.int64), at)

    # The holiday days of each account's span, from the cumulative counts (read only where the
    # account has a sane post, so its first and last days are sane days).
    has = n_sane > 0
    span = np.where(has, last - first + 1, 0)
    a = np.where(has, first - _DAY0, 0)
    b = np.where(has, last - _DAY0 + 1, 0)
    ru_days, us_days = _RU_CUM[b] - _RU_CUM[a], _US_CUM[b] - _US_CUM[a]

    # The DST shift for the accounts with enough posts on both sides of a clock change, all in one
    # `shifts_from_bins` call (each account's own resamples; the values `shift_from_bins` gives).
    with_shift = np.flatnonzero(has & (n_winter >= ob.MIN_SIDE_POSTS) & (n_summer >= ob.MIN_SIDE_POSTS)).tolist()
    sides = []
    for j in with_shift:
        lo, hi = int(at[j]), int(ends[j])
        sel = near_sane[lo:hi]
        su = summer[lo:hi][sel]
        b_ = bins[lo:hi][sel]
        sides.append((b_[~su], b_[su]))
    shifts = dict(zip(with_shift, ob.shifts_from_bins(sides)))
    return AccountColumns(at_start.column("platform").combine_chunks(), at_start.column("account_id").combine_chunks(), n_sane, span,
                          ru_days, us_days, ru_obs, us_obs, tr, tr_posts, shifts)


def behaviours_of(tbl: pa.Table) -> dict[tuple[str, str], ob.Behaviour]:
    """`behaviours` of the accounts in `tbl` (`post_table`'s columns, whole accounts, in order)."""
    if tbl.num_rows == 0:
        return {}
    c = account_columns(tbl)
    has = c.has_holidays()
    out: dict[tuple[str, str], ob.Behaviour] = {}
    for j, key in enumerate(zip(c.platform.to_pylist(), c.account_id.to_pylist())):
        holidays = None
        if has[j]:
            n, days = int(c.n_sane[j]), int(c.span_days[j])
            holidays = ob.HolidayCounts(int(c.ru_obs[j]), n * int(c.ru_days[j]) / days, int(c.us_obs[j]), n * int(c.us_days[j]) / days)
        w, art, mix = (int(v) for v in c.tr[j])
        out[key] = ob.Behaviour(c.shifts.get(j), holidays, ob.TransferCounts(w, art, mix, int(c.tr_posts[j])))
    return out
