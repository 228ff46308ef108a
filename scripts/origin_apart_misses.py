#!/usr/bin/env python
"""Which evidence items keep IRA accounts out of Russia when the development part is scored as a
study of its own (docs/methods.md, "Each part as a study of its own"). Measured only: nothing
here changes the model.

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py --work W --apart   # builds both studies
    PYTHONPATH=src .venv/bin/python scripts/origin_apart_misses.py --work W

Development part only: there is no option to read the test part. Reads the mixed study
(W/study.duckdb) and the development part's own study (W/apart-dev/study.duckdb) read-only, and
scores each account as the accounts stage does (`measure_origin_desks.score`: own evidence,
calibration map, shared-text pooling, study prior), in each study.

1. Russian-language and posing development accounts not placed in Russia in their own study,
   split into those the mixed study placed in Russia ("lost": what leaned on test accounts) and
   those missed in both; for each lost one, its own-evidence answer in each study (the desk-hours item
   reads desk-mates, so it can differ), shared-text neighbours in each study, and how far
   pooling moved P(Russia).
2. Per evidence item, over each set of misses: how many have it, how many it pulls away from
   Russia (ln L(Russia) − ln L(leading country) below −0.1) or towards it, and the median and
   total log-ratio: the items that keep the misses out of Russia.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure_origin_desks as M  # noqa: E402
import validate_origin as V  # noqa: E402

from botwatch.accounts import origin, origin_textpool  # noqa: E402
from botwatch.accounts.origin import OriginInput, OriginResult, evidence_vectors, origin_posterior  # noqa: E402
from botwatch.accounts.validation import GROUP_POSING, GROUP_RU_LANG, mostly_russian, post_bin  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

BANDS = ("0", "1-4", "5-19", "20-99", "100-299", "300+")
PULL = 0.1  # |ln ratio| below this: the item says next to nothing either way


def item_ratios(inp: OriginInput, lead: str | None, home: str) -> dict[str, float]:
    """Each evidence item of the account: ln L(Russia) − ln L(lead), what it says for Russia
    against the country the account is placed in (empty when it is placed nowhere or in Russia)."""
    codes = origin.codes()
    if lead is None or lead == "RU" or lead not in codes:
        return {}
    ru, at = codes.index("RU"), codes.index(lead)
    return {kind: float(math.log(v[ru]) - math.log(v[at])) for kind, v, _ in evidence_vectors(inp, home=home)}


def pull_table(per_account: Iterable[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Over accounts' item ratios (`item_ratios`): per item, the accounts that have it, those it
    pulls away from Russia (ratio < −PULL) and towards it (> PULL), the median and the total
    ratio; items sorted by total, most against Russia first."""
    got: dict[str, list[float]] = {}
    for ratios in per_account:
        for kind, r in ratios.items():
            got.setdefault(kind, []).append(r)
    out = {kind: {"accounts": len(rs), "away": sum(r < -PULL for r in rs), "towards": sum(r > PULL for r in rs),
                  "median": float(np.median(rs)), "total": float(sum(rs))} for kind, rs in got.items()}
    return dict(sorted(out.items(), key=lambda kv: kv[1]["total"]))


def _scored(loaded: V.LoadedStudy, home: str) -> tuple[list[OriginResult], list[OriginResult], dict[str, int], list[OriginResult]]:
    """Own results, pooled results (before the study prior), neighbour counts, and the final results, of one study."""
    inputs, keys, pairs = loaded.inputs, loaded.keys, loaded.neighbours
    own = [origin_posterior(inp, home=home) for inp in inputs]
    pooled = origin_textpool.apply(own, keys, pairs)
    n_nb: dict[str, int] = {}
    for a in (pairs.account_id if pairs is not None else []):
        n_nb[a] = n_nb.get(a, 0) + 1
    return own, pooled, n_nb, M.score(inputs, keys, pairs, home)


def row_of_each(ids: list[str], m_ids: list[str], apart_path: Path, mixed_path: Path, work: Path) -> dict[str, int]:
    """The mixed study's row of each account id of the part study. Both studies are cut from the
    same inputs; one built from older inputs (a `--fresh` run that stopped half-way) holds accounts
    the other lacks, and every comparison would then be wrong, so that stops the script with a
    message saying how to rebuild them, not a KeyError half-way through the tables."""
    mixed = {a: i for i, a in enumerate(m_ids)}
    stray = [a for a in ids if a not in mixed]
    if stray:
        sys.exit(f"{len(stray)} accounts of {apart_path} are not in {mixed_path} (e.g. {stray[0]!r}): the two "
                 f"studies were built from different inputs; run scripts/validate_origin.py --work {work} --fresh --apart")
    return mixed


