"""Exact and near copies of texts: the one check the stance scripts use to keep labelled text out.

IRA accounts post the same text with another link, an "RT @x:" prefix or a changed hashtag, so a
text counts as a copy of another when

- exact: their keys are equal (case-folded, links, "RT @handle:" prefixes, mentions and
  punctuation removed, spaces collapsed), or
- near: the Jaccard similarity of their word sets (words of three or more characters, a leading
  '#' dropped) is at least NEAR.

Used by sample_stance_train.py (no new training post may copy a labelled one or another drawn
post), train_content_model.py (no weak label may carry a labelled post's text) and
build_word_vectors.py (no labelled text, nor a copy of one, among the vectors' training text),
which each carried their own form of it: a check of every labelled set sharing a word, and one
with prefix filtering, fast enough for 1.5 million texts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

NEAR = 0.6
_URL = re.compile(r"https?://\S+|\bt\.co/\S+")
_RT = re.compile(r"^\s*rt\s+@\w+:?\s*")
_MENTION = re.compile(r"@\w+")
_NONWORD = re.compile(r"[^\w#]+")


def key(text: str) -> str:
    """The text with what near-copies differ in removed (links, RT prefix, mentions, punctuation)."""
    t = _URL.sub(" ", (text or "").casefold().replace("&amp;", "&"))
    t = _RT.sub("", t)
    t = _MENTION.sub(" ", t)
    return " ".join(_NONWORD.sub(" ", t).split())


def words(text: str) -> frozenset[str]:
    """The text's word set for the near check: words of its key longer than two characters once a
    leading '#' is dropped."""
    return frozenset(w.lstrip("#") for w in key(text).split() if len(w.lstrip("#")) > 2)


def _prefix_length(n: int) -> int:
    """How many of a set's first words (in the index's order) another set of Jaccard >= NEAR with
    it must share one of: |s| - ceil(NEAR |s|) + 1 (the margin keeps a product a rounding error
    above a whole number from rounding up to the next)."""
    return n - int(math.ceil(NEAR * n - 1e-9)) + 1


class NearIndex:
    """Texts seen so far; answers whether a text is an exact or near copy of one of them.

    Prefix filtering: with every word set sorted by one fixed order, two sets of Jaccard >= NEAR
    share a word among the first `_prefix_length` words of each (they share at least
    ceil(NEAR * size) words of either, and the first of those in the order comes no later), so a
    set is filed under its prefix words only and a text is compared only with the sets filed
    under its own prefix words. The answers are those of comparing with every set, sooner. The
    order is rarest first among the `texts` given at construction (the rarer a word, the fewer
    sets share it), ties and unseen words by the word itself; texts added later keep it, which
    every set must share for the argument to hold.

    `wordless_near`: the answer for a text with no words that is no exact copy. True for the
    samplers (a text with nothing to label is skipped); False for build_word_vectors.py, which
    keeps such texts for the vectors."""

    def __init__(self, texts: Iterable[str] = (), *, wordless_near: bool = True) -> None:
        texts = list(texts)
        self.wordless_near = wordless_near
        df = Counter(w for t in texts for w in words(t))
        self._rank = lambda w: (df.get(w, 0), w)
        self.keys: set[str] = set()
        self.sets: list[frozenset[str]] = []
        self.by_word: dict[str, list[int]] = {}
        for t in texts:
            self.add(t)

    def _prefix(self, s: frozenset[str]) -> list[str]:
        return sorted(s, key=self._rank)[: _prefix_length(len(s))]

    def add(self, text: str) -> None:
        """Count `text` (and its copies) as seen."""
        self.keys.add(key(text))
        s = words(text)
        if not s:
            return  # no word to share: reached by its key alone
        i = len(self.sets)
        self.sets.append(s)
        for w in self._prefix(s):
            self.by_word.setdefault(w, []).append(i)

    def near(self, text: str) -> bool:
        """Whether `text` is an exact or near copy of a text seen so far."""
        if key(text) in self.keys:
            return True
        s = words(text)
        if not s:
            return self.wordless_near
        cand = {i for w in self._prefix(s) for i in self.by_word.get(w, ())}
        return any(len(s & self.sets[i]) / len(s | self.sets[i]) >= NEAR for i in cand)

    __call__ = near
