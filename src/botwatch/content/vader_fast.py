"""VADER with the same answers, fewer wasted steps: the content stage's largest single cost.

vaderSentiment 3.3.2 lower-cases the whole post once per word it checks for negation or idioms
(`_negation_check` and `_special_idioms_check` each rebuild the lower-cased word list, so a post
of n words costs O(n^2) `str.lower` calls), tests negation by scanning a 60-word list, copies
every post character by character to replace emoji even when there is none, and goes through a
dozen method calls per word. `FastAnalyzer.polarity_scores` does the library's steps in one
function: the words are lower-cased once, only words in the lexicon are visited (every other
word scores 0, as in the library), negation is a set look-up, an ASCII post skips the emoji
search, and the float operations are the library's own in the same order. Every score is
bit-for-bit VADER's: tests/test_content_vader_fast.py compares both on real posts and edge cases
(VADER's as on Python 3.11 on every version: `sum_left_to_right`).
"""

from __future__ import annotations

import math
import string
from itertools import compress
from typing import Any

from vaderSentiment import vaderSentiment as _v

from botwatch.exact_round import round_scalar as _round
# The library's `sum(sentiments)` as Python 3.11 adds it (the shipped models'); kept importable from here.
from botwatch.numeric import sum_left_to_right as sum_left_to_right

_NEGATE = frozenset(_v.NEGATE)
_N_SCALAR = _v.N_SCALAR
_SPECIAL = _v.SPECIAL_CASES
_BOOSTER = _v.BOOSTER_DICT
_C_INCR = _v.C_INCR
_PUNCT = string.punctuation
# Every pair of neighbouring words in a multi-word idiom or booster (`_idioms` looks up only
# space-joined runs of the text's words, which hold no whitespace): a run can be a key only if
# each of its neighbouring pairs is one of these.
_IDIOM_PAIRS = frozenset(
    (a, b) for key in [*_SPECIAL, *_BOOSTER] for a, b in zip(key.split(" "), key.split(" ")[1:])
)


def _negated(word: str) -> bool:
    """`vaderSentiment.negated([word])` for one word (which lower-cases it again, as here)."""
    word = word.lower()
    return word in _NEGATE or "n't" in word


