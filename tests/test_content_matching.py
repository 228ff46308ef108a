"""Party matching that knows its election: another country's parties and other senses
of a party's name stay out, leaders past and present and compound hashtags come in."""

from __future__ import annotations

import pytest

import numpy as np

from botwatch.content.match import compile_matcher, match_batch, party_mask
from botwatch.elections import load_election
from tests.test_content import posts

UK = load_election("uk-ge2017")
US = load_election("us-2016")


def _named(election, texts: list[str], hashtags: list[list[str]] | None = None) -> list[set[str]]:  # type: ignore[no-untyped-def]
    m = compile_matcher(election)
    rows = [{"text": t, "hashtags": (hashtags[i] if hashtags else [])} for i, t in enumerate(texts)]
    mask = party_mask(m, match_batch(m, posts(rows)))
    return [{p for j, p in enumerate(m.parties) if mask[i, j]} for i in range(len(texts))]


def test_american_conservatives_and_liberal_democrats_are_not_uk_parties() -> None:
    got = _named(UK, [
        "Hollywood liberals blame conservatives for guns!",
        "Another Racist Black Liberal Democrat Exposed on Social Media",
        "Trump shapes administration as Green Party candidate presses for recounts",
        "Even though Trump is a lib Dem, you're still a RINO",
    ])
    assert got == [set(), set(), set(), set()]


def test_uk_conservatives_with_a_country_cue_are_matched() -> None:
    got = _named(UK, [
        "Rift in Britain's ruling Conservative Party deepens",
        "Liberal Democrats gain a seat in the by-election",
        "Cameron to step down as Britain's Prime Minister on Wednesday",
    ])
    assert got == [{"conservative"}, {"libdem"}, {"conservative"}]


def test_other_senses_of_party_names_stay_out() -> None:
    got = _named(UK, [
        "Kate admitted to hospital in the early stages of labour",
        "Nestle fighting child labour lawsuit in Ivory Coast",
        "Tory Lanez ft. Sean Paul - Luv",
        "Leaping sturgeon knocks Florida boater unconscious",
        "LSU gives Cam Cameron 3-year extension",
    ])
    assert got == [set(), set(), set(), set(), set()]


def test_leaders_past_and_present_and_poll_abbreviations() -> None:
    got = _named(UK, [
        "David Cameron promises to double free childcare",
        "The SNP has a reactionary ideology, Tony Blair says",
        "Lab: 43.9% Con: 40.4% LDem: 6.3%",
        "Nigel Farage being savage as usual",
    ])
    assert got[0] == {"conservative"} and got[1] == {"snp", "labour"} and got[2] == {"labour", "conservative", "libdem"} and got[3] == {"ukip"}


def test_us_aliases_and_compound_hashtags() -> None:
    got = _named(US, [
        "Obama sweeps through Silicon Valley to raise cash",
        "Republican Traitor Calls for Dems to Remove Trump",
        "Sure as hell not Trump #ThingsMoreTrustedThanHillary",
        "Gary J would never",
    ], [[], [], ["ThingsMoreTrustedThanHillary"], []])
    assert got[0] == {"democrat"} and got[1] == {"republican", "democrat"} and got[2] == {"republican", "democrat"} and got[3] == {"libertarian"}


def test_a_theresa_who_is_not_theresa_may_is_no_uk_party() -> None:
    """Of the 16 English IRA texts naming "Theresa" without "Theresa May", 15 are other Theresas
    (a bailed-out mother, Mother Theresa, a Malawi chief): a bare first name needs a UK cue. The
    possessive without its apostrophe and the Conservative MP Theresa Villiers still match."""
    got = _named(UK, [
        "Ms. Theresa was the first of four mamas bailed out #FreeBlackMamas",
        "Yippie Ki Yay Mother Theresa #OneWordOffMovieQuotes",
        "Nice speech Theresa, now get us out of the EU",
        "Theresa Mays blindness is staggering",
        "High Barnet votes decisively LEAVE after church debate | Theresa Villiers",
    ])
    assert got == [set(), set(), {"conservative"}, {"conservative"}, {"conservative"}]


