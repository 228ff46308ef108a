"""The faster VADER (botwatch.content.vader_fast) must give exactly the library's scores: the
content stage's outputs may not move when it is swapped in."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from botwatch.content.sentiment import POLITICAL_LEXICON, analyzer, clean
from botwatch.content.vader_fast import FastAnalyzer

FIXTURES = Path(__file__).parent / "fixtures" / "content"

# Each exercises one rule the overrides touch: negation one, two and three words back ("n't",
# "never so", "without doubt"), idioms and booster bigrams, "kind of", "but", capitals, emoji
# (the slow path), "least", punctuation emphasis, and texts with nothing to score.
EDGE = [
    "", "   ", "not good", "isn't good", "ISN'T GOOD at all", "never so good", "never this bad", "so this great",
    "without doubt great", "without any doubt awful", "kind of bad", "it was kind of", "the shit is good",
    "this is the bomb", "bad ass move", "yeah right, great", "a kiss of death for them", "to die for",
    "sort of cool", "I don't love it but it's ok", "NOT BAD at all!!!", "no no no good", "no or nor good",
    "least good", "at least good", "very least good", "😂😂 happy", "great 👍 news 😡", "lol ?? !!",
    "Corrupt traitors win", "that wouldn't've been good", "they shouldn't've won", "ain't it grand", "they are not the party of hope", "İSTANBUL not good", "kinda great tbh",
]


def _posts() -> list[str]:
    out: list[str] = []
    for name in ("ira_stance_posts.csv", "train_stance_posts.csv"):
        with open(FIXTURES / name, encoding="utf-8", newline="") as f:
            out += [r["content"] for r in csv.DictReader(f)]
    return out


@pytest.fixture(scope="module")
def pair(vader_library_left_to_right: None) -> tuple[SentimentIntensityAnalyzer, FastAnalyzer]:
    slow, fast = SentimentIntensityAnalyzer(), FastAnalyzer()
    slow.lexicon.update(POLITICAL_LEXICON)
    fast.lexicon.update(POLITICAL_LEXICON)
    return slow, fast


def test_fast_vader_scores_equal_the_library_on_real_posts_and_edge_cases(pair) -> None:  # type: ignore[no-untyped-def]
    slow, fast = pair
    texts = _posts()
    assert len(texts) > 1000
    texts += [clean(t) for t in texts] + [t.upper() for t in texts[:200]] + EDGE
    differ = [t for t in texts if slow.polarity_scores(t) != fast.polarity_scores(t)]
    assert differ == []


def test_valences_are_added_left_to_right_on_every_python(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A post's compound score adds its valences one after another (Python 3.11's `sum`, the
    models' training data), whatever the interpreter's builtin `sum` does: 3.12's compensated
    one (stood in for here by `math.fsum`, so the check bites on 3.11 too) would make 1e16 + 1 -
    1e16 one, not zero, and the compound 0.25."""
    import math

    from botwatch.content import vader_fast

    monkeypatch.setattr(vader_fast, "sum", math.fsum, raising=False)
    assert vader_fast.sum_left_to_right([0.1, 0.2, 0.3]) == 0.1 + 0.2 + 0.3 != math.fsum([0.1, 0.2, 0.3])
    assert vader_fast._score_valence([1e16, 1.0, -1e16], "")[0] == 0.0
    assert vader_fast._score_valence([1e16, 1.0, -1e16, 0], "")[0] == 0.0


def test_the_stage_uses_the_fast_analyzer() -> None:
    assert isinstance(analyzer(), FastAnalyzer)


def test_emoji_texts_take_the_library_steps_too(pair) -> None:  # type: ignore[no-untyped-def]
    """Emoji are replaced by their descriptions before scoring (the fast path does it too)."""
    slow, fast = pair
    texts = ["😂", " 😂 ", "a😂b", "a 😂 b", "😂😂😂 not good", "great!😡", "©2016 good", "NOT 😂 FUNNY but ok 👍👍"]
    assert all(fast.has_emoji(t) for t in texts)
    assert [slow.polarity_scores(t) for t in texts] == [fast.polarity_scores(t) for t in texts]


def test_fast_vader_scores_equal_the_library_on_real_election_tweets(pair, shared_data) -> None:  # type: ignore[no-untyped-def]
    """Ordinary Brexit tweets and IRA tweets (emoji, capitals, hashtags, other scripts): the
    first 4,000 of each, every score bit for bit (repr tells -0.0 from 0.0)."""
    import gzip

    slow, fast = pair
    texts: list[str] = []
    for path, column in ((shared_data / "ordinary" / "brexit-2016" / "tweets.csv.gz", "text"), (shared_data / "ira" / "tweets.csv.gz", "content")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i == 4000:
                    break
                texts.append(clean(row[column] or ""))
    assert sum(fast.has_emoji(t) for t in texts) > 10
    differ = [t for t in texts if repr(slow.polarity_scores(t)) != repr(fast.polarity_scores(t))]
    assert differ == []
