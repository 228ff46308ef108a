"""The first pass reads the post-language, client and hours slots from `prepare`'s (k, n) list columns
(`AccountData.lists`, `features.from_batch(pair_dicts=False)`) instead of one dict per account:
the origin columns must equal the per-account reference (`origin_results_per_account` in
testsupport/accounts_reference.py, which reads the dicts `features._pair_dicts` builds from the same lists) on every kind of list."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from botwatch.accounts.batches import origin_columns
from botwatch.accounts.features import AccountData, _pair_dicts, pairs_of
from botwatch.accounts.origin_columns import _client_slot_lists, _lang_slot_lists, _Table
from botwatch.accounts.origin_textpool import evidence_p
from botwatch.accounts.scoring import origin_result_columns
from testsupport.accounts_reference import origin_results_per_account

PAIRS = pa.list_(pa.struct([("k", pa.string()), ("n", pa.int64())]))
HOMES = ("US", None, "XX")

# Tags and clients that reach every branch: ignored tags, case that merges two tags, empty and
# unknown tags, non-ASCII tags (one whose lower case differs between engines), regional clients
# written in several cases and scripts.
TAGS = ["en", "EN", "En", "ru", "RU", "uk", "de", "fr", "und", "zxx", "in", "id", "iw", "ID", "", "klingon", "pt-BR", "zh-Hant", "İt", "ß", "日本", "ru-RU"]
CLIENTS = ["Twitter for iPhone", "Twitter Web Client", "VK for Android", "vkontakte", "Yandex", "yandex.ru", "LINE", "line", "Weibo",
           "Mail.Ru Agent", "", "Ж клиент", "KakaoStory", "TweetDeck", "vk"]


def _frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = [("twitter", f"{i:05d}") for i in range(n)]
    acc = pd.DataFrame({"platform": [k[0] for k in keys], "account_id": [k[1] for k in keys],
                        **{c: [None] * n for c in ("location", "extra", "account_lang", "time_zone", "display_name", "description")},
                        "utc_offset": pd.array([None] * n, dtype="Int64"), "last_seen": pd.to_datetime([None] * n)})
    rng = random.Random(n)
    firsts = [rng.choice([None, "2016-01-10 00:00", "2016-07-01 12:00", "2016-11-08 23:59", "2017-03-30 06:00"]) for _ in range(n)]  # dates: the clock's season
    feat = pd.DataFrame({"platform": acc["platform"], "account_id": acc["account_id"],
                         "n_posts": pd.array([rng.choice([None, 0, 1, 3, 10]) for _ in range(n)], dtype="Int64"),
                         "first_post": pd.to_datetime(firsts), "last_post": pd.to_datetime(firsts),
                         "n_script_cyrillic": pd.array([rng.choice([None, 0, 1, 9]) for _ in range(n)], dtype="Int64"),
                         "n_script_arabic": pd.array([rng.choice([None, 0, 4]) for _ in range(n)], dtype="Int64")})
    return acc, feat


def _lists(rows: list[list[tuple[str | None, int]] | None]) -> pa.Array:
    return pa.array([None if r is None else [{"k": k, "n": n} for k, n in r] for r in rows], PAIRS)


def _random_rows(rng: random.Random, names: list[str], n: int) -> list[list[tuple[str | None, int]] | None]:
    out: list[list[tuple[str | None, int]] | None] = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.15:
            out.append(None)
        elif kind < 0.2:
            out.append([])
        else:  # distinct keys per account (as `prepare` groups them), in any order
            out.append([(k, rng.choice([0, 1, 1, 2, 5, 40])) for k in rng.sample(names, rng.randint(1, 5))])
    return out


def _hour_lists(rng: random.Random, n: int) -> pa.Array:
    """Hour lists: none, one post (what one-status accounts have), a zero count, a day's spread."""
    rows: list[list[tuple[str, int]] | None] = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.2:
            rows.append(None)
        elif kind < 0.6:
            rows.append([(str(rng.randrange(24)), 1)])
        elif kind < 0.65:
            rows.append([(str(rng.randrange(24)), 0)])
        else:
            rows.append([(str(h), rng.choice([1, 2, 7, 30])) for h in sorted(rng.sample(range(24), rng.randint(2, 20)))])
    return _lists(rows)  # type: ignore[arg-type]


