"""German umlauts and sharp s as a hashtag spells them without the letter, and Russian "ё" as the
"е" most Russian text writes for it, in a module of its own
so that the live collectors can read it without importing Arrow (`tests/test_cli_imports.py`: a
collector imports no pyarrow, numpy, pandas or DuckDB, so a long capture stays small).

The same tag is typed both ways: in the IRA's German tweets of the 2017 Bundestag election,
#gehtwählen 7 times beside #gehtwaehlen 25 times; #ZeitFürMartin and #ZeitFuerMartin, #Özoguz and
#Oezoguz; a file listing one form matched no post of the other. Tags only: in running text "ue" is
no umlaut ("Bauer", "neue"), and a hashtag is one word whose two spellings people treat as one.

Russian prints "ё" mostly as "е" (the two dots are optional in ordinary writing), so a file listing
#Зелёные matched no post's #Зеленые. Unlike an umlaut, "ё" → "е" merges no two words a party term
would name, so running text folds it too (`content.normalize.norm_text` and `fold`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# What the matcher drops from a tag before comparing (`content.normalize.norm_tag`).
SEPARATORS = re.compile(r"[_\-\s]")

TAG_SPELLINGS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ё", "е"))

# Russian "ё" (U+0451) and the "е" (U+0435) it is usually printed as, in text as in tags.
YO, YE = "\u0451", "\u0435"


def spell_out(tag: str) -> str:
    """`tag` (already lower-cased) with each umlaut, ß and ё written as `TAG_SPELLINGS` writes it."""
    for letter, spelt in TAG_SPELLINGS:
        tag = tag.replace(letter, spelt)
    return tag


def ascii_tag_key(tag: str) -> str | None:
    """`content.normalize.norm_tag(tag)` for a tag written in ASCII alone, without Arrow; None for
    any other tag. Why: loading an election file compares its pro and anti tags as the matcher
    does, and `norm_tag` lower-cases through Arrow, which brought pyarrow, numpy and pandas (and
    half a CPU-second) into every command that reads an election file, a live `collect` among
    them. For ASCII the two agree exactly: NFKC leaves it as it is, Arrow's lower-casing is
    Python's there, and it holds no umlaut or ё to spell out."""
    if not tag.isascii():
        return None
    return SEPARATORS.sub("", tag.lower().lstrip("#"))


# The most spellings of one tag a server is asked for (`spellings`). Four places that can be written
# either way make 16: "ZeitFürGrün" has two, and a real tag seldom has more; without a bound a
# tag of many (an election file's "#aeaeaeae…") would ask a server for millions.
MOST_SPELLINGS = 16

_LETTER_SPELT = dict(TAG_SPELLINGS)  # "ü" -> "ue", "ё" -> "е"
# A spelt-out pair read back as its letter ("ue" -> "ü"), and a letter written for another single
# letter read back ("е" -> "ё"). Apart: "ё" is spelt as one letter, and read as a pair's it was
# looked up in a window of two that holds one letter only at the tag's end, which then stepped
# past it (IndexError for every tag ending in "е", "Зеленые" among them).
_SPELT_LETTER = {spelt: letter for letter, spelt in TAG_SPELLINGS if len(spelt) == 2}
_SPELT_ONE = {spelt: letter for letter, spelt in TAG_SPELLINGS if len(spelt) == 1}


def _ways(tag: str, i: int) -> list[tuple[str, int]]:
    """How the text at `tag[i]` may be written, as (text, characters of `tag` it stands for): as it
    stands, then its letter spelt out or its spelt-out pair as the letter. Upper case kept where it
    was (servers match tags without regard to case; it only reads better)."""
    c = tag[i]
    ways = [(c, 1)]
    if (spelt := _LETTER_SPELT.get(c.lower())) is not None:
        ways.append((spelt.upper() if c == "ẞ" else (spelt.capitalize() if c.isupper() else spelt), 1))
    if (one := _SPELT_ONE.get(c.lower())) is not None:
        ways.append((one.upper() if c.isupper() else one, 1))
    if (letter := _SPELT_LETTER.get(tag[i:i + 2].lower())) is not None:
        ways.append((letter.upper() if c.isupper() and letter != "ß" else letter, 2))
    return ways


