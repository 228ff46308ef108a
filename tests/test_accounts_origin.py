"""Origin model: offline gazetteer in Latin and Cyrillic, the stated prior, and the posterior."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest

from botwatch.accounts.circadian import LOCAL_PROFILE
from botwatch.accounts.gazetteer import countries, countries_in_location, country_of_time_zone, fold
from botwatch.accounts.origin import HOME_PRIOR, OriginInput, codes, home_claim_note, origin_as_row, origin_posterior, prior


@pytest.mark.parametrize(
    ("text", "iso"),
    [("Moscow, Russia", "RU"), ("Москва", "RU"), ("САНКТ-ПЕТЕРБУРГ", "RU"), ("Київ", "UA"), ("Austin, TX", "US"),
     ("Glasgow, Scotland", "GB"), ("São Paulo", "BR"), ("Sao Paulo", "BR"), ("東京", "JP")],
)
def test_gazetteer_finds_places(text: str, iso: str) -> None:
    assert iso in countries_in_location(text)


def test_gazetteer_whole_words_only() -> None:
    assert countries_in_location("Everywhere and nowhere") == {}
    assert "RU" not in countries_in_location("Moscowville")  # no partial-word matches
    assert countries_in_location(None) == {}
    assert fold("Ёлка Île") == "елка ile"


def test_time_zone_names() -> None:
    assert country_of_time_zone("Moscow") == "RU"
    assert country_of_time_zone("Eastern Time (US & Canada)") == "US"
    assert country_of_time_zone("Atlantis") is None


def test_prior_is_stated_and_home_gets_its_share() -> None:
    p = prior()
    assert p.sum() == pytest.approx(1.0)
    ph = prior("GB")
    assert ph.sum() == pytest.approx(1.0)
    assert ph[codes().index("GB")] == pytest.approx(HOME_PRIOR + (1 - HOME_PRIOR) * 0)  # home gets exactly HOME_PRIOR
    # The rest keep their relative sizes.
    i, j = codes().index("US"), codes().index("JP")
    assert ph[i] / ph[j] == pytest.approx(p[i] / p[j])
    assert len(codes()) == len(countries()) >= 50


def test_no_evidence_is_unknown_not_the_prior() -> None:
    res = origin_posterior(OriginInput(), home="US")
    assert res.country is None and res.probability is None and res.probabilities == {}
    row = origin_as_row(res)
    assert row["origin_country"] is None and json.loads(row["origin_evidence"])


def test_russian_language_and_place_point_to_russia() -> None:
    res = origin_posterior(OriginInput(location="Москва", post_langs={"ru": 50, "en": 2}), home="US")
    assert res.country == "RU" and res.probability > 0.8
    assert abs(sum(res.probabilities.values()) - 1) < 0.05
    assert any("Москва" in s for s in res.evidence)


def test_english_and_us_place_point_home() -> None:
    res = origin_posterior(OriginInput(location="Dallas, Texas", post_langs={"en": 30}), home="US")
    assert res.country == "US" and res.probability > 0.9


def test_evidence_can_be_excluded() -> None:
    inp = OriginInput(location="Paris", post_langs={"ru": 40})
    full = origin_posterior(inp)
    no_loc = origin_posterior(inp, exclude=frozenset({"location"}))
    assert "location" in full.items and "location" not in no_loc.items
    assert no_loc.probabilities.get("FR", 0) < full.probabilities.get("FR", 0)


def test_posting_hours_shift_the_posterior_towards_the_fitting_zone() -> None:
    rng = np.random.default_rng(0)
    local = rng.choice(24, size=400, p=np.array(LOCAL_PROFILE))
    moscow = [0] * 24
    for h in local:
        moscow[(int(h) - 3) % 24] += 1
    pacific = [0] * 24
    for h in local:
        pacific[(int(h) + 7) % 24] += 1
    when = datetime(2016, 7, 1)
    base = OriginInput(post_langs={"en": 100}, when=when)
    a = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=moscow, when=when))
    b = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=pacific, when=when))
    assert "hours" in a.items and "hours" in b.items
    assert b.probabilities.get("US", 0) > a.probabilities.get("US", 0)
    # With active clock hours the learned office/person profiles (origin_shifts) supersede the circadian fit.
    a = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=moscow, shift_counts=moscow, when=when))
    b = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=pacific, shift_counts=pacific, when=when))
    assert "office_hours" in a.items and "hours" not in a.items and "office_hours" in b.items
    assert b.probabilities.get("US", 0) > a.probabilities.get("US", 0)
    no_office = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=moscow, shift_counts=moscow, when=when), exclude=frozenset({"office_hours"}))
    assert "hours" in no_office.items
    assert origin_posterior(base).country is not None


def test_cyrillic_profile_script_is_evidence() -> None:
    res = origin_posterior(OriginInput(display_name="Ольга", description="люблю котиков"))
    assert "profile_script" in res.items
    assert res.country in {"RU", "UA", "BY", "KZ", "BG", "RS", "UZ"}


def test_a_region_guess_naming_the_home_country_counts_against_third_countries_not_russia() -> None:
    # The IRA archive's `region` says "United States" for Russia-run accounts posing as Americans
    # about as often as for Americans (so Russia keeps full weight), but hardly for a Brazilian:
    # hours that fit neither a US day nor the Moscow office must not send such an account to Brazil.
    from botwatch.accounts.origin import FLOOR_REGION_HOME, codes, evidence_vectors

    items = {k: v for k, v, _ in evidence_vectors(OriginInput(region="United States"), home="US")}
    v = items["region"]
    us, ru, br = (v[codes().index(c)] for c in ("US", "RU", "BR"))
    assert ru == us and abs(br / us - FLOOR_REGION_HOME) < 1e-9
    # A region naming another country keeps the measured, nearly flat floor.
    other = {k: v for k, v, _ in evidence_vectors(OriginInput(region="Germany"), home="US")}["region"]
    assert other[codes().index("BR")] / other.max() > 0.5


def test_a_place_the_prior_outweighs_says_the_prior_it_was_up_against() -> None:
    """An archive's region guess "Switzerland" under a GB election names CH (×1.1, measured: the
    guess is weak), yet the account ends "most likely GB": the election's prior gives GB 30% and
    CH 0.23% (130 times less). The region sentence says the prior it was up against; the numbers
    are the model's. (A profile's own place, "Brit in Switzerland", undoes the home boost instead:
    `origin.PLACE_ELSEWHERE`, tests/test_accounts_origin_home_share.py.)"""
    from botwatch.accounts.origin import OriginInput, origin_posterior
    from botwatch.accounts.origin_batch import origin_posteriors

    inp = OriginInput(region="Switzerland")
    res = origin_posterior(inp, home="GB")
    assert res.country == "GB" and res.probabilities["GB"] > 0.15
    assert res.evidence[1] == ("the archive's region for the account 'Switzerland' names CH (×1.1 for it; "
                               "before any evidence the prior gave CH 0.23% against GB's 30%)")
    assert origin_posteriors([inp], home="GB")[0].evidence == res.evidence  # the batch path says the same
    own = origin_posterior(OriginInput(location="Brit in Switzerland"), home="GB")
    assert own.country == "CH" and own.probabilities.get("GB", 0.0) < own.probabilities["CH"] / 5
    assert own.evidence[1] == ("profile location 'Brit in Switzerland' names CH (×6,000 for it, as ×100 is for the most populous country: "
                               "a stated place counts alike for a country of any size; the election's home prior does not apply "
                               "to an account whose profile places it elsewhere: ×8.1 more against GB)")
    assert origin_posteriors([OriginInput(location="Brit in Switzerland")], home="GB")[0].evidence == own.evidence
    # a place naming home keeps the home prior and needs no such clause
    assert "does not apply" not in origin_posterior(OriginInput(location="London"), home="GB").evidence[1]


def test_one_evenings_hours_are_not_read_as_a_day() -> None:
    """gop-debate-2015 (one debate night): twenty posts within three hours fit "a human day" at
    whatever offset puts them in the evening, and the hours item named that offset's countries.
    Hours count only from `circadian.MIN_ACTIVE_CELLS` distinct (date, hour) cells (the circadian
    stage's rule), office hours only from `origin_shifts.MIN_DAYS` distinct dates; a withheld
    fit says so in words."""
    night = [0, 7, 7, 6] + [0] * 20  # 01:00-04:00 UTC, a US evening
    when = datetime(2015, 8, 7)
    one = origin_posterior(OriginInput(post_langs={"en": 20}, n_posts=20, hour_counts=night, when=when, active_cells=3, active_days=1))
    assert "hours" not in one.items and "hours_withheld" in one.items
    assert any(s.startswith("posting hours not read") and "20 distinct clock hours" not in s and "3 distinct clock hours" in s for s in one.evidence)
    assert one.probabilities == origin_posterior(OriginInput(post_langs={"en": 20}, n_posts=20, when=when)).probabilities  # the note moves nothing
    many = origin_posterior(OriginInput(post_langs={"en": 20}, n_posts=20, hour_counts=night, when=when, active_cells=20, active_days=20))
    assert "hours" in many.items and "hours_withheld" not in many.items
    # the note alone is no evidence: unknown, not the prior
    alone = origin_posterior(OriginInput(n_posts=20, hour_counts=night, when=when, active_cells=3, active_days=1))
    assert alone.country is None and alone.items == []
    # office hours: one evening's clock hours are not an office's day either; a desk's hours still are
    shift = [0] * 5 + [30] * 3 + [0] * 16
    kw = dict(post_langs={"en": 90}, n_posts=90, hour_counts=shift, shift_counts=shift, when=when)
    assert "office_hours" in origin_posterior(OriginInput(**kw, active_cells=30, active_days=10)).items
    assert "office_hours" not in origin_posterior(OriginInput(**kw, active_cells=5, active_days=2)).items
    assert "office_hours" in origin_posterior(OriginInput(**kw, active_cells=5, active_days=1, shift_from_desk=True)).items


def test_a_home_claim_says_it_moves_nothing_and_where_that_was_measured() -> None:
    """At the shipped floor (1.0) a profile naming the election's country does not count against
    Russia: the evidence says so rather than "counts only ×1.0"; the floor was measured for
    accounts posing as Americans, so a UK study's evidence says it is carried over."""
    us = " ".join(origin_posterior(OriginInput(location="Dallas, Texas", post_langs={"en": 30}), home="US").evidence)
    gb = " ".join(origin_posterior(OriginInput(location="Manchester, England", post_langs={"en": 30}), home="GB").evidence)
    assert "naming US is as common among accounts run from Russia posing as locals, so it does not count against Russia" in us
    assert "not measured for" not in us and "×1.0 against" not in us
    assert ("naming GB is as common among accounts run from Russia posing as locals (measured where they posed as Americans; "
            "not measured for GB), so it does not count against Russia") in gb
    assert home_claim_note("US", 2.0).endswith("so it counts only ×2.0 against Russia")


def test_a_place_naming_several_countries_says_the_factor_is_for_each() -> None:
    """explain read "'UK / USA' names GB, US (×500.0 for it; …)": which one? The batch path says the same."""
    from botwatch.accounts.origin import OriginInput, origin_posterior
    from botwatch.accounts.origin_batch import origin_posteriors

    inp = OriginInput(location="UK / USA")
    res = origin_posterior(inp, home="US")
    line = next(e for e in res.evidence if e.startswith("profile location"))
    assert "names GB, US (×" in line and " for each" in line and " for it" not in line
    assert origin_posteriors([inp], home="US")[0].evidence == res.evidence
