"""The content stage's sixth round of shortcuts must give the very answers of the code they
replace (docs/performance.md, "sixth pass"):

- VADER (`vader_fast`): each token's lower-cased word looked up in a cache (`_Lows`), capitals
  read from the tokens, the three looks back written out with a cached negation test, the
  sifting over the nonzero scores only, and `scores` without the dict. Checked bit for bit
  against the library on generated texts that exercise every rule, with the caches full too.
- py3langid's transition table viewed in place (`langid_batch._transitions`), not widened.
- `Study.map_arrow`'s staging inserts in one transaction.

Each test fails when its shortcut diverges from the plain code."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from vaderSentiment import vaderSentiment as V

from botwatch import open_study
from botwatch.content import vader_fast
from botwatch.content.sentiment import POLITICAL_LEXICON
from botwatch.content.vader_fast import FastAnalyzer

# The words VADER's rules turn on: lexicon words of both signs (and political ones scored 0.0),
# boosters and dampeners, negations (with and without "n't"), the words of idioms and "kind of",
# "least", "never so / this", "without doubt", "but", "no", plus fillers and emoticon-like tokens.
WORDS = (
    "good great love hate bad awful win party free corrupt liar traitor happy sad ok fine hope "
    "very extremely barely slightly kinda totally so this never without doubt not isn't don't "
    "wouldn't've ain't no nor or least at kind of but the a vote election today bomb shit cut "
    "mustard hand fist yeah right kiss death die for bad ass sort cool"
).split()
PUNCT = ["", "", "", "!", "!!!", "?", "??", ".", ",", "'", '"', ":", "#", "@", "...", "-"]
ODD = [":)", ":-(", "<3", "xD", "İSTANBUL", "ǅemal", "ß", "ﬁne", "GOOD!!", "'not'", "—", "😂"]


def _texts(n: int, seed: int) -> list[str]:
    """Random texts over WORDS, each token cased, wrapped in punctuation or odd at random."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        toks = []
        for _ in range(rng.randint(0, 14)):
            if rng.random() < 0.06:
                toks.append(rng.choice(ODD))
                continue
            w = rng.choice(WORDS)
            r = rng.random()
            w = w.upper() if r < 0.2 else w.title() if r < 0.3 else w
            toks.append(rng.choice(PUNCT[:6]) + w + rng.choice(PUNCT))
        out.append(rng.choice(["", " ", "  "]).join(toks) if toks else rng.choice(["", " ", "!!"]))
    return out


@pytest.fixture(scope="module")
def library(vader_library_left_to_right: None) -> V.SentimentIntensityAnalyzer:
    slow = V.SentimentIntensityAnalyzer()
    slow.lexicon.update(POLITICAL_LEXICON)
    return slow


def _fast() -> FastAnalyzer:
    fast = FastAnalyzer()
    fast.lexicon.update(POLITICAL_LEXICON)
    return fast


def test_fast_vader_equals_the_library_on_texts_that_exercise_every_rule(library) -> None:  # type: ignore[no-untyped-def]
    fast = _fast()
    texts = _texts(6000, seed=61)
    # A second pass meets every token in the caches (`_Lows`, `_NEGS`), the first mostly not.
    for _ in range(2):
        differ = [t for t in texts if repr(library.polarity_scores(t)) != repr(fast.polarity_scores(t))]
        assert differ == []
    assert len(fast._lows) > 100


def test_fast_vader_scores_are_polarity_scores_without_the_dict() -> None:
    fast = _fast()
    for t in _texts(500, seed=62):
        d = fast.polarity_scores(t)
        assert repr(fast.scores(t)) == repr((d["compound"], d["pos"], d["neg"], d["neu"]))


