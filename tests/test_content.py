"""The content stage: election match, language, sentiment and stance, on synthetic and real posts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from botwatch.content.language import normalise_tag
from botwatch.content.match import compile_matcher, match_batch, party_mask, signal
from botwatch.content.normalize import norm_tag, strip_year
from botwatch.content.stage import Labeller
from botwatch.elections import load_election

UK = load_election("uk-ge2017")
US = load_election("us-2016")
WHEN = datetime(2017, 5, 20, 12, 0)


def posts(rows: list[dict]) -> pa.Table:
    """A `label_input`-shaped table from a few dicts (defaults fill the rest)."""
    base = {"platform": "twitter", "account_id": "a1", "created_at": WHEN, "text": "", "lang": "en", "kind": "original",
            "ref_handle": None, "hashtags": [], "mentions": [], "handle": "someone"}
    full = [{**base, "post_id": str(i), **r} for i, r in enumerate(rows)]
    schema = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                        ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
                        ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())])
    return pa.Table.from_pylist(full, schema=schema)


def test_tag_normalisation() -> None:
    assert norm_tag("#Vote_Labour") == norm_tag("votelabour") == "votelabour"
    assert strip_year("imwithher2016") == "imwithher" and strip_year("ge17") == "ge" and strip_year("2016") == "2016"


def test_match_signals_are_case_and_variant_insensitive() -> None:
    m = compile_matcher(UK)
    t = posts([
        {"hashtags": ["vote_LABOUR"], "text": "x"},                      # pro tag variant
        {"text": "The TORIES again", "hashtags": []},                    # keyword, case-folded
        {"text": "a labourer's lot", "hashtags": []},                    # not a whole word: no match
        {"mentions": ["uklabour"], "text": "hi"},                        # mention of an official account
        {"kind": "retweet", "ref_handle": "PeoplesMomentum", "text": "x"},  # retweet of an allied account
        {"handle": "Conservatives", "text": "x"},                        # the party's own account
        {"hashtags": ["GE2017"], "text": "x"},                           # election tag only
        {"text": "see https://example.com/labour-news", "hashtags": []},  # links are not text
    ])
    hits = match_batch(m, t)
    assert signal(m, hits, "labour", "pro_tag").tolist()[:1] == [True]
    assert signal(m, hits, "conservative", "topic_kw")[1]
    assert not party_mask(m, hits)[2].any()
    assert signal(m, hits, "labour", "mention_account")[3]
    assert signal(m, hits, "labour", "retweet_account")[4]
    assert signal(m, hits, "conservative", "own_account")[5]
    assert not party_mask(m, hits)[6].any() and hits[6, m.slot("_election", "topic_tag")]
    assert not party_mask(m, hits)[7].any()


def test_year_suffix_variant_matches_the_base_tag() -> None:
    m = compile_matcher(US)
    hits = match_batch(m, posts([{"hashtags": ["HillaryForPrison2016"], "text": "x", "created_at": datetime(2016, 10, 1)}]))
    assert signal(m, hits, "democrat", "anti_tag")[0]


def _label(election, rows, use_model: bool = False):  # type: ignore[no-untyped-def]
    """Label with the cue rules alone (the trained model replaces the weak rules; tested apart)."""
    lab = Labeller.for_election(election, use_model=use_model)
    return lab.label(posts(rows))


def test_stance_rules_fire_in_order() -> None:
    labels, pp = _label(UK, [
        {"hashtags": ["VoteLabour"], "text": "Out on the doorstep today #VoteLabour"},
        {"hashtags": ["DementiaTax"], "text": "Pensioners will pay #DementiaTax"},
        {"kind": "retweet", "ref_handle": "jeremycorbyn", "text": "We will build a million homes"},
        {"hashtags": ["VoteLabour"], "text": "The Tories have failed us #VoteLabour"},   # rival pro cue → oppose Tories
        {"text": "Theresa May is a wonderful, brilliant and inspiring leader", "hashtags": []},
        {"text": "Labour and the Tories both published costings today", "hashtags": []},
        {"text": "Die Tories sind schrecklich", "lang": "de", "hashtags": []},
        {"handle": "UKLabour", "text": "The Tories have held the North back", "hashtags": []},  # a party's own account on a rival
    ])
    got = {(r["post_id"], r["party"]): (r["stance"], r["stance_rule"]) for r in pp.to_pylist()}
    assert got[("0", "labour")] == ("support", "pro_hashtag")
    assert got[("1", "conservative")] == ("oppose", "anti_hashtag")
    assert got[("2", "labour")] == ("support", "retweets_party_account")
    assert got[("3", "conservative")] == ("oppose", "rival_pro_cue") and got[("3", "labour")][0] == "support"
    assert got[("4", "conservative")] == ("support", "sentiment_single_party")
    assert got[("5", "labour")] == ("neutral", "no_cue") and got[("5", "conservative")] == ("neutral", "no_cue")
    # Non-English: no sentiment, so no sentiment-based stance either.
    assert got[("6", "conservative")] == ("neutral", "no_cue")
    assert got[("7", "labour")] == ("support", "own_account") and got[("7", "conservative")] == ("oppose", "rival_pro_cue")
    sent = dict(zip(labels.column("post_id").to_pylist(), labels.column("sentiment").to_pylist()))
    assert sent["6"] is None and sent["4"] > 0.5


def test_language_prefers_the_post_tag_and_detects_otherwise() -> None:
    assert normalise_tag("en-GB") == "en" and normalise_tag("und") is None and normalise_tag("Catalan") == "ca"
    labels, _ = _label(UK, [
        {"text": "Das ist eine Wahl, und wir werden sehen, was die Leute denken", "lang": None},
        {"text": "This election is about the future of our country and our children", "lang": "und"},
        {"text": "whatever the text says", "lang": "fr"},
        {"text": "https://t.co/abc", "lang": None},
    ])
    rows = labels.to_pylist()
    assert (rows[0]["lang"], rows[0]["lang_source"]) == ("de", "py3langid") and rows[0]["sentiment"] is None
    assert (rows[1]["lang"], rows[1]["lang_source"]) == ("en", "py3langid") and rows[1]["sentiment"] is not None
    assert (rows[2]["lang"], rows[2]["lang_source"]) == ("fr", "post") and rows[2]["sentiment"] is None
    assert rows[3]["lang"] is None and rows[3]["lang_source"] is None


def test_window_decides_in_election() -> None:
    labels, pp = _label(UK, [
        {"hashtags": ["GE2017"], "text": "x", "created_at": datetime(2017, 6, 9, 22, 59)},  # 23:59 BST on the last day
        {"hashtags": ["GE2017"], "text": "x", "created_at": datetime(2017, 6, 9, 23, 0)},   # next day locally
        {"hashtags": [], "text": "nothing to see", "created_at": WHEN},
    ])
    assert labels.column("in_election").to_pylist() == [True, False, False]
    assert labels.column("topic_match").to_pylist() == [True, True, False]


def test_sentiment_scoring_in_parallel_matches_serial() -> None:
    from botwatch.content.sentiment import SentimentScorer

    texts = pa.array(["I love this", "I hate this", "meh", "I love this", None, "Great news!!"])
    english = np.array([True, True, True, True, True, False])
    serial = SentimentScorer(workers=1).batch(texts, english).to_pylist()
    parallel = SentimentScorer(workers=2, parallel_min=1).batch(texts, english).to_pylist()
    assert serial == parallel
    assert serial[0] > 0 > serial[1] and serial[4] is None and serial[5] is None and serial[0] == serial[3]


@pytest.fixture()
def labelled_study(labelled_sample_copy: Path):  # type: ignore[no-untyped-def]
    """The sample labelled for us-2016 by the session's one content-stage run (a private copy)."""
    from botwatch import open_study

    with open_study(labelled_sample_copy, read_only=False) as st:
        yield st


