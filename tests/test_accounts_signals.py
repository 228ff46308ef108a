"""The named seed signals: the English women's-name check, anonymity over known fields only,
and the sentences that say which signals fired."""

from __future__ import annotations

import math

from botwatch.accounts import signals
from testsupport import accounts_reference as ref


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


def _ordered(names: dict[str, dict[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(k, list(v.items())) for k, v in names.items()]


def test_the_name_list_is_the_detectors_own_table() -> None:
    # Keys, genders, their order (which decides ties) and the country codes, all equal.
    assert _ordered(signals._name_list()) == _ordered(ref.detector().names)


def test_every_name_gets_the_detectors_answers() -> None:
    # Every name of the file, in three spellings, and names it lacks: the fast answers are the
    # detector's (the lru caches are bypassed so each answer is computed here).
    female, known = signals._english_female.__wrapped__, signals._known_name.__wrapped__
    queries = list(ref.detector().names)
    queries += [q.upper() for q in queries[::7]] + [q.title() for q in queries[::11]]
    queries += ["", " ", "zzzzqx", "Jenna", "JENNA", "jenna ", "ann+marie", "Ольга", "😀", "مريم", "A" * 10_000, "İrem", "straße"]
    n_female = 0
    for q in queries:
        f = female(q)
        assert f is ref.english_female_detector(q), q
        assert known(q) is ref.known_name_detector(q), q
        n_female += f
    assert 1_000 < n_female < len(queries) / 2  # both answers occur


def test_the_gender_of_a_name_is_chosen_as_the_detector_chooses() -> None:
    # Ties, blank codes and gender order the name file may not exercise at these two countries,
    # asked of the detector's own choosing code on a made-up table.
    import gender_guesser.detector as gg

    table = {
        "tie": {"male": "3 3" + " " * 53, "female": "3 3" + " " * 53},
        "tie_late": {"andy": "1 1" + " " * 53, "female": "5 2" + " " * 53, "male": "5 2" + " " * 53},
        "blank": {"female": " " * 56, "male": " " * 56},
        "one": {"mostly_female": "D 1" + " " * 53},
        "hex": {"male": "9 A" + " " * 53, "female": "A 9" + " " * 53},
    }
    d = gg.Detector.__new__(gg.Detector)
    d.case_sensitive, d.names = False, table
    for name, genders in table.items():
        for country in ("great_britain", "usa"):
            assert signals._gender_in(genders, signals._country_index(country)) == d.get_gender(name, country), (name, country)


def test_the_amplification_sentence_names_the_platforms_word() -> None:
    """A Mastodon account's boosts were written "posts are retweets" in its evidence."""
    row = {"n_posts": 20, "retweet_share": 0.9}
    said = {p: " ".join(signals.signal_sentences(dict(row, platform=p), "GB")) for p in ("twitter", "mastodon", "bluesky")}
    assert said["twitter"] == "amplification: 90% of its 20 posts are retweets"
    assert said["mastodon"] == "amplification: 90% of its 20 posts are boosts"
    assert said["bluesky"] == "amplification: 90% of its 20 posts are reposts"


def test_the_unison_sentence_does_not_make_the_cluster_the_accounts_co_actors() -> None:
    """"acts in unison with 3 other accounts of its coordination cluster 0" was said of every member
    of a 4-account cluster, one with a kept edge to a single member among them (the bundled sample:
    degree 1): the cluster's size is not who the account co-acts with beyond chance."""
    from botwatch.accounts.signals import signal_sentences

    said = " ".join(signal_sentences({"in_unison": True, "cluster_size": 4, "cluster_id": "0"}, None))
    assert "acts in unison with 3" not in said
    assert "acts in unison (co-actions beyond chance) with at least one of the 3 other accounts of its coordination cluster 0" in said
    pair = " ".join(signal_sentences({"in_unison": True, "cluster_size": 2, "cluster_id": "1"}, None))
    assert "with the other account of its coordination cluster 1" in pair
