"""The named seed signals of the reference study and the "Three A's", as explicit features.

These are behaviours and profile traits that investigators read as signs of a managed account.
None is proof: each is a column in `account_features` and, when present, a sentence in the
account's evidence. They are not inputs to the bot probability (no labelled data covers them),
so the report shows how often they co-occur with a high probability instead of folding them in.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from botwatch.prob_text import percent
from botwatch.reshare_words import reshare_words

ACTIVITY_HIGH = 72.0  # posts a day: "suspicious" in the Three A's
ACTIVITY_VERY_HIGH = 144.0  # posts a day: "highly suspicious"
AMPLIFIER_SHARE = 0.8  # share of posts that are retweets
AMPLIFIER_MIN_POSTS = 10  # posts in the study below which the retweet share decides nothing
ANONYMOUS_SHARE = 0.75  # share of known identity fields that are empty or generic
MIN_IDENTITY_FIELDS = 2  # of name, description, location and default image: fewer known, anonymity is unknown
ENGLISH_SPEAKING = frozenset({"US", "GB", "CA", "AU", "IE", "NZ"})


# The sex codes of gender-guesser's name file and the genders its detector files them under.
_GENDER_OF_CODE = {"M": "male", "1M": "mostly_male", "?M": "mostly_male", "F": "female", "1F": "mostly_female",
                   "?F": "mostly_female", "?": "andy"}


@lru_cache(maxsize=1)
def _name_list() -> dict[str, dict[str, str]]:
    """The `names` table `gender_guesser.detector.Detector(case_sensitive=False)` builds, read from
    the installed package's own name file (nothing of it is copied here) in about a third of the
    time: the detector reads it through `codecs` a line at a time and splits each whole line into
    words, about 0.4 s a process, to answer a few thousand first names.

    Read the way the detector reads it, so the table is equal, key order and gender order
    included (tests/test_accounts_signals.py compares them): lines as `str.splitlines` divides
    the UTF-8 text (the `codecs` reader's division), each stripped; lines starting with '#' or '='
    skipped; the first word is the sex code, the second the name (lower-cased), characters
    30 to the last but one the per-country frequency codes; a '+' in a name stands for nothing,
    a space or a hyphen (three keys); a later line for the same name and gender replaces the
    earlier one's codes. Only the first two words are split off a line (the detector splits the
    whole line but reads only those two)."""
    import gender_guesser.detector as gg

    path = Path(gg.__file__).parent / "data" / "nam_dict.txt"
    with open(path, encoding="utf-8", newline="") as fh:  # newline="": line ends left to splitlines
        text = fh.read()
    names: dict[str, dict[str, str]] = {}
    for line in map(str.strip, text.splitlines()):
        if line[0] in "#=":
            continue
        code, name = line.split(None, 2)[:2]
        gender, name, countries = _GENDER_OF_CODE[code], name.lower(), line[30:-1]
        for key in (name.replace("+", r) for r in ("", " ", "-")) if "+" in name else (name,):
            genders = names.get(key)
            if genders is None:
                names[key] = {gender: countries}
            else:
                genders[gender] = countries
    return names


def _country_index(country: str) -> int:
    """The position of `country`'s frequency code in a name line's country codes (the detector's
    own country order)."""
    import gender_guesser.detector as gg

    return gg.Detector.COUNTRIES.index(country)


def _gender_in(genders: dict[str, str], index: int) -> str:
    """What `Detector.get_gender(name, country)` answers for a known name whose genders are
    `genders`, `index` being the country's position: the gender whose frequency code there is
    highest (the first of equals, in the table's order), "andy" when every code is blank."""
    best, top = next(iter(genders)), 0
    for gender, countries in genders.items():
        count = ord(countries[index]) - 32  # ' ' is 0, '1'..'9' and 'A'..'D' above
        if count > top:
            best, top = gender, count
    return best if top > 0 else "andy"


def first_name(display_name: str | None) -> str | None:
    """The first word of a display name, letters only (None when it has none)."""
    if not display_name:
        return None
    for word in display_name.replace(".", " ").replace("_", " ").split():
        # A word of letters only is its own letters (most first words; the filter per character
        # was most of this function's cost).
        w = word if word.isalpha() else "".join(ch for ch in word if ch.isalpha())
        if len(w) >= 2:
            return w
    return None


def english_female_name(display_name: str | None) -> bool:
    """True when the display name starts with a woman's first name common in Britain or the US
    (gender-guesser's offline name list, which is country-aware)."""
    return english_female_first(first_name(display_name))


def english_female_first(name: str | None) -> bool:
    """`english_female_name` of a display name whose `first_name` is `name` (the stage finds
    each account's first name once, for this and for `anonymity`)."""
    if not name or not name.isascii():
        return False
    return _english_female(name)


# First names repeat across accounts: each is asked once.
@lru_cache(maxsize=1 << 16)
def _english_female(name: str) -> bool:
    genders = _name_list().get(name.lower())
    return genders is not None and any(_gender_in(genders, _country_index(c)) in ("female", "mostly_female")
                                       for c in ("great_britain", "usa"))


@lru_cache(maxsize=1 << 16)
def _known_name(name: str) -> bool:
    # The detector answers "unknown" exactly for a name not in its table (a known name with no
    # frequency anywhere is "andy").
    return name.lower() in _name_list()


def personal_name(display_name: str | None) -> bool:
    """Whether a display name starts with any first name the offline list knows."""
    return personal_first(first_name(display_name))


def personal_first(name: str | None) -> bool:
    """`personal_name` of a display name whose `first_name` is `name` (for callers that have it)."""
    return bool(name) and _known_name(name)


_NOT_GIVEN: Any = object()


def anonymity(display_name: Any, description: Any, location: Any, default_image: Any, *, first: Any = _NOT_GIVEN) -> float:
    """Share of the *known* identity fields that are empty or generic (NaN when fewer than
    `MIN_IDENTITY_FIELDS` are known).

    NULL means "the archive did not say", so it is not counted as anonymous: IRA rows have no
    profile text at all and must not all look anonymous for that reason. One known field is not
    a profile: a CSV archive with only a location column read "anonymous profile: known for
    15,914 accounts, showing it 0" from the locations alone (docs/methods.md, "Report truth on a
    study whose truth is known"). `first`: the display name's `first_name`, when the caller has it
    already."""
    parts: list[float] = []
    if isinstance(display_name, str):
        name = first_name(display_name) if first is _NOT_GIVEN else first
        parts.append(0.0 if personal_first(name) else 1.0)
    if isinstance(description, str):
        parts.append(0.0 if description.strip() else 1.0)
    if isinstance(location, str):
        parts.append(0.0 if location.strip() else 1.0)
    if isinstance(default_image, bool):
        parts.append(1.0 if default_image else 0.0)
    return sum(parts) / len(parts) if len(parts) >= MIN_IDENTITY_FIELDS else math.nan


def may_fire(features: pd.DataFrame) -> np.ndarray:
    """Per row of an account_features frame: whether `signal_sentences` could say anything (a
    superset of the rows where it does), tested on whole columns so that only those rows need
    their values read one by one."""
    n = len(features)

    def num(col: str) -> Any:
        if col not in features.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(features[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)

    def truthy(col: str) -> Any:
        if col not in features.columns:
            return np.zeros(n, dtype=bool)
        v = features[col]
        return (v.notna() & (v.astype(object) != False)).to_numpy(dtype=bool)  # noqa: E712 (0, False and NULL are not truthy)

    posts = np.nan_to_num(num("n_posts"), nan=0.0)
    with np.errstate(invalid="ignore"):
        out = (num("handle_generated15") == 1.0) | (num("posts_per_day_study") > ACTIVITY_HIGH) | (num("anonymity") >= ANONYMOUS_SHARE)
        out |= ((num("retweet_share") >= AMPLIFIER_SHARE) & (posts >= AMPLIFIER_MIN_POSTS)) | ((num("gap_cv") < 0.3) & (posts >= 20))
    for col in ("female_name_mismatch", "created_after_trigger", "in_unison"):
        out |= truthy(col)
    return out


def signal_sentences(row: dict[str, Any], home: str | None) -> list[str]:
    """The seed signals an account shows, in words (only those that fired)."""
    out: list[str] = []
    if row.get("handle_generated15") == 1.0:
        out.append(f"handle @{row.get('handle')} has the 15-character letters-and-digits shape of an auto-suggested name")
    if row.get("female_name_mismatch"):
        out.append(f"display name {row.get('display_name')!r} is an English woman's name, but the account's language or origin signals point elsewhere")
    if row.get("created_after_trigger"):
        out.append("account was created after the election was called, and posted in the election window")
    if row.get("in_unison"):
        size = row.get("cluster_size")
        # The cluster's size, not the account's co-actors: "acts in unison with 3 other accounts of
        # its cluster" was said of a member with a kept edge to one of them (Leiden groups accounts
        # linked through others; each member has a kept edge inside its cluster).
        n = int(size) if isinstance(size, (int, float)) and not math.isnan(size) and size >= 2 else None
        whom = ("the other account" if n == 2 else f"at least one of the {n - 1:,} other accounts" if n is not None
                else "at least one other account")
        out.append(f"acts in unison (co-actions beyond chance) with {whom} of its coordination cluster {row.get('cluster_id')}")
    ppd = row.get("posts_per_day_study")
    if isinstance(ppd, (int, float)) and not math.isnan(ppd) and ppd > ACTIVITY_HIGH:
        level = "more than 144 (highly suspicious)" if ppd > ACTIVITY_VERY_HIGH else "more than 72 (suspicious)"
        out.append(f"activity: {ppd:,.0f} posts a day in the study, {level} by the Three A's rule")
    an = row.get("anonymity")
    if isinstance(an, float) and not math.isnan(an) and an >= ANONYMOUS_SHARE:
        out.append(f"anonymity: {percent(an)} of its known identity fields are empty or generic")
    rt = row.get("retweet_share")
    if isinstance(rt, float) and not math.isnan(rt) and rt >= AMPLIFIER_SHARE and (row.get("n_posts") or 0) >= AMPLIFIER_MIN_POSTS:
        # the account's platform's word: a Mastodon account's boosts were "retweets" (reshare_words)
        out.append(f"amplification: {percent(rt)} of its {int(row['n_posts']):,} posts are {reshare_words([row.get('platform')]).nouns}")
    gaps = row.get("gap_cv")
    if isinstance(gaps, float) and not math.isnan(gaps) and gaps < 0.3 and (row.get("n_posts") or 0) >= 20:
        out.append(f"posts at very regular intervals (gap variation {gaps:.2f})")
    return out
