"""Where an account is probably run from: a naive-Bayes posterior over countries.

    P(country | evidence) ∝ prior(country) × Π_e L_e(country)

Each piece of evidence e gives a likelihood vector L_e over the candidate countries (1 where the
evidence is typical, a stated floor where it is not); the ratio between the two is the
likelihood ratio the evidence carries. The ratios below are set by argument, not fitted (no data
set labels account origins), and are listed in docs/methods.md with the validation on the IRA
accounts; the profile time zone's are measured per zone where accounts of known country carry it
(`origin_time_zone`). Evidence items are treated as independent, which they are not (a Russian name and
Russian posts go together), so the posterior is over-confident when many items agree; the
floors are deliberately generous to limit that.

Prior: countries weighted by the rough size of their Twitter population; when the study has an
election, its country gets `HOME_PRIOR` of the mass first, because talk about an election is
mostly from its voters. That share is a stated guess: the accounts stage replaces it by the study's
own estimated home share (`origin_prior.estimate_home`, centred on `HOME_PRIOR`), and a profile
place naming another country undoes it for that account (`PLACE_ELSEWHERE`).

Behaviour: accounts run from abroad that pose as locals say the right things in their
profile, so three behavioural items (`origin_signals`: daylight-saving shift, Russian holidays,
language transfer) are added with likelihood ratios measured on real data, and two profile
items are weighted by what was measured rather than by argument: a profile place naming the
election's own country is about as common among Russia-run accounts as among local ones, so it
does not count against Russia (`home_claim_floor_ru`), and an archive's third-party `region`
guess named the true country for few of the accounts whose origin is known (`region_floor`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from botwatch.accounts import origin_desk, origin_shifts, origin_time_zone
from botwatch.accounts.circadian import MIN_ACTIVE_CELLS, fit_hours, offset_words, whole_offsets
from botwatch.accounts.gazetteer import countries, countries_in_location, regional_languages
from botwatch.accounts.origin_behaviour import Behaviour
from botwatch.accounts.origin_signals import behaviour_items, parameters
from botwatch.language_names import UNKNOWN_TAGS, current_code, language_code
from botwatch.numeric import sum_left_to_right
from botwatch.count_text import counted, two_figures
from botwatch.prob_text import most_likely, percent, prob3

HOME_PRIOR = 0.3
# Likelihood floors: L(country) for countries the evidence does not point to (the match gets 1).
FLOOR_LOCATION = 0.01  # few ordinary accounts name a place in another country; trolls do, which other evidence must catch
FLOOR_TIME_ZONE = origin_time_zone.FLOOR  # the bound: measured likelihoods (origin_time_zone) lie between it and 1
FLOOR_UTC_OFFSET = 0.15  # an offset is shared by many countries
FLOOR_SCRIPT = 0.05
FLOOR_LANG = 0.01  # posting mostly in a language nobody in the country speaks is rare
FLOOR_LANG_EN = 0.3  # English is everybody's second language on Twitter
FLOOR_ACCOUNT_LANG = 0.03
FLOOR_ACCOUNT_LANG_EN = 0.4  # English is the default interface language everywhere
FLOOR_HOURS = 0.05  # argued default; the shipped value is measured (origin_behaviour_lr.json: profile.hours_floor)
FLOOR_CLIENT = 0.1
# An archive's region guess that names the election's own country, for the countries it does not
# name (Russia excepted, as for a profile place: Russia-run accounts posing as locals carry that
# guess as often as local ones). Stated, not fitted (no data set holds region guesses for accounts
# run from a third country); weaker than a self-described place (FLOOR_LOCATION), since the guess
# is a tool's. Without it, accounts posing as Americans whose hours fit neither a US day nor the
# Moscow office were placed in Brazil, Britain or Japan on their hours alone (docs/methods.md).
FLOOR_REGION_HOME = 0.1
# The post-language item is one typical post's worth of evidence (log-linear pool, below) however
# many posts there are, so an account's single post counts as one post. It was 3: on the
# development part that left 14 of 20 Russian-language IRA accounts with 1-4 posts without any
# origin evidence (unknown), for no gain among ordinary accounts (docs/methods.md).
MIN_TAGGED_POSTS = 1
# Mostly Cyrillic posts (`post_cyrillic`): the post-language item counts one typical post (at most
# ×1/FLOOR_LANG between a country where the language is spoken and one where it is not), so 150
# Russian-tagged posts of 300 counted less than a pattern of hours. How often real accounts post
# mostly in Cyrillic script was measured on the development part (the ordinary archives carry no
# language tags, but their texts show their script): accounts with posts of which at least half
# contain Cyrillic letters, (count, accounts with posts) among the Russia-run handles (Russian-language
# and posing) and among the ordinary accounts. Printed by
# `PYTHONPATH=src .venv/bin/python scripts/measure_origin_cyrillic.py --work W`.
CYRILLIC_SHARE = 0.5
CYRILLIC_COUNTS: dict[str, tuple[int, int]] = {"russia_run": (498, 1042), "ordinary": (1, 20141)}
NO_EVIDENCE = "no origin evidence: no location, time zone, language, script or posting-hour signal"
# Rough population shares of the time zones listed for a country in countries.tsv (same order);
# countries not listed weigh their zones equally. An even mean would hand a Moscow-hours account
# to one-zone neighbours, and a Central-time American to Mexico.
ZONE_WEIGHTS: dict[str, tuple[float, ...]] = {
    "US": (0.47, 0.29, 0.07, 0.17),  # Eastern, Central, Mountain, Pacific
    "RU": (0.7, 0.15, 0.15),  # Moscow time holds European Russia; Yekaterinburg; Novosibirsk and east
}
# Cyrillic-script languages that a language detector confuses with Russian (measured rate in
# origin_behaviour_lr.json: profile.cyrillic_tag_confusion).
CYRILLIC_CONFUSABLE = frozenset({"uk", "bg", "mk", "sr", "uz", "kk", "be", "ky", "tg", "mn"})
# Post tags that name no language: the table the readers and the content stage share
# (`language_names.UNKNOWN_TAGS`: "und", "zxx", Twitter's q-codes, "language undefined", ...) and
# ISO's "art" (artificial languages). Its own shorter list until 2026-12-04, which also held "in":
# Twitter's code for Indonesian (`language_names.LEGACY_CODES`, read as 'id').
IGNORED_LANGS = UNKNOWN_TAGS | {"art"}

SCRIPT_RANGES: dict[str, str] = {
    "cyrillic": "\u0400-\u04ff",
    "arabic": "\u0600-\u06ff",
    "cjk": "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af",
    "greek": "\u0370-\u03ff",
    "hebrew": "\u0590-\u05ff",
    "devanagari": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
    "georgian": "\u10a0-\u10ff",
    "armenian": "\u0530-\u058f",
}
_SCRIPT_RE = {k: re.compile(f"[{v}]") for k, v in SCRIPT_RANGES.items()}
# Every range at once: one search settles the non-ASCII texts holding none of these scripts
# (accented Latin, emoji), which are most of them, instead of one search per script.
_ANY_SCRIPT_RE = re.compile("[" + "".join(SCRIPT_RANGES.values()) + "]")
# Client applications that belong to one country's ecosystem (most clients say nothing).
REGIONAL_CLIENTS: dict[str, tuple[str, ...]] = {
    "vk": ("RU", "UA", "BY", "KZ"), "vkontakte": ("RU", "UA", "BY", "KZ"), "yandex": ("RU",),
    "weibo": ("CN",), "kakao": ("KR",), "naver": ("KR",), "line": ("JP", "TH"), "hatena": ("JP",),
}


@dataclass
class OriginInput:
    """What the origin model reads for one account (any part may be missing)."""

    location: str | None = None
    region: str | None = None  # an archive's own location classification (IRA `region`)
    account_lang: str | None = None
    time_zone: str | None = None
    utc_offset: int | None = None  # seconds east of UTC
    display_name: str | None = None
    description: str | None = None
    post_langs: Mapping[str, int] = field(default_factory=dict)
    post_scripts: Mapping[str, int] = field(default_factory=dict)  # posts containing each script
    n_posts: int = 0
    hour_counts: Sequence[int] | None = None
    clients: Mapping[str, int] = field(default_factory=dict)
    when: datetime | None = None  # a typical time of the account's posts (for DST)
    behaviour: Behaviour | None = None  # statistics of the account's own posts (origin_behaviour)
    shift_counts: Sequence[int] | None = None  # posts by UTC hour, for accounts active on enough clock hours (origin_shifts.shift_counts)
    shift_from_desk: bool = False  # shift_counts are the account's desk's, not its own (origin_desk)
    desk_own_posts: int | None = None  # the account's own dated posts, as the desk rule counted them (origin_desk)
    active_cells: int | None = None  # distinct (UTC date, hour) cells with posts (`hours_readable`; None: not counted, not gated)
    active_days: int | None = None  # distinct UTC dates with posts (`origin_shifts.days_readable`; None: not counted, not gated)


@dataclass
class OriginResult:
    country: str | None
    probability: float | None
    probabilities: dict[str, float]
    evidence: list[str]
    items: list[str]  # names of the evidence kinds used
    p_russia: float | None = None  # unrounded P(Russia) (for the study-level prior in `origin_prior`)
    # The `office_hours` item's factor on the odds of Russia against home (else the US), the number
    # its sentence states (`office_factor`); the stage writes it as that evidence row's `value`. Not
    # compared: it is a reading of one item, already in `evidence`.
    office: float | None = field(default=None, compare=False)

    def probabilities_json(self) -> str | None:
        return json.dumps(self.probabilities, sort_keys=False) if self.probabilities else None


@lru_cache(maxsize=1)
def codes() -> tuple[str, ...]:
    return tuple(countries())


def prior(home: str | None = None) -> np.ndarray:
    """The stated prior over `codes()` (see module docstring)."""
    return _prior(home).copy()


@lru_cache(maxsize=64)
def _prior(home: str | None) -> np.ndarray:
    """`prior`, built once per home country (it was rebuilt for every account)."""
    w = np.array([countries()[c].weight for c in codes()], float)
    p = w / w.sum()
    if home and home in codes():
        i = codes().index(home)
        rest = p.copy()
        rest[i] = 0.0
        p = (1 - HOME_PRIOR) * rest / rest.sum()
        p[i] += HOME_PRIOR
    return p


def _vector(match: Mapping[str, float], floor: float) -> np.ndarray:
    """Likelihood vector: `floor` everywhere, max(floor, weight) where the evidence points."""
    v = np.full(len(codes()), floor)
    for c, w in match.items():
        if c in codes():
            i = codes().index(c)
            v[i] = max(v[i], w)
    return v


def _speaks(lang: str) -> list[str]:
    return [c.iso2 for c in countries().values() if lang in c.languages]


def lang_vector(lang: str, floor_en: float, floor_other: float) -> np.ndarray | None:
    """P(language | country) as 1 where it is spoken, a floor elsewhere; None if unknown here."""
    base = language_code(lang.lower())
    where = _speaks(base)
    if not where:
        return None
    v = _vector({c: 1.0 for c in where}, floor_en if base == "en" else floor_other)
    region = regional_languages().get(lang.lower().replace("_", "-"))
    if region is not None:
        v = v * _vector({region: 1.0}, 0.5)
    return v


def _names(iso: Sequence[str], k: int = 5) -> str:
    shown = ", ".join(iso[:k])
    return shown + (f" and {len(iso) - k} more" if len(iso) > k else "")


def _top(v: np.ndarray, least: float = 0.999) -> list[str]:
    """The countries a likelihood vector favours: those whose factor is at least `least` times its largest."""
    m = v.max()
    return [codes()[i] for i in np.flatnonzero(v >= m * least)]


# The countries the post-language sentence says the posts favour: every one within ×1.1 of the
# best. A few posts in a second language break the tie among the first language's countries by
# a hair: @Jenn_Abrams (IRA, posing as American), 22,786 tagged posts, 99.5% English and a few
# dozen in Japanese and Arabic, read "which favours AE (×3.3)", where the Emirates' factor is 1%
# above the United States' (and ×3.3 is the best against the least favoured). The vector is
# unchanged; only what the sentence names.
LANG_FAVOURS_WITHIN = 1.1


@lru_cache(maxsize=4096)
def _tz_offset_minutes(tz: str, year: int, month: int) -> int:
    off = ZoneInfo(tz).utcoffset(datetime(year, month, 15, 12))
    return round(off.total_seconds() / 60) if off is not None else 0


@lru_cache(maxsize=512)
def _zone_offsets(year: int, month: int) -> tuple[tuple[tuple[float, int], ...], ...]:
    """Per country in `codes()` order: (weight, UTC offset in hours) of each of its time zones
    in that month (weights from `ZONE_WEIGHTS`, else equal), on the fit's -11..+12 circle.

    A zone off the whole hour is split between the two whole offsets around it, by nearness: a
    day kept at India's UTC+5:30 fits +5 as well as +6. Rounded (halves to even), India sat at +6
    alone and Iran's +3:30 at +4 alone, so a day fitted at UTC+6 "favours IN, KZ" and an Indian
    day fitted at +5 counted as no Indian evidence."""
    out = []
    for c in codes():
        tzs = countries()[c].time_zones
        w = ZONE_WEIGHTS.get(c, ())
        if len(w) != len(tzs):
            w = tuple([1.0 / len(tzs)] * len(tzs))
        pairs = []
        for wz, tz in zip(w, tzs):
            for o, share in whole_offsets(_tz_offset_minutes(tz, year, month)):
                pairs.append((wz * share, o - 24 if o > 12 else o))
        out.append(tuple(pairs))
    return tuple(out)


def hours_vector(fit_probs: Mapping[int, float], when: datetime | None) -> np.ndarray:
    """L(country) = mean over its time zones (weighted by `ZONE_WEIGHTS`) of the fitted probability of that zone's offset."""
    when = when or datetime(2016, 6, 15)
    vals = [sum_left_to_right(wi * fit_probs.get(o, 0.0) for wi, o in zones) for zones in _zone_offsets(when.year, when.month)]  # 3.11's addition (botwatch.numeric)
    v = np.array(vals, float)
    floor = float(parameters()["profile"].get("hours_floor", FLOOR_HOURS))
    return np.maximum(v / v.max(), floor) if v.max() > 0 else np.ones(len(codes()))


