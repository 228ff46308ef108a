"""Russian prints "ё" mostly as "е": a file listing #Зелёные or the keyword "зелёные" must name a
post's #Зеленые and "зеленые", as Russian readers take them as one word.

Found on a State Duma 2016 walk over the IRA's Russian-language tweets (../shared/data/ira): the
file's #Зелёные and "зелёные" matched no post writing "Зеленые", the ordinary spelling; in those
tweets of August–October 2016 "зеленый"/"зеленых" outnumber the forms written with "ё" 15 to 2."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.collect.filters import PostFilter
from botwatch.content.features import tag_spellings
from botwatch.content.match import compile_matcher, match_batch, signal
from botwatch.content.normalize import fold, norm_tag, norm_tags_arrow, norm_text
from botwatch.elections import load_election
from testsupport.match_posts import match_posts

ELECTION = """
key = "ru-yo"
name = "Выборы"
country = "RU"
timezone = "Europe/Moscow"
trigger_date = 2016-06-17
polling_day = 2016-09-18

[[parties]]
key = "greens"
name = "Зелёные"
hashtags = ["Зелёные"]
keywords = ["зелёные"]

[[parties]]
key = "kprf"
name = "КПРФ"
hashtags = ["КПРФ"]
keywords = ["кпрф"]
"""



def test_yo_and_ye_normalise_alike() -> None:
    assert norm_tag("#Зелёные") == norm_tag("Зеленые") == norm_tag("ЗЕЛЁНЫЕ") == "зеленые"
    vals, _ = norm_tags_arrow(pa.array([["Зелёные", "ЗЕЛЁНЫЕ", "Зеленые"]], pa.list_(pa.string())))
    assert set(vals.to_pylist()) == {"зеленые"}
    assert fold("Зелёные") == "зеленые" and norm_text(pa.array(["ЗЕЛЁНЫЕ идут"]))[0].as_py() == "зеленые идут"


def test_the_matcher_reads_yo_as_ye_in_tags_and_text(tmp_path: Path) -> None:
    el = tmp_path / "ru.toml"
    el.write_text(ELECTION, encoding="utf-8")
    m = compile_matcher(load_election(el))
    hits = match_batch(m, match_posts([("за них", ["Зеленые"]), ("зеленые идут", []), ("ЗЕЛЁНЫЕ идут", []), ("за них", ["Зелёные"]),
                                  ("зеленый цвет", ["кпрф"])]))
    assert signal(m, hits, "greens", "topic_tag").tolist() == [True, False, False, True, False]
    assert signal(m, hits, "greens", "topic_kw").tolist() == [False, True, True, False, False]
    assert signal(m, hits, "kprf", "topic_tag").tolist() == [False, False, False, False, True]


def test_stance_masking_and_live_filters_take_either_letter(tmp_path: Path) -> None:
    """The stance features mask a party's listed tag in whatever spelling the matcher reads as
    it, and a live capture keeps the posts `analyze` would count."""
    import re

    rx = re.compile(tag_spellings("Зелёные") or "")
    assert rx.fullmatch("зеленые") and rx.fullmatch("зелёные") and rx.fullmatch("зеле\u0308ные")
    el = tmp_path / "ru.toml"
    el.write_text(ELECTION, encoding="utf-8")
    f = PostFilter.build(load_election(el))
    assert f.match("#Зеленые на выборах", ["Зеленые"], []) and f.match("Зеленые на выборах", [], [])
    assert not f.match("красные на выборах", [], [])


def test_x_and_mastodon_are_asked_for_either_letter() -> None:
    """X's rules and Mastodon's hashtag streams match tags on the server, which sends only the
    spelling asked for (Mastodon folds Latin accents, not "ё"): a capture listing #Зелёные must ask
    for #Зеленые too, as analysis counts it, and the other way round. Every tag ending in "е"
    ("Зеленые") raised IndexError in `spellings`, so `collect x` and `collect mastodon` failed on it."""
    from botwatch.collect.filters import x_rules
    from botwatch.collect.mastodon import hashtag_streams
    from botwatch.tag_spellings import spellings

    for tag in ("Зелёные", "Зеленые", "ЕР", "Ёлка", "Выборы"):
        forms, total = spellings(tag)
        assert forms[0] == tag and len(set(forms)) == len(forms) == total, (tag, forms)
        assert {norm_tag(f) for f in forms} == {norm_tag(tag)}, (tag, forms)
    assert spellings("Зелёные")[0][:2] == ["Зелёные", "Зеленые"] and "Зелёные" in spellings("Зеленые")[0]
    assert spellings("Выборы") == (["Выборы"], 1) and spellings("Ёлка")[0] == ["Ёлка", "Елка"]
    assert x_rules(PostFilter(hashtags=("Зелёные",))).rules[0][0].startswith("#Зелёные OR #Зеленые OR ")
    assert {"Зелёные", "Зеленые"} <= set(hashtag_streams(["Зелёные"]).tags)


def test_the_live_filter_reads_an_upper_case_keyword_letter_as_either() -> None:
    """A keyword written with an upper-case "Е" or "Ё" ("Елка", "ЗЕЛЁНЫЕ") matched the other
    letter only in lower case: the case-blind pattern read "Е" as "е", never "ё"."""
    f = PostFilter(keywords=("Елка", "ЗЕЛЕНЫЕ"))
    assert f.match("ёлка горит", [], []) and f.match("Зелёные идут", [], []) and f.match("зеленые идут", [], [])
    assert not f.match("палка", [], [])


def test_servers_are_asked_for_one_yo_a_word_and_every_spelling_still_counts() -> None:
    """Every "е" of a tag doubled what X and Mastodon were asked for: #Медведев went out in 8
    spellings, #Мёдвёдёв among them, which no one writes (a Russian word holds one "ё"), and
    ru-duma2016's tags took 68 streams. Now one "ё" a word is asked, beside the tag as listed and
    its all-"е" fold; a listed word with more keeps its own; analysis still counts any spelling."""
    from botwatch.collect.mastodon import hashtag_streams
    from botwatch.tag_spellings import YO, spellings

    forms, total = spellings("Медведев")
    assert forms == ["Медведев", "Медведёв", "Медвёдев", "Мёдведев"] and total == 4
    assert spellings("ЗаЕдинуюРоссию")[1] == 2 and spellings("ЁжЁлки")[0][:2] == ["ЁжЁлки", "ЕжЕлки"]
    assert "ёжёлки" in spellings("ёжёлки")[0]  # the user listed two in one word: that is asked as listed
    for tag in ("Медведев", "Зелёные", "РЭПЗелёные", "ТВДебаты"):
        forms, total = spellings(tag)
        assert forms[0] == tag and len(forms) == total and {norm_tag(f) for f in forms} == {norm_tag(tag)}, forms
        assert all(f.lower().count(YO) <= 1 for f in forms) and tag.replace(YO, "е") in forms, forms
    f = PostFilter(hashtags=("Медведев",))
    assert f.match("#Мёдвёдёв", ["Мёдвёдёв"], []) and norm_tag("Мёдвёдёв") == norm_tag("Медведев")
    ru = PostFilter.build(load_election(Path(__file__).parents[1] / "docs" / "examples" / "ru-duma2016.toml"))
    assert len(hashtag_streams(ru.hashtags).tags) == 56  # docs/collect.md: 68 before


def test_a_word_of_many_yo_is_spelt_in_little_memory() -> None:
    """A listed word's "ё"s set its bound, and the spellings were built as text for every count of
    them so far at every letter: a tag of 200 "ё"s took 180 MiB (a thousand, gigabytes and minutes)
    before a collector asked a server anything. The same spellings and count, in a little memory."""
    import tracemalloc

    from botwatch.tag_spellings import MOST_SPELLINGS, spellings

    tag = "ё" * 200
    tracemalloc.start()
    try:
        forms, total = spellings(tag)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert forms[:2] == [tag, "е" * 200] and len(set(forms)) == MOST_SPELLINGS and total == 2 ** 200
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB"
