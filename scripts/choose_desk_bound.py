#!/usr/bin/env python
"""Choose the desk bound (`origin_desk.BOUND_POSTS`) on the development part scored as a study of
its own (docs/methods.md, "Ninth pass"), by the rule written there before any run.

    PYTHONPATH=src .venv/bin/python scripts/choose_desk_bound.py --work W

Development part only: there is no option to read the test part. Builds (once) the validation
inputs of `validate_origin.py` in W (the IRA tweets cut to at most 300 posts per handle, the
ordinary archives as v1.1 statuses) and the development part's own study W/apart-dev exactly as
`validate_origin.py --apart` does (so its later full run reuses both), without the mixed study.
Then, for each bound in `BOUNDS`, scores that study with `run_accounts` under `origin_desk.bound`
and reads it with `validate_origin.score_part_study` (the reading of `--apart`): Russian-language,
posing and ordinary accounts placed in Russia, and the expected calibration error of P(Russia)
over the study's reliability table. Prints the table and the value the rule picks, as written and
as amended (bounded values only: "unbounded" is the sixth pass's reference row); writes
W/desk-bound-dev.json. Each bound rescores the study (about a minute each on the shared machine).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_desk  # noqa: E402
from botwatch.accounts.features import build  # noqa: E402
from botwatch.accounts.scoring import origin_inputs  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

UNBOUNDED = 10**9  # larger than any desk: the desk's hours count in full (the sixth pass)
BOUNDS = (10, 20, 30, 40, 50, 60, 80, 100, 200, UNBOUNDED)  # every value the seventh pass tried, and more
SEVENTH_PASS = 40  # the bound the seventh pass chose in the mixed study: the reference of the rule
FALSE_ALARM_MARGIN = 2  # ordinary accounts placed in Russia: at most this many more than at SEVENTH_PASS


def ece(table: Sequence[Mapping[str, float]]) -> float:
    """Expected calibration error over a reliability table (`validation.calibration`): the
    account-weighted mean of |mean P − observed| over its bins. One number for "reliability not
    worse" in the rule; 0.0 for an empty table."""
    n = sum(b["n"] for b in table)
    return sum(b["n"] * abs(b["mean_p"] - b["observed"]) for b in table) / n if n else 0.0


def counts(study: Mapping) -> dict[str, float]:
    """The rule's quantities from one `score_part_study` result: R, P, F (placed in Russia, with the
    group sizes) and the ECE of the study's reliability table."""
    sh = study["shares"]
    out: dict[str, float] = {}
    for key, group in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)):
        cell = sh[f"{group} | all"]  # a missing group is an error, not zero: the rule would pick by ties
        out[key], out[f"{key}_n"] = cell["russia"], cell["n"]
    out["ece"] = ece(study["calibration"])
    return out


def choose(rows: Mapping[int, Mapping[str, float]], reference: int = SEVENTH_PASS, margin: int = FALSE_ALARM_MARGIN) -> int:
    """The rule of docs/methods.md "Ninth pass": among the bounds with F ≤ F(reference) + margin and
    ECE ≤ ECE(reference) (three decimals), the largest R + P; ties go to `reference` if it is among
    them, else to the smallest bound (least evidence from posts the account did not write)."""
    base = rows[reference]
    ok = {b: r for b, r in rows.items() if r["F"] <= base["F"] + margin and round(r["ece"], 3) <= round(base["ece"], 3)}
    best = max(r["R"] + r["P"] for r in ok.values())
    top = sorted(b for b, r in ok.items() if r["R"] + r["P"] == best)
    return reference if reference in top else top[0]


def desk_readers(study_path: Path, data: Path, election_name: str) -> dict[str, Counter]:
    """Per group, the development accounts that read their desk's hours, by desk posts (the bound
    only touches desks larger than it)."""
    election = load_election(election_name)
    with open_study(study_path, read_only=True) as st:
        feats = build(st, election)
    ids = feats.features["account_id"].tolist()
    out: dict[str, Counter] = {}
    for (g, _s), inp in zip(V.groups_and_splits(data, ids), origin_inputs(feats)):
        if g is not None and inp.shift_from_desk:
            n = int(sum(inp.shift_counts or ()))
            band = "<=40" if n <= 40 else "41-100" if n <= 100 else "101-300" if n <= 300 else ">300"
            out.setdefault(g, Counter())[band] += 1
    return out


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    args = ap.parse_args()
    t0 = time.perf_counter()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    print(f"development part's own study ready ({path}): {time.perf_counter() - t0:.0f} s")
    ira_ids = V.ira_handles(args.data)
    readers = desk_readers(path, args.data, args.election)
    print("development accounts reading their desk's hours, by desk posts: "
          + "; ".join(f"{g}: {dict(sorted(c.items()))}" for g, c in sorted(readers.items())))
    rows: dict[int, dict[str, float]] = {}
    for b in BOUNDS:
        with origin_desk.bound(b):
            study = V.score_part_study(path, args.data, args.election, "dev", ira_ids)
        rows[b] = counts(study)
        rows[b]["estimated_share"] = study["estimated_share"]
        r = rows[b]
        print(f"bound {'none' if b == UNBOUNDED else b}: R {r['R']}/{r['R_n']}  P {r['P']}/{r['P_n']}  F {r['F']}/{r['F_n']:,}  "
              f"R+P {r['R'] + r['P']}  ECE {r['ece']:.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    pick = choose(rows)
    print("\n| bound | Russian-language | posing | R + P | ordinary | ECE |\n|---|---|---|---|---|---|")
    for b, r in rows.items():
        print(f"| {'none' if b == UNBOUNDED else b} | {r['R']}/{r['R_n']} | {r['P']}/{r['P_n']} | {r['R'] + r['P']} | {r['F']}/{r['F_n']:,} | {r['ece']:.4f} |")
    bounded = choose({b: r for b, r in rows.items() if b != UNBOUNDED})
    print(f"\nchosen by the rule as written: {'none' if pick == UNBOUNDED else pick} (seventh pass: {SEVENTH_PASS})")
    print(f"chosen by the rule as amended before the test part was read (bounded values only; no bound is the sixth pass, "
          f"which the seventh replaced for the review's fan; docs/methods.md \"Ninth pass\"): {bounded} (shipped: {origin_desk.BOUND_POSTS})")
    out = args.work / "desk-bound-dev.json"
    out.write_text(json.dumps({"rows": {str(b): r for b, r in rows.items()}, "chosen_as_written": pick, "chosen_bounded": bounded, "desk_readers": readers}, indent=1), encoding="utf-8")
    print(f"wrote {out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
