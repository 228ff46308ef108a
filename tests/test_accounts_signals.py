"""The named seed signals: the English women's-name check, anonymity over known fields only,
and the sentences that say which signals fired."""

from __future__ import annotations

import math

from botwatch.accounts import signals


def test_english_female_names_from_the_offline_list() -> None:
    assert signals.english_female_name("Jenna Abrams")
    assert signals.english_female_name("pamela_moore")
    assert not signals.english_female_name("John Smith")
    assert not signals.english_female_name("Ольга Петрова")  # not an English spelling
    assert not signals.english_female_name(None)
    assert signals.first_name("  🇺🇸 Amelia!! ") == "Amelia"


def test_anonymity_counts_only_known_fields() -> None:
    assert math.isnan(signals.anonymity(None, None, None, None))
    assert signals.anonymity("Mary Jones", "I like tea", "Leeds", False) == 0.0
    assert signals.anonymity("xx_news_24", "", "", True) == 1.0
    assert signals.anonymity("Mary Jones", None, None, True) == 0.5


def test_signal_sentences_fire_only_when_shown() -> None:
    quiet = {"handle": "someone", "n_posts": 5, "retweet_share": 0.1, "posts_per_day_study": 2.0}
    assert signals.signal_sentences(quiet, "GB") == []
    loud = {
        "handle": "paulafr68963440", "handle_generated15": 1.0, "female_name_mismatch": True, "display_name": "Jenna",
        "created_after_trigger": True, "in_unison": True, "cluster_id": "c7", "posts_per_day_study": 150.0,
        "anonymity": 1.0, "retweet_share": 0.95, "n_posts": 400, "gap_cv": 0.1,
    }
    text = " | ".join(signals.signal_sentences(loud, "GB"))
    for needle in ("15-character", "English woman", "after the election", "unison", "144", "anonymity", "amplification", "regular"):
        assert needle in text


def test_first_name_given_once_gives_the_same_signals() -> None:
    # The stage finds each account's first name once and hands it to both signals.
    for name in ["Jenna Abrams", "pamela_moore", "John Smith", "Ольга Петрова", "", "  ", "x", "Dr. Mary-Ann", "news 24/7", None]:
        first = signals.first_name(name)
        assert signals.english_female_first(first) is signals.english_female_name(name)
        for desc, loc, img in [("", None, True), ("hi", " ", None), (None, None, None)]:
            a, b = signals.anonymity(name, desc, loc, img, first=first), signals.anonymity(name, desc, loc, img)
            assert a == b or (math.isnan(a) and math.isnan(b))