def scripts_in(text: str | None) -> list[str]:
    """Non-Latin scripts present in a text."""
    if not text or text.isascii() or not _ANY_SCRIPT_RE.search(text):  # every script range lies beyond ASCII
        return []
    return [k for k, rx in _SCRIPT_RE.items() if rx.search(text)]


def _script_vector(scripts: Sequence[str]) -> np.ndarray:
    match = {c.iso2: 1.0 for c in countries().values() if any(s in c.scripts for s in scripts)}
    return _vector(match, FLOOR_SCRIPT)


# The home prior (`HOME_PRIOR`, or the study's estimated home share, `origin_prior.HomeShare`) says
# who talks about an election when nothing is known of an account. A profile place that names
# another country, and not home, is the account's own statement of where it lives, and the home
# boost is no reason to doubt it: under a GB election the boost gave GB 30% and Ireland 0.23%
# (130 to 1), so "Dublin, Ireland" (×100 for IE) still ended most likely GB. For such an account
# the location item undoes the boost (×odds(population prior of home) / odds(HOME_PRIOR) for
# home), so its prior is the countries' population weights (countries.tsv; GB 16 to IE 1, close to
# the two populations: 65.6 million, ONS mid-2016 estimate, against 4.76 million, CSO census 2016),
# and the study's home share is not applied to it (`origin_prior.apply_home_share`). Everything
# else about the account (time zone, hours, language) still counts in full, so a place contradicted
# by the rest of the profile does not win on its own.
PLACE_ELSEWHERE = "the election's home prior does not apply to an account whose profile places it elsewhere"