def test_stage_on_the_bundled_sample(labelled_study) -> None:  # type: ignore[no-untyped-def]
    """The labels of the stage's run on the sample, then the stage run again through the pipeline:
    the same rows, none twice. (The first run is the session's `labelled_sample_path`; it ran
    here, twice, before.)"""
    from botwatch.pipeline import Context, analyze

    sample_study = labelled_study
    ctx = Context(election=US, log=lambda m: None)
    q = sample_study.sql
    assert q("SELECT count(*) FROM post_labels")[0][0] == q("SELECT count(*) FROM posts")[0][0]
    # Sentiment is NULL exactly where the language is not English.
    assert q("SELECT count(*) FROM post_labels WHERE (lang = 'en') <> (sentiment IS NOT NULL) AND lang IS NOT NULL")[0][0] == 0
    assert q("SELECT count(*) FROM post_labels WHERE lang IS NULL AND sentiment IS NOT NULL")[0][0] == 0
    in_el = q("SELECT count(*) FROM post_labels WHERE in_election")[0][0]
    assert in_el > 1000  # IRA accounts talked about the election a lot in autumn 2016
    stances = dict(q("SELECT stance, count(*) FROM post_party WHERE in_election GROUP BY 1"))
    assert set(stances) <= {"support", "oppose", "neutral"} and stances.get("support", 0) > 0 and stances.get("oppose", 0) > 0
    # IRA right-wing trolls: more support than opposition for the Republican ticket, the reverse for Clinton.
    by = dict(((p, s), n) for p, s, n in q("SELECT party, stance, count(*) FROM post_party WHERE in_election GROUP BY ALL"))
    assert by[("republican", "support")] > by[("republican", "oppose")]
    assert by[("democrat", "oppose")] > by[("democrat", "support")]
    # Every post_party row belongs to a labelled post that lists the party.
    assert q("SELECT count(*) FROM post_party pp JOIN post_labels pl USING (platform, post_id) WHERE NOT list_contains(pl.parties, pp.party)")[0][0] == 0
    before = q("SELECT party, stance, stance_rule, count(*) FROM post_party GROUP BY ALL ORDER BY ALL")
    res = analyze(sample_study, ctx, only=["content"])
    assert res[0][1] == "ok"
    assert q("SELECT party, stance, stance_rule, count(*) FROM post_party GROUP BY ALL ORDER BY ALL") == before


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402