def spellings(tag: str, most: int = MOST_SPELLINGS) -> tuple[list[str], int]:
    """The ways of writing `tag` that `spell_out` reads as the same tag, `tag` itself first, at most
    `most` of them, and how many there are in all. Why: the content stage and the Bluesky filter
    count #Grüne and #Gruene as one tag, but X's rules and Mastodon's hashtag streams match on the
    server, which sends only the spelling asked for; a capture listing #Grüne missed every #Gruene.

    Every place that may be written either way doubles them (a pair that is no umlaut, the "ue" of
    "Steuer", too: analysis reads "#Steür" as "#Steuer", so that is asked as well). After the tag
    as written come the form with every umlaut spelt out and the one with every pair as a letter,
    the two ways people write a tag, then the mixed ones, so a bound cuts the rarest.

    A Russian word holds one "ё" at most (`_yo_bounds`), so of the spellings that put "ё" for its
    "е", only those with at most one a word are asked (more where the listed word has more): every
    "е" doubled them, #Медведев was asked in 8 (#Мёдвёдёв among them), which nobody writes. Only
    what is asked changes: analysis folds "ё" to "е", so any spelling still counts when it comes."""
    listed, tag = tag, unicodedata.normalize("NFKC", tag)  # a decomposed "u\u0308" is the "ü" analysis reads (`fold`)
    n = len(tag)
    word, bound = _yo_bounds(tag)
    # How many letters of the tag's word before `i` (`before`) and from `i` on (`rest`) may be "ё".
    yo_able = [c.lower() in (YE, YO) for c in tag]
    before, rest = [0] * n, [0] * n
    for i in range(1, n):
        before[i] = before[i - 1] + yo_able[i - 1] if word[i] == word[i - 1] else 0
    for i in range(n - 1, -1, -1):
        rest[i] = yo_able[i] + (rest[i + 1] if i + 1 < n and word[i + 1] == word[i] else 0)

    def state(j: int, held: int) -> tuple[int, int]:
        """The tail from `j` with `held` "ё"s in its word so far. Every count low enough that the
        rest of the word cannot pass its bound is one state: a word of 300 "ё"s had 300 each."""
        return (j, max(held, bound[word[j]] - rest[j])) if j < n else (n, 0)

    def steps(i: int, used: int) -> Iterator[tuple[str, tuple[int, int]]]:
        """Each way of writing the text at `i` within its word's bound, and the state after it."""
        for text, step in _ways(tag, i):
            held = used + (text in (YO, YO.upper()))
            if held <= bound[word[i]]:
                yield text, state(i + step, held if i + step < n and word[i + step] == word[i] else 0)

    # From the end: how many spellings each state's tail has in all. Counts alone: a tail's first
    # `most` spellings kept as text for every state made a word of 1,000 "ё"s take gigabytes.
    counts: dict[tuple[int, int], int] = {(n, 0): 1}
    for i in range(n - 1, -1, -1):
        low = max(0, bound[word[i]] - rest[i])
        for used in range(low, max(low, min(bound[word[i]], before[i])) + 1):
            counts[i, used] = sum(counts[after] for _, after in steps(i, used))
    # The first `most` spellings, depth first in the order of `_ways` (as written first).
    tails: list[str] = []
    path: list[str] = []
    stack = [steps(*state(0, 0))] if n else []
    while stack and len(tails) < most:
        if (nxt := next(stack[-1], None)) is None:
            stack.pop()
            if path:
                path.pop()
        elif nxt[1][0] == n:
            tails.append("".join(path) + nxt[0])
        else:
            path.append(nxt[0])
            stack.append(steps(*nxt[1]))
    spelt = "".join(_ways(tag, i)[1][0] if tag[i].lower() in _LETTER_SPELT else tag[i] for i in range(n))
    forms = list(dict.fromkeys([listed, tag, spelt, _lettered(tag), *(tails or [""])]))[:most]
    return forms, counts[state(0, 0)] + (listed != tag)


def _yo_bounds(tag: str) -> tuple[list[int], list[int]]:
    """The word of each character of `tag` and the most "ё"s a spelling asked for may put in each
    word: one, or as many as the listed word holds where that is more (the user wrote it so). A
    hashtag runs words together, so a word starts at a capital after a small letter ("Единая|Россия"),
    at the last capital of a run that a small letter follows ("ТВ|Дебаты"), and at a letter after
    any other character ("2016|выборы"); an all-small tag is one word, asked in fewer spellings."""
    word: list[int] = []
    for i, c in enumerate(tag):
        prev, nxt = tag[i - 1] if i else "", tag[i + 1] if i + 1 < len(tag) else ""
        starts = i == 0 or (c.isalpha() and not prev.isalpha()) or (
            c.isupper() and (prev.islower() or (prev.isupper() and nxt.islower())))
        word.append(word[-1] + starts if word else 0)
    bound = [1] * (word[-1] + 1 if word else 0)
    for i, c in enumerate(tag):
        bound[word[i]] += c in (YO, YO.upper())
    return word, [max(1, b - 1) for b in bound]


def _lettered(tag: str) -> str:
    """`tag` with every spelt-out pair written as its letter, read from the left."""
    out, i = [], 0
    while i < len(tag):
        text, step = next((w for w in _ways(tag, i) if w[1] == 2), (tag[i], 1))
        out.append(text)
        i += step
    return "".join(out)