@lru_cache(maxsize=64)
def undo_home_boost(home: str) -> float:
    """The factor on home's likelihood that turns the home-boosted prior back into the population
    prior (`PLACE_ELSEWHERE`): odds(population share of home) / odds(HOME_PRIOR)."""
    p = _prior(None)[codes().index(home)]
    return float((p / (1 - p)) / (HOME_PRIOR / (1 - HOME_PRIOR)))


@lru_cache(maxsize=1024)
def location_floor(named: tuple[str, ...], floor: float) -> float:
    """The floor of a profile place naming `named`: `floor` × the population prior of the largest
    named country over the prior's largest country (`countries.tsv`, no home boost), at most `floor`.

    Why: a flat ×100 for the named country made a stated place count for less the smaller its
    country. Against the United States' prior (60 times Austria's), "Vienna" with English posts
    ended most likely US (0.28) and AT second (0.14), and "Dublin, Ireland" with a London time
    zone ended GB: weak evidence (English posts, a zone name any client sets) outweighed the
    account's own words. Scaled by the prior, a place gives its country the same odds whatever
    its size (×100 at the largest country, ×6,000 at Austria or Ireland): what ordinary accounts
    do when they name a place, which is to name their own. A place naming the largest country
    counts as before."""
    p = _prior(None)
    known = [p[codes().index(c)] for c in named if c in codes()]
    if not known:
        return floor
    return floor * min(1.0, float(max(known)) / float(p.max()))


