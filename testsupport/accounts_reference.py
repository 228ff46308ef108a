"""The slow, plain forms of accounts-stage code that faster paths replaced: what the tests hold
the package's paths to, value for value, and what `benchmarks/accounts_cpu_paths.py` times them
against.

Why here and not in `botwatch`: nothing the package or its scripts run calls them, and kept in
`src` they read as live code (and ship in the wheel). Each is the code as it stood before its
fast path, on the package's own tables and constants, so a change to those reaches both sides.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from botwatch.accounts import gazetteer, origin_behaviour as ob, origin_behaviour_batch as obb, origin_prior as op, profile


@lru_cache(maxsize=1)
def detector() -> Any:
    """gender-guesser's own detector, which `signals._name_list` reads the name file as."""
    import gender_guesser.detector as gg

    return gg.Detector(case_sensitive=False)


def english_female_detector(name: str) -> bool:
    """The reference for `signals._english_female`: gender-guesser's detector asked."""
    d = detector()
    return any(d.get_gender(name, country) in ("female", "mostly_female") for country in ("great_britain", "usa"))


def known_name_detector(name: str) -> bool:
    """The reference for `signals._known_name`: the detector answers "unknown" for a name it lacks."""
    return detector().get_gender(name) not in ("unknown",)


def countries_in_location_pattern(text: str | None) -> dict[str, int]:
    """`gazetteer.countries_in_location` as it was: the names' pattern tried at every character
    of the text folded a character at a time."""
    if not text or not text.strip():
        return {}
    pattern, names = gazetteer._matcher()
    found: dict[str, int] = {}
    decomposed = unicodedata.normalize("NFKD", text.lower())
    for m in pattern.finditer("".join(ch for ch in decomposed if not unicodedata.combining(ch))):
        for iso2 in names[m.group(1)]:
            found[iso2] = found.get(iso2, 0) + 1
    for code in gazetteer._STATE_SUFFIX.findall(text):
        if code in gazetteer.US_STATE_CODES:
            found["US"] = found.get("US", 0) + 1
    return found


def day_tables_per_day() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference for `origin_behaviour_batch._day_tables`: each day asked of `origin_behaviour`."""
    first, last = obb._FIRST_YEAR, obb._LAST_YEAR
    n = (date(last, 12, 31) - date(first, 1, 1)).days + 1
    days = [date(first, 1, 1) + timedelta(days=i) for i in range(n)]
    ru = np.fromiter((ob.is_ru_holiday(d) for d in days), bool, n)
    us = np.fromiter((ob.is_us_holiday(d) for d in days), bool, n)
    changes = np.array(sorted((c - obb._EPOCH).days for y in range(first, last + 1) for c in ob.us_changes(y)), np.int64)
    return ru, us, changes


def chunk_log_likelihood_whole(lam: np.ndarray) -> np.ndarray:
    """The reference for `origin_prior._chunk_log_likelihood`: one array over the whole grid."""
    return np.log(op.GRID[:, None] * lam[None, :] + 1 - op.GRID[:, None]).sum(1)


def name_handle_similarity(name: str | None, handle: str | None) -> float:
    """The reference for `profile.name_handle_similarities`, one pair at a time: NaN when either
    is missing, 0 when either has no letter or digit, else the `SequenceMatcher` ratio (the
    package's, cydifflib where installed) of the two lower-cased, letters and digits only."""
    if not name or not handle:
        return float("nan")
    a, b = profile._ALNUM.sub("", name.lower()), profile._ALNUM.sub("", handle.lower())
    if not a or not b:
        return 0.0
    if a == b and len(b) < 200:  # every character matches
        return 1.0
    return profile.SequenceMatcher(None, a, b).ratio()
