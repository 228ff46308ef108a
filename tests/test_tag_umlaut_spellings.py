"""A German hashtag is typed with its umlauts or spelt out (#gehtwählen, #gehtwaehlen): both are
one tag to the people using it, and to the election file's matcher.

In the IRA's German tweets of the 2017 Bundestag election (../shared/data/ira, 20 August – 5
November 2017) #gehtwählen is in 7 posts beside #gehtwaehlen's 25, #Özoguz in 3 beside #Oezoguz's 2,
#ZeitFürMartin once beside #ZeitFuerMartin once; a file listing one spelling matched no post of the
other."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content.match import compile_matcher, match_batch, signal
from botwatch.content.normalize import norm_tag, norm_tags_arrow
from botwatch.elections import load_election
from botwatch.study import open_study

ELECTION = """
key = "de-tags"
name = "Bundestagswahl"
country = "DE"
timezone = "Europe/Berlin"
trigger_date = 2017-01-23
polling_day = 2017-09-24
hashtags = ["gehtwaehlen"]

[[parties]]
key = "gruene"
name = "Grüne"
hashtags = ["Grüne"]
hashtags_pro = ["ZeitFürGrün"]

[[parties]]
key = "spd"
name = "SPD"
hashtags = ["SPD"]
"""


def _posts(tags: list[list[str]]) -> pa.Table:
    when = datetime(2017, 9, 20, 12)
    rows = [{"platform": "twitter", "post_id": str(i), "account_id": "a1", "created_at": when, "text": "x", "lang": "de",
             "kind": "original", "ref_handle": None, "hashtags": t, "mentions": [], "handle": "someone"} for i, t in enumerate(tags)]
    schema = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                        ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
                        ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)


def test_a_tag_and_its_spelt_out_form_normalise_alike() -> None:
    assert norm_tag("#Grüne") == norm_tag("Gruene") == "gruene"
    assert norm_tag("#gehtwählen") == norm_tag("gehtwaehlen") and norm_tag("Straße") == "strasse"
    vals, _ = norm_tags_arrow(pa.array([["GRÜNE", "#Özoguz", "Gießen"]], pa.list_(pa.string())))
    assert vals.to_pylist() == ["gruene", "oezoguz", "giessen"]


def test_the_matcher_takes_either_spelling_of_a_listed_tag(tmp_path: Path) -> None:
    el = tmp_path / "de.toml"
    el.write_text(ELECTION, encoding="utf-8")
    m = compile_matcher(load_election(el))
    hits = match_batch(m, _posts([["Gruene"], ["gehtwählen"], ["ZeitFuerGruen"], ["Grüne"], ["gruen"]]))
    assert signal(m, hits, "gruene", "topic_tag").tolist() == [True, False, False, True, False]
    assert bool(hits[1, m.slot("_election", "topic_tag")])
    assert signal(m, hits, "gruene", "pro_tag").tolist() == [False, False, True, False, False]


def test_the_dominant_tag_of_a_party_counts_either_spelling(tmp_path: Path) -> None:
    """`party_coverage.top_hashtag` names the tag most of a party's posts carry among those that
    name it, compared as the matcher compares them: with #Grüne listed, the 4 posts tagged
    #Gruene and the 8 tagged #Grüne are 12 posts of one tag, written as most of them write it."""
    from test_timeline import write_posts

    from botwatch.content.party_coverage import top_hashtag

    el = tmp_path / "de.toml"
    el.write_text(ELECTION, encoding="utf-8")
    path = tmp_path / "s.duckdb"
    t0 = datetime(2017, 9, 1, 12)
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 7}", created_at=t0 + timedelta(minutes=41 * i), kind="original",
                  lang="de", text="Wählt grün", hashtags=["Grüne" if i % 3 else "Gruene"]) for i in range(12)]
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    res = CliRunner().invoke(app, ["analyze", str(path), "--election", str(el), "--only", "content"])
    assert res.exit_code == 0, res.output
    with open_study(path) as st:
        assert top_hashtag(st, "de-tags", "gruene", load_election(el).parties[0]) == ("Grüne", 12)


def test_a_capture_keeps_either_spelling_as_analysis_counts_them() -> None:
    """`collect --election` kept a post only by its listed spelling: a capture for a file listing
    #gehtwaehlen dropped the posts tagged #gehtwählen that `analyze` would count as the same tag."""
    from botwatch.collect.filters import PostFilter

    f = PostFilter.build(hashtags=["gehtwaehlen", "Grüne"])
    assert f.match("Jetzt #gehtwählen!") and f.match("#GEHTWAEHLEN") and f.match("#Gruene vorn") and f.match("#GRÜNE")
    assert not f.match("#gehtwaehlenx") and not f.match("#grüner")
    assert f.match("x", tags=["GehtWählen"]) and f.match("x", tags=["#gruene"]) and not f.match("x", tags=["gruen"])