def _print_pulls(title: str, table: dict[str, dict[str, float]], n: int) -> None:
    print(f"\n## {title} ({n} accounts): ln L(Russia) - ln L(placed country) per item")
    print("item".ljust(16) + "has".rjust(6) + "away".rjust(6) + "towards".rjust(9) + "median".rjust(9) + "total".rjust(9))
    for kind, c in table.items():
        print(kind.ljust(16) + f"{c['accounts']:6d}{c['away']:6d}{c['towards']:9d}{c['median']:+9.2f}{c['total']:+9.1f}")


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    args = ap.parse_args()
    apart_path, mixed_path = args.work / "apart-dev" / "study.duckdb", args.work / "study.duckdb"
    for p in (apart_path, mixed_path):
        # The marker, not the file: a study whose ingest stopped half-way exists but is not one.
        if not p.with_suffix(".ingested").exists():
            sys.exit(f"no finished {p}: run scripts/validate_origin.py --work {args.work} --apart first")
    election = load_election(args.election)
    home = election.country
    apart = V.load_part(apart_path, args.data, election)
    m_apart = V.load_part(mixed_path, args.data, election, part=None)  # the mixed study holds both parts; only dev rows are read below
    ids, inputs, groups, m_inputs = apart.ids, apart.inputs, apart.groups_splits, m_apart.inputs
    own, pooled, n_nb, final = _scored(apart, home)
    m_own, _m_pooled, m_nb, m_final = _scored(m_apart, home)
    mixed = row_of_each(ids, m_apart.ids, apart_path, mixed_path, args.work)
    for group in (GROUP_RU_LANG, GROUP_POSING):
        idx = [i for i, (g, s) in enumerate(groups) if g == group and s == "dev"]
        misses = [i for i in idx if final[i].country != "RU"]
        lost = [i for i in misses if m_final[mixed[ids[i]]].country == "RU"]
        both = [i for i in misses if i not in set(lost)]
        print(f"\n# {group}, development part as its own study: {len(idx) - len(misses)}/{len(idx)} placed in Russia; "
              f"{len(lost)} of the misses placed in Russia by the mixed study, {len(both)} missed by both")
        for name, rows in (("lost (placed in Russia by the mixed study)", lost), ("missed by both", both)):
            if not rows:
                continue
            own_ru = sum(own[i].country == "RU" for i in rows)
            m_own_ru = sum(m_own[mixed[ids[i]]].country == "RU" for i in rows)
            with_nb = sum(n_nb.get(ids[i], 0) > 0 for i in rows)
            m_with_nb = sum(m_nb.get(ids[i], 0) > 0 for i in rows)
            print(f"- {name}: {len(rows)}; own evidence places in Russia {own_ru} here, {m_own_ru} in the mixed study; "
                  f"with shared-text neighbours {with_nb} here, {m_with_nb} in the mixed study; "
                  f"posts mostly Russian {sum(mostly_russian(inputs[i].post_langs) for i in rows)}; "
                  f"with a behavioural item {sum(bool(set(own[i].items) & set(M.BEHAVIOUR)) for i in rows)}; by posts "
                  + ", ".join(f"{b} {n}" for b, n in sorted(Counter(post_bin(inputs[i].n_posts) for i in rows).items(), key=lambda kv: BANDS.index(kv[0]))))
            for i in (rows if rows is lost else []):  # the lost ones one by one; the others in the table below
                j = mixed[ids[i]]
                print(f"    {ids[i]}: {inputs[i].n_posts} posts; placed {final[i].country} (P {final[i].probability or 0:.2f}), "
                      f"P(Russia) own {own[i].p_russia or 0:.3f} -> pooled {pooled[i].p_russia or 0:.3f} -> final {final[i].p_russia or 0:.3f}, "
                      f"gap {M.gap(final[i]):.1f}; neighbours {n_nb.get(ids[i], 0)} (mixed {m_nb.get(ids[i], 0)}); "
                      f"mixed: own P(Russia) {m_own[j].p_russia or 0:.3f}, final {m_final[j].p_russia or 0:.3f}; "
                      f"desk hours {'yes' if inputs[i].shift_from_desk else 'no'} (mixed {'yes' if m_inputs[j].shift_from_desk else 'no'})")
            _print_pulls(f"{group}, {name}", pull_table(item_ratios(inputs[i], final[i].country, home) for i in rows), len(rows))


if __name__ == "__main__":
    main()