def _data(langs: pa.Array, clients: pa.Array, hours: pa.Array | None = None) -> AccountData:
    acc, feat = _frames(len(langs))
    hours = _lists([None] * len(langs)) if hours is None else hours
    return AccountData(acc, feat, {}, {}, {}, {}, {}, {}, {"langs": langs, "clients": clients, "hours": hours})


def _same(data: AccountData, home: str | None) -> None:
    """The columns from the lists equal the per-account reference, and the lists path was taken."""
    want = origin_results_per_account(data, home)
    got = origin_result_columns(data, home)
    for name, col in origin_columns(want).items():
        assert got.columns[name].equals(col), name
    assert np.array_equal(got.p_russia, evidence_p(want), equal_nan=True)


@pytest.mark.parametrize("home", HOMES)
def test_lists_equal_the_per_account_reference_on_random_lists(home: str | None) -> None:
    rng = random.Random(12)
    n = 3000
    data = _data(_lists(_random_rows(rng, TAGS, n)), _lists(_random_rows(rng, CLIENTS, n)), _hour_lists(rng, n))
    assert _lang_slot_lists(data.lists["langs"], _Table()) is not None and _client_slot_lists(data.lists["clients"], _Table()) is not None
    _same(data, home)
    kinds = {k for r in origin_results_per_account(data, home) for k in r.items}
    assert {"post_langs", "client", "post_script", "hours"} <= kinds


def test_lists_equal_the_per_account_reference_on_awkward_lists() -> None:
    langs = [
        None, [], [("und", 3), ("zxx", 1)],  # nothing, an empty list, ignored tags only (the scripts may speak)
        [("en", 2), ("EN", 1)], [("EN", 1), ("fr", 2), ("en", 3)],  # case-merged tags: first place, last count
        [("en", 0), ("EN", 2)], [("", 4), ("ru", 0)], [("klingon", 4)],  # a zero count, an empty tag, an unknown tag
        [("ru", 5), ("uk", 5)], [("uk", 5), ("ru", 5)],  # the same pairs in another order: the dict is sorted
        [("İt", 1), ("ß", 2), ("日本", 1)], [("en", 2), ("EN", 1)],  # non-ASCII tags; a repeat of a merged list
    ]
    clients = [
        None, [], [("VK for Android", 0), ("Yandex", 2)],  # the first regional client with posts
        [("Twitter for iPhone", 3)], [("line", 1), ("LINE", 1)], [("vkontakte", 1), ("Weibo", 2)],
        [("Ж клиент", 1)], [("", 2)], [("Weibo", 2), ("vkontakte", 1)], [("Yandex", 1)], [("yandex.ru", 0)], [("KakaoStory", 1)],
    ]
    data = _data(_lists(langs), _lists(clients))
    for home in HOMES:
        _same(data, home)
    items = [r.items for r in origin_results_per_account(data, "US")]
    assert "post_langs" in items[3] and "post_langs" in items[4] and items[1] == []
    assert "client" in items[2] and "client" not in items[3]


def test_null_keys_fall_back_to_the_dicts() -> None:
    langs = _lists([[(None, 2), ("ru", 1)], [("en", 1)]])
    clients = _lists([[(None, 2), ("vkontakte", 1)], None])
    assert _lang_slot_lists(langs, _Table()) is None and _client_slot_lists(clients, _Table()) is None
    data = _data(langs, clients)
    for home in HOMES:
        _same(data, home)


def test_a_key_repeated_in_one_account_falls_back_to_the_dicts() -> None:
    """`prepare` never repeats a key in one account's list, but the dict keeps the last count and
    the list readers drop non-positive counts first: a repeat must go to the dict path."""
    langs = _lists([[("en", 5), ("en", 0)], [("ru", 1)]])
    clients = _lists([[("vkontakte", 1), ("vkontakte", 0)], [("Yandex", 1)]])
    assert _lang_slot_lists(langs, _Table()) is None and _client_slot_lists(clients, _Table()) is None
    data = _data(langs, clients)
    for home in HOMES:
        _same(data, home)
    first = origin_results_per_account(data, "US")[0].items
    assert "post_langs" not in first and "client" not in first


