"""VADER with the same answers, fewer wasted steps: the content stage's largest single cost.

vaderSentiment 3.3.2 lower-cases the whole post once per word it checks for negation or idioms
(`_negation_check` and `_special_idioms_check` each rebuild the lower-cased word list, so a post
of n words costs O(n^2) `str.lower` calls), tests negation by scanning a 60-word list, and copies
every post character by character to replace emoji even when there is none. The overrides below
read only the words those checks index, test negation against a set, and skip the emoji copy when
the text holds no emoji character; words outside the lexicon (most of a post) get their 0 without
a call into `sentiment_valence`. Every score is bit-for-bit VADER's own:
tests/test_content_vader_fast.py compares both on real posts and on edge cases.
"""

from __future__ import annotations

from typing import Any

from vaderSentiment import vaderSentiment as _v

_NEGATE = frozenset(_v.NEGATE)
_N_SCALAR = _v.N_SCALAR
_SPECIAL = _v.SPECIAL_CASES
_BOOSTER = _v.BOOSTER_DICT


def _negated(word: str) -> bool:
    """`vaderSentiment.negated([word])` for one word (which lower-cases it again, as here)."""
    word = word.lower()
    return word in _NEGATE or "n't" in word


class FastAnalyzer(_v.SentimentIntensityAnalyzer):  # type: ignore[misc]
    """`SentimentIntensityAnalyzer` whose scores are identical and cheaper to compute."""

    def __init__(self, *a: Any, **k: Any) -> None:
        super().__init__(*a, **k)
        # `polarity_scores` replaces single characters only (`chr in self.emojis`).
        self._emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self._emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)  # type: ignore[no-any-return]
        # Without emoji the library's character copy gives back `text` itself; the rest below
        # is the library's own sequence of steps.
        sentitext = _v.SentiText(text.strip())
        words = sentitext.words_and_emoticons
        sentiments: list[float] = []
        last = len(words) - 1
        lexicon = self.lexicon
        for i, item in enumerate(words):
            low = item.lower()
            if low in _BOOSTER or (i < last and low == "kind" and words[i + 1].lower() == "of"):
                sentiments.append(0)
                continue
            if low not in lexicon:  # what `sentiment_valence` gives a word outside the lexicon
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, sentitext.text)  # type: ignore[no-any-return]

    @staticmethod
    def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
        w1 = words[i - 1].lower()
        if start_i == 0:
            if _negated(w1):
                valence = valence * _N_SCALAR
        elif start_i == 1:
            w2 = words[i - 2].lower()
            if w2 == "never" and (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w2 == "without" and w1 == "doubt":
                pass
            elif _negated(w2):
                valence = valence * _N_SCALAR
        elif start_i == 2:
            w2, w3 = words[i - 2].lower(), words[i - 3].lower()
            if w3 == "never" and (w2 == "so" or w2 == "this") or (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                pass
            elif _negated(w3):
                valence = valence * _N_SCALAR
        return valence

    @staticmethod
    def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
        # Called with i >= 3 only (start_i == 2); reads words i-3 .. i+2.
        w0, w1, w2, w3 = words[i].lower(), words[i - 1].lower(), words[i - 2].lower(), words[i - 3].lower()
        onezero, twoonezero, twoone = f"{w1} {w0}", f"{w2} {w1} {w0}", f"{w2} {w1}"
        threetwoone, threetwo = f"{w3} {w2} {w1}", f"{w3} {w2}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in _SPECIAL:
                valence = _SPECIAL[seq]
                break
        n = len(words)
        if n - 1 > i:
            zeroone = f"{w0} {words[i + 1].lower()}"
            if zeroone in _SPECIAL:
                valence = _SPECIAL[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{w0} {words[i + 1].lower()} {words[i + 2].lower()}"
            if zeroonetwo in _SPECIAL:
                valence = _SPECIAL[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in _BOOSTER:
                valence = valence + _BOOSTER[n_gram]
        return valence
