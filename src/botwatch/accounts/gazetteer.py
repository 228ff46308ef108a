"""Offline lookup of countries from free-text profile locations and time-zone names.

The data (countries.tsv, places.tsv, time_zones.tsv, regional_languages.tsv) ship with the package
and were written for botwatch (scripts/build_gazetteer.py generates larger tables from GeoNames and
tzdata; measured, they named Russia for more ordinary accounts, so they are not shipped): country
names in English, their own language and Russian, and major cities and regions in Latin and
Cyrillic spellings. Matching is on whole words after lower-casing and removing accents, so
"Москва", "MOSCOW" and "moscow, russia" all find RU, and "Moscow, Idaho" finds both RU and US
(the model then splits the evidence rather than guessing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
_STATE_SUFFIX = re.compile(r",\s*([A-Z]{2})\b")



@dataclass(frozen=True)
class Country:
    iso2: str
    weight: float
    time_zones: tuple[str, ...]
    languages: tuple[str, ...]
    scripts: tuple[str, ...]
    names: tuple[str, ...]


def fold(text: str) -> str:
    """Lower-case and strip accents (NFKD, combining marks dropped), for matching only."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    if decomposed.isascii():  # no ASCII character is a combining mark: nothing to drop
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _rows(name: str) -> list[list[str]]:
    text = (resources.files("botwatch.accounts") / "data" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """The candidate countries, in file order."""
    out: dict[str, Country] = {}
    for iso2, weight, tzs, langs, scripts, names in _rows("countries.tsv"):
        out[iso2] = Country(iso2, float(weight), tuple(tzs.split(",")), tuple(langs.split(",")), tuple(scripts.split(",")), tuple(names.split("|")))
    return out


@lru_cache(maxsize=1)
def time_zone_names() -> dict[str, str]:
    """v1.1 `time_zone` names (Rails) and IANA ids → country (time_zones.tsv); others fall back to `utc_offset`."""
    return {name.strip(): iso2.strip() for name, iso2 in _rows("time_zones.tsv")}


@lru_cache(maxsize=1)
def regional_languages() -> dict[str, str]:
    """Interface-language tag (lower case, "-") → the country it names (regional_languages.tsv)."""
    return {tag.strip().lower(): iso2.strip() for tag, iso2 in _rows("regional_languages.tsv")}


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    names: dict[str, set[str]] = {}
    for c in countries().values():
        for n in c.names:
            names.setdefault(fold(n), set()).add(c.iso2)
    for name, iso2 in _rows("places.tsv"):
        names.setdefault(fold(name.strip()), set()).add(iso2.strip())
    alts = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")
    return pattern, names


# A run of word characters, and one word character: `\w` as the matcher's pattern reads it.
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, tuple[str, ...]] | None:
    """Each folded name under its first word (its leading run of word characters), longest name
    first, as `_matcher`'s alternation tries them; None if some name does not start with a word
    character (then only the pattern can find it)."""
    _, names = _matcher()
    out: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        head = _WORD.match(name)
        if head is None:
            return None
        out.setdefault(head.group(), []).append(name)
    return {w: tuple(ns) for w, ns in out.items()}


def _name_matches(folded: str) -> list[str]:
    r"""The names `_matcher()`'s pattern finds in `folded`, in order: what
    `[m.group(1) for m in pattern.finditer(folded)]` gives, found from the text's words.

    Why: the pattern (hundreds of alternatives between word boundaries) was tried at every
    character of every location, most of a location's cost. A match starts where a word starts
    (`(?<!\w)` and the name's first character is a word character), and there the text's word
    is the name's first word: either the name is one word, which `(?!\w)` makes the whole word,
    or a non-word character follows its first word in the name and so in the text. So only words
    that begin some name need trying, against those names, longest first, as the alternation
    tries them; the next search starts after a match, as `finditer`'s does."""
    index = _by_first_word()
    if index is None:
        pattern, _ = _matcher()
        return [m.group(1) for m in pattern.finditer(folded)]
    out: list[str] = []
    end = 0
    for word in _WORD.finditer(folded):
        start = word.start()
        if start < end:
            continue
        candidates = index.get(word.group())
        if candidates is None:
            continue
        for name in candidates:
            stop = start + len(name)
            if folded.startswith(name, start) and _WORD_CHAR.match(folded, stop) is None:
                out.append(name)
                end = stop
                break
    return out


def countries_in_location(text: str | None) -> dict[str, int]:
    """Countries a location string names, with how many names pointed at each."""
    if not text or not text.strip():
        return {}
    _, names = _matcher()
    found: dict[str, int] = {}
    for name in _name_matches(fold(text)):
        for iso2 in names[name]:
            found[iso2] = found.get(iso2, 0) + 1
    for code in _STATE_SUFFIX.findall(text):
        if code in US_STATE_CODES:
            found["US"] = found.get("US", 0) + 1
    return found


def country_of_time_zone(name: str | None) -> str | None:
    """The country a v1.1 `time_zone` name implies, if it is one we know."""
    if not name:
        return None
    return time_zone_names().get(name.strip())
