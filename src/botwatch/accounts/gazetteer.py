"""Offline lookup of countries from free-text profile locations and time-zone names.

The data (countries.tsv, places.tsv, regions.tsv, time_zones.tsv, regional_languages.tsv) ship with
the package and were written for botwatch (scripts/build_gazetteer.py generates larger tables from
GeoNames and tzdata; measured, they named Russia for more ordinary accounts, so they are not
shipped): country names in English, their own language and Russian, major cities in Latin and
Cyrillic spellings, and regions (states, provinces, counties) with their abbreviations. Matching is
on whole words after lower-casing and removing accents, so "Москва", "MOSCOW" and "moscow, russia"
all find RU.

A region or country written right after a place says which place is meant: "Moscow, Idaho",
"Paris, TX", "Cardiff NJ" and "Melbourne, Fla." are in the US, "London, Ontario" in Canada, "Perth,
Scotland" in Britain (`_resolve`). Without it every name counted for its own country, so "Cardiff
NJ" read as Britain and "Melbourne, FL" as Australia (a US state code after a comma counted for the
US too, which split them at best). Places joined otherwise ("London/Moscow", "Leeds and Paris")
each keep their own country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


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


# ISO 3166-1 alpha-3 code → alpha-2, for the countries countries.tsv lists. Why: researchers'
# labels files often write "RUS" or "DEU"; botwatch stores origins as two letters and refuses
# the three-letter code, so an error can name the two-letter code to write instead.
ALPHA3 = {
    "USA": "US", "GBR": "GB", "CAN": "CA", "AUS": "AU", "IRL": "IE", "NZL": "NZ", "IND": "IN", "PAK": "PK",
    "NGA": "NG", "ZAF": "ZA", "KEN": "KE", "PHL": "PH", "RUS": "RU", "UKR": "UA", "BLR": "BY", "KAZ": "KZ",
    "UZB": "UZ", "GEO": "GE", "ARM": "AM", "BGR": "BG", "SRB": "RS", "DEU": "DE", "AUT": "AT", "CHE": "CH",
    "FRA": "FR", "BEL": "BE", "NLD": "NL", "ESP": "ES", "PRT": "PT", "ITA": "IT", "SWE": "SE", "NOR": "NO",
    "DNK": "DK", "FIN": "FI", "POL": "PL", "CZE": "CZ", "HUN": "HU", "ROU": "RO", "GRC": "GR", "TUR": "TR",
    "ISR": "IL", "SAU": "SA", "ARE": "AE", "EGY": "EG", "IRN": "IR", "SYR": "SY", "BRA": "BR", "MEX": "MX",
    "ARG": "AR", "COL": "CO", "VEN": "VE", "CHL": "CL", "JPN": "JP", "KOR": "KR", "CHN": "CN", "IDN": "ID",
    "MYS": "MY", "THA": "TH",
}


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """The candidate countries, in file order."""
    out: dict[str, Country] = {}
    for iso2, weight, tzs, langs, scripts, names in _rows("countries.tsv"):
        out[iso2] = Country(iso2, float(weight), tuple(tzs.split(",")), tuple(langs.split(",")), tuple(scripts.split(",")), tuple(names.split("|")))
    return out


@lru_cache(maxsize=1)
def country_zones() -> dict[str, tuple[str, ...]]:
    """Every IANA time zone of each country the model names (country_zones.tsv, from tzdata's
    zone.tab: `scripts/build_country_zones.py`). Not the origin model's weighted zones
    (`Country.time_zones`, a country's main ones): where a country's clocks are, for saying what
    lies "away from home" (`timeline.report.home_offsets`); Russia runs from UTC+2 to UTC+12."""
    return {iso2: tuple(zones.split(",")) for iso2, zones in _rows("country_zones.tsv")}


def country_asked(code: str) -> str | None:
    """The two-letter code the origin model stores for a country code a user typed: either case,
    ISO 3166-1 alpha-2 ("ru", "RU") or alpha-3 ("RUS", `ALPHA3`); None where it is neither among
    the countries the model names (`countries`). Why: `accounts --country XX` answered "no
    accounts with origin XX" as if XX were a country none was placed in, and refused "RUS"."""
    code = code.strip().upper()
    code = ALPHA3.get(code, code)
    return code if code in countries() else None


def country_named(name: str) -> str | None:
    """The two-letter code of a country the model names written out ("Russia", "россия"), else
    None: for an error that says which code to write, never to read a name as a code silently."""
    folded = fold(name.strip())
    return next((iso for iso, c in countries().items() if folded in {fold(n) for n in c.names}), None)


@lru_cache(maxsize=1)
def time_zone_names() -> dict[str, str]:
    """v1.1 `time_zone` names (Rails) and IANA ids → country (time_zones.tsv); others fall back to `utc_offset`."""
    return {name.strip(): iso2.strip() for name, iso2 in _rows("time_zones.tsv")}


@lru_cache(maxsize=1)
def regional_languages() -> dict[str, str]:
    """Interface-language tag (lower case, "-") → the country it names (regional_languages.tsv)."""
    return {tag.strip().lower(): iso2.strip() for tag, iso2 in _rows("regional_languages.tsv")}


@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """regions.tsv: (folded region name → the countries it can name, usual first; abbreviation
    without its final dot, lower case → (the form as written there, its countries))."""
    names: dict[str, tuple[str, ...]] = {}
    abbrs: dict[str, tuple[str, ...]] = {}
    for form, isos, kind in _rows("regions.tsv"):
        readings = tuple(c.strip() for c in isos.split(","))
        if kind.strip() == "name":
            names[fold(form.strip())] = readings
        else:
            abbrs[form.strip().rstrip(".")] = readings
    return names, abbrs


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    names: dict[str, set[str]] = {}
    for c in countries().values():
        for n in c.names:
            names.setdefault(fold(n), set()).add(c.iso2)
    for name, iso2 in _rows("places.tsv"):
        names.setdefault(fold(name.strip()), set()).add(iso2.strip())
    for name, readings in _regions()[0].items():  # alone, a region names its usual country
        names.setdefault(name, set()).add(readings[0])
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
    """The names found in `folded`, in order (`_name_spans` without their places)."""
    return [name for _, _, name in _name_spans(folded)]


def _name_spans(folded: str) -> list[tuple[int, int, str]]:
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
        return [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(folded)]
    out: list[tuple[int, int, str]] = []
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
                out.append((start, stop, name))
                end = stop
                break
    return out


# What may stand between a place and the region or country that qualifies it ("Paris, TX",
# "Cardiff NJ", "London (Ontario)"); a word, a slash, "&" or a dash between them means two places
# ("London/Texas", "London and Texas", "Edinburgh-Oxford-Indiana").
_ADJACENT = re.compile(r"[\s,.()]*")
# Where a comma-separated part ends: the next comma, a separator of alternatives, or " and ".
_PART_END = re.compile(r"[,/|&+;\u2022\u00b7\u2708\u2192~\n]|\band\b")
# A candidate abbreviation: ASCII letters, dots between them ("N.J."), a final dot; a capital first
# (every form in regions.tsv starts with one, and `_abbreviations` reads no other), which also
# skips most of a location's words at once.
_ABBR_TOKEN = re.compile(r"(?<![\w.])[A-Z](?:[A-Za-z]|\.(?=[A-Za-z]))*\.?(?!\w)")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class _Found:
    """A name or abbreviation found in a location: where (in the folded text), what it is, the
    countries it can name (usual first) and those it is counted for."""

    start: int
    end: int
    kind: str  # "place" (places.tsv), "region" (regions.tsv names), "abbr" (regions.tsv abbreviations), "country"
    readings: tuple[str, ...]
    counted: tuple[str, ...]


@lru_cache(maxsize=1)
def _name_kinds() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each folded name → (its kind, the countries it can name, usual first)."""
    _, names = _matcher()
    regions, _ = _regions()
    country_names = {fold(n) for c in countries().values() for n in c.names}
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, isos in names.items():
        if name in regions:  # England, Scotland, Wales qualify a place as a county does
            out[name] = ("region", regions[name])
        elif name in country_names:
            out[name] = ("country", tuple(isos))
        else:
            out[name] = ("place", tuple(isos))
    return out


def _folded_offsets(text: str, folded: str) -> list[int] | None:
    """Each position of `text` (and its end) in `folded`, or None when the text does not fold a
    character at a time into `folded` (then no abbreviation is read: names still are)."""
    if text.isascii():
        return list(range(len(text) + 1))
    out = [0]
    for ch in text:
        out.append(out[-1] + len(fold(ch)))
    return out if out[-1] == len(folded) and "".join(fold(ch) for ch in text) == folded else None


def _part_rest_is_plain(folded: str, start: int, names: list[tuple[int, int, str]]) -> bool:
    """Whether the comma-separated part from `start` on holds no letters outside found names:
    "FL", "FL 32901", "FL USA" qualify; "IN the world" does not."""
    end_m = _PART_END.search(folded, start)
    stop = end_m.start() if end_m else len(folded)
    pos = start
    for s, e, _ in names:
        if e <= start or s >= stop:
            continue
        if _LETTER.search(folded, pos, s):
            return False
        pos = max(pos, e)
    return _LETTER.search(folded, pos, stop) is None


@lru_cache(maxsize=1)
def _abbreviation_forms() -> dict[str, str]:
    """Each abbreviation of regions.tsv in lower case → the form as listed there."""
    return {k.lower(): k for k in _regions()[1]}


def _abbreviations(text: str, folded: str, names: list[tuple[int, int, str]]) -> list[_Found]:
    """The region abbreviations of `text` standing where a qualifier stands (regions.tsv's rules):
    the whole of a comma-separated part, with a capital first letter ("Paris, TX", "Melbourne,Fla",
    "Austin, Tx 78701"), or the last word of a part right after a found place or region, written as
    listed or in capitals ("Cardiff NJ", "PERTH WA"). Positions are in `folded`."""
    _, abbrs = _regions()
    forms = _abbreviation_forms()
    offsets = None
    out: list[_Found] = []
    for m in _ABBR_TOKEN.finditer(text):
        token = m.group().rstrip(".")
        key = forms.get(token.lower())
        if key is None:
            continue
        if offsets is None:
            offsets = _folded_offsets(text, folded)
            if offsets is None:
                return []
        start, end = offsets[m.start()], offsets[m.end()]
        if any(s < end and start < e for s, e, _ in names):
            continue
        after_comma = folded[:start].rstrip().endswith(",")
        if after_comma and len(token) == 2 and token.isupper() and token.isalpha():
            pass  # ", TX": a state code after a comma, whatever follows ("Dayton, OH Area")
        elif after_comma and token[:1].isupper() and _part_rest_is_plain(folded, end, names):
            pass
        elif token in (key, key.upper()) and _part_rest_is_plain(folded, end, names) and any(
                e <= start and not folded[e:start].strip() and _name_kinds()[n][0] in ("place", "region") for s, e, n in names):
            pass
        else:
            continue
        readings = abbrs[key]
        out.append(_Found(start, end, "abbr", readings, readings[:1]))
    return out


def _qualifies(a: _Found, b: _Found, alone: bool) -> bool:
    """Whether `b` says where the place `a` written before it is: a region or region abbreviation
    after a place or region ("Paris, TX", "Kent, OH", "Surrey, BC"), or a country after a city when
    the two are all the location names ("Boston, UK"; in "Norwich, London, China" or "New York,
    Canada, South Africa" the country is one more place of a list)."""
    if a.kind not in ("place", "region"):
        return False
    return b.kind in ("region", "abbr") or (b.kind == "country" and a.kind == "place" and alone)


def _resolve(found: list[_Found], folded: str) -> None:
    """Read a place written right before its qualifier (`_qualifies`) in the qualifier's country:
    the first of the qualifier's countries the place can name, else the qualifier's usual one
    ("Perth, WA" Australia, "Seattle, WA" and "Moscow, Idaho" US), and the qualifier then in the
    same. Right to left, so that "London, Ontario, Canada" reads Ontario in Canada before London
    in Ontario. Changes `found` in place."""
    alone = len(found) == 2
    for i in range(len(found) - 2, -1, -1):
        a, b = found[i], found[i + 1]
        if not _qualifies(a, b, alone) or not _ADJACENT.fullmatch(folded, a.end, b.start):
            continue
        shared = tuple(c for c in b.readings if c in a.readings)
        if shared:
            a.readings = a.counted = b.counted = shared
        else:
            a.readings = a.counted = b.counted


def countries_in_location(text: str | None) -> dict[str, int]:
    """Countries a location string names, with how many names pointed at each (a place qualified by
    a region or country counted in that one: `_resolve`)."""
    if not text or not text.strip():
        return {}
    folded = fold(text)
    spans = _name_spans(folded)
    kinds = _name_kinds()
    abbrs = _abbreviations(text, folded, spans)
    out: dict[str, int] = {}
    if not abbrs and len(spans) < 2:  # nothing to qualify (most locations): each name's usual countries
        for _, _, name in spans:
            kind, readings = kinds[name]
            for iso2 in readings[:1] if kind == "region" else readings:
                out[iso2] = out.get(iso2, 0) + 1
        return out
    found = [_Found(s, e, kinds[n][0], kinds[n][1], kinds[n][1][:1] if kinds[n][0] == "region" else kinds[n][1]) for s, e, n in spans]
    if abbrs:
        found = sorted(found + abbrs, key=lambda f: f.start)
    _resolve(found, folded)
    for f in found:
        for iso2 in f.counted:
            out[iso2] = out.get(iso2, 0) + 1
    return out


def country_of_time_zone(name: str | None) -> str | None:
    """The country a v1.1 `time_zone` name implies, if it is one we know."""
    if not name:
        return None
    return time_zone_names().get(name.strip())
