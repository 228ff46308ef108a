"""The stance model's masking, and the party-coverage line's tag key, read a party's names as the
party matcher reads them.

The matcher reads a word mixing Latin and Cyrillic look-alike letters in its main script
(#EдинаяPоссия is #ЕдинаяРоссия), Russian "ё" as "е", and a tag with a trailing number as the tag
without it (#PodestaEmails33 names a file's #PodestaEmails: 445 times in the IRA tweets). The
stance mask compared letter for letter, so a post the matcher placed with a party kept that
party's name as a raw word in the model's input instead of `tgt`; and `top_hashtag` counted
#EдинаяPоссия and #ЕдинаяРоссия as two tags, naming the wrong commonest one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch.content import features as F
from botwatch.content.match import compile_matcher, match_batch, party_mask
from botwatch.elections import load_election
from testsupport.match_posts import match_posts

ELECTION = """
key = "mixed-names"
name = "Выборы"
country = "RU"
timezone = "Europe/Moscow"
trigger_date = 2016-06-17
polling_day = 2016-09-18

[[parties]]
key = "er"
name = "Единая Россия"
hashtags = ["ЕдинаяРоссия", "UnitedRussia", "PodestaEmails", "ImWithHer2016"]
keywords = ["единая россия", "зелёные", "labour"]

[[parties]]
key = "kprf"
name = "КПРФ"
hashtags = ["КПРФ"]
"""

# (written tag, whether the matcher reads it as one of er's listed tags)
TAGS = [
    ("EдинаяPоссия", True),  # Latin E and P in a Cyrillic word
    ("UnitedRussiа", True),  # a Cyrillic а in a Latin word
    ("PodestaEmails33", True),  # a trailing number dropped
    ("podesta_emails_3_3", True),
    ("PodestaEmails", True),
    ("ImWithHer2016", True),
    ("PodestaEmails33x", False),  # the number is not trailing
    ("ImWithHer20161", False),  # a listed tag's own number is no trailing number to drop
    ("ImWithHer", False),
    ("EdinayaRossiya", False),
]


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("mask") / "el.toml"
    path.write_text(ELECTION, encoding="utf-8")
    return load_election(path)


def _names_er(election, rows: list[tuple[str, list[str]]]) -> list[bool]:  # type: ignore[no-untyped-def]
    m = compile_matcher(election)
    return party_mask(m, match_batch(m, match_posts(rows)))[:, m.parties.index("er")].tolist()


def test_the_mask_takes_every_tag_spelling_the_matcher_takes(election) -> None:  # type: ignore[no-untyped-def]
    names = F.PartyNames.of(election)
    rows = [(f"за #{tag} сегодня", [tag]) for tag, _ in TAGS]
    assert _names_er(election, rows) == [named for _, named in TAGS]
    for (text, _), (tag, named) in zip(rows, TAGS):
        cleaned = F.clean_text(text)
        want = "за  tgt  сегодня" if named else cleaned
        assert F.mask(cleaned, names, "er") == want, tag
        assert F.mask(cleaned, names, "er", ["er"]) == want, tag
        assert F.mask(cleaned, names, "kprf", ["kprf", "er"]) == (want.replace("tgt", "oth") if named else cleaned), tag


def test_the_mask_reads_look_alikes_and_yo_in_words_as_the_matcher_does(election) -> None:  # type: ignore[no-untyped-def]
    names = F.PartyNames.of(election)
    texts = ["Eдиная Россия идёт", "зеленые идут", "vote lаbour now", "ЗЕЛЁНЫЕ идут"]
    assert _names_er(election, [(t, []) for t in texts]) == [True] * len(texts)
    for text in texts:
        masked = F.mask(F.clean_text(text), names, "er", ["er"])
        assert "tgt" in masked and F.mask(F.clean_text(text), names, "er") == masked, text
    assert F.tokens(F.mask(F.clean_text("vote lаbour now"), names, "er", ["er"])) == ["vote", "tgt", "now"]


def test_the_mask_reads_a_party_s_tag_fragments_as_the_matcher_does(tmp_path: Path) -> None:
    """A fragment is read as the matcher reads it, as the posts' text now is: without that, "ё" read
    as "е" in the text but not in a file's fragment "зелён" unmasked the #ЗелёныеВперёд that it
    masked before, and a fragment "pоссия" (a Latin p) masked no post's #МояРоссия."""
    path = tmp_path / "el.toml"
    path.write_text(ELECTION.replace('hashtags = ["КПРФ"]', 'hashtags = ["КПРФ"]\ntag_fragments = ["зелён", "pоссия"]'), encoding="utf-8")
    election = load_election(path)
    names = F.PartyNames.of(election)
    texts = ["за #ЗелёныеВперёд", "за #ЗеленыеВперед", "за #МояРоссия"]
    m = compile_matcher(election)
    placed = party_mask(m, match_batch(m, match_posts([(t, [t.split("#")[1]]) for t in texts])))[:, m.parties.index("kprf")]
    assert placed.tolist() == [True] * len(texts)
    for text in texts:
        assert F.mask(F.clean_text(text), names, "kprf", ["kprf"]) == "за  tgt ", text
        assert F.mask(F.clean_text(text), names, "er") == "за  oth ", text


