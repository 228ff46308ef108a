"""scripts/measure_origin_desk_signals.py: the helpers behind the measured negative result for the
other-language IRA desks (docs/methods.md, "Fifth pass, continued"). Small inputs only; the
measurement itself runs on the validation study."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from botwatch.accounts import origin
from botwatch.accounts.origin import OriginInput

from testsupport.scripts import load_script


def test_eu_changes_are_the_last_sundays_of_march_and_october() -> None:
    mod = load_script("measure_origin_desk_signals")
    assert mod.eu_changes(2016) == (date(2016, 3, 27), date(2016, 10, 30))
    assert mod.eu_changes(2017) == (date(2017, 3, 26), date(2017, 10, 29))
    assert mod.eu_changes(2015) == (date(2015, 3, 29), date(2015, 10, 25))


def test_eu_summer_starts_and_ends_at_one_utc() -> None:
    mod = load_script("measure_origin_desk_signals")
    assert not mod.eu_summer(datetime(2016, 3, 27, 0, 59))
    assert mod.eu_summer(datetime(2016, 3, 27, 1, 0))
    assert mod.eu_summer(datetime(2016, 10, 30, 0, 59))
    assert not mod.eu_summer(datetime(2016, 10, 30, 1, 0))


def test_eu_bins_split_at_the_eu_change_not_the_us_one() -> None:
    """A post on 20 March 2016 is US summer time (from 13 March) but EU winter time (to 27 March)."""
    mod = load_script("measure_origin_desk_signals")
    w, s = mod.eu_bins([datetime(2016, 3, 20, 12, 0), datetime(2016, 4, 3, 6, 15), datetime(2016, 7, 1, 12, 0)])
    assert w.tolist() == [48]  # 12:00 is the 48th quarter hour
    assert s.tolist() == [25]  # 06:15; 1 July is more than six weeks from either change: left out


def test_eu_sides_counts_the_change_with_the_fullest_thinner_side() -> None:
    mod = load_script("measure_origin_desk_signals")
    t = pd.Series(pd.to_datetime(["2016-03-20 10:00", "2016-03-21 10:00", "2016-03-28 10:00",
                                  "2016-10-20 10:00", "2016-10-31 10:00", "2016-11-01 10:00"]))
    assert mod.eu_sides(t) == (2, 1)  # March: 2 before, 1 after; October 1 and 2 is no fuller: the first is kept
    assert mod.eu_sides(pd.Series(pd.to_datetime(["2016-07-01 10:00"]))) == (0, 0)


def test_mixed_words_need_latin_and_cyrillic_in_one_word() -> None:
    mod = load_script("measure_origin_desk_signals")
    assert mod.mixed_words("H\u0435llo world") == 1  # Cyrillic е inside a Latin word
    assert mod.mixed_words("Привет world") == 0  # two scripts, two words
    assert mod.mixed_words("Grüße aus Köln") == 0  # accented Latin is Latin


def test_weekday_dates_count_dates_not_posts() -> None:
    mod = load_script("measure_origin_desk_signals")
    # Friday 1 July 2016 twice, Sunday 3 July once, Monday 4 July once.
    t = pd.Series(pd.to_datetime(["2016-07-01 10:00", "2016-07-01 18:00", "2016-07-03 09:00", "2016-07-04 09:00"]))
    assert mod.weekday_dates(t) == (3, 1, 0, 1)


def test_extra_item_moves_only_the_boosted_accounts_and_only_towards_russia() -> None:
    mod = load_script("measure_origin_desk_signals")
    a, b = OriginInput(post_langs={"ar": 3}, n_posts=3), OriginInput(post_langs={"ar": 3}, n_posts=3)
    vectors = mod.extra_item({id(a)}, 100.0)
    plain_a, got_a, got_b = origin.evidence_vectors(a), vectors(a), vectors(b)
    assert [k for k, _, _ in got_a] == [k for k, _, _ in plain_a] + ["extra"]
    assert [k for k, _, _ in got_b] == [k for k, _, _ in plain_a]
    v = got_a[-1][1]
    ru = origin.codes().index("RU")
    assert v[ru] == 1.0 and np.allclose(np.delete(v, ru), 0.01)
    assert [k for k, _, _ in mod.extra_item({id(a)}, 1.0)(a)] == [k for k, _, _ in plain_a]  # ×1 adds nothing
