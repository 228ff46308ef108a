"""UK matching: Westminster's parliament places a post in the UK, and more senses of "labour" the
noun stay out (found among the dev part's false and missed matches; docs/methods.md, "Fifth round")."""

from __future__ import annotations

from botwatch.elections import load_election
from tests.test_content_matching import _named

UK = load_election("uk-ge2017")


def test_parliament_is_a_uk_cue_for_cameron() -> None:
    got = _named(UK, [
        "Cameron urges parliament to back bombing of Islamic State in Syria",
        "How Cameron has flip-flopped on the parliamentary vote",
    ])
    assert got == [{"conservative"}, {"conservative"}]


def test_labour_the_noun_in_economics_and_childbirth_stays_out() -> None:
    got = _named(UK, [
        "US announces F-35 international MRO division of labour",
        "Even the most casual of observers understand that organized labour's raison d'etre is to champion",
        "Prison labour is a billion-dollar industry",
        "Coping with labour and childbirth",
        "Farms face a migrant labour shortage",
    ])
    assert got == [set(), set(), set(), set(), set()]
