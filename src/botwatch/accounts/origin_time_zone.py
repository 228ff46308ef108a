"""What a profile time zone says about an account's country, from how often real accounts carry it.

The time-zone item was one constant: L = 1 for the zone's country and `FLOOR` (0.02) for every
other, so 'Atlantic Time (Canada)' counted ×50 for Canada against the United States. Measured on
the development part, 118 of 2,498 American accounts with a zone carry that one (most likely set
by whatever guessed the zone from the clock's UTC offset: 'Quito', another such zone, is carried by
128), so it says little between the two: ×2.6 under the stated default below, not ×50.
Likelihoods are P(zone | country), and for the countries whose accounts were seen carrying zones
that ratio is measured:

    L(c) = 1                         c is a country the zone names (`home_countries`)
    L(m) = clip(P̂(z | m) / p_home(z), FLOOR, 1)   m a measured country the zone does not name
    L(c) = FLOOR                     every other country (stated, as before: ×50)

- P̂(z | m): of the development accounts of country m that carry a known or unknown zone, the share
  carrying z (`time_zone_rates.tsv`, written by `scripts/measure_time_zones.py`), shrunk towards
  the default rate FLOOR × p_home(z) with `PRIOR_ACCOUNTS` pseudo-accounts, so a zone seen on one
  or two accounts falls back to about ×50. A country counts as measured with at least
  `MIN_ACCOUNTS` accounts carrying a zone.
- p_home(z): how often an account of the zone's own country carries it, which no data here shows
  (the IRA release has no profile fields, brexit-2016 no time zones): the share of measured accounts
  that carry one of their own country's zones (`own_zone_share`), spread evenly over that country's
  zone names in time_zones.tsv. A stated default; the bounds make it matter only for zones that
  other countries' accounts carry often.
- Bounds: L(m) is never above 1 (a zone never counts against the country it names) nor below
  `FLOOR` (never more than the old ×50 against any country: evidence items are not independent).

Countries the zone's name covers (`SHARED_ZONES`: the four 'US & Canada' zones) all get L = 1.
Russia is not measured (no IRA account in the data carries a zone) and stays at the floor for
every zone it does not name.

Zones that name no candidate country ('Quito', Ecuador; 'Greenland') gave no evidence at all, yet
'Quito' is carried by 128 of the 2,498 American development accounts with a zone, more than
'Mountain Time (US & Canada)' (92): Twitter's web client set it for clocks at UTC-5 without
daylight saving, which is how it read US Eastern in winter. Such a zone is read from the
measurement alone (`unplaced_likelihoods`): a measured country gets the same shrunk ratio as above
but against a typical zone of its own (p_own(m), the stated default share of m's own zone names),
every other country `FLOOR`, and only when the measurement supports a tie: the lower end of the 95 %
interval of a measured country's share above the ×50 default (FLOOR × p_own(m)). 'Quito' passes
(128 of 2,498: L(US) ≈ 0.66, ×33 against the countries not measured); 'Greenland' (6 of 2,498)
and the rest do not, and keep giving no time-zone evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from botwatch.accounts.gazetteer import country_of_time_zone, time_zone_names

FLOOR = 0.02  # the old constant, now the bound: no zone counts more than ×50 against a country
MIN_ACCOUNTS = 100  # fewer accounts with a zone make a rate too loose to move a ratio (33 British, 27 Canadian today)
PRIOR_ACCOUNTS = 20  # pseudo-accounts at the ×50 default: a zone seen on one or two accounts stays near ×50
RATES_FILE = "time_zone_rates.tsv"
# Zones whose own name covers more than the one country time_zones.tsv gives them.
SHARED_ZONES: dict[str, tuple[str, ...]] = {
    f"{region} Time (US & Canada)": ("US", "CA") for region in ("Eastern", "Central", "Mountain", "Pacific")
}


@dataclass(frozen=True)
class Measured:
    """One measured country's figure for one zone: accounts carrying it of those carrying any zone,
    and the likelihood it gives that country (`FLOOR` to 1)."""

    country: str
    carrying: int
    accounts: int
    likelihood: float


def home_countries(zone: str) -> tuple[str, ...]:
    """The countries a zone name places an account in (time_zones.tsv, widened by `SHARED_ZONES`)."""
    name = zone.strip()
    first = country_of_time_zone(name)
    if first is None:
        return ()
    return tuple(dict.fromkeys((first, *SHARED_ZONES.get(name, ()))))


@lru_cache(maxsize=1)
def carried() -> dict[str, dict[str, int]]:
    """Per country, accounts carrying each zone (time_zone_rates.tsv; zones outside the gazetteer
    included, so a country's counts sum to its accounts with any zone)."""
    text = (resources.files("botwatch.accounts") / "data" / RATES_FILE).read_text(encoding="utf-8")
    out: dict[str, dict[str, int]] = {}
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for zone, country, n in rows[1:]:  # rows[0] is the column header
        out.setdefault(country.strip(), {})[zone] = int(n)
    return out


@lru_cache(maxsize=1)
def measured() -> dict[str, tuple[dict[str, int], int]]:
    """The countries with at least `MIN_ACCOUNTS` accounts carrying a zone: (counts, accounts)."""
    return {c: (z, sum(z.values())) for c, z in carried().items() if sum(z.values()) >= MIN_ACCOUNTS}


@lru_cache(maxsize=1)
def own_zone_share() -> float:
    """Of the measured accounts, the share carrying a zone of their own country (pooled)."""
    own = sum(n for c, (z, _) in measured().items() for zone, n in z.items() if c in home_countries(zone))
    total = sum(n for _z, n in measured().values())
    return own / total if total else 1.0


@lru_cache(maxsize=1)
def _zones_per_country() -> dict[str, int]:
    k: dict[str, int] = {}
    for name in time_zone_names():
        for c in home_countries(name):
            k[c] = k.get(c, 0) + 1
    return k


def home_rate(zone: str) -> float:
    """p_home: the stated default share of the zone's own country's accounts that carry it."""
    homes = home_countries(zone)
    return own_zone_share() / _zones_per_country()[homes[0]] if homes else 0.0


def own_rate(country: str) -> float:
    """p_own: the stated default share of a country's accounts carrying one given zone of its own
    (`own_zone_share` spread evenly over its zone names; 0 for a country no zone name places)."""
    k = _zones_per_country().get(country, 0)
    return own_zone_share() / k if k else 0.0


def _shrunk(n: int, n_all: int, p_ref: float) -> float:
    """L = clip(P̂(z | m) / p_ref, FLOOR, 1), the share shrunk towards FLOOR × p_ref with `PRIOR_ACCOUNTS`."""
    rate = (n + PRIOR_ACCOUNTS * FLOOR * p_ref) / (n_all + PRIOR_ACCOUNTS)
    return min(1.0, max(FLOOR, rate / p_ref))


@lru_cache(maxsize=4096)
def unplaced_likelihoods(zone: str) -> tuple[Measured, ...]:
    """For a zone that names no candidate country: each measured country's likelihood against a
    typical zone of its own (`own_rate`), when some measured country's accounts carry the zone
    beyond the ×50 default (the lower end of the 95 % interval of its share above FLOOR × p_own);
    () otherwise (the zone says nothing the data supports)."""
    from botwatch.stats import wilson

    name = zone.strip()
    if home_countries(name):
        return ()
    out, tied = [], False
    for c, (counts, n_all) in measured().items():
        p_own = own_rate(c)
        if p_own <= 0.0:
            continue
        n = counts.get(name, 0)
        tied = tied or (n > 0 and wilson(n, n_all)[1] > FLOOR * p_own)
        out.append(Measured(c, n, n_all, _shrunk(n, n_all, p_own)))
    return tuple(out) if tied else ()


@lru_cache(maxsize=4096)
def likelihoods(zone: str) -> tuple[tuple[str, ...], tuple[Measured, ...]]:
    """The countries a zone names (L = 1) and, for each measured country it does not name, its
    measured likelihood (rate shrunk towards the ×50 default, bounded to [FLOOR, 1]). A zone naming
    no candidate country: no country at L = 1, and the measured ones from `unplaced_likelihoods`."""
    homes = home_countries(zone)
    if not homes:
        return (), unplaced_likelihoods(zone)
    p_home = home_rate(zone)
    out = []
    for c, (counts, n_all) in measured().items():
        if c in homes:
            continue
        n = counts.get(zone.strip(), 0)
        out.append(Measured(c, n, n_all, _shrunk(n, n_all, p_home)))
    return homes, tuple(out)
