"""scripts/measure_origin_desks.py: the helpers that say why an other-language desk account is not
placed in Russia (docs/methods.md, "Fifth pass"). Small inputs only; the measurement itself runs
on the validation study."""

from __future__ import annotations

import math

import numpy as np

from botwatch.accounts.origin import OriginResult

from testsupport.scripts import load_script


def test_main_languages_leave_out_unknown_tags_and_sort_by_count() -> None:
    got = load_script("measure_origin_desks").main_languages({"und": 9, "de": 3, "en": 12, "ar": 3})
    assert [t for t, _ in got] == ["en", "ar", "de"]
    assert math.isclose(got[0][1], 12 / 18)
    assert load_script("measure_origin_desks").main_languages({"und": 4}) == []


def test_mostly_russian_needs_more_than_half() -> None:
    assert load_script("measure_origin_desks").mostly_russian({"ru": 3, "en": 2})
    assert not load_script("measure_origin_desks").mostly_russian({"ru": 2, "en": 2})


def test_an_item_is_compared_with_the_languages_countries_not_the_best_country_overall() -> None:
    mod = load_script("measure_origin_desks")
    codes = ("RU", "FR", "IN", "US")
    v = np.array([0.2, 0.1, 1.0, 0.5])  # fits India best; Russia twice France
    fr = mod.speakers("fr", ("RU", "FR", "BE", "US"))
    assert fr == [1, 2]  # France and Belgium speak French; Russia is never its own alternative
    assert math.isclose(mod.log_ratio_against(v, codes, [1]), math.log(2.0))
    assert mod.log_ratio_against(v, codes, []) is None


def test_gap_is_what_russia_lacks_to_lead() -> None:
    mod = load_script("measure_origin_desks")
    behind = OriginResult("FR", 0.5, {"FR": 0.5, "RU": 0.05}, [], [], p_russia=0.05)
    leads = OriginResult("RU", 0.7, {"RU": 0.7}, [], [], p_russia=0.7)
    assert math.isclose(mod.gap(behind), math.log(10))
    assert mod.gap(leads) == 0.0
