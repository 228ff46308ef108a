"""The whole-column paths of the accounts stage give the values of the per-string / per-row
Python they replaced: text measures (Arrow on ASCII, Python elsewhere), the name-handle matcher
(difflib), the model's evidence columns (one sentence per item) and the signal pre-test."""

from __future__ import annotations

import math
import random
import re
import string
from collections import Counter
from difflib import SequenceMatcher

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts import signals
from botwatch.accounts.botmodel import AGE_FEATURE, AGE_UNKNOWN_WORDS, sentence, shipped_model
from botwatch.accounts import profile
from botwatch.accounts.profile import _AUTOMATION, _LINK, char_entropy, profile_features, self_declared_bot
from botwatch.accounts import profile_text
from botwatch.accounts.profile_text import TextColumn, char_entropies
from botwatch.numeric import sum_left_to_right
from testsupport.accounts_reference import name_handle_similarity

# Strings where Python's Unicode-aware reading and an ASCII one part: other digits, capitals and
# spaces, Python's extra ASCII whitespace (\x1c-\x1f), the Kelvin sign and long s (which match
# k and s case-insensitively), a trailing newline, emoji.
HOSTILE = ["", " ", "\x1c", "a\x1fb c", "\u00a0x", "x\u2003y", "²³", "٣4", "①", "ÀBC", "ǅ", "K", "ſ", "by @x\n", "feed\n",
           "made by @me, every 5 minutes", "www.x.com", "HTTP://X", "abc.io", "a.co.uk", "robotics abbott", "🇺🇸 USA", "\t\n"]


def _strings(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    alphabet = string.printable + "ÀéЖж字²①٣\u00a0\u2003\x1c\x1d\x85\u2028🇺🇸Kſ"
    words = ["bot", "automated", "feed", "RSS", "made by @me", "every 5 minutes", "www.x.com", "http://", "by @a_b", "hourly", "x.io"]
    out: list[str | None] = []
    for _ in range(n):
        k = rng.random()
        if k < 0.1:
            out.append(None)
        elif k < 0.5:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))))
        else:
            out.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 5))))
    return out + HOSTILE


def _same(fast: np.ndarray, values: list[str | None], fn) -> None:  # type: ignore[no-untyped-def]
    slow = np.array([np.nan if v is None else float(fn(v)) for v in values])
    assert np.array_equal(fast.view(np.int64), slow.view(np.int64)), [(v, a, b) for v, a, b in zip(values, fast, slow) if a != b and a == a][:3]


def test_text_measures_equal_python() -> None:
    values = _strings(3000, 1)
    col = TextColumn(values)
    _same(col.length(), values, len)
    _same(col.count("@"), values, lambda v: v.count("@"))
    _same(col.digits(), values, lambda v: sum(c.isdigit() for c in v))
    _same(col.uppers(), values, lambda v: sum(c.isupper() for c in v))
    _same(col.words(), values, lambda v: len(v.split()))
    _same(col.not_blank(), values, lambda v: float(bool(v.strip())))
    _same(col.non_ascii_share(), values, lambda v: sum(ord(c) > 127 for c in v) / len(v) if v else 0.0)
    _same(col.matches(_LINK.pattern, lambda v: float(bool(_LINK.search(v))), ignore_case=True), values, lambda v: float(bool(_LINK.search(v))))
    _same(col.count_matches(_AUTOMATION.pattern, lambda v: len(_AUTOMATION.findall(v)), ignore_case=True), values,
          lambda v: len(_AUTOMATION.findall(v)))


def test_entropy_columns_add_in_counter_order() -> None:
    values = [None, "aaaa", "abcd", "aAbB", "x" * 40, "Zeno_For_Congress", "abcdefghij12345", *(v for v in _strings(2000, 2) if v)]
    _same(char_entropies(TextColumn(values), char_entropy), values, char_entropy)
    # The order of the terms matters to the last bit: the reference adds them as Counter lists them,
    # left to right on every Python (the builtin `sum` compensates from 3.12: this failed there).
    v = "hello world 42"
    n = len(v)
    want = -sum_left_to_right(c / n * math.log2(c / n) for c in Counter(v.lower()).values())
    assert char_entropies(TextColumn([v]), char_entropy)[0] == want


def test_matcher_equals_difflib() -> None:
    # The compiled matcher (cydifflib) gives difflib's ratio to the last bit, junk-free short
    # strings and long ones (from 200 characters difflib's "popular element" rule applies) alike.
    rng = random.Random(3)
    for k in range(20000):
        alphabet = rng.choice(["ab", "abc", "abcdefgh0123"])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30 if k % 50 else 400)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20 if k % 50 else 400)))
        assert profile.SequenceMatcher(None, a, b).ratio() == SequenceMatcher(None, a, b).ratio(), (a, b)


