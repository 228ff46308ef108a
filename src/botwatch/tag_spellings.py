"""German umlauts and sharp s as a hashtag spells them without the letter, in a module of its own
so that the live collectors can read it without importing Arrow (`tests/test_cli_imports.py`: a
collector imports no pyarrow, numpy, pandas or DuckDB, so a long capture stays small).

The same tag is typed both ways: in the IRA's German tweets of the 2017 Bundestag election,
#gehtwählen 7 times beside #gehtwaehlen 25 times; #ZeitFürMartin and #ZeitFuerMartin, #Özoguz and
#Oezoguz; a file listing one form matched no post of the other. Tags only: in running text "ue" is
no umlaut ("Bauer", "neue"), and a hashtag is one word whose two spellings people treat as one.
"""

from __future__ import annotations

import re

# What the matcher drops from a tag before comparing (`content.normalize.norm_tag`).
SEPARATORS = re.compile(r"[_\-\s]")

TAG_SPELLINGS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))


def spell_out(tag: str) -> str:
    """`tag` (already lower-cased) with each umlaut and ß written as `TAG_SPELLINGS` writes it."""
    for letter, spelt in TAG_SPELLINGS:
        tag = tag.replace(letter, spelt)
    return tag


def ascii_tag_key(tag: str) -> str | None:
    """`content.normalize.norm_tag(tag)` for a tag written in ASCII alone, without Arrow; None for
    any other tag. Why: loading an election file compares its pro and anti tags as the matcher
    does, and `norm_tag` lower-cases through Arrow, which brought pyarrow, numpy and pandas (and
    half a CPU-second) into every command that reads an election file, a live `collect` among
    them. For ASCII the two agree exactly: NFKC leaves it as it is, Arrow's lower-casing is
    Python's there, and it holds no umlaut to spell out."""
    if not tag.isascii():
        return None
    return SEPARATORS.sub("", tag.lower().lstrip("#"))
