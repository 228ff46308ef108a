#!/usr/bin/env python
"""The frozen test part as separate studies, through the commands users run.

    PYTHONPATH=src .venv/bin/python scripts/validate_origin_separate.py [--work /tmp/origin-val] [--part test]

Needs the inputs `validate_origin.py` prepares in --work. Writes two studies: the part's IRA
handles alone (the IRA CSV cut to 300 posts per handle, filtered to the part) and the part's
ordinary accounts alone (v1.1), runs `botwatch ingest` and `botwatch analyze --election us-2016`
on each (all stages, coordination included, so accounts_clusters adds the clusters), and
prints the study prior the accounts stage estimated and the share of each group given Russia as
most likely origin, with 95% Wilson intervals. The Clemson category is read for grouping only.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_origin import REPO, groups_and_splits  # noqa: E402

from botwatch.accounts.validation import split_of  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

BOTWATCH = [sys.executable, "-m", "botwatch.cli"]


def _analyze(study: Path, inputs: Path) -> list[str]:
    study.unlink(missing_ok=True)
    subprocess.run([*BOTWATCH, "ingest", str(study), str(inputs)], check=True, capture_output=True)
    r = subprocess.run([*BOTWATCH, "analyze", str(study), "--election", "us-2016"], capture_output=True, text=True, check=True)
    return [line for line in (r.stdout + r.stderr).splitlines() if "study prior" in line or line.startswith("coordination:")]


def _shares(study: Path, data: Path) -> None:
    con = duckdb.connect(str(study), read_only=True)
    rows = con.execute("SELECT account_id, origin_country FROM account_scores").fetchall()
    cells: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for (_, country), (group, _) in zip(rows, groups_and_splits(data, [a for a, _ in rows])):
        if group is not None:
            cells[group][0] += 1
            cells[group][1] += country == "RU"
    for g, (n, k) in cells.items():
        _p, lo, hi = wilson(k, n)
        print(f"  {g}: {k}/{n} = {k / n:.4f} [{lo:.4f}, {hi:.4f}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--part", choices=("dev", "test"), default="test")
    args = ap.parse_args()
    ira_src, ord_src = args.work / "ira-tweets-300.csv.gz", args.work / "ordinary-v1.jsonl.gz"
    ira_out, ord_out = args.work / f"ira-{args.part}.csv.gz", args.work / f"ordinary-{args.part}.jsonl.gz"
    con = duckdb.connect()
    ids = [r[0] for r in con.execute(f"SELECT DISTINCT author_id FROM read_csv('{ira_src}', all_varchar=true, header=true)").fetchall()]
    con.execute("CREATE TABLE keep (a VARCHAR)")
    con.executemany("INSERT INTO keep VALUES (?)", [(a,) for a in ids if split_of(a.strip().lower()) == args.part])
    con.execute(f"COPY (SELECT * FROM read_csv('{ira_src}', all_varchar=true, header=true) WHERE author_id IN (SELECT a FROM keep)) "
                f"TO '{ira_out}' (HEADER, COMPRESSION gzip)")
    with gzip.open(ord_src) as f, gzip.open(ord_out, "wb") as o:
        for line in f:
            if split_of(orjson.loads(line)["user"]["id_str"].strip().lower()) == args.part:
                o.write(line)
    for name, inputs in (("IRA handles alone", ira_out), ("ordinary accounts alone", ord_out)):
        study = args.work / f"separate-{args.part}-{name.split()[0].lower()}.duckdb"
        print(f"\n## {args.part} part, {name}")
        for line in _analyze(study, inputs):
            print("  " + line)
        _shares(study, args.data)


if __name__ == "__main__":
    main()