class FastAnalyzer(_v.SentimentIntensityAnalyzer):  # type: ignore[misc]
    """`SentimentIntensityAnalyzer` whose scores are identical and cheaper to compute."""

    def __init__(self, *a: Any, **k: Any) -> None:
        super().__init__(*a, **k)
        # `polarity_scores` replaces single characters only (`chr in self.emojis`), none of them
        # ASCII (an ASCII text, most posts, needs no look).
        self._emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)
        self._ascii_emoji = any(c.isascii() for c in self._emoji_chars)
        self._lows = _Lows()

    def has_emoji(self, text: str) -> bool:
        if text.isascii() and not self._ascii_emoji:
            return False
        return not self._emoji_chars.isdisjoint(text)

    def replace_emoji(self, text: str) -> str:
        """The library's first step: each emoji character replaced by its description, with a
        space before it unless one is there already (the same loop, building a list)."""
        out: list[str] = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out)

    def polarity_scores(self, text: str) -> dict[str, float]:
        compound, pos, neg, neu = self.scores(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def scores(self, text: str) -> tuple[float, float, float, float]:
        """(compound, pos, neg, neu) of `text`: `polarity_scores`' four numbers without the dict."""
        if self.has_emoji(text):
            text = self.replace_emoji(text)
        # Without emoji the library's character copy gives back `text` itself. What follows is
        # the library's sequence of steps (SentiText, sentiment_valence with scalar_inc_dec and
        # the negation, idiom and "least" checks, _but_check, score_valence) over words
        # lower-cased once, with the same float operations in the same order. Words outside the
        # lexicon, boosters and "kind" before "of" score 0, so only lexicon words are visited.
        text = text.strip()
        # Each token's lower-cased word (`_Lows`: stripped of punctuation when more than two
        # characters remain, as `SentiText` does, then lower-cased) is looked up, not recomputed:
        # tokens repeat across posts far more than texts do. A token's `isupper` is its word's
        # (the punctuation stripped is uncased), so capitals are read from the tokens.
        toks = text.split()
        lows = list(map(self._lows.__getitem__, toks))
        lexicon, negs, pairs = self.lexicon, _NEGS, _IDIOM_PAIRS
        n = len(toks)
        sentiments: list[float] = [0] * n
        last = n - 1
        is_cap_diff: bool | None = None
        for i in list(compress(range(n), map(lexicon.__contains__, lows))):  # the lexicon words' places
            low = lows[i]
            if low in _BOOSTER or (i < last and low == "kind" and lows[i + 1] == "of"):
                continue
            if is_cap_diff is None:
                caps = sum(map(str.isupper, toks))
                is_cap_diff = 0 < n - caps < n
            valence = lexicon[low]
            if low == "no" and i != last and lows[i + 1] in lexicon:
                valence = 0.0
            if (i > 0 and lows[i - 1] == "no") or (i > 1 and lows[i - 2] == "no") or (i > 2 and lows[i - 3] == "no" and lows[i - 1] in ("or", "nor")):
                valence = lexicon[low] * _N_SCALAR
            if is_cap_diff and toks[i].isupper():
                if valence > 0:
                    valence += _C_INCR
                else:
                    valence -= _C_INCR
            # The library's three looks back (scalar_inc_dec, then the negation check, then at
            # three back the idioms), written out one after another with the same operations.
            if i > 0:
                w1 = lows[i - 1]
                if w1 not in lexicon:
                    scalar = 0.0
                    boost = _BOOSTER.get(w1)
                    if boost is not None:
                        scalar = _boost(boost, valence, toks[i - 1], is_cap_diff)
                    valence = valence + scalar
                    if negs[w1]:
                        valence = valence * _N_SCALAR
                if i > 1:
                    w2 = lows[i - 2]
                    if w2 not in lexicon:
                        scalar = 0.0
                        boost = _BOOSTER.get(w2)
                        if boost is not None:
                            scalar = _boost(boost, valence, toks[i - 2], is_cap_diff)
                            if scalar != 0:
                                scalar = scalar * 0.95
                        valence = valence + scalar
                        if w2 == "never" and (w1 == "so" or w1 == "this"):
                            valence = valence * 1.25
                        elif w2 == "without" and w1 == "doubt":
                            pass
                        elif negs[w2]:
                            valence = valence * _N_SCALAR
                    if i > 2:
                        w3 = lows[i - 3]
                        if w3 not in lexicon:
                            scalar = 0.0
                            boost = _BOOSTER.get(w3)
                            if boost is not None:
                                scalar = _boost(boost, valence, toks[i - 3], is_cap_diff)
                                if scalar != 0:
                                    scalar = scalar * 0.9
                            valence = valence + scalar
                            if w3 == "never" and (w2 == "so" or w2 == "this") or (w1 == "so" or w1 == "this"):
                                valence = valence * 1.25
                            elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                                pass
                            elif negs[w3]:
                                valence = valence * _N_SCALAR
                            # (`_idioms` returns the valence unchanged unless a neighbouring
                            # pair of these words is one of an idiom's: tested here first.)
                            if (w1, low) in pairs or (w2, w1) in pairs or (w3, w2) in pairs or (i < last and (low, lows[i + 1]) in pairs):
                                valence = _idioms(valence, lows, i)
            # _least_check
            if i > 1 and lows[i - 1] not in lexicon and lows[i - 1] == "least":
                if lows[i - 2] != "at" and lows[i - 2] != "very":
                    valence = valence * _N_SCALAR
            elif i > 0 and lows[i - 1] not in lexicon and lows[i - 1] == "least":
                valence = valence * _N_SCALAR
            sentiments[i] = valence
        if "but" in lows:
            sentiments = self._but_check([_word(t) for t in toks], sentiments)
        return _score_valence(sentiments, text)


_MAX_TOKENS = 100_000  # distinct tokens a cache keeps before it starts again (real talk has no
# end of new tokens: 429k distinct in 300k IRA posts; a cache that stopped growing at its bound
# would never learn a common word met late, one that grew without end would cost each worker
# ~100 MB)


def _word(tok: str) -> str:
    """`SentiText._strip_punc_if_word`: the token without surrounding punctuation, unless two
    characters or fewer would be left (an emoticon such as ":)")."""
    w = tok.strip(_PUNCT)
    return w if len(w) > 2 else tok


class _Lows(dict):  # type: ignore[type-arg]
    """Token → `_word(token).lower()`, computed the first time a token is met (`__missing__`:
    a look-up that finds the token stays in C)."""

    def __missing__(self, tok: str) -> str:
        low = _word(tok).lower()
        if len(self) >= _MAX_TOKENS:
            self.clear()
        self[tok] = low
        return low


def _boost(boost: float, valence: float, tok: str, is_cap_diff: bool | None) -> float:
    """`scalar_inc_dec` for a booster word (`tok` its token) before a word of `valence`."""
    scalar = boost
    if valence < 0:
        scalar *= -1
    if tok.isupper() and is_cap_diff:
        if valence > 0:
            scalar += _C_INCR
        else:
            scalar -= _C_INCR
    return scalar


class _Negated(dict):  # type: ignore[type-arg]
    """Lower-cased word → `_negated(word)`, computed the first time a word is met."""

    def __missing__(self, word: str) -> bool:
        neg = _negated(word)
        if len(self) >= _MAX_TOKENS:
            self.clear()
        self[word] = neg
        return neg


_NEGS = _Negated()


def _idioms(valence: float, words: list[str], i: int) -> float:
    """The library's `_special_idioms_check` over `words` already lower-cased; called with
    i >= 3 only (start_i == 2), reads words i-3 .. i+2. Where no neighbouring pair of those
    words is in an idiom or booster (`_IDIOM_PAIRS`), none of the runs it joins can be a key
    and the valence comes back unchanged without building them
    (tests/test_content_speed_exact4.py)."""
    w0, w1, w2, w3 = words[i], words[i - 1], words[i - 2], words[i - 3]
    pairs = _IDIOM_PAIRS
    if (w1, w0) not in pairs and (w2, w1) not in pairs and (w3, w2) not in pairs and (i + 1 >= len(words) or (w0, words[i + 1]) not in pairs):
        return valence
    onezero, twoonezero, twoone = f"{w1} {w0}", f"{w2} {w1} {w0}", f"{w2} {w1}"
    threetwoone, threetwo = f"{w3} {w2} {w1}", f"{w3} {w2}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _SPECIAL:
            valence = _SPECIAL[seq]
            break
    n = len(words)
    if n - 1 > i:
        zeroone = f"{w0} {words[i + 1]}"
        if zeroone in _SPECIAL:
            valence = _SPECIAL[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{w0} {words[i + 1]} {words[i + 2]}"
        if zeroonetwo in _SPECIAL:
            valence = _SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTER:
            valence = valence + _BOOSTER[n_gram]
    return valence


def _score_valence(sentiments: list[float], text: str) -> tuple[float, float, float, float]:
    """`SentimentIntensityAnalyzer.score_valence` (with its punctuation emphasis and sifting)
    written out in one function: the same operations in the same order, returning (compound,
    pos, neg, neu). The sifting visits only the nonzero scores (zeros add to no sum, each is
    one neutral count), in order."""
    if sentiments:
        sum_s = float(sum_left_to_right(sentiments))
        ep_count = text.count("!")
        if ep_count > 4:
            ep_count = 4
        ep_amplifier = ep_count * 0.292
        qm_count = text.count("?")
        qm_amplifier: float = 0
        if qm_count > 1:
            qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
        punct_emph_amplifier = ep_amplifier + qm_amplifier
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier
        compound = _v.normalize(sum_s)
        pos_sum = 0.0
        neg_sum = 0.0
        scored = list(filter(None, sentiments))  # the nonzero scores, in order
        neu_count = len(sentiments) - len(scored)
        for score in scored:
            if score > 0:
                pos_sum += float(score) + 1
            if score < 0:
                neg_sum += float(score) - 1
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct_emph_amplifier
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct_emph_amplifier
        total = pos_sum + math.fabs(neg_sum) + neu_count
        pos = math.fabs(pos_sum / total)
        neg = math.fabs(neg_sum / total)
        neu = math.fabs(neu_count / total)
    else:
        compound = 0.0
        pos = 0.0
        neg = 0.0
        neu = 0.0
    return _round(compound, 4), _round(pos, 3), _round(neg, 3), _round(neu, 3)