def test_name_handle_similarity_uses_the_compiled_matcher() -> None:
    # Fails if the per-account Python matcher comes back (a third of the speed) or cydifflib is missing.
    import cydifflib

    assert profile.SequenceMatcher is cydifflib.SequenceMatcher
    assert profile.name_handle_similarities(["UK Labour!"], ["uk_labour"]).tolist() == [1.0]
    # Equal texts: 1.0 without the matcher below 200 characters (from 200 on difflib's "popular
    # element" rule applies, and the matcher decides).
    for text in ["a", "ab" * 99 + "x", "a" * 199, "a" * 200, "ab" * 150, "abcdefghij" * 30]:
        assert profile.name_handle_similarities([text], [text]).tolist() == [SequenceMatcher(None, text, text).ratio()], len(text)


def test_self_declared_column_equals_per_row() -> None:
    # The column path runs the pattern only on strings holding "bot" in some case; it must give
    # the per-row function's value (NaN where handle, name and description are all empty).
    texts = [*HOSTILE, "BotOfBabel", "poetry_bot", "abbott", "robotics", "BOT", "bots!", "ǅbot", "ＢＯＴ", "bot\n", "mybotty", "Bot_x",
             *(v for v in _strings(3000, 7))]
    rng = random.Random(5)
    rows = [(rng.choice(texts + [None]), rng.choice(texts + [None]), rng.choice(texts + [None])) for _ in range(4000)]
    df = pd.DataFrame({"handle": [r[0] for r in rows], "display_name": [r[1] for r in rows], "description": [r[2] for r in rows]}, dtype=object)
    got = profile_features(df)["self_declared_bot"].to_numpy()
    h = [v if v else None for v in df["handle"]]
    want = [float(self_declared_bot(a, b, c)) if (a or b or c) else np.nan for a, b, c in zip(h, df["display_name"], df["description"])]
    np.testing.assert_array_equal(got, np.array(want))
    assert np.nansum(got) > 50  # the test holds bots


def test_evidence_columns_equal_per_item_sentences() -> None:
    m = shipped_model()
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(1.0, 2.0, size=(300, len(m.features))), columns=m.features)
    X.iloc[:20] = np.nan
    X.iloc[20:40] = -0.0  # prints differently from 0.0
    X.iloc[40:60, ::2] = 1.0
    cols = m.evidence_columns(X)
    contrib = m.contributions(X)
    age = m.features.index(AGE_FEATURE)
    for r, f, v, c, s in zip(cols.row.tolist(), cols.feature, cols.value, cols.contribution, cols.sentence.to_pylist()):
        j = m.features.index(f)
        raw = X.iloc[r, j]
        want = sentence(f, raw, contrib[r, j])
        if math.isnan(X.iloc[r, age]):  # an unknown age is scored over the reference ages and says so
            for pattern, words in AGE_UNKNOWN_WORDS:
                want = re.sub(pattern, words, want)
        assert s == want and c == round(contrib[r, j], 4)
        assert (v is None and math.isnan(raw)) or v == raw
    assert m.evidence(X)[25] == [{"feature": f, "value": v, "contribution": c, "sentence": s}
                                 for r, f, v, c, s in zip(cols.row, cols.feature, cols.value, cols.contribution, cols.sentence.to_pylist()) if r == 25]


