"""`scoring._female_name_mismatch` (the tests run only for accounts with an English woman's name)
equals the per-account reference that tests every account and then takes `fem and elsewhere`."""

from __future__ import annotations

import math
import random

import pandas as pd

from botwatch.accounts.features import AccountData
from botwatch.accounts.origin import OriginResult
from botwatch.accounts.scoring import _female_name_mismatch
from testsupport.accounts_reference import female_name_mismatch_per_account, origin_results

LANGS = [None, math.nan, pd.NA, "en", "EN-gb", "ru", "", "es", "En"]
TOPS = [None, math.nan, "en", "ru", "und", "", "EN", "en-gb", "in"]
DESCS = [None, math.nan, "", "I love Texas", "Люблю Москву", "日本", "عربي", "plain"]
COUNTRIES = [(None, None), ("US", 0.9), ("RU", 0.49), ("RU", 0.5), ("RU", 0.97), ("GB", 0.6), ("DE", None)]


def _data(n: int, seed: int) -> tuple[AccountData, list[OriginResult]]:
    rng = random.Random(seed)
    acc = pd.DataFrame({"account_lang": [rng.choice(LANGS) for _ in range(n)], "description": [rng.choice(DESCS) for _ in range(n)]}, dtype=object)
    feat = pd.DataFrame({"english_female_name": [rng.random() < 0.4 for _ in range(n)], "top_lang": [rng.choice(TOPS) for _ in range(n)]})
    origins = []
    for _ in range(n):
        country, p = rng.choice(COUNTRIES)
        origins.append(OriginResult(country, p, {}, [], [], None))
    return AccountData(acc, feat, {}, {}, {}), origins


def test_equals_the_per_account_reference_on_random_accounts() -> None:
    data, origins = _data(4000, 1)
    got = _female_name_mismatch(data, origins)
    assert got == female_name_mismatch_per_account(data, origins)
    assert all(type(v) is bool for v in got) and any(got) and not all(got)


def test_no_female_name_and_an_empty_batch() -> None:
    data, origins = _data(50, 2)
    data.features["english_female_name"] = False
    assert _female_name_mismatch(data, origins) == [False] * 50 == female_name_mismatch_per_account(data, origins)
    empty, _ = _data(0, 3)
    assert _female_name_mismatch(empty, []) == [] == female_name_mismatch_per_account(empty, [])


def test_the_sample(sample_data: AccountData) -> None:
    data = AccountData(sample_data.accounts, sample_data.features.copy(), sample_data.hours, sample_data.langs, sample_data.clients,
                       sample_data.behaviour, sample_data.shift_counts, sample_data.desk_shift)
    data.features["english_female_name"] = True  # every account tested, so every branch is reached
    origins = origin_results(sample_data, "US")
    got = _female_name_mismatch(data, origins)
    assert got == female_name_mismatch_per_account(data, origins) and any(got) and not all(got)


def test_a_top_tag_is_read_as_a_language_code() -> None:
    """An English account's top post tag "EN" or "en-GB" is English; before 2026-12-04 any spelling
    but "en" pointed away from the English-speaking world and fired the signal."""
    from botwatch.accounts.scoring import _points_elsewhere

    home = OriginResult("GB", 0.9, {}, [], [], None)
    for tag in ("en", "EN", "en-GB", "en_US"):
        assert not _points_elsewhere(home, "en", tag, "")
    for tag in ("ru", "in", "RU"):
        assert _points_elsewhere(home, "en", tag, "")


def test_tags_that_name_no_language_are_never_the_top_language() -> None:
    """Twitter tags picture-, hashtag- and mention-only posts "qme", "qht", "qam": an account that
    posts mostly pictures is still the language of its words (was "qme", read as not English)."""
    import pyarrow as pa

    from botwatch.accounts import features as feats

    col = pa.array([[{"k": "qme", "n": 9}, {"k": "en", "n": 3}], [{"k": "qht", "n": 2}, {"k": "und", "n": 5}], [{"k": "ru", "n": 4}]],
                   pa.list_(pa.struct([("k", pa.string()), ("n", pa.int64())])))
    top, share = feats.top_keys(col, feats.IGNORED_TOP_LANGS)
    assert top == ["en", None, "ru"] and share[0] == 1.0 and share[2] == 1.0
    assert {"qme", "qht", "qam", "und", "zxx"} <= set(feats.IGNORED_TOP_LANGS)