def test_a_capture_keeps_a_decomposed_umlaut_in_text_as_analysis_counts_it() -> None:
    """Some clients send "#Grüne" decomposed, "u" and a combining diaeresis (NFD): ingest reads it
    as a tag and `analyze` counts it as #Grüne (NFKC), but the live filter's pattern did not match
    it, so a Bluesky capture dropped the post. Keywords likewise, written either way."""
    from botwatch.collect.filters import PostFilter
    from botwatch.ingest.csv_formats import text_entities

    text = "Wählt #Gru\u0308ne heute, gru\u0308n"
    assert [norm_tag(t) for t in text_entities(text)[0]] == ["gruene"]  # what analysis counts
    for listed in ("Grüne", "Gruene", "GRU\u0308NE"):
        assert PostFilter.build(hashtags=[listed]).match(text), listed
    assert not PostFilter.build(hashtags=["Grünen"]).match(text) and not PostFilter.build(hashtags=["Grüne"]).match("#Gru\u0308nen")
    assert PostFilter.build(keywords=["grün heute"]).match("gru\u0308n  heute") and PostFilter.build(keywords=["gru\u0308n"]).match("Grün")


def test_a_capture_spells_its_listed_tags_once_not_for_every_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PostFilter.match` spelt every listed tag out again for each tagged post (`fold` is an Arrow
    call): a filter of the us-2016 preset's 104 tags spent some 7 ms per tagged post of a live
    stream, 135 times what it had. Counted in `fold` calls, not timed."""
    from botwatch.collect import filters

    real, calls = filters.fold, []
    monkeypatch.setattr(filters, "fold", lambda w: calls.append(w) or real(w))
    clear = getattr(filters._spelt, "cache_clear", lambda: None)
    clear()
    f = filters.PostFilter.build(hashtags=["gehtwaehlen", "Grüne", "SPD"])
    for _ in range(50):
        assert f.match("x", tags=["Gruene", "afd"]) and not f.match("x", tags=["afd"])
    clear()  # nothing the counting stand-in folded is kept for other tests
    assert len(calls) <= 5, len(calls)  # the 3 listed tags and the 2 a post carries, each once


def test_the_stance_features_mask_either_spelling_of_a_listed_tag(tmp_path: Path) -> None:
    """The matcher names the Greens in a post with #Gruene or #Grüne; the stance model's masking
    compared the text's tags letter for letter, so #Grüne became `tgt` and #Gruene stayed the
    word "#gruene": the features of one tag differed with its spelling. Every spelling the matcher
    reads as the listed tag is masked; a longer tag, or one inside a word, is not."""
    from botwatch.content import features as F

    el = tmp_path / "de.toml"
    el.write_text(ELECTION, encoding="utf-8")
    names = F.PartyNames.of(load_election(el))
    for written in ("#Grüne", "#Gruene", "#GRUENE", "#gru\u0308ne", "#Grue_ne", "#Gru_ene", "#ZeitFürGrün", "#zeit_fuer_gruen"):
        text = F.clean_text(f"Wählt {written} am Sonntag")
        assert F.mask(text, names, "gruene") == "wählt  tgt  am sonntag", written
        assert F.mask(text, names, "gruene", ["gruene"]) == "wählt  tgt  am sonntag", written
        assert F.mask(text, names, "spd", ["spd", "gruene"]) == "wählt  oth  am sonntag", written
    for other in ("#Gruenen", "x#Gruene", "#Grün"):
        text = F.clean_text(f"Wählt {other}")
        assert F.mask(text, names, "gruene") == text, other


def test_an_ascii_tags_key_without_arrow_is_the_matchers() -> None:
    """`ascii_tag_key` stands in for `norm_tag` where a tag is ASCII (loading an election file
    without Arrow); it must give the Arrow path's key for every such tag, and leave the rest to it."""
    from botwatch.content.normalize import _SEP, _spell_tag, fold
    from botwatch.elections import load_election
    from botwatch.tag_spellings import ascii_tag_key

    tags = ["#Vote_Labour", "VOTE-labour", "#ImWithHer2016", "a b\tc", "#", "##Tory", "MerkelMussWeg", "x_-_y"]
    for key in ("uk-ge2017", "us-2016"):
        e = load_election(key)
        tags += list(e.hashtags) + [h for p in e.parties for h in p.all_hashtags]
    for t in tags:
        assert ascii_tag_key(t) == _spell_tag(_SEP.sub("", fold(t).lstrip("#"))), t
    for t in ("#Grüne", "#İYİ", "#ΜΗΤΣΟΤΑΚΗΣ", "#ﬁnance"):
        assert ascii_tag_key(t) is None, t
