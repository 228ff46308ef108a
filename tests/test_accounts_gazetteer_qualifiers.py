"""A region, state code or county written after a place says which place is meant
(`gazetteer._resolve`): "Cardiff NJ" is in the US, not Wales; "Perth, Scotland" in Britain, not
Australia. The location strings are of the kinds real profiles carry (most from the ordinary
archives' development part), and so are the free-text ones that must not read as state codes."""

from __future__ import annotations

import pytest

from botwatch.accounts.gazetteer import countries_in_location
from botwatch.accounts.origin import OriginInput, origin_posterior


@pytest.mark.parametrize(("text", "country"), [
    ("Cardiff NJ", "US"),
    ("Cardiff, N.J.", "US"),
    ("Melbourne,Fla", "US"),
    ("Melbourne, Fla.", "US"),
    ("Melbourne, FL", "US"),
    ("Melbourne, FL 32901", "US"),
    ("Birmingham, AL", "US"),
    ("Paris, TX", "US"),
    ("Paris, Texas", "US"),
    ("Moscow, Idaho", "US"),
    ("St. Petersburg, Florida", "US"),
    ("Cambridge, Mass.", "US"),
    ("Naples, Calif", "US"),
    ("Oxford, Penn", "US"),
    ("Athens, Ga", "US"),
    ("Kent, OH", "US"),
    ("Vancouver WA", "US"),
    ("Perth, Scotland", "GB"),
    ("Boston, Lincolnshire", "GB"),
    ("Melbourne, Derbyshire", "GB"),
    ("London, Ontario", "CA"),
    ("london, ontario, canada", "CA"),
    ("Surrey, BC", "CA"),
    ("Toronto, CA", "CA"),  # CA: California after a US place, Canada after a Canadian one
    ("Perth, WA", "AU"),  # WA: Washington, or Western Australia after an Australian place
    ("Sydney, New South Wales", "AU"),
    ("Tbilisi, Georgia", "GE"),  # the US state or the country, as the place says
    ("Mumbai, IN", "IN"),
    ("Berlin, DE", "DE"),
    ("Nijmegen, NL", "NL"),
])
def test_a_qualifier_after_a_place_decides_its_country(text: str, country: str) -> None:
    found = countries_in_location(text)
    assert list(found) == [country], (text, found)


@pytest.mark.parametrize(("text", "countries"), [
    ("London/Moscow", {"GB", "RU"}),  # two places, not one qualified
    ("Leeds and Paris", {"GB", "FR"}),
    ("Norwich, London, China", {"GB", "CN"}),  # a list: the country qualifies none of them
    ("Edinburgh-Oxford-Indiana", {"GB", "US"}),
    ("Moscow", {"RU"}),
    ("Georgia", {"US"}),
    ("Cardiff", {"GB"}),
])
def test_places_not_qualified_keep_their_countries(text: str, countries: set[str]) -> None:
    assert set(countries_in_location(text)) == countries


@pytest.mark.parametrize("text", [
    "Somewhere IN the world", "LOVE ME", "Living in hope", "here or there", "Hi there", "OK then",
    "De Niro fan club", "la la land", "Me, myself and I", "11th Fl",
])
def test_state_codes_in_free_text_are_words(text: str) -> None:
    assert countries_in_location(text) == {}


def test_state_codes_stand_after_a_comma_or_a_known_place() -> None:
    """After a comma a capitalised code counts alone ("Omaha, Ne"); at the end of a phrase only
    in the listed form or capitals, right after a place the list knows ("Portland ME")."""
    assert countries_in_location("Omaha, Ne") == {"US": 1}
    assert countries_in_location("Dayton, OH Area") == {"US": 1}
    assert countries_in_location("Portland ME") == {"US": 2}
    assert countries_in_location("Covington me") == {}
    assert countries_in_location("Somewhere, in the hills") == {}


def test_the_origin_model_reads_the_qualified_place() -> None:
    """Where it shows: "Cardiff NJ" with English posts under the US election was most likely GB."""
    inp = OriginInput(location="Cardiff NJ", post_langs={"en": 3}, n_posts=3)
    res = origin_posterior(inp, home="US")
    assert res.country == "US" and "names US" in res.evidence[1]