_UK_MATCHER = compile_matcher(UK)
_PRO = [(p.key, h) for p in UK.parties for h in p.hashtags_pro]


@settings(max_examples=60, deadline=None)
@given(choice=hs.sampled_from(_PRO), flips=hs.lists(hs.booleans(), min_size=30, max_size=30), sep=hs.sampled_from(["", "_", "-"]), cut=hs.integers(1, 5))
def test_pro_hashtag_variants_always_match(choice, flips, sep, cut) -> None:  # type: ignore[no-untyped-def]
    """Any casing of a preset's pro hashtag, with a separator inserted, still names its party as pro."""
    party, tag = choice
    varied = "".join(c.upper() if f else c.lower() for c, f in zip(tag, flips + [False] * len(tag)))
    k = min(cut, len(varied) - 1)
    varied = varied[:k] + sep + varied[k:]
    hits = match_batch(_UK_MATCHER, posts([{"hashtags": [varied], "text": "x"}]))
    assert signal(_UK_MATCHER, hits, party, "pro_tag")[0]


def test_a_party_handle_names_an_account_of_its_own_platform_only() -> None:
    """The presets' party handles are Twitter's: a Mastodon "UKLabour" of any instance, or a Bluesky
    "conservatives", posting or boosted or mentioned, was the party's own account, its posts the
    party's support. A Bluesky handle (a domain) or a Mastodon user@server names that platform's."""
    from botwatch.elections.model import election_from_text

    m = compile_matcher(UK)
    t = posts([
        {"platform": "mastodon", "handle": "UKLabour", "text": "x"},
        {"platform": "mastodon", "handle": "UKLabour@mastodon.social", "text": "x"},
        {"platform": "mastodon", "kind": "retweet", "ref_handle": "PeoplesMomentum", "text": "x"},
        {"platform": "mastodon", "mentions": ["uklabour"], "text": "hi"},
        {"platform": "bluesky", "handle": "conservatives", "text": "x"},
        {"platform": "x", "handle": "Conservatives", "text": "x"},
        {"platform": "twitter", "kind": "retweet", "ref_handle": "PeoplesMomentum", "text": "x"},
    ])
    hits = match_batch(m, t)
    assert party_mask(m, hits)[:5].tolist() == [[False] * len(m.parties)] * 5
    assert signal(m, hits, "conservative", "own_account")[5] and signal(m, hits, "labour", "retweet_account")[6]

    mine = election_from_text(UK.text.replace('official_accounts = ["', 'official_accounts = ["uklabour.bsky.social", "@UKLabour@mastodon.social", "', 1), "mine.toml")
    m = compile_matcher(mine)
    t = posts([
        {"platform": "bluesky", "handle": "UKLabour.bsky.social", "text": "x"},
        {"platform": "mastodon", "handle": "uklabour@mastodon.social", "text": "x"},
        {"platform": "mastodon", "kind": "retweet", "ref_handle": "UKLabour@mastodon.social", "text": "x"},
        {"platform": "twitter", "handle": "uklabour.bsky.social", "text": "x"},
        {"platform": "mastodon", "handle": "uklabour.bsky.social", "text": "x"},
    ])
    hits = match_batch(m, t)
    assert signal(m, hits, "labour", "own_account").tolist() == [True, True, False, False, False]
    assert signal(m, hits, "labour", "retweet_account").tolist() == [False, False, True, False, False]


def test_a_listed_mastodon_account_matches_its_posts_on_its_own_instance() -> None:
    """A Mastodon account's handle on the instance it was collected on is its bare `acct`
    ("UKLabour"), its profile URL naming the instance: a file listing "@UKLabour@a.social" matched
    none of its posts nor boosts of them collected there, only those seen from other instances."""
    from botwatch.elections.model import election_from_text

    mine = election_from_text(UK.text.replace('official_accounts = ["', 'official_accounts = ["@UKLabour@a.social", "', 1), "mine.toml")
    m = compile_matcher(mine)
    rows = [
        {"platform": "mastodon", "handle": "UKLabour", "account_id": "https://a.social/@UKLabour", "text": "x"},
        {"platform": "mastodon", "kind": "retweet", "ref_handle": "UKLabour", "ref_account_id": "https://a.social/@UKLabour", "text": "x"},
        {"platform": "mastodon", "handle": "UKLabour", "account_id": "https://b.social/@UKLabour", "text": "x"},
        {"platform": "mastodon", "kind": "retweet", "ref_handle": "UKLabour", "ref_account_id": "https://b.social/@UKLabour", "text": "x"},
        {"platform": "twitter", "handle": "UKLabour", "account_id": "https://a.social/@UKLabour", "text": "x"},
    ]
    t = posts(rows).append_column("ref_account_id", pa.array([r.get("ref_account_id") for r in rows], pa.string()))
    hits = match_batch(m, t)
    assert signal(m, hits, "labour", "own_account").tolist() == [True, False, False, False, True]
    assert signal(m, hits, "labour", "retweet_account").tolist() == [False, True, False, False, False]