def _place_vector(found: Mapping[str, float], floor: float, home: str | None, self_described: bool = False) -> tuple[np.ndarray, str]:
    """Likelihood of a named place; naming the election's own country does not count against Russia
    (measured: Russia-run accounts name it about as often as local ones). `self_described` (the
    profile's own location, not an archive's guess): the floor scales with the named country's
    prior (`location_floor`), and a place naming other countries and not home undoes the home
    prior's boost (`PLACE_ELSEWHERE`)."""
    total = sum(found.values())
    if self_described:
        floor = location_floor(tuple(sorted(found)), floor)
    v = _vector({c: n / total for c, n in found.items()}, floor)
    note = ""
    if self_described and home is not None and home in codes() and home not in found:
        factor = undo_home_boost(home)
        v[codes().index(home)] *= factor
        note = f"; {PLACE_ELSEWHERE}: ×{two_figures(1 / factor)} more against {home}"
    if home is not None and home in found and "RU" not in found:
        ru_floor = max(floor, float(parameters()["profile"]["home_claim_floor_ru"]))
        v[codes().index("RU")] = max(v[codes().index("RU")], ru_floor * v.max())
        note = home_claim_note(home, float(v.max() / v[codes().index("RU")]))
    return v, note


# The country the home-claim floor was measured for: IRA accounts posing as Americans against
# ordinary American ones (scripts/fit_origin_behaviour.py's HOME, `home_claim_counts`).
HOME_CLAIM_MEASURED_FOR = "US"


def home_claim_note(home: str, against: float) -> str:
    """The evidence clause of a profile place naming the election's country. Why the two forms: at
    the shipped floor (1.0) the claim moves nothing, and "counts only ×1.0 against Russia" read as
    if it counted; and the floor was measured only for accounts posing as Americans, so for any
    other home the clause says it is carried over, not measured."""
    carried = "" if home == HOME_CLAIM_MEASURED_FOR else f" (measured where they posed as Americans; not measured for {home})"
    said = "so it does not count against Russia" if against < 1.05 else f"so it counts only ×{two_figures(against)} against Russia"
    return f"; naming {home} is as common among accounts run from Russia posing as locals{carried}, {said}"


# Profile places repeat across accounts (an archive's `region`, "USA", "London"): each string is
# matched once. The dict is shared: read it only.
_places = lru_cache(maxsize=1 << 16)(countries_in_location)


# Each profile value (a place, a time zone, an interface language, a set of scripts, a client)
# gives the same likelihood vector and sentence for every account that has it, so each is built
# once per process (per home country) and shared: the arrays must be read, never modified.
_CACHE = 1 << 16
Evidence = tuple[np.ndarray, str]


@lru_cache(maxsize=_CACHE)
def _place_item(value: str, label: str, floor: float, home: str | None, self_described: bool = False) -> Evidence | None:
    found = _places(value)
    if not found:
        return None
    v, note, times = _place_vector_of(tuple(found.items()), floor, home, self_described)
    elsewhere = self_described and home is not None and home in codes() and home not in found
    scaled = f", as ×{two_figures(1 / floor)} is for the most populous country: a stated place counts alike for a country of any size" if times > v.max() / floor * 1.0001 else ""
    # With the home boost undone the prior it was up against is the population prior (no home).
    # "for each" where the place names several countries: "names GB, US (×66.7 for it; …)" left
    # a reader asking which one.
    it = "it" if len(found) == 1 else "each"
    return v, f"{label} {value!r} names {_names(sorted(found))} (×{two_figures(times)} for {it}{scaled}{note}{_prior_note(tuple(sorted(found)), None if elsewhere else home, times)})"


@lru_cache(maxsize=_CACHE)
def _prior_note(named: tuple[str, ...], home: str | None, times: float) -> str:
    """The prior of the places a profile names beside the prior's largest country (the election's
    own, with one), when that country is not among them and the place's ×`times` cannot, alone,
    lift them past it: "×100 for CH" beside "most likely GB (p=0.24); prior gave GB 30%" read as
    evidence lost, where the prior had given CH 0.23%, 130 times less than GB, so that ×100
    leaves GB just ahead. Words only: no number changes."""
    p = _prior(home if home in codes() else None)
    ref = codes()[int(np.argmax(p))]
    top = p[codes().index(ref)]
    shown = [c for c in named if c in codes() and c != ref and p[codes().index(c)] * times < top][:2]
    if not shown or ref in named:
        return ""

    def share(c: str) -> str:
        return f"{100 * p[codes().index(c)]:.2g}%"

    return f"; before any evidence the prior gave {' and '.join(f'{c} {share(c)}' for c in shown)} against {ref}'s {share(ref)}"


