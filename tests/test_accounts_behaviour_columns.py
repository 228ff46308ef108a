"""The origin-behaviour rows written column by column give exactly the per-account reference's
values: the DST shifts of many accounts estimated together (`origin_behaviour.shifts_from_bins`)
and `origin_behaviour_groups.behaviour_rows` built from `account_columns` without a `Behaviour`
object per account. Speed work must change no output."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from botwatch.accounts import origin_behaviour as ob
from botwatch.accounts.origin_behaviour_batch import behaviours_of, post_table
from botwatch.accounts.origin_behaviour_groups import BEHAVIOUR_ROWS, behaviour_rows, from_rows


def test_shifts_together_equal_one_account_at_a_time() -> None:
    """Accounts of different sizes side by side (a row boundary off by one would mix two accounts'
    resamples), a tie between shifts (every post in one bin) and sides of the minimum size."""
    rng = np.random.default_rng(11)
    sides = [(rng.integers(0, ob.BINS, int(nw)), rng.integers(0, ob.BINS, int(ns))) for nw, ns in rng.integers(10, 250, (60, 2))]
    sides += [(np.full(10, 7), np.full(10, 7)), (np.arange(10), np.arange(10) + 4),
              (np.array([0] * 5 + [48] * 5), np.array([24] * 5 + [72] * 5)), (rng.integers(0, 8, 400), rng.integers(88, 96, 12))]
    want = [ob.shift_from_bins(w, s) for w, s in sides]
    assert ob.shifts_from_bins(sides) == want
    assert ob.shifts_from_bins(sides[-3:]) == want[-3:]  # alone or among others: the same
    assert ob.shifts_from_bins([]) == []


def test_shifts_together_across_blocks(monkeypatch: Any) -> None:
    """Rows split over several `_best_shifts` blocks (one account's rows in two blocks)."""
    monkeypatch.setattr(ob, "_SHIFT_BLOCK", 17)
    rng = np.random.default_rng(5)
    sides = [(rng.integers(0, ob.BINS, 30), rng.integers(0, ob.BINS, 25)) for _ in range(5)]
    assert ob.shifts_from_bins(sides) == [ob.shift_from_bins(w, s) for w, s in sides]


def test_ragged_rows_smoothed_as_each_alone() -> None:
    """The batched smoothing's rows equal `_smoothed` of each row alone, bit for bit (the shift
    picks above take discrete values, so they alone could hide a small difference in the rows)."""
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 300, 700)
    parts = [rng.integers(0, ob.BINS, int(n)) for n in lengths]
    rows = ob._smoothed_ragged(np.concatenate(parts), np.repeat(np.arange(len(parts)), lengths), len(parts))
    assert np.array_equal(rows, np.stack([ob._smoothed(p) for p in parts]))


def test_shifts_across_account_blocks(monkeypatch: Any) -> None:
    """Accounts split over several `_shifts_block` calls give each account's own estimate."""
    monkeypatch.setattr(ob, "_SHIFT_ACCOUNTS", 3)
    rng = np.random.default_rng(8)
    sides = [(rng.integers(0, ob.BINS, int(nw)), rng.integers(0, ob.BINS, int(ns))) for nw, ns in rng.integers(10, 90, (10, 2))]
    assert ob.shifts_from_bins(sides) == [ob.shift_from_bins(w, s) for w, s in sides]


def _rows_from_objects(tbl: pa.Table) -> pa.Table:
    """The rows as they were built before: a `Behaviour` per account, flattened field by field."""
    found = behaviours_of(tbl)
    keys, bs = list(found), list(found.values())
    shifts, days, texts = [b.shift for b in bs], [b.holidays for b in bs], [b.transfer for b in bs]
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


