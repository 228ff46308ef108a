"""What the account prior changed on the labelled pairs of an analysed study, with a paired
bootstrap interval for the change in stance macro-F1.

A pair the prior decided keeps the post's own answer in its evidence ("this post alone read X"),
so the answer without the prior is read back from the same table: one run gives both.

Usage: python scripts/stance_prior_gain.py STUDY.duckdb ELECTION [LABELS.csv] [--part test]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content.propagate import ACCOUNT_PRIOR, NEIGHBOURS  # noqa: E402
from botwatch.content.score import MISSING, STANCES, load_labels, macro_f1  # noqa: E402
from botwatch.study import Study  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("study", type=Path)
    ap.add_argument("election")
    ap.add_argument("labels", type=Path, nargs="?", default=ROOT / "tests" / "fixtures" / "content" / "ira_stance_labels.csv")
    ap.add_argument("--part", default="test")
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    with Study(args.study, read_only=True) as st:
        rows = st.sql(
            "SELECT post_id, party, stance, stance_rule, regexp_extract(stance_evidence, 'this post alone read (\\w+)', 1) "
            "FROM post_party WHERE election = ?", [args.election]
        )
    after = {(p, q): s for p, q, s, _r, _w in rows}
    before = {(p, q): (w if r in (ACCOUNT_PRIOR, NEIGHBOURS) else s) for p, q, s, r, w in rows}
    lab = [r for r in load_labels(args.labels, election=args.election, part=args.part) if r["party"]]
    keys = [(r["post_id"], r["party"]) for r in lab]
    gold = [r["stance"] for r in lab]
    a = [after.get(k, MISSING) for k in keys]
    b = [before.get(k, MISSING) for k in keys]
    posts = sorted({k[0] for k in keys})
    by: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        by.setdefault(k[0], []).append(i)
    rng = np.random.default_rng(14)
    diffs = []
    for _ in range(args.boot):
        idx = [i for j in rng.integers(0, len(posts), len(posts)) for i in by[posts[j]]]
        g = [gold[i] for i in idx]
        diffs.append(macro_f1(g, [a[i] for i in idx], STANCES) - macro_f1(g, [b[i] for i in idx], STANCES))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    changed = [i for i in range(len(keys)) if a[i] != b[i]]
    print(f"{args.election} {args.part}: stance macro-F1 without the prior {macro_f1(gold, b, STANCES):.3f}, with it {macro_f1(gold, a, STANCES):.3f}; "
          f"change {macro_f1(gold, a, STANCES) - macro_f1(gold, b, STANCES):+.3f} [{lo:+.3f} to {hi:+.3f}] (paired bootstrap over posts); "
          f"{len(changed)} of {len(keys)} pairs changed: {sum(a[i] == gold[i] for i in changed)} now right, {sum(b[i] == gold[i] for i in changed)} were right")


if __name__ == "__main__":
    main()
