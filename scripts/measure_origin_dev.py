#!/usr/bin/env python
"""The origin model's figures on the development part only, scored as a study of its own.

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_dev.py --work W [--label NAME]

Why: every choice of the origin model is made on the development part; `validate_origin.py`
prints the frozen test part beside it, so running it to choose would read the test part each
time. This script has no option to read the test part. It builds (once) the validation inputs in W
and the development part's own study W/apart-dev exactly as `validate_origin.py --apart` does (its
later full run reuses both), scores it with `run_accounts` and the shipped model, and reads it with
`validate_origin.score_part_study`: Russian-language, posing and ordinary accounts placed in
Russia (Russia the most likely origin), by posts per account, and the expected calibration error
of P(Russia) over the study's reliability table, and the study home share beside the true one (the
archive as truth: gop-debate-2015 American, brexit-2016 British). Appends one line to W/origin-dev.jsonl (with
`--label`), so variants measured one after another can be compared.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402
from choose_desk_bound import counts  # noqa: E402


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--label", default="shipped", help="a name for this variant in W/origin-dev.jsonl")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    study = V.score_part_study(path, args.data, args.election, "dev", V.ira_handles(args.data))
    r = counts(study)
    V._table("dev part as its own study: share with Russia as most likely origin", study["shares"])
    V._calibration_print("dev part as its own study: reliability of P(Russia)", study["calibration"])
    print(f"\n{args.label}: R {r['R']}/{r['R_n']}  P {r['P']}/{r['P_n']}  F {r['F']}/{r['F_n']:,}  ECE {r['ece']:.4f}  "
          f"study prior {study['estimated_share']} (true {study['true_russia_share']})  {time.perf_counter() - t0:.0f} s")
    t = study["true_home_share"]
    for m in study["stage_log"]:
        if "study home share" in m:
            print(m)
    print(f"true home share (archive as truth: gop-debate-2015 US, brexit-2016 GB): {t['us']:.1%} American of the {t['ordinary']:,} ordinary "
          f"accounts with origin evidence ({t['us_or_naming_us']:.1%} with the {t['brexit_naming_us']:,} brexit-2016 ones whose profile location names "
          f"an American place counted American); {t['us_not_placed_outside']:.1%} of the {t['not_placed_outside']:,} of them no profile place puts outside the US")
    with open(args.work / "origin-dev.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"label": args.label, **r, "estimated_share": study["estimated_share"],
                            "home_share_log": [m for m in study["stage_log"] if "study home share" in m], "true_home_share": t,
                            "shares": study["shares"], "calibration": study["calibration"]}) + "\n")


if __name__ == "__main__":
    main()
