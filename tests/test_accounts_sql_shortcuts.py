"""Speed shortcuts in the engine queries of the accounts stage give exactly what the plain way gives.

Each test keeps the plain expression the shortcut replaced and compares the two on hostile texts
(combining marks, tabs, non-breaking spaces, leading and trailing blanks, retweet prefixes, links,
other scripts), so a shortcut that drifts from what it stands for fails here."""

from __future__ import annotations

import random

import ibis

from botwatch.coordination.behaviours import normalise_text

HOSTILE = [
    "RT @Someone: Vote NOW!!! https://t.co/xyz", "vote   now", "Голосуйте сейчас!", "  leading and trailing  ",
    "\ttabs\tand\nnewlines\r\n", "non\u00a0breaking\u2003spaces", "e\u0301 combining marks a\u0300\u0301", "\u0301 mark first",
    "İstanbul DİYARBAKIR", "ǅ titlecase", "", " ", "!!!", "#tag @user _x_", "http://a.b/c?d=e trailing link", "RT @a_b:",
    "rt @x no colon", "x https://t.co/a\u0301b y", "Ελληνικά и кириллица עברית", "\u200b zero width \ufeff", "emoji \U0001f600 only",
    "a" * 30 + "  " + "b" * 30, None,
]


def _plain_normalise(text):  # type: ignore[no-untyped-def]
    """`normalise_text` as it was written before its shortcuts (marks pass on every text, `strip()`)."""
    s = text.lower().re_replace(r"\p{M}+", "")
    s = s.re_replace(r"^rt @[\p{L}\p{N}_]+:?|https?://\S+|[^\p{L}\p{N}#@_ ]+", " ")
    return s.re_replace(r"  +", " ").strip()


def _random_texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    alphabet = list("aZ 09#@_:/.!?\t\n") + ["\u00a0", "\u0301", "\u0300", "İ", "ß", "ж", "Ж", "ع", "中", "\U0001f600", "RT @", "http://", "https://t.co/"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def test_normalise_text_equals_plain_form() -> None:
    texts = HOSTILE + _random_texts(3000)
    t = ibis.memtable({"s": texts}, schema={"s": "string"})
    got = t.select(a=normalise_text(t.s), b=_plain_normalise(t.s)).to_pyarrow()
    a, b = got["a"].to_pylist(), got["b"].to_pylist()
    assert a == b, [(x, y, z) for x, y, z in zip(texts, a, b) if y != z][:5]
    assert any(x and "\u0301" in x for x in texts) and "" in a
