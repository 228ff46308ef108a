"""Latin look-alike letters inside a Cyrillic word, typed to slip past keyword filters or by a
keyboard layout: a Duma 2016 file listing #ЕдинаяРоссия and "единая россия" matched no post's
#EдинаяPоссия or "Eдиная Россия" (Latin E and P). The IRA's Russian tweets of August–October 2016
(../shared/data/ira) hold such words ("Pocсийская", "Cевастополь", "Рocсийскoе")."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.content.match import compile_matcher, match_batch, signal
from botwatch.content.normalize import fold, norm_tag, norm_tags_arrow, norm_text, one_script
from botwatch.elections import load_election
from testsupport.match_posts import match_posts

ELECTION = """
key = "ru-mixed"
name = "Выборы"
country = "RU"
timezone = "Europe/Moscow"
trigger_date = 2016-06-17
polling_day = 2016-09-18

[[parties]]
key = "er"
name = "Единая Россия"
hashtags = ["ЕдинаяРоссия", "UnitedRussia"]
keywords = ["единая россия"]
"""



def test_a_mixed_word_is_read_in_its_main_script() -> None:
    assert one_script("pocсийская") == "российская" and one_script("applе") == "apple"
    assert one_script("россия and usa") == "россия and usa"  # words in one script are left alone
    assert norm_tag("#EдинаяPоссия") == norm_tag("ЕдинаяРоссия") and fold("Eдиная Россия") == "единая россия"
    vals, _ = norm_tags_arrow(pa.array([["EдинаяPоссия", "UnitedRussiа"], None], pa.list_(pa.string())))
    assert vals.to_pylist() == ["единаяроссия", "unitedrussia"]
    assert norm_text(pa.array(["Eдиная Россия", None, "plain"])).to_pylist() == ["единая россия", "", "plain"]


def test_the_matcher_names_the_party_in_a_mixed_spelling(tmp_path: Path) -> None:
    el = tmp_path / "ru.toml"
    el.write_text(ELECTION, encoding="utf-8")
    m = compile_matcher(load_election(el))
    hits = match_batch(m, match_posts([("за них", ["EдинаяPоссия"]), ("Eдиная Россия идёт", []), ("за них", ["UnitedRussiа"]),
                                  ("EdinayaRossiya", ["EdinayaRossiya"])]))
    assert signal(m, hits, "er", "topic_tag").tolist() == [True, False, True, False]
    assert signal(m, hits, "er", "topic_kw").tolist() == [False, True, False, False]


def test_the_live_filter_keeps_a_mixed_spelling_analysis_counts(tmp_path: Path) -> None:
    """The Bluesky and Mastodon-public filter compared #EдинаяPоссия and "Eдиная Россия" as
    written, so a capture for a file listing #ЕдинаяРоссия dropped posts `analyze` then counts."""
    from botwatch.collect.filters import PostFilter
    from botwatch.script_twins import one_script as cased

    el = tmp_path / "ru.toml"
    el.write_text(ELECTION, encoding="utf-8")
    f = PostFilter.build(load_election(el))
    assert f.match("за них", ["EдинаяPоссия"], []) and f.match("Eдиная Россия идёт", [], []) and f.match("#EдинаяPоссия", [], [])
    assert not f.match("EdinayaRossiya", ["EdinayaRossiya"], [])
    assert PostFilter(keywords=("Eдиная",)).match("Единая", [], [])  # a listed mixed word too, as `fold` reads it
    assert cased("Pocсийская applе") == "Российская apple" and cased("plain text") == "plain text"
