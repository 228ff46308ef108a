"""The content stage's fourth round of shortcuts must give the very answers of the plain code:
only the n-gram strings a model may know are built at run time (`PartyNames.use_vocab`,
`features.known_ngram_features`), checked against building every n-gram and letting the model
skip the ones it does not know. Each test fails if the shortcut drops a string a model knows,
reorders the features a model reads or changes a value."""

from __future__ import annotations

import random

import pytest

from botwatch.content import features as F
from botwatch.content.modelrun import ContentModelInputs, shipped_models
from botwatch.content.sentiment import SentimentScorer
from botwatch.elections import load_election
from tests.test_content import posts
from tests.test_content_speed_exact3 import _fixture_texts, _pieces

# Keys no shipped model holds that test the corners: tokens holding "_" (a bigram splits at any
# of its underscores), "tgt" / "oth" beside a word (stand-ins become them), hashtag-word n-grams.
EXTRA = ("b=a_b_c", "b=a_b", "b=x__y", "b=tgt_vote", "b=vote_oth", "b=oth_tgt", "w=tgt", "hw=crooked", "hb=crooked_tgt", "b=_x", "b=x_")


def _model_keys() -> frozenset[str]:
    models = shipped_models()
    assert models is not None
    return frozenset(k for m in models for k in m.index)


def _known(feats: dict[str, float], keys: frozenset[str]) -> list[tuple[str, float]]:
    """What a linear model reads of a feature dict: its known features, in the dict's order."""
    return [(k, v) for k, v in feats.items() if k in keys]


def test_known_ngrams_are_every_known_ngram_in_order() -> None:
    keys = _model_keys() | set(EXTRA)
    names = F.PartyNames.of(load_election("uk-ge2017"))
    names.use_vocab(keys)
    rng = random.Random(40)
    words = ["a", "b", "c", "a_b", "b_c", "x", "_x", "x_", "", "y", "_y", "vote", "tgt", "oth", "the", "crooked", "!", "#tory", "'s"]
    words += [k.split("=", 1)[1] for k in rng.sample(sorted(k for k in keys if "=" in k), 200)]  # n-gram keys; dense ones (vader_pos …) have no "="
    dropped = 0
    for _ in range(4000):
        toks = [w for w in rng.choices(words, k=rng.randint(0, 12)) if w]
        for prefix in ("", "h"):
            full = F.ngram_features(toks, prefix)
            got = F.known_ngram_features(toks, names, prefix)
            assert got == [x for x in full if x in keys], (toks, prefix)
            dropped += len(full) - len(got)
    assert dropped > 1000
    plain = F.PartyNames.of(load_election("uk-ge2017"))  # no vocabulary: every n-gram
    assert F.known_ngram_features(["a", "b"], plain) == F.ngram_features(["a", "b"])


