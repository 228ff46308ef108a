"""A party's stance shares in the headline say how few posts they rest on when most of its posts
could not be read.

A user's file for the German federal election of 2017, run on the IRA release: "Of the 586
election posts in the study naming AfD, 0% (every resample of the accounts gave 0%: no interval)
supported the party and 20% [0–50%] opposed it (of those whose stance was measured: 581 not in
English and without a party cue are left out)". The shares rest on 5 posts, said last, in a
parenthesis. Where most of a party's posts could not be read, the headline now leads with it.
"""

from __future__ import annotations

from botwatch.report.sections import render


def _said(observed: int, unread: int) -> str:
    r = {"name": "AfD", "observed_posts": observed, "unread": unread, "support_share": "0% (every resample of the accounts gave 0%: no interval)",
         "oppose_share": "20% [0–50%]", "positive": "0%", "negative": "60% [0–100%]"}
    return " ".join(str(render("parties_headline.html.j2", kind="stance", r=r, own_n=0, handles=[], stale_own=False, no_better=False, kin=None,
                                election=None, measured={}, measured_here=False, measured_on="us-2016", lab=None, labs={}, pct=str)).split())


def test_most_posts_unread_lead_the_sentence() -> None:
    text = _said(586, 581)
    assert text.startswith("Of the 586 election posts in the study naming AfD, only 5 could be read for stance (581 are not in English and "
                           "carry no party cue): of those 5, 0% (every resample of the accounts gave 0%: no interval) supported the party "
                           "and 20% [0–50%] opposed it ("), text
    assert "of those whose stance was measured" not in text
    assert "of that one, " in _said(586, 585)


def test_a_few_unread_posts_stay_a_parenthesis() -> None:
    text = _said(1_310, 300)
    assert ("supported the party and 20% [0–50%] opposed it (of those whose stance was measured: 300 not in English and without a party "
            "cue are left out)") in text and "could be read" not in text
    assert "left out" not in _said(1_310, 0)