@lru_cache(maxsize=_CACHE)
def _place_vector_of(found: tuple[tuple[str, int], ...], floor: float, home: str | None, self_described: bool = False) -> tuple[np.ndarray, str, float]:
    """`_place_vector` of the dict `found` lists (its items in order) and the sentence's factor
    `v.max() / floor`, once per distinct list.

    Why: a study of distinct profiles has tens of thousands of distinct locations but a few
    hundred distinct lists of the countries they name, and the vector was built for each
    location (a third of a location's cost once the matching was made cheap). The vector is
    shared by every location that names the same countries the same number of times, in the same
    order: read only, as every cached item's vector already is."""
    v, note = _place_vector(dict(found), floor, home, self_described)
    used = location_floor(tuple(sorted(dict(found))), floor) if self_described else floor
    return v, note, v.max() / used


@lru_cache(maxsize=_CACHE)
def _region_item(value: str, floor: float, home: str | None) -> Evidence | None:
    """An archive's region guess: nearly uninformative about Russia (`floor`, measured), but one
    naming the election's own country counts against third countries (`FLOOR_REGION_HOME`)."""
    label = "the archive's region for the account"
    found = _places(value)
    if not found or home is None or home not in found or "RU" in found:
        return _place_item(value, label, floor, home)
    v, note = _place_vector(found, FLOOR_REGION_HOME, home)
    return v, f"{label} {value!r} names {_names(sorted(found))} (×{two_figures(v.max() / FLOOR_REGION_HOME)} against countries it does not name{note})"


@lru_cache(maxsize=_CACHE)
def _time_zone_item(time_zone: str | None) -> Evidence | None:
    """The profile time zone: 1 for the countries it names, a measured likelihood for a country
    whose accounts were seen carrying it (`origin_time_zone`), `FLOOR_TIME_ZONE` for the rest."""
    homes, measured = origin_time_zone.likelihoods(time_zone) if time_zone else ((), ())
    if not homes and not measured:
        return None
    match = {c: 1.0 for c in homes} | {m.country: m.likelihood for m in measured}
    weaker = [m for m in measured if m.likelihood > FLOOR_TIME_ZONE]
    if not homes:  # a zone naming no candidate country, read from the measurement alone (origin_time_zone)
        top = max(measured, key=lambda m: m.likelihood)
        return (_vector(match, FLOOR_TIME_ZONE),
                f"profile time zone {time_zone!r} names no country the model weighs, but {top.carrying:,} of {top.accounts:,} "
                f"{top.country} development accounts with a zone carry it (×{two_figures(top.likelihood / FLOOR_TIME_ZONE)} for {top.country} "
                f"against countries not measured)")
    note = "".join(f"; ×{two_figures(1 / m.likelihood)} against {m.country}, whose accounts carry it too ({m.carrying:,} of {m.accounts:,} measured)"
                   for m in weaker)
    return (_vector(match, FLOOR_TIME_ZONE),
            f"profile time zone {time_zone!r} is in {_names(list(homes))} (×{two_figures(1 / FLOOR_TIME_ZONE)} against countries it does not name{note})")


@lru_cache(maxsize=_CACHE)
def _utc_offset_item(minutes: int, year: int, month: int) -> Evidence | None:
    """A profile's UTC offset (minutes east, v1.1's `utc_offset` / 60) against each country's zones
    that month, to the minute. Matched in whole hours (rounded, halves to even), India's +5:30 read
    "profile UTC offset +6 h fits IN, KZ, RU" and a +6 profile (Omsk, Almaty) fitted India too."""
    match = {c: 1.0 for c in codes() if minutes in [_tz_offset_minutes(tz, year, month) for tz in countries()[c].time_zones]}
    if not match:
        return None
    h, m = divmod(abs(minutes), 60)
    shown = f"{'-' if minutes < 0 else '+'}{h}" + (f":{m:02d}" if m else " h")
    return _vector(match, FLOOR_UTC_OFFSET), f"profile UTC offset {shown} fits {_names(sorted(match))} (×{two_figures(1 / FLOOR_UTC_OFFSET)})"


@lru_cache(maxsize=_CACHE)
def _account_lang_item(lang: str) -> Evidence | None:
    v = lang_vector(lang, FLOOR_ACCOUNT_LANG_EN, FLOOR_ACCOUNT_LANG)
    if v is None:
        return None
    return v, f"interface language {lang!r} is spoken in {_names(_top(v))} (×{two_figures(v.max() / v.min())})"


@lru_cache(maxsize=_CACHE)
def _profile_script_item(scripts: tuple[str, ...]) -> Evidence:
    v = _script_vector(scripts)
    return v, f"name or description is written in {', '.join(scripts)} script, used in {_names(_top(v))} (×{two_figures(1 / FLOOR_SCRIPT)})"


@lru_cache(maxsize=4096)
def _post_lang_log(lang: str) -> np.ndarray | None:
    """log P(a post's language tag | country) for one tag (None: a tag the gazetteer does not know)."""
    v = lang_vector(lang, FLOOR_LANG_EN, FLOOR_LANG)
    if v is not None and lang.split("-")[0] in CYRILLIC_CONFUSABLE:
        # The language detector tags some Russian posts as a neighbouring Cyrillic language.
        confusion = float(parameters()["profile"].get("cyrillic_tag_confusion", FLOOR_LANG))
        v = np.maximum(v, _vector({c: confusion for c in _speaks("ru")}, FLOOR_LANG))
    return None if v is None else np.log(v)


