"""Rebuild the bundled sample (src/botwatch/data/sample) from ../shared/data.

The sample is what `botwatch demo` studies: a few MB of real data, small enough to ship in the
package. It is a deterministic slice, so rebuilding gives the same files:
- IRA troll tweets (FiveThirtyEight / Clemson, by-author re-cut): every tweet from 1 Sep to
  15 Nov 2016 by the first N handles of each account category (alphabetical), plus their authors rows;
- the 110 @UKLabour v1.1 statuses of 1-7 May 2017;
- twarc2 v2 pages about Brexit/Corbyn (DocNow twarc-csv test data, MIT).

Usage: python scripts/build_sample.py [--shared ../shared/data] [--per-category 12]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import shutil
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--per-category", type=int, default=12)
    ap.add_argument("--start", default="2016-09-01")
    ap.add_argument("--end", default="2016-11-16")
    args = ap.parse_args()
    shared = Path(args.shared)
    OUT.mkdir(parents=True, exist_ok=True)
    csv.field_size_limit(sys.maxsize)

    with gzip.open(shared / "ira" / "authors.csv.gz", "rt", encoding="utf-8", newline="") as f:
        authors = list(csv.DictReader(f))
    by_cat: dict[str, list[str]] = defaultdict(list)
    for a in sorted(authors, key=lambda r: r["author_id"].lower()):
        by_cat[a["account_category"]].append(a["author_id"])
    # Keep handles that actually tweeted in the window: count first, then pick.
    counts: dict[str, int] = defaultdict(int)
    with gzip.open(shared / "ira" / "tweets.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if args.start <= row["publish_date"][:10] < args.end:
                counts[row["author_id"]] += 1
    chosen: set[str] = set()
    for cat, handles in sorted(by_cat.items()):
        active = [h for h in handles if 5 <= counts.get(h, 0) <= 1500]
        chosen.update(active[: args.per_category])
    kept = 0
    with gzip.open(shared / "ira" / "tweets.csv.gz", "rt", encoding="utf-8", newline="") as f, gzip.open(
        OUT / "ira_tweets_2016_sample.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=9
    ) as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["author_id"] in chosen and args.start <= row["publish_date"][:10] < args.end:
                writer.writerow(row)
                kept += 1
    with gzip.open(OUT / "ira_authors_sample.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=9) as out:
        writer = csv.DictWriter(out, fieldnames=list(authors[0].keys()))
        writer.writeheader()
        for a in authors:
            if a["author_id"] in chosen:
                writer.writerow(a)
    shutil.copyfile(shared / "ge2017" / "UKLabour-May-week1.json.gz", OUT / "ge2017_uklabour_may_week1.json.gz")
    shutil.copyfile(shared / "twarc2" / "brexit.jsonl.gz", OUT / "twarc2_brexit.jsonl.gz")
    print(f"{len(chosen)} IRA handles, {kept} tweets -> {OUT}")


if __name__ == "__main__":
    main()
