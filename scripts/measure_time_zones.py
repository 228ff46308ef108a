#!/usr/bin/env python
"""How often development accounts of known country carry each profile time zone: writes
src/botwatch/accounts/data/time_zone_rates.tsv, which the origin model's time-zone item reads
(`accounts/origin_time_zone.py`; docs/methods.md, "Time zones measured per zone").

    PYTHONPATH=src .venv/bin/python scripts/measure_time_zones.py --work W [--out FILE]

Development part only: there is no option to read the test part. Builds (once) the validation
inputs and the development part's own study W/apart-dev exactly as `measure_origin_dev.py` does,
and reads each account's profile time zone and location (`validate_origin.load_part`).

Truth, as the validation has it: an IRA handle is run from Russia; an ordinary account is of its
archive's country (gop-debate-2015 the US, brexit-2016 Britain) unless its own profile location
names exactly one other country, then of that country. Only accounts whose profile carries a zone
are counted (the item is absent otherwise). Every zone an account carries is written, those the
gazetteer does not know included, so a country's rows add up to its accounts with a zone. The
script prints what the shipped model makes of the table (`origin_time_zone.likelihoods`) for the
zones measured accounts carry most, with the 95 % interval of each ratio from the raw share.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch.accounts import origin_time_zone as T  # noqa: E402
from botwatch.accounts.gazetteer import countries_in_location  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

HEADER = """\
# Profile time zones carried by development accounts of known country: zone, country, accounts.
# Measured, not set: written by `PYTHONPATH=src .venv/bin/python scripts/measure_time_zones.py --work W`.
# Development part only (validation.split_of), read as a study of its own (W/apart-dev). Truth: IRA
# handles Russia; ordinary accounts their archive's country (gop-debate-2015 US, brexit-2016 GB)
# unless their profile location names exactly one other country. Only accounts with a zone count;
# a country's rows add up to its accounts with a zone. Read by accounts/origin_time_zone.py.
"""


def truth(account_id: str, group: str | None, location: str | None) -> str | None:
    """The country a validation account is taken to be run from (None: not a validation account)."""
    if group in (GROUP_RU_LANG, GROUP_POSING):
        return "RU"
    if group != GROUP_ORDINARY:
        return None
    named = countries_in_location(location) if location else {}
    if len(named) == 1:
        return next(iter(named))
    return "US" if V.ordinary_source(account_id) == V.ORDINARY_US else "GB"


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=V.REPO / "src" / "botwatch" / "accounts" / "data" / T.RATES_FILE)
    args = ap.parse_args()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    loaded = V.load_part(path, args.data, load_election(args.election))
    counts: Counter[tuple[str, str]] = Counter()
    accounts: Counter[str] = Counter()
    with_zone: Counter[str] = Counter()
    for a, inp, group in zip(loaded.ids, loaded.inputs, loaded.groups):
        c = truth(a, group, inp.location)
        if c is None:
            continue
        accounts[c] += 1
        zone = (inp.time_zone or "").strip()
        if zone and zone.isprintable():  # a tab or line break would break the table's rows
            counts[(zone, c)] += 1
            with_zone[c] += 1
    rows = sorted(counts.items(), key=lambda kv: (kv[0][1], -kv[1], kv[0][0]))
    args.out.write_text(HEADER + "zone\tcountry\taccounts\n" + "".join(f"{z}\t{c}\t{n}\n" for (z, c), n in rows), encoding="utf-8")
    print(f"wrote {args.out}: {len(rows)} rows")
    print("accounts with a zone / all, by country taken as truth: " + ", ".join(
        f"{c} {with_zone[c]:,}/{n:,}" for c, n in accounts.most_common(12)))
    for cache in (T.carried, T.measured, T.own_zone_share, T.likelihoods, T.unplaced_likelihoods):
        cache.cache_clear()
    if not T.measured():
        print(f"no country has {T.MIN_ACCOUNTS} accounts with a zone: every zone keeps the stated ×{1 / T.FLOOR:.0f}")
        return
    print(f"measured countries: {', '.join(f'{c} ({n:,} accounts)' for c, (_z, n) in T.measured().items())}; "
          f"own-zone share {T.own_zone_share():.3f}")
    print("\nzone | names | p_home | against | carrying | ratio (shipped) | 95 % from the raw share")
    seen = Counter({z: n for (z, c), n in counts.items() if c in T.measured()})
    for zone, _n in seen.most_common(40):
        homes, meas = T.likelihoods(zone)
        for m in meas:
            _p, lo, hi = wilson(m.carrying, m.accounts)
            if homes:
                p_home = T.home_rate(zone)
                span = f"×{p_home / hi:.1f} to ×{p_home / lo:.1f}" if lo > 0 else f"×{p_home / hi:.1f} or more"
                print(f"{zone} | {','.join(homes)} | {p_home:.3f} | {m.country} | {m.carrying}/{m.accounts:,} | ×{1 / m.likelihood:.1f} | {span}")
            else:  # no country named: the measured country against the others, from its own zones' default share
                p_own = T.own_rate(m.country)
                span = f"×{lo / (T.FLOOR * p_own):.1f} to ×{hi / (T.FLOOR * p_own):.1f}"
                print(f"{zone} | (none: read from the measurement) | p_own {p_own:.3f} | {m.country} | {m.carrying}/{m.accounts:,} | "
                      f"×{m.likelihood / T.FLOOR:.1f} for it | {span} for it")
        if not homes and not meas:
            print(f"{zone} | (names no candidate country, no measured tie: no item) | - | - | {_n} | - | -")


if __name__ == "__main__":
    main()