def _posts() -> duckdb.DuckDBPyConnection:
    """Accounts with shifts (several, of different sizes), holiday spans of odd lengths (expected
    counts that are not exact binary fractions), a one-day account, corrupt and missing times,
    English and non-English texts, and a NULL account id."""
    rng = np.random.default_rng(7)
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    english = "the cat is on the mat and it is a good day"
    rows: list[tuple[Any, ...]] = []
    for i in range(12):  # around the March 2016 change, winter and summer posts
        n = int(rng.integers(30, 90))  # the US-to-EU gap's two weeks take no side
        start = datetime(2016, 2, 10) + timedelta(days=int(rng.integers(0, 5)))
        for u in rng.random(n):
            rows.append(("x", f"s{i}", start + timedelta(days=60 * float(u)), "post" if u < 0.5 else "retweet", english))
    for i in range(9):  # spans of 3..11 days over New Year and 4 July
        first = datetime(2016, 12, 28 + i % 3, 10) if i % 2 else datetime(2016, 7, 1 + i % 3, 10)
        for d in range(3 + i):
            rows.append(("x", f"h{i}", first + timedelta(days=d, hours=i), "post", english if d % 2 else "привет мир это тест"))
    for i in range(40):  # more posts than days, over New Year (Russian holidays) or Thanksgiving (US)
        first = datetime(2016, 12, 20, 8) if i % 2 else datetime(2016, 11, 15, 8)
        span = int(rng.integers(5, 40))
        for u in rng.random(int(rng.integers(span, 4 * span))):
            rows.append(("x", f"n{i}", first + timedelta(days=span * float(u)), "post", english))
    rows += [("x", "one-day", datetime(2016, 5, 5, 9), "post", english), ("x", "one-day", datetime(2016, 5, 5, 11), "reply", None)]
    rows += [("x", "corrupt", datetime(2200, 1, 1), "post", english), ("x", "corrupt", datetime(1970, 1, 1), "post", english)]
    rows += [("y", None, datetime(2016, 11, 24, 12) + timedelta(days=d), "post", english) for d in range(4)]
    con.executemany("INSERT INTO posts (platform, account_id, created_at, kind, text) VALUES (?, ?, ?, ?, ?)", rows)
    return con


def test_behaviour_rows_equal_the_objects_flattened() -> None:
    tbl = post_table(_posts())
    got = behaviour_rows(tbl)
    assert got.equals(_rows_from_objects(tbl))
    assert got.num_rows - got.column("shift_h").null_count >= 10 and got.column("ru_expected").null_count < got.num_rows
    # And back: the same `Behaviour`s as the per-account reference, one account at a time.
    con = _posts()
    assert from_rows(got) == {(p, a): ob.behaviour_of(t, x) for p, a, t, x in ob.account_posts(con)}


def test_behaviour_rows_of_no_posts() -> None:
    empty = post_table(_posts()).slice(0, 0)
    assert behaviour_rows(empty).equals(BEHAVIOUR_ROWS.empty_table())


def test_offering_keeps_exactly_the_rows_whose_behaviour_offers_an_item() -> None:
    """`offering` (columns) drops a row only where `offers_nothing` (the object) holds, and a
    dropped account's origin items and precomputed likelihoods are those of an account with no
    row (None): every combination of shift, holidays, English words at and around the threshold
    and mixed-script words, with a NULL word count kept."""
    from itertools import product

    from botwatch.accounts.origin import codes
    from botwatch.accounts.origin_behaviour_groups import offering
    from botwatch.accounts.origin_signals import MIN_ARTICLE_WORDS, _MEMO, behaviour_items, offers_nothing, precompute

    rows: dict[str, list[Any]] = {f.name: [] for f in BEHAVIOUR_ROWS}
    combos = list(product([False, True], [False, True], [0, MIN_ARTICLE_WORDS - 1, MIN_ARTICLE_WORDS, 400], [0, 2]))
    for i, (shift, hol, words, mixed) in enumerate(combos):
        vals = {"platform": "twitter", "account_id": f"a{i:03d}",
                "shift_h": 1.0 if shift else None, "shift_sd_h": 0.3 if shift else None,
                "shift_n_winter": 40 if shift else None, "shift_n_summer": 50 if shift else None,
                "ru_observed": 3 if hol else None, "ru_expected": 1.5 if hol else None,
                "us_observed": 2 if hol else None, "us_expected": 2.5 if hol else None,
                "tr_words": words, "tr_articles": words // 10, "tr_mixed": mixed, "tr_posts": 5}
        for k, v in vals.items():
            rows[k].append(v)
    table = pa.table(rows, schema=BEHAVIOUR_ROWS)
    every = from_rows(table)
    kept = from_rows(offering(table))
    assert set(kept) == {k for k, b in every.items() if not offers_nothing(b)}
    assert 0 < len(kept) < len(every)
    for key, b in every.items():
        if key not in kept:
            assert behaviour_items(b, codes(), "US") == behaviour_items(None, codes(), "US") == []
        else:
            assert kept[key] == b
    precompute(every.values())
    memo = dict(_MEMO)
    precompute(kept.values())
    assert dict(_MEMO) == memo
    nulls = pa.table({**rows, "tr_words": [None] * len(combos)}, schema=BEHAVIOUR_ROWS)
    assert offering(nulls).num_rows == len(combos)  # an unknown count is not read as "too few"