@lru_cache(maxsize=_CACHE)
def _post_script_item(present: tuple[str, ...]) -> Evidence:
    v = _script_vector(present)
    return v, f"{', '.join(present)} script appears in at least 30% of posts, used in {_names(_top(v))}"


@lru_cache(maxsize=_CACHE)
def _hours_item(hour_counts: tuple[int, ...], year: int, month: int) -> Evidence | None:
    fit = fit_hours(hour_counts)
    if not (fit.informative and fit.best_offset is not None):
        return None
    v = hours_vector(fit.probabilities, datetime(year, month, 15))
    return v, f"posting hours fit a human day at {offset_words(fit.best_offset)} ({fit.human_fit_bits:.2f} bits/post above a flat day), which favours {_names(_top(v))} (×{two_figures(v.max() / v.min())} at most)"


HOURS_WITHHELD = "hours_withheld"  # the note that an account's hours were not read (`hours_readable`)


def hours_readable(active_cells: int | None) -> bool:
    """Whether an account's own posting hours may count as a day (the `hours` and `office_hours`
    items): posts in at least `circadian.MIN_ACTIVE_CELLS` distinct (UTC date, hour) cells, the
    rule the timeline's circadian stage fits by. Posts within a few hours of one evening (an
    archive of one debate night) fit "a human day" at whatever offset puts the event in the
    evening, and the item then names that offset's countries; those hours are the event's. None
    (a caller that did not count the cells) is not gated."""
    return active_cells is None or int(active_cells) >= MIN_ACTIVE_CELLS


@lru_cache(maxsize=_CACHE)
def _hours_withheld_item(hour_counts: tuple[int, ...], active_cells: int) -> Evidence | None:
    """Where `hours_readable` withholds the hours: a sentence saying so, with a likelihood of one
    everywhere (it moves nothing), only where the circadian fit would have counted; None elsewhere."""
    fit = fit_hours(hour_counts)
    if not (fit.informative and fit.best_offset is not None):
        return None
    return np.ones(len(codes())), (
        f"posting hours not read: the account's {counted(sum(hour_counts), 'post')} {'falls' if sum(hour_counts) == 1 else 'fall'} in {counted(int(active_cells), 'distinct clock hour')}, fewer than "
        f"the {MIN_ACTIVE_CELLS} a daily rhythm is read from (the circadian stage's rule), so they may be one event's hours, not the account's day")


def only_withheld(kinds: Sequence[str]) -> bool:
    """Whether an account's items are the withheld-hours note alone: that is no evidence (the
    result must read unknown, not the prior)."""
    return bool(kinds) and all(k == HOURS_WITHHELD for k in kinds)


def mostly_cyrillic(cyrillic_posts: int, n_posts: int) -> bool:
    """Whether at least `CYRILLIC_SHARE` (one half) of an account's posts contain Cyrillic letters,
    in whole numbers, so the per-account and the column paths cannot round apart."""
    return n_posts >= MIN_TAGGED_POSTS and 2 * int(cyrillic_posts) >= int(n_posts)


@lru_cache(maxsize=1)
def cyrillic_factor() -> tuple[float, float]:
    """(the likelihood ratio the development counts support for a mostly-Cyrillic account, Russia-run
    against ordinary: the lower end of the one share's 95% interval over the upper end of the
    other's; the factor `post_cyrillic` counts beyond the post-language item: that ratio over
    1/FLOOR_LANG, the most the language item counts between a country speaking the language and
    one not, at least 1). Counting the two items' product never exceeds what was measured."""
    from botwatch.stats import wilson

    (kr, nr), (ko, no) = CYRILLIC_COUNTS["russia_run"], CYRILLIC_COUNTS["ordinary"]
    if not nr or not no:
        return 1.0, 1.0
    lo_r, hi_o = wilson(kr, nr)[1], wilson(ko, no)[2]
    measured = lo_r / hi_o if hi_o > 0 else 1.0
    return measured, max(1.0, measured * FLOOR_LANG)


@lru_cache(maxsize=_CACHE)
def _cyrillic_item(cyrillic_posts: int, n_posts: int) -> Evidence | None:
    """`post_cyrillic`: a mostly-Cyrillic account, up to the measured ratio, for every country that
    writes Cyrillic alike (Russia is not told from Ukraine, Belarus or Kazakhstan by it)."""
    if not mostly_cyrillic(cyrillic_posts, n_posts):
        return None
    measured, factor = cyrillic_factor()
    if factor <= 1.0:
        return None
    where = {c.iso2: 1.0 for c in countries().values() if "cyrillic" in c.scripts}
    (kr, nr), (ko, no) = CYRILLIC_COUNTS["russia_run"], CYRILLIC_COUNTS["ordinary"]
    return _vector(where, 1.0 / factor), (
        f"{cyrillic_posts:,} of the account's {counted(n_posts, 'post')} {'contains' if cyrillic_posts == 1 else 'contain'} Cyrillic letters; on the development part "
        f"{kr:,} of {nr:,} Russia-run accounts and {ko:,} of {no:,} ordinary accounts posted mostly so (at least ×{two_figures(measured)}), "
        f"of which the post languages count at most ×{two_figures(1 / FLOOR_LANG)}: ×{two_figures(factor)} more for {_names(sorted(where))}")