@pytest.mark.parametrize("seed", [0, 1])
def test_signal_pretest_is_a_superset(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    f = pd.DataFrame({
        "handle": ["h"] * n, "display_name": ["Jane"] * n,
        "handle_generated15": rng.choice([0.0, 1.0, np.nan], n),
        "female_name_mismatch": rng.choice([True, False], n),
        "created_after_trigger": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "in_unison": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "cluster_size": rng.choice([2.0, 5.0, np.nan], n), "cluster_id": ["c1"] * n,
        "posts_per_day_study": rng.choice([1.0, 80.0, 200.0, np.nan], n),
        "anonymity": rng.choice([0.5, 0.75, 1.0, np.nan], n),
        "retweet_share": rng.choice([0.1, 0.9, np.nan], n), "gap_cv": rng.choice([0.1, 1.0, np.nan], n),
        "n_posts": rng.choice([1, 15, 50], n),
    })
    may = signals.may_fire(f)
    for i, rec in enumerate(f.astype(object).where(f.notna(), None).to_dict("records")):
        if signals.signal_sentences(rec, "US"):
            assert may[i]
    assert not may.all()  # a pre-test that lets everything through would save nothing


def _ascii_strings(n: int, seed: int) -> list[str | None]:
    """Every ASCII character, runs of spaces at both ends, empty strings and NULLs, in random
    strings: the byte counts must agree with Python wherever a string starts or ends."""
    rng = random.Random(seed)
    alphabet = [chr(i) for i in range(128)] + [" "] * 20 + ["A", "z", "7"] * 10
    out: list[str | None] = []
    for _ in range(n):
        k = rng.random()
        out.append(None if k < 0.1 else "" if k < 0.15 else "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))))
    return out


@pytest.mark.parametrize("values", [_ascii_strings(4000, 3), _strings(3000, 4), [None, None], ["", ""], ["x"], [" a"], ["a "], [], ["\x1c"]])
def test_byte_counts_equal_python_and_the_regex_kernels(values: list[str | None]) -> None:
    """digits, capitals and words counted over the column's bytes give Python's values on every
    string (non-ASCII ones through Python) and the RE2 counts they replaced on ASCII ones."""
    col = TextColumn(values)
    fast = {"digits": col.digits(), "uppers": col.uppers(), "words": col.words()}
    _same(fast["digits"], values, lambda v: sum(c.isdigit() for c in v))
    _same(fast["uppers"], values, lambda v: sum(c.isupper() for c in v))
    _same(fast["words"], values, lambda v: len(v.split()))
    kernels = TextColumn(values)
    kernels._flat = False  # the regex path a chunked column keeps
    for name, got in fast.items():
        assert np.array_equal(got, getattr(kernels, name)(), equal_nan=True), name


# Non-ASCII strings built to meet every case of the stand-in reading: Unicode letters beside the
# ASCII words the patterns seek ("écrit par automated", "xautomatedé"), a Unicode \w after "@",
# non-ASCII spaces and punctuation between words, Unicode decimal digits ("every ٣ minutes") and
# the characters an ASCII letter matches under IGNORECASE ("ſ", "K", "ı", "İ"), and the stand-in
# characters themselves already in the text ("_", "\x01").
WORD_ONLY = ["é automated é", "éautomated", "automatedé", "автоматически automated", "made by @Жора", "by @é", "by @_é ok",
             "every\u00a0hour", "every hour\u2003feed", "every ٣ minutes", "every ３ minute", "every 5 minutes ж", "RSſ feed",
             "rſs", "httpſ://x", "http://ж.com", "Kx.com ж", "ı.com é", "İnfo.co ö", "www.ж", "ж-x.com", "ж.com", "é.io",
             "café.com", "feed_é", "é_feed", "\x01feed é", "feed\x01é", "a.co é🤖", "🤖feed🤖", "generated\u0301 x", "x\u0301generated",
             "e\u0301very hour", "ａutomated ｆeed", "made by ²", "made by @²", "by @\u00b2x é", "\u2028feed\u2028", "RSS\u0085é",
             "updates from ж", "not affiliated ü", "NOT AFFİLİATED", "alerts!é", "alertsé", "random\U0001f600ly"]


def test_word_only_patterns_equal_python_on_non_ascii_strings() -> None:
    values = [*WORD_ONLY, *HOSTILE, *_strings(4000, 11), None, ""]
    rng = random.Random(2)
    # Long mixtures too, so that many strings share the column and their characters' classes.
    values += [" ".join(rng.choice(WORD_ONLY) for _ in range(rng.randint(1, 6))) for _ in range(2000)]
    col = TextColumn(values)
    assert len(col.other) > 1500
    auto = col.count_matches(_AUTOMATION.pattern, lambda v: len(_AUTOMATION.findall(v)), ignore_case=True, word_only=True)
    _same(auto, values, lambda v: len(_AUTOMATION.findall(v)))
    link = col.matches(_LINK.pattern, lambda v: float(bool(_LINK.search(v))), ignore_case=True, word_only=True)
    _same(link, values, lambda v: float(bool(_LINK.search(v))))
    rows, stand_ins, by_python = col._stand_ins()
    assert len(by_python) and len(rows) > len(by_python)  # both paths taken
    assert np.nansum(auto[rows]) > 100 and np.nansum(link[rows]) > 100  # the stand-ins do match


def test_word_only_on_a_column_without_non_ascii_strings_or_strings() -> None:
    for values in ([], [None], ["automated feed", None, ""], ["é"]):
        col = TextColumn(values)
        got = col.count_matches(_AUTOMATION.pattern, lambda v: len(_AUTOMATION.findall(v)), ignore_case=True, word_only=True)
        _same(got, values, lambda v: len(_AUTOMATION.findall(v)))


def test_folds_to_ascii_is_every_character_an_ascii_pattern_character_matches() -> None:
    # Recomputed over every code point with this Python's `re`: a new Unicode version that adds a
    # fold must fail here, not change a stored count.
    every = "".join(chr(i) for i in range(128, 0x110000) if not 0xD800 <= i < 0xE000)
    found: set[str] = set()
    for a in range(128):
        found |= set(re.findall(re.escape(chr(a)), every, re.I))
    found |= set(re.findall("[a-z0-9-]", every, re.I))
    assert found == set(profile_text.FOLDS_TO_ASCII)


def _similarity_pairs() -> tuple[list[str | None], list[str | None]]:
    """Random and hostile (name, handle) pairs, many repeated, some equal once folded."""
    rng = random.Random(11)
    hostile = [None, "", " ", "!!", "_", "UK Labour!", "uk_labour", "UKLabour", "Jenna Abrams", "jenna_abrams", "😀🇺🇸",
               "مريم الأحمد", "שלום", "İstanbul", "STRASSE", "straße", "Ǆemal", "ﬁnance", "a" * 199, "a" * 200, "ab" * 150,
               "x1" * 5_000, "Nörbert 99", "\u200b\u200fabc", "ABC\n", "abc", "ab" * 150 + "x", "xab" * 70, "ΟΔΟΣ Σ",
               "\u212a\u0130k", "a\x00b", "\x00", "\ud800z", "abcdefghijklmnopqrstuvwxyz0123456789" * 6, "mnop"]
    names: list[str | None] = []
    handles: list[str | None] = []
    for k in range(6_000):
        if k % 3 == 0:
            a, b = rng.choice(hostile), rng.choice(hostile)
        else:
            alphabet = rng.choice(["ab_", "Abc D", "abcdefgh0123 _-", "aé😀 1"])
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25 if k % 40 else 300)))
            b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15 if k % 40 else 300)))
            if k % 5 == 0:
                b = a.upper().replace(" ", "_")  # the same once folded
            elif k % 7 == 0:
                b = a[rng.randint(0, len(a)):][: rng.randint(0, 300)]  # inside the name
            elif k % 11 == 0:
                a, b = b, b + a  # the handle inside the name
        names.append(a)
        handles.append(b)
    names += names[:500]  # repeated pairs
    handles += handles[:500]
    return names, handles