@pytest.mark.parametrize("holders", [256, 2])
@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_masked_ngrams_with_a_vocabulary_keep_every_known_string(preset: str, holders: int) -> None:
    """Through the template's stand-ins (filled with tgt / oth after the test) too, and for posts
    naming more parties than the vocabulary's stand-ins cover."""
    election = load_election(preset)
    keys = _model_keys() | set(EXTRA)
    names, plain = F.PartyNames.of(election), F.PartyNames.of(election)
    names.use_vocab(keys, holders)
    parties = [p.key for p in election.parties]
    rng = random.Random(41)
    pieces = _pieces(election) + ["vote", "a_b", "c"]
    texts = [F.clean_text(t) for t in _fixture_texts()]
    texts += [rng.choice([" ", "", "  ", "#", "-"]).join(rng.choices(pieces, k=rng.randint(1, 14))) for _ in range(2500)]
    masked_known = 0
    for text in texts:
        only = rng.sample(parties, k=rng.randint(1, min(3, len(parties))))
        for party in [None, *only]:
            got = F.masked_ngrams(text, names, party, only)
            want = F.masked_ngrams(text, plain, party, only)
            assert [x for x in got if x in keys] == [x for x in want if x in keys], (text, party, only)
            assert set(got) <= set(want)
            masked_known += any(("tgt" in x or "oth" in x) for x in got if x in keys)
    assert masked_known > 500


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_feature_sets_and_answers_equal_the_full_ones(preset: str) -> None:
    """Whole post and pair feature sets as the stage builds them, and both models' answers with
    their evidence, against the same sets built with every n-gram."""
    election = load_election(preset)
    models = shipped_models()
    assert models is not None
    stance, sentiment = models
    keys = _model_keys()
    table = posts([{"text": t} for t in _fixture_texts()])
    scorer = SentimentScorer(workers=1)
    full = ContentModelInputs.build(election, table, scorer=scorer)
    fast = ContentModelInputs.build(election, table, scorer=scorer)
    fast.names.use_vocab(keys)
    post_full, post_fast, pair_full, pair_fast = [], [], [], []
    for row in range(len(full.texts)):
        post_full.append(full.post_features(row))
        post_fast.append(fast.post_features(row))
        assert _known(post_fast[-1], set(sentiment.index)) == _known(post_full[-1], set(sentiment.index))
        for party in full.named_parties(row):
            pair_full.append(full.pair_features(row, party))
            pair_fast.append(fast.pair_features(row, party))
            assert _known(pair_fast[-1], set(stance.index)) == _known(pair_full[-1], set(stance.index))
    assert len(pair_full) > 50
    assert sum(map(len, post_fast)) < sum(map(len, post_full))  # something was left out
    for model, a, b in ((sentiment, post_full, post_fast), (stance, pair_full, pair_fast)):
        for (c1, p1, t1), (c2, p2, t2) in zip(model.predict_many(a), model.predict_many(b)):
            assert c1 == c2 and t1 == t2 and p1.tobytes() == p2.tobytes()


def test_idiom_shortcut_scores_what_the_library_scores(vader_library_left_to_right: None) -> None:
    """VADER's idiom check skipped where no two neighbouring words belong to one idiom or booster
    (`vader_fast._IDIOM_PAIRS`): texts built from idiom words, lexicon words and fillers score
    exactly as the library scores them."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from botwatch.content.vader_fast import _BOOSTER, _SPECIAL, FastAnalyzer

    slow, fast = SentimentIntensityAnalyzer(), FastAnalyzer()
    idiom_words = sorted({w for k in [*_SPECIAL, *_BOOSTER] for w in k.split()})
    words = idiom_words + ["good", "bad", "great", "awful", "love", "hate", "not", "never", "so", "this", "very", "vote", "tgt", "BAD", "Great!", "x"]
    rng = random.Random(42)
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(6000)]
    texts += [" ".join(k.split()) + " " + " ".join(rng.choices(words, k=3)) for k in [*_SPECIAL, *_BOOSTER] if " " in k for _ in range(3)]
    for text in texts:
        assert fast.polarity_scores(text) == slow.polarity_scores(text), text


def test_fast_round_equals_round_bit_for_bit() -> None:
    import math
    import struct

    from botwatch.exact_round import round_scalar as _round

    rng = random.Random(43)
    grid = [k / 2000 for k in range(-2000, 2001)] + [k / 20000 for k in range(-20000, 20001)]
    xs = [rng.uniform(-1, 1) for _ in range(50000)] + grid + [math.nextafter(x, d) for x in grid for d in (2.0, -2.0)]
    xs += [0.0, -0.0, 1e-300, -1e-300, 0.0005, -0.0005, 0.00005, -0.00005, 1.0, -1.0, 1.5, -7.25, float("inf"), float("-inf")]
    for x in xs:
        for digits in (3, 4):
            assert struct.pack("d", _round(x, digits)) == struct.pack("d", round(x, digits)), (x, digits)
    assert math.isnan(_round(float("nan"), 3))
