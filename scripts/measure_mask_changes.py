"""What a change to the stance mask (`content.features.clean_text`, `mask`) changes on real posts.

Why: a change to how party names are masked moves the model's input, and so perhaps labels; the
content rules version is bumped for it, and docs/methods.md says how many posts it touches. This
writes the masked texts of IRA tweets (../shared/data/ira) under two presets with one checkout's
code, then compares two such files: texts whose model tokens differ, and texts where more party
names are masked (with the words that were masked).

Only tweets holding a '#' or a non-ASCII character are read: the mask's spellings (tags, "ё",
look-alike letters) can change nothing else.

Usage: python scripts/measure_mask_changes.py write OUT --src CHECKOUT/src [--limit 400000]
       python scripts/measure_mask_changes.py compare BEFORE AFTER
(run `write` once with the older checkout's src and once with this one's).
"""

from __future__ import annotations

import argparse
import ast
import collections
import csv
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ("us-2016", "uk-ge2017")
_WORD = re.compile(r"#?\w+")


def write(out: Path, src: Path, limit: int) -> None:
    sys.path.insert(0, str(src))
    from botwatch.content import features as F
    from botwatch.elections import load_election

    csv.field_size_limit(10**8)
    names = [F.PartyNames.of(load_election(k)) for k in PRESETS]
    n = 0
    with gzip.open(ROOT.parent / "shared/data/ira/tweets.csv.gz", "rt", encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        for row in csv.DictReader(fh):
            text = row["content"]
            if "#" in text or not text.isascii():
                cleaned = F.clean_text(text)
                w.write(repr([F.mask(cleaned, ns, None) for ns in names]) + "\n")
                n += 1
                if n >= limit:
                    break
    print(f"{n:,} texts written to {out}")


def compare(before: Path, after: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from botwatch.content.features import tokens

    changed = collections.Counter()
    more = collections.Counter()
    words: collections.Counter = collections.Counter()
    with before.open(encoding="utf-8") as a, after.open(encoding="utf-8") as b:
        for la, lb in zip(a, b):
            if la == lb:
                continue
            for k, (ta, tb) in enumerate(zip(ast.literal_eval(la), ast.literal_eval(lb))):
                if tokens(ta) != tokens(tb):
                    changed[PRESETS[k]] += 1
                if tb.count(" tgt ") + tb.count(" oth ") > ta.count(" tgt ") + ta.count(" oth "):
                    more[PRESETS[k]] += 1
                    words.update((PRESETS[k], w) for w in set(_WORD.findall(ta)) - set(_WORD.findall(tb)))
    for p in PRESETS:
        print(f"{p}: {changed[p]:,} texts with other tokens, {more[p]:,} with more names masked")
    print("words now masked:", ", ".join(f"{p} {w} {n}" for (p, w), n in words.most_common(20)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--src", type=Path, default=ROOT / "src")
    w.add_argument("--limit", type=int, default=400_000)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.out, args.src, args.limit)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
