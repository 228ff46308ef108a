"""Which posts an edited election file matches to each party, against the shipped preset.

Why: a party word that other people or things share ("Stein", "Theresa") adds false matches to
every count of that party; dropping or fencing it loses true ones. This script measures both
before a preset changes, on real texts and on the labelled posts, fitting nothing:

1. the distinct English IRA texts of ../shared/data/ira (the frozen test part's texts left out),
   matched under the shipped preset and under the edited file: matches per party before and
   after, and a seeded sample of every text that lost or gained a party, to read by eye;
2. the labelled development posts of that election (tests/fixtures/content, test part left out):
   party-matching precision and recall against the reader's parties, before and after.

Hashtags are read from the text (`#word`), as archives without entities give them.

Usage: python scripts/compare_preset_matches.py PRESET EDITED.toml [--show N]
(EDITED.toml needs its own `key`: a file under a preset's key must equal the preset.)
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import random
import re
import sys
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content.match import compile_matcher, match_batch, party_mask  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.elections.model import Election  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "content"
IRA = ROOT.parent / "shared" / "data" / "ira" / "tweets.csv.gz"
TAG = re.compile(r"#(\w+)")
SCHEMA = pa.schema([("text", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()), ("hashtags", pa.list_(pa.string())),
                    ("mentions", pa.list_(pa.string())), ("handle", pa.string())])


def named(election: Election, texts: list[str]) -> list[frozenset[str]]:
    """The parties each text names under `election` (text and its #hashtags only)."""
    m = compile_matcher(election)
    out: list[frozenset[str]] = []
    for i in range(0, len(texts), 20_000):
        chunk = texts[i:i + 20_000]
        rows = [{"text": t, "kind": "original", "ref_handle": None, "hashtags": TAG.findall(t), "mentions": [], "handle": None} for t in chunk]
        mask = party_mask(m, match_batch(m, pa.Table.from_pylist(rows, schema=SCHEMA)))
        out += [frozenset(p for j, p in enumerate(m.parties) if mask[k, j]) for k in range(len(chunk))]
    return out


def labelled(election_key: str) -> tuple[dict[str, str], set[str], dict[str, set[str]]]:
    """(post id → text for every labelled post, the test part's texts, dev post id → reader's parties)."""
    csv.field_size_limit(10**8)
    text_of: dict[str, str] = {}
    for f in ("ira_stance_posts.csv", "train_stance_posts.csv"):
        with open(FIXTURES / f, newline="", encoding="utf-8") as fh:
            text_of.update((r["tweet_id"], r["content"]) for r in csv.DictReader(fh))
    test: set[str] = set()
    gold: dict[str, set[str]] = {}
    for f in ("ira_stance_labels.csv", "train_stance_labels.csv"):
        with open(FIXTURES / f, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["part"] == "test":
                    test.add(text_of.get(r["post_id"], "").strip())
                elif r["election"] == election_key and r["post_id"] in text_of:
                    gold.setdefault(r["post_id"], set()).update([r["party"]] if r["party"] else [])
    return text_of, test, gold


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("preset", help="the shipped preset to compare against, e.g. us-2016")
    ap.add_argument("edited", type=Path, help="the edited election file (its own key)")
    ap.add_argument("--show", type=int, default=30, help="texts shown per party lost or gained (default 30)")
    args = ap.parse_args()
    if not IRA.exists():
        print(f"needs {IRA} (../shared/data beside the repository)", file=sys.stderr)
        return 2
    before, after = load_election(args.preset), load_election(args.edited)
    text_of, test, gold = labelled(args.preset)
    with gzip.open(IRA, "rt", newline="", encoding="utf-8") as fh:
        texts = sorted({r["content"] for r in csv.DictReader(fh) if r["language"] == "English" and r["content"].strip() not in test})
    b, a = named(before, texts), named(after, texts)
    print(f"{len(texts):,} distinct English IRA texts (the test part's left out)")
    for name, got in (("before", b), ("after", a)):
        print(f"  matches per party {name}: " + ", ".join(f"{p} {n:,}" for p, n in sorted(collections.Counter(p for s in got for p in s).items())))
    moved: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for t, x, y in zip(texts, b, a):
        for p in x - y:
            moved[("lost", p)].append(t)
        for p in y - x:
            moved[("gained", p)].append(t)
    rng = random.Random(1)
    for (how, p), ts in sorted(moved.items()):
        print(f"{how} {p}: {len(ts):,} texts" + (f" (a seeded {args.show} of them)" if len(ts) > args.show else ""))
        for t in rng.sample(ts, min(args.show, len(ts))):
            print("   -", " ".join(t.split())[:160])
    ids = sorted(gold)
    for name, el in (("before", before), ("after", after)):
        got = named(el, [text_of[i] for i in ids])
        tp = sum(len(g & gold[i]) for i, g in zip(ids, got))
        fp = sum(len(g - gold[i]) for i, g in zip(ids, got))
        fn = sum(len(gold[i] - g) for i, g in zip(ids, got))
        print(f"labelled {args.preset} dev posts ({len(ids):,}) {name}: precision {tp / max(tp + fp, 1):.4f}, recall {tp / max(tp + fn, 1):.4f} "
              f"({tp} right, {fp} false, {fn} missed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
