"""The content stage's third round of shortcuts must give the very values of the plain code they
replace: the n-gram strings of a post built once for all its feature sets
(`features.masked_ngrams`) against tokenising each masked text, links dropped with the http
pattern first (`features._drop_links`) against the two-branch pattern, and the clause of a text
without a clause break (`features.target_clause`) against the split."""

from __future__ import annotations

import csv
import re
import random
from pathlib import Path

import pytest

from botwatch.content import features as F
from botwatch.elections import load_election

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def _fixture_texts() -> list[str]:
    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        return [r["content"] for r in csv.DictReader(f)]


def _pieces(election) -> list[str]:  # type: ignore[no-untyped-def]
    """Names of every kind, the replacement words, placeholder characters, punctuation, emoji."""
    pieces = ["the", "vote", "oth", "tgt", "other", "both", "-", "'", "#", "@", ".", "!", "?!", "\ue000", "\ue101", "x", "\U0001F600", "\n", ";", "\u2014"]
    for p in election.parties:
        pieces += [w.casefold() for w in p.keywords + p.keywords_context + p.keywords_pro + p.keywords_anti]
        pieces += ["#" + h.casefold() for h in p.hashtags + p.hashtags_pro + p.hashtags_anti]
        pieces += ["@" + h.casefold() for h in p.accounts]
        pieces += ["#vote" + f.casefold() + "now" for f in p.tag_fragments]
    return pieces


def _cases(election, seed: int, longest: int) -> "list[tuple[str, list[str]]]":  # type: ignore[no-untyped-def]
    """(text, named parties) pairs for the template tests: the committed labelled posts and 2,500
    texts of up to `longest` random pieces, each with one to three parties named (one in ten
    names a party twice, which takes the plain path)."""
    keys = [p.key for p in election.parties]
    rng = random.Random(seed)
    pieces = _pieces(election)
    texts = [F.clean_text(t) for t in _fixture_texts()]
    texts += [rng.choice([" ", "", "  ", "#", "-"]).join(rng.choices(pieces, k=rng.randint(1, longest))) for _ in range(2500)]
    cases = []
    for text in texts:
        only = rng.sample(keys, k=rng.randint(1, min(3, len(keys))))
        if rng.random() < 0.1:
            only = only + only[:1]  # a party named twice: the plain path
        cases.append((text, only))
    return cases


def _plain_ngrams(text: str, names: F.PartyNames, party: str | None, only: list[str]) -> list[str]:
    return F.ngram_features(F.tokens(F.mask(text, names, party, only)))


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_masked_ngrams_equal_tokenising_each_masked_text(preset: str) -> None:
    election = load_election(preset)
    names = F.PartyNames.of(election)
    keys = [p.key for p in election.parties]
    cases = _cases(election, 30, 14)
    checked = templated = 0
    for text, only in cases:
        for party in [None, *only]:
            assert F.masked_ngrams(text, names, party, only) == _plain_ngrams(text, names, party, only), (text, party, only)
            checked += 1
        templated += names._ngrams.get((text, tuple(only))) not in (None, False)
    assert checked > 5000 and templated > 1000
    # Without the matched parties (`named` None) it is the plain code too.
    text = cases[0][0]
    assert F.masked_ngrams(text, names, keys[0], None) == F.ngram_features(F.tokens(F.mask(text, names, keys[0], None)))


def test_drop_links_equals_the_two_branch_pattern() -> None:
    rng = random.Random(31)
    pieces = ["http://x.co/a", "https://t.co/AbC", "t.co/xyz", "at.co/q", "(t.co/z", "xhttp://t.co/1", "http:/", "t.co", "https://", "word",
              " ", " ", "\n", "t.co/", "https://t.co/t.co/", "é", "\u2019"]
    texts = _fixture_texts() + ["".join(rng.choices(pieces, k=rng.randint(0, 9))) for _ in range(5000)]
    for text in texts:
        assert F._drop_links(text) == F._URL.sub(" ", text), text


def test_target_clause_without_a_break_is_the_text() -> None:
    rng = random.Random(32)
    pieces = ["tgt", "oth", "word", " ", "  ", ".", "!", "?", ";", ":", "|", "\u2026", "-", "\u2013", "\u2014", "\n", "\t", "\u2028", "a.b"]
    texts = [F.clean_text(t) for t in _fixture_texts()] + ["".join(rng.choices(pieces, k=rng.randint(0, 12))) for _ in range(5000)]
    for text in texts:
        parts = [c for c in F._CLAUSE.split(text) if "tgt" in c]
        assert F.target_clause(text) == (" ".join(parts) if parts else text), text


def _reference_pattern(p) -> "re.Pattern[str] | None":  # type: ignore[no-untyped-def]
    """A party's names pattern as first written: one leading look-behind, every name in one group."""
    words = list(p.keywords + p.keywords_context + p.keywords_pro + p.keywords_anti)
    words += ["#" + h for h in p.hashtags + p.hashtags_pro + p.hashtags_anti]
    words += ["@" + h for h in p.accounts]
    words = sorted({w.strip().casefold() for w in words if w.strip()}, key=len, reverse=True)
    # then each tag in every spelling the matcher reads as it (`features.tag_spellings`)
    alts = [re.escape(w).replace(r"\ ", r"\s+") for w in words]
    alts += ["#" + x for x in dict.fromkeys(F.tag_spellings(h) for h in p.hashtags + p.hashtags_pro + p.hashtags_anti) if x]
    base = "(?<![\\w])(?:" + "|".join(alts) + ")(?![\\w])" if alts else None
    frag = "|".join(re.escape(f.casefold()) for f in p.tag_fragments)
    if frag:
        return re.compile(rf"{base or '(?!x)x'}|#\w*(?:{frag})\w*")
    return re.compile(base) if base else None


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_names_pattern_by_first_character_matches_as_one_group(preset: str) -> None:
    election = load_election(preset)
    names = F.PartyNames.of(election)
    rng = random.Random(33)
    pieces = _pieces(election) + ["labourer", "xlabour", "_tory", "tory_", "  ", "\t", "\u00e9", "1"]
    texts = [F.clean_text(t) for t in _fixture_texts()]
    texts += [rng.choice([" ", "", "  ", "#", "-", "\n"]).join(rng.choices(pieces, k=rng.randint(1, 14))) for _ in range(3000)]
    subbed = 0
    for p in election.parties:
        ref, pat = _reference_pattern(p), names.patterns.get(p.key)
        assert (ref is None) == (pat is None)
        if pat is None:
            continue
        assert pat.pattern != ref.pattern
        for text in texts:
            got = pat.sub(" tgt ", text)
            assert got == ref.sub(" tgt ", text), (p.key, text)
            subbed += got != text
    assert subbed > 1000
