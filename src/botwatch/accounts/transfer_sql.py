"""`origin_behaviour.text_transfer` for every post at once, as SQL (DuckDB's RE2), same counts.

Why: running the word regular expressions in Python, one post at a time, was the largest single
cost of the accounts stage (about 10 µs a post, 390k posts in a 35k-account study). DuckDB runs
the same expressions over the whole column in C++, on every core.

Exactness: Python's `re` and RE2 agree on these patterns' structure (greedy runs, ordered
alternation), but not on their character classes: Python's `\\w`, `\\S` and `[^\\W\\d_]` follow
the Unicode tables of the running Python, RE2's `\\pL` its own (newer or older) tables, and RE2's
`\\w`/`\\S` are ASCII only. So the classes are spelled out here as explicit code-point ranges
read from Python's own `re` (one pass over all code points, in C), and the SQL matches exactly
what `text_transfer` matches whatever the versions. Lower-casing happens only on ASCII words
(DuckDB and Python lower-case some non-ASCII letters differently, e.g. U+0130, and no non-ASCII
word lower-cases to an article or a marker word in Python).

Two shortcuts, each giving the counts the full expressions give (tests/test_accounts_sql_shortcuts.py
compares them on hostile texts): a text in which no marker word stands alone (`marker_gate`) is not
English-looking, so it is not split into words at all (a quarter of the own posts of the 35k real
study); in an all-ASCII text every word is ASCII, so Latin and not mixed-script, and the per-word
tests for those are skipped. Each word of a text long enough to count is classed once
(`word_classes`: marker, shared marker, other language, article), and the English test and the
article count read the classes: the other-language test of 2026-12-05 written as separate list
filters cost 0.90 CPU-s over the 260k posts of the development study, 0.71 with classes, 0.55
before the test (benchmarks/accounts_text_queries.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from botwatch.accounts import origin_behaviour as ob

_MAX_CP = 0x110000
# Surrogates cannot occur in UTF-8 text; they are left out so every range is valid for RE2.
_SPANS = ((1, 0xD800), (0xE000, _MAX_CP))


def _code_points(lo_cp: int, hi_cp: int) -> str:
    """Every character from `lo_cp` up to (not including) `hi_cp`, in order (no surrogate among
    them), decoded from their UTF-32 code units in a few ms: the `"".join(map(chr, range(...)))` it
    replaces (the tests' reference) took about 0.18 s for the two spans, and `patterns()` builds
    them three times a process (docs/performance.md, round 19)."""
    return np.arange(lo_cp, hi_cp, dtype="<u4").tobytes().decode("utf-32-le")


def _ranges(pattern: str) -> str:
    """An RE2 bracket expression (without brackets) for the code points `pattern` (one Python
    character class) matches, as runs of consecutive code points."""
    rx = re.compile(f"(?:{pattern})+")
    parts = []
    for lo_cp, hi_cp in _SPANS:
        for m in rx.finditer(_code_points(lo_cp, hi_cp)):
            a, b = lo_cp + m.start(), lo_cp + m.end() - 1
            parts.append(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}")
    return "".join(parts)


@lru_cache(maxsize=1)
def patterns() -> tuple[str, str]:
    """(strip, word): RE2 spellings of `origin_behaviour._STRIP` and `origin_behaviour._WORD`."""
    word_char, non_space, space, letter = _ranges(r"\w"), _ranges(r"\S"), _ranges(r"\s"), _ranges(r"[^\W\d_]")
    endings = "|".join(ob.LINK_ENDINGS)
    lead = f"[{non_space}]{{0,{ob.LEAD_MAX}}}"
    strip = (f"https?://[{non_space}]+|{lead}\u2026|{lead}\\.(?:{endings})(?:[./][{non_space}]*)?(?:[{space}]|$)"
             f"|[@#][{word_char}]+|&amp;|&[{word_char}]+;")
    word = f"[{letter}]+(?:'[{letter}]+)?"
    # Guard: the Python patterns these stand for are the ones written here (a change there must
    # be made here too, or the two paths would drift apart silently).
    assert ob._STRIP.pattern == (r"https?://\S+|\S{0,%d}\u2026|\S{0,%d}\.(?:" % (ob.LEAD_MAX, ob.LEAD_MAX) + endings
                                 + r")(?:[./]\S*)?(?:\s|$)|[@#]\w+|&amp;|&\w+;") \
        and ob._WORD.pattern == r"[^\W\d_]+(?:'[^\W\d_]+)?"
    return strip, word


def _sql_list(words: frozenset[str]) -> str:
    assert all(w.isascii() and w.isalpha() for w in words)
    return ", ".join(f"'{w}'" for w in sorted(words))


def marker_gate() -> str:
    """An RE2 pattern found in every text that has an English marker word (`ENGLISH_MARKERS`) as a
    word of its own; most texts without one are not searched further. Why it cannot miss one: such
    a word is ASCII letters in any case, as one run in the text itself (a strip match is replaced
    by a space, so a word never spans one). Before it comes the start or a non-letter (a strip
    match ends before a blank, before a non-word character, or with ';'); after it the end, a
    non-letter or the 'h' of a link the strip removes. The pattern asks only that, with
    [^A-Za-z] for "non-letter" (looser: more texts pass, none is lost)."""
    words = "|".join("".join(f"[{c}{c.upper()}]" for c in w) for w in sorted(ob.ENGLISH_MARKERS))
    assert all(w.isascii() and w.isalpha() and w.islower() for w in ob.ENGLISH_MARKERS)
    return f"(?:^|[^A-Za-z])(?:{words})(?:[^A-Za-z]|h|$)"


# Word classes for `looks_english`, one small integer per word (`word_classes`), so each word is
# lower-cased and looked up once: 1 a strict marker (or the capital "I"), 3 another language's word
# (or an accented one), 4 an article, 10 + k the k-th shared marker (`SHARED_ORDER`), 0 the rest.
SHARED_ORDER = tuple(sorted(ob.SHARED_MARKERS))


def word_classes(latin: str) -> str:
    """A list expression: each word of the list column `latin` as its class (above)."""
    ascii_w = "strlen(w) = length(w)"
    shared = ", ".join(f"'{w}'" for w in SHARED_ORDER)
    return (f"list_transform({latin}, lambda w: CASE WHEN w = 'I' THEN 1 "
            f"WHEN NOT ({ascii_w}) THEN CASE WHEN regexp_matches(w, '[{_accented_class()}]') THEN 3 ELSE 0 END "
            f"WHEN lower(w) IN ({_sql_list(ob.ENGLISH_MARKERS - ob.SHARED_MARKERS)}) THEN 1 "
            f"WHEN lower(w) IN ({shared}) THEN 9 + list_position([{shared}], lower(w)) "
            f"WHEN lower(w) IN ({_sql_list(ob.OTHER_LANGUAGE_WORDS)}) THEN 3 "
            f"WHEN lower(w) IN ({_sql_list(ob.ARTICLES)}) THEN 4 ELSE 0 END)")


def english_sql(latin: str, classes: str) -> str:
    """`origin_behaviour.looks_english` (and the six-word minimum) in SQL, from the list column
    `latin` of a post's Latin-script words and `classes`, their `word_classes`: the same counts of
    strict and shared marker words and of other languages' words (ASCII words only, as the
    Python path compares), and of words with an `ACCENTED` letter."""
    strict = f"len(list_filter({classes}, lambda c: c = 1))"
    shared = f"len(list_filter({classes}, lambda c: c >= 10))"
    kinds = f"len(list_distinct(list_filter({classes}, lambda c: c >= 10)))"
    other = f"len(list_filter({classes}, lambda c: c = 3))"
    return f"(len({latin}) >= {ob.MIN_WORDS} AND ({strict} > 0 OR {kinds} >= 2) AND {other} < {strict} + {shared})"


def _accented_class() -> str:
    """`origin_behaviour.ACCENTED` as RE2 code points."""
    return "".join(f"\\x{{{ord(a):x}}}-\\x{{{ord(b):x}}}" for a, b in re.findall(r"(.)-(.)", ob.ACCENTED))


def post_query() -> tuple[str, dict[str, str]]:
    """SQL (and its parameters) for the posts with a time, in (platform, account_id, time)
    order: platform, account_id, UTC microseconds `us`, and the three values `text_transfer`
    returns for the post's own text (a retweet's text is not its own): `tr_words`,
    `tr_articles`, `tr_mixed`."""
    strip, word = patterns()
    ascii_w = "strlen(w) = length(w)"  # bytes = characters: all ASCII
    own = ob.own_text_sql()  # NULL for retweets and posts tagged with another language
    toks = (f"CASE WHEN {own} IS NULL OR {own} = '' OR starts_with({own}, 'RT @') OR NOT regexp_matches({own}, $gate) THEN []::VARCHAR[] "
            f"ELSE regexp_extract_all(regexp_replace({own}, $strip, ' ', 'g'), $word) END")
    # `_ascii`: the whole text is ASCII, so each of its words is (see the module's docstring).
    latin = f"CASE WHEN _ascii THEN _toks ELSE list_filter(_toks, lambda w: {ascii_w} OR regexp_matches(w, '[A-Za-z]')) END"
    # A text of fewer than `MIN_WORDS` Latin words is not English whatever its words: not classed.
    classes = f"CASE WHEN len(_latin) >= {ob.MIN_WORDS} THEN {word_classes('_latin')} ELSE []::INTEGER[] END"
    english = english_sql("_latin", "_classes")
    articles = "len(list_filter(_classes, lambda c: c = 4))"
    mixed = f"CASE WHEN _ascii THEN 0 ELSE len(list_filter(_latin, lambda w: NOT ({ascii_w}) AND regexp_matches(w, '[\\x{{400}}-\\x{{4ff}}]'))) END"
    sql = (f"WITH p AS (SELECT platform, account_id, epoch_us(created_at) AS us, {toks} AS _toks, strlen(text) = length(text) AS _ascii "
           f"FROM posts WHERE created_at IS NOT NULL), "
           f"q AS (SELECT platform, account_id, us, _ascii, {latin} AS _latin FROM p), "
           f"r AS (SELECT platform, account_id, us, _ascii, _latin, {classes} AS _classes FROM q), "
           f"e AS (SELECT platform, account_id, us, _ascii, _latin, _classes, {english} AS _en FROM r) "
           f"SELECT platform, account_id, us, "
           f"CASE WHEN _en THEN len(_latin) ELSE 0 END AS tr_words, "
           f"CASE WHEN _en THEN {articles} ELSE 0 END AS tr_articles, "
           f"CASE WHEN _en THEN {mixed} ELSE 0 END AS tr_mixed "
           f"FROM e ORDER BY 1, 2, 3")
    return sql, {"strip": strip, "word": word, "gate": marker_gate()}
