"""What the options of a contest are called in text for a reader: parties, a referendum's sides, or
candidates.

An election file lists its options as `[[parties]]` whatever they are, and the report, `estimate`
and `status` said "party" and "parties" for a referendum's Leave and Remain as well ("supported the
party", a "Parties" section). A file's optional top-level `contest` says which words to use; left
out it is "parties", so every preset and older file reads exactly as before. Only words shown to
people follow it: field and column names of the study, the JSON and the exports keep "party", so a
script that reads them works for every contest (docs/elections.md, "A referendum").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# contest value -> (one, many): the singular and plural a sentence uses.
CONTESTS: dict[str, tuple[str, str]] = {
    "parties": ("party", "parties"),
    "referendum": ("side", "sides"),
    "candidates": ("candidate", "candidates"),
}
DEFAULT_CONTEST = "parties"


@dataclass(frozen=True)
class ContestWords:
    """The words for one option (`one`) and several (`many`), lower case; `One`/`Many` capitalised
    for a heading or a table head."""

    one: str = "party"
    many: str = "parties"

    @property
    def One(self) -> str:  # noqa: N802 - read in templates beside `one`, as a heading word
        return self.one.capitalize()

    @property
    def Many(self) -> str:  # noqa: N802
        return self.many.capitalize()

    def count(self, n: int) -> str:
        """"1 party", "2 sides": a count of options with the right number."""
        return f"{n:,} {self.one if n == 1 else self.many}"


PARTY_WORDS = ContestWords()


def contest_words(election: Any) -> ContestWords:
    """The words for `election`'s options; "party"/"parties" for none, a preset or an older file
    (no `contest` field), and for anything unrecognised (a validated Election never holds one)."""
    one, many = CONTESTS.get(getattr(election, "contest", None) or DEFAULT_CONTEST, CONTESTS[DEFAULT_CONTEST])
    return ContestWords(one, many)


# The words of the report or command being made (`contest_words_for`): text is built in many modules
# (templates, chart titles, the estimates' reference table), and each would otherwise need the
# election passed down; outside one it is "party", as everything said before the field existed.
_CURRENT: ContextVar[ContestWords] = ContextVar("contest_words", default=PARTY_WORDS)


@contextmanager
def contest_words_for(words: ContestWords) -> Iterator[None]:
    """Within the block, `current_contest_words()` is `words`."""
    token = _CURRENT.set(words)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_contest_words() -> ContestWords:
    """The words of the report or command being made ("party" outside one)."""
    return _CURRENT.get()


_PARTY_WORD = re.compile(r"\b([Pp])art(y|ies)\b")


def in_contest_words(text: str, words: ContestWords | None = None) -> str:
    """`text`, written once with "party"/"parties" (the stance rules' meanings, the model's
    evidence words, a progress line), in `words` (the current report's or command's by default):
    a referendum's rule table read "posted by the party's official account" beside a Sides
    heading. "Party" keeps its capital; text for parties comes back unchanged."""
    w = words or current_contest_words()
    if w == PARTY_WORDS:
        return text

    def said(m: re.Match[str]) -> str:
        word = w.one if m.group(2) == "y" else w.many
        return word.capitalize() if m.group(1) == "P" else word

    return _PARTY_WORD.sub(said, text)