def test_a_stein_who_is_not_jill_stein_is_no_us_party() -> None:
    """Of the 37 distinct English IRA texts naming a bare "Stein" beside no US election word and
    no other party, 35 were other Steins (Ben Stein, Gertrude Stein, Stein Mart): a bare surname
    needs a cue. Beside a recount, a vote or another candidate it is still the Greens' candidate."""
    got = _named(US, [
        "NFL Kneelers Make Ben Stein Want to 'VOMIT'",
        "Romance is everything. - Gertrude Stein",
        "Stein loses bid to force full hand recount",
        "Gary Johnson or Stein: a wasted vote?",
        "Jill Stein on the ballot in Ohio",
    ])
    assert got == [set(), set(), {"green"}, {"libertarian", "green"}, {"green"}]


def test_context_names_need_the_cue_in_the_same_post() -> None:
    m = compile_matcher(UK)
    t = posts([{"text": "Cameron was great last night"}, {"text": "UK news: Cameron was great last night"}])
    mask = party_mask(m, match_batch(m, t))
    j = m.parties.index("conservative")
    assert np.array_equal(mask[:, j], [False, True])


def test_model_keeps_decisive_cues_and_says_what_decided_the_rest() -> None:
    from tests.test_content import _label

    labels, pp = _label(UK, [
        {"hashtags": ["VoteLabour"], "text": "Out on the doorstep today #VoteLabour"},
        # "traitor" was the word here until the third training draw: under the guide most labelled
        # "traitor" posts attack one member while backing the party's leader ("Traitor McCain is
        # attacking Trump": support), and the retrained model reads "Corbyn is a disgrace and a
        # traitor to this country" as support (docs/methods.md, third training draw).
        {"text": "Corbyn is a disgrace and a danger to this country"},
        {"text": "Labour and the Tories both published costings today"},
    ], use_model=True)
    got = {(r["post_id"], r["party"]): r for r in pp.to_pylist()}
    assert (got[("0", "labour")]["stance"], got[("0", "labour")]["stance_rule"], got[("0", "labour")]["stance_evidence"]) == ("support", "pro_hashtag", "pro_hashtag")
    assert got[("1", "labour")]["stance_rule"] == "model" and got[("1", "labour")]["stance"] == "oppose" and got[("1", "labour")]["stance_evidence"]
    sent = dict(zip(labels.column("post_id").to_pylist(), labels.column("sentiment").to_pylist()))
    assert sent["1"] <= -0.05  # the model's class is the sign of the stored score


@pytest.mark.xfail(strict=True, reason="known slip of the third-draw model (docs/methods.md): 'traitor' leans to support "
                   "because most labelled 'traitor' posts attack one member while backing the leader")
def test_known_slip_a_leader_called_traitor_reads_as_opposition() -> None:
    """Kept as a failing test, not reworded away: a plain attack on the party's leader is opposition.
    When a model or guide change fixes it, strict xfail turns this red so the note is removed."""
    from tests.test_content import _label

    _labels, pp = _label(UK, [{"text": "Corbyn is a disgrace and a traitor to this country"}], use_model=True)
    got = {(r["post_id"], r["party"]): r["stance"] for r in pp.to_pylist()}
    assert got[("0", "labour")] == "oppose"


def test_model_answers_are_the_same_in_forked_workers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import botwatch.content.stage as stage
    from tests.test_content import posts

    rows = [{"text": t} for t in ("Corbyn is a disgrace", "Theresa May gave a speech today", "Vote Labour, the Tories failed us", "UKIP and the Lib Dems lost seats")] * 5
    key = ["post_id", "party", "stance", "stance_rule", "stance_evidence", "sentiment"]
    serial = stage.Labeller.for_election(UK)
    serial.scorer.workers = 1
    _l1, a = serial.label(posts(rows))
    monkeypatch.setattr(stage, "MODEL_PARALLEL_MIN", 1)
    forked = stage.Labeller.for_election(UK)
    forked.scorer.workers = 2
    _l2, b = forked.label(posts(rows))
    assert a.select(key).to_pylist() == b.select(key).to_pylist()


def test_a_posts_sentiment_does_not_depend_on_which_copy_of_its_text_came_first() -> None:
    """Retweets of one text from different accounts match different parties (the retweeted
    account is a cue), so their sentiment features differ; the answer cache must key on that too,
    or each copy takes whichever was scored first and parallel runs disagree."""
    import botwatch.content.stage as stage
    from tests.test_content import posts

    text = "Nigel Farage being savage As usual"
    a = {"kind": "retweet", "ref_handle": "UKLabour", "text": text}
    b = {"kind": "retweet", "ref_handle": "someone_else", "text": text}

    def sentiments(rows: list[dict]) -> dict[str, float]:
        labels, _ = stage.Labeller.for_election(UK).label(posts(rows))
        return dict(zip(labels.column("post_id").to_pylist(), labels.column("sentiment").to_pylist()))

    first = sentiments([a, b])
    second = sentiments([b, a])
    assert (first["0"], first["1"]) == (second["1"], second["0"])