def test_fast_vader_with_its_caches_full_still_equals_the_library(library, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """At `_MAX_TOKENS` the caches start again (here after every word): scores unchanged."""
    monkeypatch.setattr(vader_fast, "_MAX_TOKENS", 1)
    monkeypatch.setattr(vader_fast, "_NEGS", vader_fast._Negated())
    fast = _fast()
    texts = _texts(1500, seed=63)
    assert [repr(library.polarity_scores(t)) for t in texts] == [repr(fast.polarity_scores(t)) for t in texts]
    assert len(fast._lows) <= 1 and len(vader_fast._NEGS) <= 1


def test_a_token_is_upper_exactly_when_its_word_is() -> None:
    """Capitals are read from the tokens: stripping the punctuation around a word never changes
    `isupper` (the characters stripped are uncased)."""
    for t in _texts(300, seed=64):
        for tok in t.split():
            assert tok.isupper() == vader_fast._word(tok).isupper()


def test_langid_transitions_are_viewed_in_place_with_the_same_values() -> None:
    from botwatch.content.langid_batch import _transitions

    for code in ("H", "I", "L"):
        a = array(code, [0, 1, 255, 40_000, 65_535])
        got = _transitions(a)
        assert np.shares_memory(got, np.frombuffer(a, dtype=got.dtype))
        assert got.tolist() == np.asarray(a, dtype=np.int64).tolist()
    assert _transitions([3, 1, 2]).tolist() == [3, 1, 2]  # anything else: a widened copy


def test_map_arrow_stages_every_batch_in_one_transaction(tmp_path: Path) -> None:
    """Another connection sees no staged row until the last batch is in (each batch committed on
    its own went through the write-ahead log); the rows and their order are unchanged."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        staged: list[int] = []
        other = st.con.cursor()

        def look(batch: pa.RecordBatch) -> pa.Table:
            names = [r[0] for r in other.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_botwatch_map_%'").fetchall()]
            staged.append(sum(other.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names))
            return pa.Table.from_batches([batch])

        st.map_arrow("SELECT n FROM nums ORDER BY n", look, pa.schema([("n", pa.int64())]), "out", batch_rows=3)
        other.close()
        assert len(staged) >= 3 and staged == [0] * len(staged)
        assert [r[0] for r in st.sql("SELECT n FROM out")] == list(range(10))


def test_map_arrow_failing_midway_rolls_back_and_keeps_the_previous_table(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.write_table("nums", pa.table({"n": pa.array(range(10), pa.int64())}))
        st.write_table("out", pa.table({"n": pa.array([42], pa.int64())}))
        calls = []

        def third_fails(batch: pa.RecordBatch) -> pa.Table:
            calls.append(1)
            if len(calls) == 3:
                raise ValueError("labeller failed")
            return pa.Table.from_batches([batch])

        with pytest.raises(ValueError):
            st.map_arrow("nums", third_fails, pa.schema([("n", pa.int64())]), "out", batch_rows=3)
        assert st.sql("SELECT n FROM out") == [(42,)]
        assert not [t for t in st.tables() if t.startswith("_botwatch")]
        # The study's connections are usable afterwards (no transaction left open).
        st.map_arrow("nums", lambda b: pa.Table.from_batches([b]), pa.schema([("n", pa.int64())]), "out", batch_rows=3)
        assert st.sql("SELECT count(*) FROM out") == [(10,)]


def _hashtag_posts(election, rng: random.Random, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Posts whose CamelCase hashtags hold party names, fragments, placeholders' neighbours and
    plain words, so the hashtag words are masked (or not) in every way."""
    from tests.test_content_speed_exact3 import _fixture_texts

    parts = ["Vote", "Out", "Never", "Tgt", "Oth", "Strong", "And", "Stable", "Crooked", "Lock", "Her", "Up", "The", "Many", "2017"]
    for p in election.parties:
        parts += [w.title().replace(" ", "") for w in p.keywords + p.keywords_context][:6] + [f.title() for f in p.tag_fragments][:3]
    posts = []
    for _ in range(n):
        tags = ["#" + "".join(rng.choices(parts, k=rng.randint(1, 4))) for _ in range(rng.randint(0, 3))]
        posts.append(" ".join(tags + rng.choices(["good", "vote", "today", "#GE2017", "@someone", "lies"], k=rng.randint(0, 4))))
    return posts + _fixture_texts()


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
@pytest.mark.parametrize("vocab", [True, False])
def test_hashtag_ngrams_kept_per_hashtag_words_equal_the_plain_path(preset: str, vocab: bool) -> None:
    """`masked_hashtag_ngrams` (kept per hashtag words, party and named parties) against
    masking, tokenising and filtering each feature set's hashtag words anew, for the post's set
    (party None) and each named party's, asked twice (the second time from the cache)."""
    from botwatch.content import features as F
    from botwatch.content.modelrun import shipped_models
    from botwatch.elections import load_election

    election = load_election(preset)
    cached, plain = F.PartyNames.of(election), F.PartyNames.of(election)
    if vocab:
        models = shipped_models()
        assert models is not None
        keys = [k for m in models for k in m.index]
        cached.use_vocab(keys, len(election.parties))
        plain.use_vocab(keys, len(election.parties))
    rng = random.Random(66)
    parties = [p.key for p in election.parties]
    checked = 0
    for raw in _hashtag_posts(election, rng, 1500):
        named = rng.sample(parties, k=rng.randint(0, min(3, len(parties))))
        for _ in range(2):
            for party in [None, *named]:
                want = F.known_ngram_features(F.tokens(F.masked_hashtag_words(raw, plain, party, named)), plain, "h")
                plain._hw_ngrams.clear()
                assert F.masked_hashtag_ngrams(raw, cached, party, named) == want, (raw, party, named)
                checked += bool(want)
    assert checked > 500 and len(cached._hw_ngrams) > 50


def test_hashtag_ngrams_follow_a_new_vocabulary() -> None:
    """A vocabulary set after answers were kept empties them (an answer reads the vocabulary)."""
    from botwatch.content import features as F
    from botwatch.elections import load_election

    names = F.PartyNames.of(load_election("uk-ge2017"))
    raw = "#CrookedHillary #VoteLabourNow"
    every = F.masked_hashtag_ngrams(raw, names, "labour", ["labour"])
    assert "hw=crooked" in every
    names.use_vocab(["hw=hillary"])
    assert F.masked_hashtag_ngrams(raw, names, "labour", ["labour"]) == ["hw=hillary"]


def test_the_model_steps_sentiment_score_rounds_as_round_does() -> None:
    """`stage._model_step` writes a post's model sentiment as `round_scalar(max(0.05, margin), 4)`
    (or the negative side) with the margin taken from `item`: the same floats as `float(p[pos] -
    p[neg])` and `round`, margins near a rounding tie included."""
    from botwatch.exact_round import round_scalar as _round

    rng = np.random.default_rng(67)
    p = rng.dirichlet([1.0, 1.0, 1.0], size=20_000)
    ties = np.array([[0.5 + t / 2, 0.5 - t / 2, 0.0] for t in (0.00005, 0.12345, 0.99995, 0.05, 0.04995, 0.250005)])
    for pr in np.vstack([p, ties, ties[:, [1, 0, 2]]]):
        old = float(pr[0] - pr[1])
        new = pr.item(0) - pr.item(1)  # (`item` gives Python floats: the same IEEE subtraction as `old`)
        assert repr(_round(max(0.05, new), 4)) == repr(round(max(0.05, old), 4))
        assert repr(_round(min(-0.05, new), 4)) == repr(round(min(-0.05, old), 4))


def test_vader_word_caches_start_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real talk keeps bringing new tokens (429k distinct in 300k IRA posts): the per-token caches
    must stay bounded and still learn a word first met after the bound was reached (a cache that
    merely stopped growing would recompute that word for every later post)."""
    from botwatch.content import vader_fast as vf

    monkeypatch.setattr(vf, "_MAX_TOKENS", 50)
    lows, negs = vf._Lows(), vf._Negated()
    for i in range(500):
        assert lows[f"Tok{i}!"] == f"tok{i}"
        assert negs[f"tok{i}"] is False
    assert len(lows) <= 50 and len(negs) <= 50
    assert lows["Terrible"] == "terrible" and "Terrible" in lows
    assert negs["isn't"] is True and "isn't" in negs