def test_the_hashtag_words_read_look_alikes_as_the_matcher_does(election) -> None:  # type: ignore[no-untyped-def]
    """#VoteLаbour (a Cyrillic а) split as "vote l bour": the party's name never reached the mask."""
    names = F.PartyNames.of(election)
    assert F.masked_hashtag_words("#VoteLаbour now", names, "er", ["er"]) == "vote  tgt "
    assert F.masked_hashtag_words("#VoteLabour now", names, "er", ["er"]) == "vote  tgt "


def test_the_hashtag_words_meet_a_file_s_look_alike_name(tmp_path: Path) -> None:
    """A file's "lаbour" (a Cyrillic а) is read "labour", as the matcher reads it; the hashtag
    words skip masking unless one of them starts a name (`PartyNames.first_words`), so that list
    is read alike, or #VoteLabour kept "labour" as a word."""
    path = tmp_path / "el.toml"
    path.write_text(ELECTION.replace('"labour"]', '"l\u0430bour"]'), encoding="utf-8")
    election = load_election(path)
    names = F.PartyNames.of(election)
    assert _names_er(election, [("vote labour now", [])]) == [True]
    assert F.mask(F.clean_text("vote labour now"), names, "er", ["er"]) == "vote  tgt  now"
    assert F.masked_hashtag_words("#VoteLabour now", names, "er", ["er"]) == "vote  tgt "


def test_the_commonest_tag_of_a_party_reads_look_alikes_as_one_tag(tmp_path: Path, election) -> None:  # type: ignore[no-untyped-def]
    """5 posts tagged #ЕдинаяРоссия and 4 #EдинаяPоссия are 9 posts of one tag, more than the 6
    tagged #UnitedRussia; counted apart, #UnitedRussia was named the party's commonest tag."""
    from test_timeline import write_posts, write_table

    from botwatch.content.party_coverage import top_hashtag
    from botwatch.study import open_study

    t0 = datetime(2016, 9, 1, 12)
    tags = ["ЕдинаяРоссия"] * 5 + ["EдинаяPоссия"] * 4 + ["UnitedRussia"] * 6
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 7}", created_at=t0 + timedelta(minutes=41 * i), kind="original",
                  lang="ru", text=f"за #{t}", hashtags=[t]) for i, t in enumerate(tags)]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, posts)
        write_table(st, "post_party", [dict(election="mixed-names", party="er", platform="twitter", post_id=p["post_id"]) for p in posts])
        assert top_hashtag(st, "mixed-names", "er", election.parties[0]) == ("ЕдинаяРоссия", 9)