def test_parliament_words_place_cameron_in_the_uk_and_a_labour_of_love_is_no_party() -> None:
    # PMQs / FMQs / Thatcher are UK cues (added with the second training draw); without one, a
    # "Cameron" stays unmatched (American footballers and actors share the name).
    got = _named(UK, [
        "David Cameron hates PMQs as much as the next PM",
        "Thatcher's 'The Iron Lady' becomes Cameron's 'The Tin Man'",
        "LSU offensive coordinator Cam Cameron to take pay cut",
        "#ToAvoidWorkI take her back to bed - a labour of love",
    ])
    assert got == [{"conservative"}, {"conservative"}, set(), set()]


def test_camelcase_hashtags_give_their_words_with_the_party_masked() -> None:
    from botwatch.content.features import PartyNames, hashtag_words, pair_features

    assert hashtag_words("Vote #CrookedHillary #MAGA #ToriesOut #ge2017 #nhs") == "crooked hillary tories out ge 2017"
    names = PartyNames.of(US)
    text = "Again! #LiarHillary #SadTrumpFans"
    f = pair_features(text, names, "democrat", [], [], 2, "original", lambda t: 0.0, named=["democrat", "republican"])
    assert {"hw=liar", "hb=liar_tgt", "hb=sad_oth"} <= set(f)
    g = pair_features(text, names, "republican", [], [], 2, "original", lambda t: 0.0, named=["democrat", "republican"])
    assert {"hb=liar_oth", "hb=sad_tgt"} <= set(g)


def test_words_with_final_sigma_sharp_s_and_dotted_i_match_as_written() -> None:
    """A file's words were case-folded by Python (ß → ss, ς → σ, İ → i̇) and the posts lower-cased
    by Arrow (ß, ς kept, İ → i): Greek names ending in ς, "weiß" and "İYİ" matched no post."""
    from botwatch.elections.model import election_from_text

    text = "\n".join([
        'key = "gr-test"', 'name = "Βουλευτικές"', 'country = "GR"', 'timezone = "Europe/Athens"',
        "trigger_date = 2019-05-28", "polling_day = 2019-07-07",
        "[[parties]]", 'key = "nd"', 'name = "Νέα Δημοκρατία"', 'hashtags = ["Μητσοτάκης"]', 'keywords = ["Μητσοτάκης"]',
        "[[parties]]", 'key = "other"', 'name = "Andere"', 'keywords = ["weiß", "İYİ"]', 'tag_fragments = ["grüß"]',
    ])
    got = _named(election_from_text(text, "gr.toml"), [
        "ο Μητσοτάκης είπε", "ΜΗΤΣΟΤΆΚΗΣ ΤΩΡΑ", "σήμερα", "ganz weiß", "İYİ parti", "#GrüßGott", "weiss",
    ], [["Μητσοτάκης"], ["ΜΗΤΣΟΤΆΚΗΣ"], [], [], [], ["GrüßGott"], []])
    assert got == [{"nd"}, {"nd"}, set(), {"other"}, {"other"}, {"other"}, set()]


def test_combining_marks_belong_to_the_word_in_keywords_and_tag_fragments() -> None:
    """RE2's \\pL has no combining marks: a Hindi keyword matched inside a longer word after a vowel
    sign or anusvara ("मैंराहुल", "राहुलि"), and a tag fragment after a virama missed the
    hashtag ("#नरेंद्रमोदी")."""
    from botwatch.elections.model import election_from_text

    text = "\n".join([
        'key = "in-test"', 'name = "Lok Sabha"', 'country = "IN"', 'timezone = "Asia/Kolkata"',
        "trigger_date = 2019-03-10", "polling_day = 2019-05-19",
        "[[parties]]", 'key = "bjp"', 'name = "भाजपा"', 'keywords = ["भाजपा"]', 'tag_fragments = ["मोदी"]',
        "[[parties]]", 'key = "inc"', 'name = "कांग्रेस"', 'keywords = ["राहुल"]',
    ])
    got = _named(election_from_text(text, "in.toml"), ["#नरेंद्रमोदी जीतेंगे", "भाजपा जीतेगी", "राहुल बोले", "राहुलि", "मैंराहुल"])
    assert got == [{"bjp"}, {"bjp"}, {"inc"}, set(), set()]
