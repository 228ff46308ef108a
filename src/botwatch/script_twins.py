"""Words mixing Latin and Cyrillic look-alike letters, read in one script, in a module free of
Arrow so that the live collectors can read posts as the content stage does
(`tests/test_cli_imports.py`: a collector imports no pyarrow, numpy, pandas or DuckDB).

Why here and not in `content.normalize` alone: `analyze` read a post's #EдинаяPоссия (Latin E
and P) as #ЕдинаяРоссия, but the live Bluesky and Mastodon-public filter compared it as written,
so a capture for a file listing #ЕдинаяРоссия dropped the posts the study would have counted.
"""

from __future__ import annotations

import re

# Latin letters that look like Cyrillic ones, each case apart ("B", "H", "M", "T", "K" lower-case
# to "b", "h", "m", "t", "k", whose Cyrillic twins "В", "Н", "М", "Т", "К" lower-case to "в", "н",
# "м", "т", "к"). A word mixing the two scripts is read in the script most of its letters are in.
_LATIN_TWINS = "aceopxykmthb" "ACEOPXYKMTHB"
_CYRILLIC_TWINS = "\u0430\u0441\u0435\u043e\u0440\u0445\u0443\u043a\u043c\u0442\u043d\u0432" "\u0410\u0421\u0415\u041e\u0420\u0425\u0423\u041a\u041c\u0422\u041d\u0412"
_TO_CYRILLIC = str.maketrans(_LATIN_TWINS, _CYRILLIC_TWINS)
_TO_LATIN = str.maketrans(_CYRILLIC_TWINS, _LATIN_TWINS)
_WORD = re.compile(r"\w+")
# A Latin letter beside a Cyrillic one: the rows `one_script` can change (in RE2 for Arrow, on
# lower-cased text; `MIXED` on text in any case).
MIXED_SCRIPT_RE2 = "[a-z][\u0400-\u04ff]|[\u0400-\u04ff][a-z]"
MIXED = re.compile("[a-zA-Z][\u0400-\u04ff]|[\u0400-\u04ff][a-zA-Z]")


def _one_script(m: re.Match[str]) -> str:
    w = m.group(0)
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in w)
    latin = sum("a" <= ch <= "z" or "A" <= ch <= "Z" for ch in w)
    if not cyrillic or not latin:
        return w
    return w.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def one_script(text: str) -> str:
    """`text` with each word that mixes Latin and Cyrillic letters written in the script most of
    its letters are in, look-alike letters swapped and case kept: "#eдинаяpоссия" (Latin e and p,
    typed to slip past filters, or by a keyboard layout) is "#единаяроссия", "applе" (a Cyrillic
    е) is "apple". Why: a Duma 2016 file listing #ЕдинаяРоссия matched no post's #EдинаяPоссия;
    the IRA's Russian tweets of 2016 hold such words ("Pocсийская", "Cевастополь"). Text in one
    script (ASCII above all, most of a stream) is returned as it is without a word looked at."""
    if text.isascii() or MIXED.search(text) is None:
        return text
    return _WORD.sub(_one_script, text)
