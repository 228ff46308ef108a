"""`origin_columns` (the origin posteriors per evidence kind over a batch's columns) gives exactly
what the per-account path gives: an `OriginInput` per account, `origin.evidence_vectors`, then
`origin_batch.origin_posteriors` (kept as `origin_results_per_account` in
testsupport/accounts_reference.py). Floats are compared bit for bit, sentences and item kinds in
order, and the stored Arrow columns cell for cell."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.batches import origin_columns
from botwatch.accounts.features import AccountData
from botwatch.accounts.origin_textpool import evidence_p
from botwatch.accounts.scoring import origin_result_columns
from testsupport.accounts_reference import origin_results, origin_results_per_account

HOMES = ("US", None, "XX")  # an election country, none, and one the gazetteer does not know


def _same(data: AccountData, home: str | None) -> list:  # list[OriginResult]
    """Assert the columnar path equals the per-account one on `data`; return the reference."""
    want = origin_results_per_account(data, home)
    got = origin_result_columns(data, home)
    ref = origin_columns(want)
    assert list(got.columns) == list(ref)
    for name, col in ref.items():
        assert got.columns[name].equals(col), name
    assert np.array_equal(got.p_russia, evidence_p(want), equal_nan=True)
    assert origin_results(data, home) == want
    return want


@pytest.mark.parametrize("home", HOMES)
def test_columns_equal_per_account_on_the_sample(sample_data: AccountData, home: str | None) -> None:
    want = _same(sample_data, home)
    kinds = {k for w in want for k in w.items}
    # the sample reaches the behaviour items and office hours (per-account rows of the table)
    assert {"office_hours", "holidays_ru", "articles", "dst_shift", "location", "region", "post_langs", "time_zone"} <= kinds


def _awkward() -> AccountData:
    """Accounts that reach every branch of `evidence_vectors` and its edge cases."""
    rows = [
        # (location, extra, account_lang, time_zone, utc_offset, display_name, description, n_posts, scripts cyrillic/arabic, first, last, seen)
        dict(),  # nothing at all: no evidence
        dict(location="", extra="", account_lang="", time_zone="", display_name="", description=""),  # empty strings: no evidence
        dict(location="Moscow", extra='{"region": "Moscow"}'),  # region names the same place: the same cached item object, another kind
        dict(location="Moscow", extra='{"region": "Moscow"}'),  # a tie: the same row of items as the last account
        dict(extra='{"region": "Unknown"}', time_zone="Eastern Time (US & Canada)", utc_offset=10800),  # the zone wins over the offset
        dict(extra='{"region": "United States"}', time_zone="Nowhere/Else", utc_offset=19800),  # unknown zone: +5:30, India's own offset
        dict(extra="not json", utc_offset=-16200, last_seen=datetime(2016, 1, 5)),  # -4:30, Venezuela's until May 2016; a winter date
        dict(extra='{"region": 3}', utc_offset=3600, first=datetime(2016, 12, 31, 23), last=datetime(2017, 1, 1, 1)),  # midpoint in a new year
        dict(account_lang="ru", display_name="Мария", description="日本語 and عربي"),
        dict(account_lang="en-gb", display_name="Мария"),
        dict(account_lang="xx-nothing", description="ελληνικά"),
        dict(n_posts=10, scripts=(9, 0), langs={"und": 5, "zxx": 1}),  # only ignored tags: the post scripts speak
        dict(n_posts=10, scripts=(2, 3), langs={}),  # no script reaches 30% but one: arabic alone
        dict(n_posts=10, scripts=(2, 2)),  # none reaches 30%: no item
        dict(n_posts=10, scripts=(9, 9), langs={"en": 3}),  # tagged posts win over scripts
        dict(n_posts=4, langs={"RU": 2, "ru": 1, "uk": 1, "": 3, "en": 0}),  # case-merged tags, empty and zero counts
        dict(n_posts=4, langs={"klingon": 4}),  # a tag the gazetteer does not know: no item, and no script fallback
        dict(n_posts=30, hours=[5] * 6 + [40] * 18, clients={"Twitter for iPhone": 3, "VK for Android": 0, "Yandex": 2}),
        dict(n_posts=30, hours=[0] * 24, clients={"vkontakte": 1}),  # all-zero hours: no hours item
        dict(n_posts=30, hours=[0] * 8 + [10] * 9 + [0] * 7, clients={None: 2, "line": 1}, last_seen=datetime(2016, 2, 1)),
        dict(n_posts=90, shift=[0] * 5 + [10] * 9 + [0] * 10, hours=[0] * 5 + [10] * 9 + [0] * 10),
        dict(n_posts=3, shift=[0] * 5 + [10] * 9 + [0] * 10, desk=7, hours=[1] * 24),  # a desk's hours
        dict(n_posts=3, shift=[0] * 5 + [10] * 9 + [0] * 10, desk=None),  # a desk's hours, own posts unknown
        dict(n_posts=10, scripts=(5, 0), langs={"ru": 4, "en": 6}),  # exactly half Cyrillic: post_cyrillic beside post_langs
        dict(n_posts=9, scripts=(4, 0), langs={"ru": 4, "en": 5}),  # just under half: no post_cyrillic
        dict(n_posts=1, scripts=(1, 0)),  # one post, Cyrillic: post_script and post_cyrillic
        # One evening's posts (origin.hours_readable): 3 distinct clock hours hold no day. The hours are
        # withheld with a note; the note alone is no evidence; office hours are withheld too, but not a desk's.
        dict(n_posts=20, hours=[0] * 1 + [7, 7, 6] + [0] * 20, cells=3, days=1, langs={"en": 20}),
        dict(n_posts=20, hours=[0] * 1 + [7, 7, 6] + [0] * 20, cells=3, days=1),
        dict(n_posts=90, shift=[0] * 5 + [30] * 3 + [0] * 16, hours=[0] * 5 + [30] * 3 + [0] * 16, cells=5, days=2, langs={"en": 90}),
        dict(n_posts=3, shift=[0] * 5 + [10] * 9 + [0] * 10, desk=7, hours=[1, 1, 1] + [0] * 21, cells=2, days=1),
        dict(n_posts=20, hours=[0] * 1 + [7, 7, 6] + [0] * 20, cells=20, days=3, langs={"en": 20}),  # the same hours over twenty: read
    ]
    acc, feat = [], []
    langs, hours, clients, shift, desk = {}, {}, {}, {}, {}
    for i, r in enumerate(rows):
        key = ("twitter", f"{i:03d}")
        acc.append({"platform": key[0], "account_id": key[1], **{c: r.get(c) for c in ("location", "extra", "account_lang", "time_zone", "display_name", "description")},
                    "utc_offset": r.get("utc_offset"), "last_seen": r.get("last_seen")})
        cyr, ara = r.get("scripts", (None, None))
        feat.append({"platform": key[0], "account_id": key[1], "n_posts": r.get("n_posts"), "first_post": r.get("first"), "last_post": r.get("last"),
                     "n_script_cyrillic": cyr, "n_script_arabic": ara, "active_hours": r.get("cells"), "active_days": r.get("days")})
        if "langs" in r:
            langs[key] = r["langs"]
        if "hours" in r:
            hours[key] = r["hours"]
        if "clients" in r:
            clients[key] = r["clients"]
        if "shift" in r:
            shift[key] = r["shift"]
            if "desk" in r:
                desk[key] = r["desk"]
    accounts = pd.DataFrame(acc)
    accounts["utc_offset"] = accounts["utc_offset"].astype("Int64")
    accounts["last_seen"] = pd.to_datetime(accounts["last_seen"])
    features = pd.DataFrame(feat)
    features["n_posts"] = features["n_posts"].astype("Int64")
    for c in ("n_script_cyrillic", "n_script_arabic", "active_hours", "active_days"):
        features[c] = features[c].astype("Int64")
    return AccountData(accounts, features, hours, langs, clients, {}, shift, desk)


@pytest.mark.parametrize("home", HOMES)
def test_columns_equal_per_account_on_awkward_accounts(home: str | None) -> None:
    data = _awkward()
    want = _same(data, home)
    kinds = [w.items for w in want]
    assert want[0].country is None and want[1].country is None  # nothing, and empty strings
    assert kinds[2][:2] == ["location", "region"] and want[3] == want[2]
    assert "utc_offset" in kinds[5] and "utc_offset" in kinds[6] and "time_zone" in kinds[4]
    assert "post_script" in kinds[11] and "post_script" in kinds[12] and "post_script" not in kinds[13]
    assert "post_langs" in kinds[14] and "post_script" not in kinds[14] and "post_langs" in kinds[15]
    assert "client" in kinds[17] and "hours" in kinds[17] and "client" in kinds[19]
    assert sum("office_hours" in k for k in kinds) >= 2
    assert "post_cyrillic" in kinds[11] and "post_cyrillic" in kinds[14] and "post_cyrillic" not in kinds[12]
    assert "post_cyrillic" in kinds[-8] and "post_langs" in kinds[-8] and "post_cyrillic" not in kinds[-7]
    assert kinds[-6][:2] == ["post_script", "post_cyrillic"]
    assert kinds[-5][:2] == ["post_langs", "hours_withheld"] and "hours" not in kinds[-5] and want[-4].country is None  # one evening: a note, and alone no evidence
    assert "office_hours" not in kinds[-3] and "hours" not in kinds[-3] and "office_hours" in kinds[-2]
    assert "hours" in kinds[-1]


def test_columns_of_an_empty_batch() -> None:
    data = _awkward()
    empty = AccountData(data.accounts.iloc[:0], data.features.iloc[:0], {}, {}, {}, {}, {}, {})
    got = origin_result_columns(empty, "US")
    assert len(got.p_russia) == 0 and all(len(c) == 0 for c in got.columns.values())
    assert origin_results_per_account(empty, "US") == [] == origin_results(empty, "US")


def test_columns_of_a_batch_without_evidence() -> None:
    data = _awkward()
    none = AccountData(data.accounts.iloc[:2], data.features.iloc[:2], {}, {}, {}, {}, {}, {})
    for home in HOMES:
        _same(none, home)
        assert np.isnan(origin_result_columns(none, home).p_russia).all()


def test_one_item_object_under_two_kinds_keeps_both_kinds() -> None:
    """The table shares a row between accounts by the item object (the cached profile values), but
    never between kinds: no two kinds share a cached object today, and if they did the kind named in
    the evidence must still be each slot's own."""
    from botwatch.accounts.origin_columns import _Table

    t = _Table()
    item = (np.ones(3), "a sentence")
    a, b = t.add("location", item), t.add("region", item)
    assert a != b and t.kinds == ["location", "region"] and t.add("location", item) == a and t.add("x", None) == -1


def test_distinct_rows_are_the_unique_rows() -> None:
    """`distinct_rows` finds exactly `np.unique(axis=0)`'s rows (in another order) and maps every
    row to its own: random slot rows with many repeats, a column all -1, one row, none."""
    from botwatch.accounts.origin_columns import distinct_rows

    rng = np.random.default_rng(5)
    cases = [rng.integers(-1, 3, size=(5000, 9)), np.hstack([rng.integers(-1, 40, size=(300, 4)), np.full((300, 2), -1)]),
             np.array([[3, -1, 7]]), np.zeros((0, 8), np.int64)]
    for index in cases:
        index = index.astype(np.int64)
        uniq, inverse = distinct_rows(index)
        assert np.array_equal(uniq[inverse], index)
        assert len(uniq) == len(np.unique(index, axis=0)) and len({tuple(r) for r in uniq.tolist()}) == len(uniq)