def test_empty_batch() -> None:
    data = _data(_lists([]), _lists([]))
    for home in HOMES:
        _same(data, home)
    assert len(origin_result_columns(data, "US").p_russia) == 0


def test_pairs_of_reads_the_lists_as_the_dicts() -> None:
    rng = random.Random(5)
    col = _lists(_random_rows(rng, TAGS, 200))
    data = _data(col, _lists([None] * 200))
    keys = list(zip(data.features["platform"], data.features["account_id"]))
    assert pairs_of(data, "langs") == _pair_dicts(keys, col)
    assert pairs_of(data, "clients") == {}
    hours = _hour_lists(rng, 200)
    data = _data(col, col, hours)
    got = pairs_of(data, "hours")
    assert set(got) == {k for k, v in zip(keys, hours.to_pylist()) if v is not None}
    for k, v in zip(keys, hours.to_pylist()):
        if v is not None:
            assert got[k] == [sum(p["n"] for p in v if int(p["k"]) == h) for h in range(24)]


@pytest.fixture(scope="module")
def prepared_sample(sample_study_path, tmp_path_factory) -> pa.Table:  # type: ignore[no-untyped-def]
    """`prepare`'s rows of the bundled sample, in key order (built once for the module's tests), on
    a copy: the session's sample study is shared read-only, and `prepare` writes its input tables."""
    import shutil

    from botwatch import open_study
    from botwatch.accounts import features as feats

    copy = tmp_path_factory.mktemp("prepared") / "sample.duckdb"
    shutil.copy(sample_study_path, copy)
    with open_study(copy, read_only=False) as st:
        try:
            name = feats.prepare(st, with_clusters=False)
            return st.query_arrow(f"SELECT * FROM {name} ORDER BY platform, account_id")
        finally:
            feats.drop_inputs(st)


def test_from_batch_keeps_the_lists_only_when_asked(prepared_sample: pa.Table) -> None:
    from botwatch.accounts import features as feats

    dicts = feats.from_batch(prepared_sample, origin_only=True)
    lists = feats.from_batch(prepared_sample, origin_only=True, pair_dicts=False)
    assert not dicts.lists and not lists.langs and not lists.clients and not lists.hours and set(lists.lists) == {"langs", "clients", "hours"}
    assert pairs_of(lists, "langs") == dicts.langs and pairs_of(lists, "clients") == dicts.clients and pairs_of(lists, "hours") == dicts.hours
    score_pass = feats.from_batch(prepared_sample, pair_dicts=False)
    assert score_pass.hours == {} and pairs_of(score_pass, "hours") == dicts.hours
    for home in HOMES:
        a, b = origin_result_columns(dicts, home), origin_result_columns(lists, home)
        for name, col in a.columns.items():
            assert b.columns[name].equals(col), name


@pytest.mark.parametrize("n", [0, 1, 2500])
def test_daily_clock_from_the_matrix_equals_the_per_account_clock(n: int) -> None:
    """The score pass's daily clock (entropy, best offset, fit) once per distinct row of counts
    equals the per-account loop over the dicts, value for value and in type."""
    from botwatch.accounts.features import _add_daily_clock, _add_daily_clock_matrix, _hour_rows, hour_matrix

    rng = random.Random(n)
    col = _hour_lists(rng, n)
    acc, _ = _frames(n)
    keys = list(zip(acc["platform"], acc["account_id"]))
    want, got = pd.DataFrame(index=range(n)), pd.DataFrame(index=range(n))
    _add_daily_clock(want, keys, _hour_rows(keys, col))
    _add_daily_clock_matrix(got, *hour_matrix(col))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    if n > 100:
        assert want["best_utc_offset"].notna().any() and want["hour_entropy_bits"].isna().any()


def test_score_pass_features_without_the_dicts(prepared_sample: pa.Table) -> None:
    """`from_batch(pair_dicts=False)` (the score pass) gives the same features frame."""
    from botwatch.accounts import features as feats

    a, b = feats.from_batch(prepared_sample), feats.from_batch(prepared_sample, pair_dicts=False)
    pd.testing.assert_frame_equal(b.features, a.features, check_exact=True)
    assert not b.hours and pairs_of(b, "hours") == a.hours and b.features["best_utc_offset"].notna().any()