def test_name_handle_similarities_equal_per_pair() -> None:
    names, handles = _similarity_pairs()
    fast = profile.name_handle_similarities(names, handles)
    ref = np.array([name_handle_similarity(a, b) for a, b in zip(names, handles)], np.float64)
    assert fast.dtype == np.float64 and fast.shape == ref.shape
    assert np.array_equal(fast, ref, equal_nan=True)
    assert np.isnan(ref).any() and (ref == 0.0).any() and (ref == 1.0).any() and ((ref > 0) & (ref < 1)).any()
    assert len(profile.name_handle_similarities([], [])) == 0


def test_name_handle_similarities_at_difflib_s_junk_limit() -> None:
    """A handle of 200 characters or more lets difflib junk its popular characters, so the
    containment shortcut would answer wrongly there: the name 'a' * 10 inside 'b' + 'a' * 199
    is 0.0 to the matcher (every 'a' junked), not 20 / 210. One character shorter, nothing is
    junked and the shortcut's answer is the matcher's."""
    names, handles = ["a" * 10, "a" * 10, "A" * 10], ["b" + "a" * 199, "b" + "a" * 198, "B_" + "A" * 199]
    ref = [name_handle_similarity(a, b) for a, b in zip(names, handles)]
    assert ref[0] == 0.0 and ref[1] == 2 * 10 / (10 + 199) and ref[2] == 0.0
    assert profile.name_handle_similarities(names, handles).tolist() == ref


def test_folded_equals_per_text() -> None:
    texts = [t for t in _similarity_pairs()[0] if t is not None]
    assert profile._folded(texts) == [profile._ALNUM.sub("", t.lower()) for t in texts]
    clean = [t for t in texts if "\x00" not in t]  # the joined path (the list above holds a NUL)
    assert profile._folded(clean) == [profile._ALNUM.sub("", t.lower()) for t in clean]
    assert profile._folded([]) == [] and profile._folded([""]) == [""] and profile._folded(["", "A b"]) == ["", "ab"]
