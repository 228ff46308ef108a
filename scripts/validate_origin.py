#!/usr/bin/env python
"""Reproduce the origin-model validation figures in docs/methods.md (## accounts).

    /work/venv/bin/python scripts/validate_origin.py [--study /tmp/origin-val.duckdb]

Ingests the real IRA tweets and authors, the twarc2 test pages and the TwiBot-20 sample from
../shared/data (files already in the study are skipped), runs the accounts features, and scores
origin under several evidence sets: all evidence; without the IRA archive's own `region` field
(which ordinary archives lack); posting hours and post languages only. Prints and writes
docs/figures/origin-validation.json with confusion tables (group × most likely origin).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from botwatch import open_study
from botwatch.accounts.features import build
from botwatch.accounts.origin import origin_posterior
from botwatch.accounts.scoring import origin_inputs
from botwatch.accounts.validation import COLUMNS, confusion, group_of, summary
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest

REPO = Path(__file__).resolve().parents[1]
VARIANTS = {
    "all evidence": frozenset(),
    "without the archive's region field": frozenset({"region"}),
    "posting hours + post languages only": frozenset({"region", "location", "time_zone", "utc_offset", "account_lang", "profile_script", "client", "post_script"}),
    "posting hours only": frozenset({"region", "location", "time_zone", "utc_offset", "account_lang", "profile_script", "client", "post_script", "post_langs"}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--study", type=Path, default=Path("/tmp/origin-validation.duckdb"))
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "figures" / "origin-validation.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    files = [args.data / "ira" / "authors.csv.gz", args.data / "ira" / "tweets.csv.gz", args.data / "twibot20" / "TwiBot-20_sample.json.gz"]
    files += sorted((args.data / "twarc2").glob("*.jsonl.gz"))
    election = load_election("us-2016")
    with open_study(args.study, read_only=False) as st:
        ingest(st, [str(f) for f in files])
        data = build(st, election)
    authors = pd.read_csv(args.data / "ira" / "authors.csv.gz", dtype=str)
    category = dict(zip(authors["author"].str.strip().str.lower(), authors["account_category"]))
    inputs = origin_inputs(data)
    ids = data.features["account_id"].tolist()
    formats = data.accounts["extra"].fillna("").tolist()
    groups = []
    for aid, extra in zip(ids, formats):
        is_ira = aid in category or '"region"' in extra
        groups.append(group_of(category.get(aid), "ira" if is_ira else "ordinary"))
    results = {"accounts": len(ids), "home": election.country, "variants": {}}
    for name, exclude in VARIANTS.items():
        for home in (election.country, None):
            pairs = [(g, origin_posterior(inp, home=home, exclude=exclude).country) for g, inp in zip(groups, inputs) if g is not None]
            table = confusion(pairs)
            key = f"{name}; prior {'with home ' + home if home else 'without home country'}"
            results["variants"][key] = {"confusion": table, "summary": summary(table)}
            print(f"\n## {key}")
            print("group".ljust(32) + "".join(c.rjust(10) for c in COLUMNS))
            for g in sorted(table):
                print(g.ljust(32) + "".join(str(table[g][c]).rjust(10) for c in COLUMNS))
    # Which human day do the posting hours fit? (informative fits only: >= 20 posts, a clear rhythm)
    offsets: dict[str, dict[str, int]] = {}
    for g, off in zip(groups, data.features["best_utc_offset"].tolist()):
        if g is not None:
            k = "none" if off is None or off is pd.NA else f"{int(off):+d}"
            offsets.setdefault(g, {}).setdefault(k, 0)
            offsets[g][k] += 1
    results["best_utc_offset"] = offsets
    print("\n## best-fitting UTC offset of the posting hours, by group")
    for g in sorted(offsets):
        print(g.ljust(32), ", ".join(f"{k}: {v}" for k, v in sorted(offsets[g].items(), key=lambda kv: -kv[1])[:8]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    print(f"\nwrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
