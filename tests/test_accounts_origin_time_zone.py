"""The profile time zone's likelihoods, measured per zone (`origin_time_zone`, docs/methods.md
"Time zones measured per zone"): a zone that the measured American accounts carry often ('Atlantic Time
(Canada)') no longer counts ×50 for its country, rare and unseen zones keep the stated ×50, every
likelihood stays within its bounds, and the evidence sentence still names the zone and its ratios."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from botwatch.accounts import origin_time_zone as T
from botwatch.accounts.gazetteer import time_zone_names
from botwatch.accounts.origin import OriginInput, _time_zone_item, codes, origin_posterior
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING
from testsupport.scripts import load_script

_CACHES = (T.carried, T.measured, T.own_zone_share, T.likelihoods, T.unplaced_likelihoods, _time_zone_item)


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, int]]]:
    """A hand-made rates table in place of the shipped one (caches cleared before and after)."""
    rows: dict[str, dict[str, int]] = {}
    monkeypatch.setattr(T, "carried", lambda: rows)
    for c in _CACHES[1:]:
        c.cache_clear()
    yield rows
    for c in _CACHES:
        c.cache_clear()


def _ratio(zone: str, a: str, b: str) -> float:
    item = _time_zone_item(zone)
    assert item is not None
    v = item[0]
    return float(v[codes().index(a)] / v[codes().index(b)])


def test_atlantic_time_alone_no_longer_makes_an_account_canadian() -> None:
    """Before: L(CA) = 1, L(US) = 0.02 (×50), and the zone alone placed an account in Canada under a
    US election. American development accounts carry the zone (118 of 2,498), so it says little."""
    res = origin_posterior(OriginInput(time_zone="Atlantic Time (Canada)"), home="US")
    assert res.country == "US" and res.probabilities["CA"] < 0.5
    assert 1.0 < _ratio("Atlantic Time (Canada)", "CA", "US") < 5.0
    assert _ratio("Atlantic Time (Canada)", "CA", "RU") == pytest.approx(50.0)  # Russia is not measured: the floor stands


def test_the_sentence_says_the_zone_and_each_ratio() -> None:
    item = _time_zone_item("Atlantic Time (Canada)")
    assert item is not None
    text = item[1]
    r = _ratio("Atlantic Time (Canada)", "CA", "US")
    assert text.startswith("profile time zone 'Atlantic Time (Canada)' is in CA (×50 against countries it does not name")
    assert f"×{r:.1f} against US" in text and "measured" in text
    moscow = _time_zone_item("Moscow")
    assert moscow is not None and moscow[1] == "profile time zone 'Moscow' is in RU (×50 against countries it does not name)"


def test_russian_zones_keep_the_stated_ratio_against_everyone() -> None:
    for zone in ("Moscow", "Volgograd", "Europe/Moscow"):
        item = _time_zone_item(zone)
        assert item is not None
        v = item[0]
        assert v[codes().index("RU")] == 1.0 and v.min() == pytest.approx(T.FLOOR)


def test_a_us_and_canada_zone_names_both_countries() -> None:
    assert T.home_countries("Eastern Time (US & Canada)") == ("US", "CA")
    assert _ratio("Eastern Time (US & Canada)", "US", "CA") == 1.0
    assert _ratio("Eastern Time (US & Canada)", "US", "RU") == pytest.approx(50.0)
    assert T.home_countries("Quito") == () and T.home_countries("Greenland") == ()  # no candidate country named
    assert _time_zone_item("Greenland") is None  # and no measured tie: no item


def test_quito_counts_for_the_american_accounts_that_carry_it() -> None:
    """'Quito' (Ecuador, not a candidate) gave no evidence although 128 of the 2,498 American
    development accounts with a zone carry it (Twitter's default for UTC-5 clocks without daylight
    saving: US Eastern in winter). Read from the measurement: US against the countries not measured."""
    item = _time_zone_item("Quito")
    assert item is not None
    v, text = item
    assert 20.0 < _ratio("Quito", "US", "RU") <= 50.0 and _ratio("Quito", "CA", "RU") == pytest.approx(1.0)
    assert "'Quito' names no country the model weighs" in text and "US development accounts with a zone carry it" in text
    res = origin_posterior(OriginInput(time_zone="Quito", post_langs={"en": 2}, n_posts=2), home="GB")
    assert res.country == "US" and res.items[0] == "time_zone"


def test_an_unplaced_zone_counts_only_when_the_measurement_ties_it(table: dict[str, dict[str, int]]) -> None:
    """Six of 2,500 accounts (Greenland's count) do not tie a zone to their country beyond the ×50
    default; 300 do, and the likelihood is the share against a typical zone of the country's own."""
    table["US"] = {"Eastern Time (US & Canada)": 2194, "Greenland": 6, "Quito": 300}
    assert _time_zone_item("Greenland") is None
    p_own = T.own_rate("US")
    want = min(1.0, (300 + T.PRIOR_ACCOUNTS * T.FLOOR * p_own) / (2500 + T.PRIOR_ACCOUNTS) / p_own)
    assert _ratio("Quito", "US", "RU") == pytest.approx(want / T.FLOOR)


def test_every_shipped_likelihood_is_within_its_bounds() -> None:
    for zone in time_zone_names():
        item = _time_zone_item(zone)
        assert item is not None
        v = item[0]
        assert v.max() == 1.0 and v.min() >= T.FLOOR - 1e-12
        for c in T.home_countries(zone):
            if c in codes():
                assert v[codes().index(c)] == 1.0


def test_the_shipped_table_is_measured_american_accounts() -> None:
    """The rates file as `scripts/measure_time_zones.py` wrote it: the US is the one measured
    country (no IRA or brexit-2016 account carries a zone), and its rows add up to its accounts."""
    m = T.measured()
    assert list(m) == ["US"] and m["US"][1] >= T.MIN_ACCOUNTS
    assert m["US"][0]["Atlantic Time (Canada)"] > 100
    assert 0.5 < T.own_zone_share() < 1.0


def test_rare_and_unseen_zones_fall_back_to_the_stated_ratio(table: dict[str, dict[str, int]]) -> None:
    table["US"] = {"Eastern Time (US & Canada)": 2000, "Atlantic Time (Canada)": 400, "Dublin": 1}
    table["GB"] = {"London": T.MIN_ACCOUNTS - 1}  # too few accounts: not measured
    assert list(T.measured()) == ["US"]
    assert _ratio("Dublin", "IE", "US") == pytest.approx(50.0)  # 1 of 2,401: shrunk back under the bound
    assert _ratio("Amsterdam", "NL", "US") == pytest.approx(50.0)  # never seen
    assert _ratio("London", "GB", "US") == pytest.approx(50.0)  # US accounts never carry it here
    # A zone carried by a sixth of the measured accounts: a ratio of p_home / rate, above 1.
    p_home = T.home_rate("Atlantic Time (Canada)")
    rate = (400 + T.PRIOR_ACCOUNTS * T.FLOOR * p_home) / (2401 + T.PRIOR_ACCOUNTS)
    assert _ratio("Atlantic Time (Canada)", "CA", "US") == pytest.approx(max(1.0, p_home / rate))


def test_a_zone_carried_more_often_abroad_than_at_home_is_no_evidence_against_abroad(table: dict[str, dict[str, int]]) -> None:
    table["US"] = {"Atlantic Time (Canada)": 2000, "Eastern Time (US & Canada)": 500}
    v = _time_zone_item("Atlantic Time (Canada)")
    assert v is not None and _ratio("Atlantic Time (Canada)", "CA", "US") == 1.0  # bounded: never against the named country
    assert np.isclose(v[0].min(), T.FLOOR)


def test_the_script_takes_the_archive_country_unless_the_profile_names_one_other() -> None:
    truth = load_script("measure_time_zones").truth
    assert truth("gop-fan", GROUP_ORDINARY, "Ohio") == "US"
    assert truth("gop-fan", GROUP_ORDINARY, "Toronto, Canada") == "CA"
    assert truth("gop-fan", GROUP_ORDINARY, None) == "US"
    assert truth("12345", GROUP_ORDINARY, "") == "GB"
    assert truth("some_troll", GROUP_POSING, "Atlanta, GA") == "RU"
    assert truth("x", None, "Ohio") is None


def test_a_profile_utc_offset_off_the_whole_hour_is_matched_to_the_minute() -> None:
    """v1.1's `utc_offset` was rounded to whole hours (halves to even) before it was matched: India's
    +5:30 read "profile UTC offset +6 h fits IN, KZ, RU", and a +6 profile (Omsk, Almaty) fitted
    India as well. It is matched and written to the minute now."""
    from datetime import datetime

    from botwatch.accounts.origin import evidence_vectors

    def sentence(seconds: int) -> str:
        items = [s for kind, _v, s in evidence_vectors(OriginInput(utc_offset=seconds, when=datetime(2016, 6, 15)), frozenset(), None) if kind == "utc_offset"]
        assert len(items) == 1
        return items[0]

    india, omsk = sentence(19800), sentence(21600)
    assert india.startswith("profile UTC offset +5:30 fits IN (") and "KZ" not in india
    assert omsk.startswith("profile UTC offset +6 h fits ") and "IN" not in omsk


def test_a_half_hour_zone_weighs_both_whole_offsets_around_it_in_the_posting_hours_item() -> None:
    """The posting-hours item placed each zone at its offset rounded to the hour, halves to even:
    India's UTC+5:30 at +6 alone, so a day fitted at UTC+6 read "which favours IN, KZ" and India
    took nothing from a fit at +5, as likely for a day kept at +5:30. Each whole neighbour now
    carries half."""
    from datetime import datetime

    from botwatch.accounts.origin import hours_vector

    at = {c: i for i, c in enumerate(codes())}
    when = datetime(2016, 1, 15)
    at_6 = hours_vector({o: (1.0 if o == 6 else 0.0) for o in range(-11, 13)}, when)
    at_5 = hours_vector({o: (1.0 if o == 5 else 0.0) for o in range(-11, 13)}, when)
    assert at_6[at["IN"]] == pytest.approx(0.5) and at_6[at["KZ"]] == pytest.approx(1.0)
    assert at_5[at["IN"]] == pytest.approx(0.5) and at_5[at["PK"]] == pytest.approx(1.0)
