#!/usr/bin/env python
"""The maintainers' check, reproduced on the labelled sets we have: turn each labelled profile into
a v1.1 status (the profile as `user`, posted when the profile was observed), ingest, run
`analyze --election us-2016`, and read `bot_probability` from `accounts_scored`.

    .venv/bin/python scripts/labelled_via_ingest.py [--set botwiki2019 verified2019] [--copies 1]

Prints AUC and how many accounts were scored. `--copies N` repeats every profile N times under
new ids (a large study for timing the accounts stage; the repeated rows are not new data).
`--distinct` makes every copy after the first differ in each text and count (the copy's number
appended to the handle, name, description and location, added to the counts): a timing study in
which no per-distinct-value cache of the stage can hit more often than on an archive of distinct
accounts. Its AUC is not a measurement (the copies' features are altered on purpose).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from botwatch.accounts.labelled import profiles_to_v1_statuses

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "labelled")
    ap.add_argument("--set", nargs="+", default=["botwiki2019", "verified2019"])
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--distinct", action="store_true", help="with --copies: every copy's texts and counts made distinct (timing only)")
    ap.add_argument("--keep", type=Path, default=None, help="also copy the study here (e.g. for benchmarks/accounts.py --study)")
    args = ap.parse_args()
    if lacking := [s for s in args.set if not (args.data / s / "profiles.csv.gz").is_file()]:
        ap.error(f"no {', '.join(str(args.data / s / 'profiles.csv.gz') for s in lacking)}: a set this check reads holds its "
                 "profiles there (botwiki2019, verified2019)")
    raw = pd.concat([pd.read_csv(args.data / s / "profiles.csv.gz", dtype=str, keep_default_na=False, na_values=[""]) for s in args.set], ignore_index=True)
    if raw["label"].nunique() < 2:
        # One folder holds one class (the data README): an AUC needs bots and humans, and sklearn
        # stopped on (or warned and printed "AUC nan" after) the whole ingest and analyze.
        ap.error(f"--set {' '.join(args.set)} holds one class only (label {', '.join(sorted(raw['label'].unique()))}): "
                 "an AUC needs both, so use a set of bots with a set of humans, e.g. --set botwiki2019 verified2019")
    labels = dict(zip(raw["id"].astype(str), raw["label"].astype(int)))
    if args.copies > 1:
        reps = []
        for k in range(args.copies):
            c = raw.copy()
            c["id"] = [f"{k}{i}" for i in c["id"]]
            if args.distinct and k:
                for col in ("screen_name", "name", "description", "location"):
                    c[col] = [f"{v}{k}" if isinstance(v, str) else str(k) for v in c[col]]
                for col in ("followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"):
                    c[col] = (pd.to_numeric(c[col], errors="coerce").fillna(0).astype("int64") + k).astype(str)
            reps.append(c)
        raw = pd.concat(reps, ignore_index=True)
        labels = dict(zip(raw["id"].astype(str), raw["label"].astype(int)))
    bot = [str(Path(sys.executable).parent / "botwatch")]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "labelled.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for s in profiles_to_v1_statuses(raw):
                fh.write(json.dumps(s) + "\n")
        study = Path(tmp) / "s.duckdb"
        subprocess.run([*bot, "ingest", str(study), str(src)], check=True, capture_output=True)
        t = time.perf_counter()
        subprocess.run([*bot, "analyze", str(study), "--election", "us-2016", "--stage", "accounts"], check=True, capture_output=True)
        print(f"analyze --stage accounts: {time.perf_counter() - t:.1f} s for {len(raw):,} accounts")
        import duckdb

        con = duckdb.connect(str(study), read_only=True)
        got = con.execute("SELECT account_id, bot_probability FROM accounts_scored").df()
        con.close()
        if args.keep:
            import shutil

            shutil.copy(study, args.keep)
    print(summary(got, labels))


def summary(got: pd.DataFrame, labels: dict[str, int]) -> str:
    """The check's line: how many labelled accounts the study scored, of how many were labelled.
    Why: it counted only the labelled accounts `accounts_scored` held, so one rejected at ingest
    (a line it could not read) was simply left out and "accounts: N; scored: N" still read as
    every account scored."""
    from sklearn.metrics import roc_auc_score

    got = got[got["account_id"].isin(labels)]
    y = got["account_id"].map(labels)
    missing = len(set(labels) - set(got["account_id"]))
    auc = f"{roc_auc_score(y, got['bot_probability'].fillna(0.5)):.4f}"
    return (f"labelled accounts: {len(labels):,}; in the study: {len(got):,}" + (f" ({missing:,} missing: see `botwatch export STUDY rejected`)" if missing else "")
            + f"; scored: {got['bot_probability'].notna().sum():,}; AUC {auc}")


if __name__ == "__main__":
    main()