@lru_cache(maxsize=_CACHE)
def _regional_client(key: str) -> tuple[str, ...] | None:
    return next((c for k, c in REGIONAL_CLIENTS.items() if re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", key)), None)


@lru_cache(maxsize=_CACHE)
def _client_item(client: str, hit: tuple[str, ...]) -> Evidence:
    return _vector({c: 1.0 for c in hit}, FLOOR_CLIENT), f"posts from the client {client!r}, used mainly in {_names(list(hit))}"


@lru_cache(maxsize=_CACHE)
def _post_langs_item(tagged: tuple[tuple[str, int], ...]) -> Evidence | None:
    """The post-language item for an account's tagged posts per language (in the account's
    order): the same counts give the same vector and sentence, and most accounts of a study share
    theirs with many others (one post in English, say), so each is built once."""
    total = sum(n for _, n in tagged)
    # Log-linear pooling: the likelihood of one typical post, Π_l A(l, c)^share_l. (An
    # arithmetic mixture would let a 20% minority of English posts count as strong evidence
    # for every English-speaking country.) Languages we do not know are left out.
    log_mix = np.zeros(len(codes()))
    used = 0
    for lang, n in tagged:
        logv = _post_lang_log(lang)
        if logv is not None:
            log_mix += n * logv
            used += n
    if not used:
        return None
    mix = np.exp(log_mix / used)
    shown: dict[str, int] = {}  # as the current codes say them: Twitter's "in" and a detector's "id" are one language
    for lang, n in tagged:
        code = current_code(lang)
        shown[code] = shown.get(code, 0) + n
    top_langs = sorted(shown.items(), key=lambda kv: -kv[1])[:3]
    share = ", ".join(f"{percent(n / total)} {lang}" for lang, n in top_langs)  # "0.3% ja", never "0% ja"
    return mix, f"posts are {share} (of {total:,} tagged), which favours {_names(_top(mix, 1 / LANG_FAVOURS_WITHIN))} (×{two_figures(mix.max() / mix.min())})"


def office_factor(kinds: Sequence[str], vectors: Sequence[np.ndarray], home: str | None) -> float | None:
    """The `office_hours` item's factor among an account's items (kinds and likelihood vectors in
    order), as its sentence states it: the odds of Russia against home, else the US
    (`origin_shifts.russia_factor`); None without the item."""
    for kind, v in zip(kinds, vectors):
        if kind == origin_shifts.KIND:
            return origin_shifts.russia_factor(np.log(v), codes(), home)
    return None


def evidence_vectors(inp: OriginInput, exclude: frozenset[str] = frozenset(), home: str | None = None) -> list[tuple[str, np.ndarray, str]]:
    """(kind, likelihood vector, sentence) for each piece of evidence the account offers.

    The vectors of profile values are shared between accounts (see `_CACHE`): read only.
    The accounts stage reads the same rules per evidence kind over a batch's columns
    (`origin_columns.evidence_slots`): a rule changed or a kind added here must be changed there
    too, and `tests/test_accounts_origin_columns.py`'s awkward accounts extended to reach it."""
    out: list[tuple[str, np.ndarray, str]] = []

    def add(kind: str, item: Evidence | None) -> None:
        if item is not None and kind not in exclude:
            out.append((kind, item[0], item[1]))

    region_floor = float(parameters()["profile"]["region_floor"])
    if inp.location:
        add("location", _place_item(inp.location, "profile location", FLOOR_LOCATION, home, True))
    if inp.region:
        add("region", _region_item(inp.region, region_floor, home))
    when = inp.when or datetime(2016, 6, 15)
    tz_item = _time_zone_item(inp.time_zone) if inp.time_zone else None
    if tz_item is not None:
        add("time_zone", tz_item)
    elif inp.utc_offset is not None:
        add("utc_offset", _utc_offset_item(round(inp.utc_offset / 60), when.year, when.month))
    if inp.account_lang:
        add("account_lang", _account_lang_item(inp.account_lang))
    name_scripts = sorted(set(scripts_in(inp.display_name)) | set(scripts_in(inp.description)))
    if name_scripts:
        add("profile_script", _profile_script_item(tuple(name_scripts)))
    tagged = {k.lower(): n for k, n in inp.post_langs.items() if k and k.lower() not in IGNORED_LANGS and n > 0}
    total = sum(tagged.values())
    if total >= MIN_TAGGED_POSTS:
        add("post_langs", _post_langs_item(tuple(tagged.items())))
    elif inp.n_posts >= MIN_TAGGED_POSTS and inp.post_scripts:
        present = [s for s, n in inp.post_scripts.items() if n / inp.n_posts >= 0.3]
        if present:
            add("post_script", _post_script_item(tuple(present)))
    add("post_cyrillic", _cyrillic_item(int(inp.post_scripts.get("cyrillic", 0)), int(inp.n_posts or 0)))
    desk_posts = int(sum(inp.shift_counts or ())) if inp.shift_from_desk else 0
    w = origin_desk.weight(desk_posts) if inp.shift_from_desk else 1.0  # a desk's hours count at most origin_desk.BOUND_POSTS posts
    readable = inp.shift_from_desk or origin_shifts.days_readable(inp.active_days)  # a desk's hours are many accounts' days
    office = origin_shifts.item(inp.shift_counts, codes(), home, w) if origin_shifts.KIND not in exclude and readable else None
    if office is not None:  # it supersedes the circadian fit: both read the same hours (origin_shifts)
        note = origin_desk.note(inp.desk_own_posts, desk_posts) if inp.shift_from_desk else ""
        add(office.kind, (np.exp(office.log_l), office.sentence + note))
    elif inp.hour_counts is not None and sum(inp.hour_counts) > 0:
        hc = tuple(map(int, inp.hour_counts))
        if hours_readable(inp.active_cells):
            add("hours", _hours_item(hc, when.year, when.month))
        else:
            add(HOURS_WITHHELD, _hours_withheld_item(hc, int(inp.active_cells or 0)))
    for client, n in inp.clients.items():
        hit = _regional_client((client or "").lower())
        if hit and n > 0:
            add("client", _client_item(client, hit))
            break
    for item in behaviour_items(inp.behaviour, codes(), home):
        add(item.kind, (np.exp(item.log_l), item.sentence))
    return [] if only_withheld([k for k, _, _ in out]) else out


def calibrate_russia(p: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Recalibrate P(Russia) with the logistic map fitted on the development part; the other
    countries keep their relative sizes. Returns the new vector and a sentence (None if unchanged).

    Naive Bayes over-counts items that agree, under-counts where Russia shares its evidence with
    neighbours (Russian is also written in Ukraine, Belarus, Kazakhstan), and gives near-zero to
    accounts that pose well. A monotone (isotonic) map P → P', fitted on "run from Russia or not"
    in the development part, corrects all three for the mix it was fitted on
    (`calibration.russia_share` of the accounts run from Russia): P' is the share of such
    accounts run from Russia among those with that raw P. In a study where Russia-run accounts are
    rarer, P' is too high by about the ratio of the odds.
    """
    out, notes = calibrate_russia_rows(p[None, :])
    return out[0], notes[0]


def calibrate_russia_rows(p: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """`calibrate_russia` of each row of `p` ([row, country]) at once: the new rows and each
    row's sentence (None everywhere without a calibration map).

    The one copy of the map and its sentence: the per-account posterior (`origin_posterior`)
    and the batch ones (`origin_batch.posteriors`, for `origin_posteriors` and the stage's
    `origin_columns`) all calibrate here, so their numbers and words cannot drift apart. Each
    row gets the operations the per-vector form gave it (clip, interpolate, clip, rescale the
    other countries, set Russia), elementwise, so the values are the same bit for bit."""
    cal = parameters().get("calibration")
    if not cal:
        return p, [None] * len(p)
    ru = codes().index("RU")
    raw = np.clip(p[:, ru], 1e-12, 1 - 1e-12)
    new = np.clip(np.interp(raw, cal["x"], cal["y"]), 1e-6, 1 - 1e-6)
    out = p * ((1 - new) / (1 - raw))[:, None]
    out[:, ru] = new
    share = percent(cal["russia_share"], 1)  # half up, as every figure of the report (`prob_text.fixed`)
    return out, [f"calibration (fitted on the development part, where {share} of accounts were run from Russia) moves P(Russia) from {prob3(a)} to {prob3(b)}"
                 for a, b in zip(raw.tolist(), new.tolist())]


def _posterior(items: list, home: str | None, calibrate: bool) -> tuple[np.ndarray, str | None]:
    """The posterior over `codes()` from evidence items (non-empty), calibrated when asked, and the
    calibration's sentence (None if it moved nothing)."""
    logp = np.log(prior(home))
    for _, v, _ in items:
        logp += np.log(v)
    logp -= logp.max()
    p = np.exp(logp)
    p /= p.sum()
    return calibrate_russia(p) if calibrate else (p, None)


def posterior_vector(inp: OriginInput, home: str | None = None, exclude: frozenset[str] = frozenset(),
                     calibrate: bool = True) -> np.ndarray | None:
    """The whole posterior over `codes()`, unrounded (None without evidence). `origin_posterior`
    shows it rounded to 4 places, cut to `keep` countries and below 0.005, which is enough to read
    but not to compare two countries' probabilities after P(Russia) moves: a country cut at 0.004
    can become the most likely one once P(Russia) drops (the tenth pass's placement check)."""
    items = evidence_vectors(inp, exclude, home)
    return _posterior(items, home, calibrate)[0] if items else None


def origin_posterior(inp: OriginInput, home: str | None = None, exclude: frozenset[str] = frozenset(), keep: int = 8,
                     calibrate: bool = True) -> OriginResult:
    """The posterior over countries, the most likely one, and the evidence in words.

    With no evidence at all the result is unknown (country and probabilities None), not the prior:
    "we could not tell" must not read as "probably from the home country".
    """
    items = evidence_vectors(inp, exclude, home)
    if not items:
        return OriginResult(None, None, {}, [NO_EVIDENCE], [])
    p, note = _posterior(items, home, calibrate)
    order = np.argsort(-p)
    probs = {codes()[i]: round(float(p[i]), 4) for i in order[:keep] if p[i] >= 0.005}
    best = codes()[order[0]]
    lead = most_likely(best, p[order[0]])
    if home:
        lead += f"; prior gave {home} {HOME_PRIOR:.0%} before any evidence"
    sentences, kinds = [lead] + [t for _, _, t in items], [k for k, _, _ in items]
    if note:
        sentences.append(note)
        kinds.append("calibration")
    return OriginResult(best, float(p[order[0]]), probs, sentences, kinds, float(p[codes().index("RU")]),
                        office_factor([k for k, _, _ in items], [v for _, v, _ in items], home))


def origin_as_row(res: OriginResult) -> dict[str, Any]:
    """The account_scores columns for an origin result."""
    return {
        "origin_country": res.country,
        "origin_probability": None if res.probability is None else round(res.probability, 4),
        "origin_probabilities": res.probabilities_json(),
        "origin_evidence": json.dumps(res.evidence, ensure_ascii=False),
    }
