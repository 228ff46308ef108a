#!/usr/bin/env python
"""How much the frozen test part of the origin validation leans on development accounts.

    PYTHONPATH=src .venv/bin/python scripts/validate_origin_split.py [--work W]   # after validate_origin.py --work W

Why: `validation.split_of` splits accounts, not desks, and `validate_origin.py` scores every
account in one study, so a test account's shared-text neighbours (`origin_textpool`) are mostly
development accounts of the same desk. No label crosses the split (pooling reads evidence, not
labels), but a study holding only the kept-back handles would give each of them fewer
neighbours. This prints (1) the test part's stored answers by whether the account's shared-text
group holds a development account, and (2) the per-account answers before the study prior
with pooling over every pair against pairs between test accounts only (a study of the test
part alone, as far as pooling goes; the desk hours item still sees every account). Read-only.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_textpool  # noqa: E402
from botwatch.accounts.features import build  # noqa: E402
from botwatch.elections import load_election  # noqa: E402


def main() -> None:
    ap = V.origin_arguments(__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args = ap.parse_args()
    election = load_election(args.election)
    with open_study(args.work / "study.duckdb", read_only=True) as st:
        stored = dict(st.con.execute("SELECT account_id, origin_country FROM account_scores").fetchall())
        pairs = origin_textpool.neighbours(st)
        data = build(st, election)
    ids = data.features["account_id"].tolist()
    keys = list(zip(data.features["platform"].tolist(), ids))
    split = dict(zip(ids, V.groups_and_splits(args.data, ids)))

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs.account_id, pairs.other_id):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    holds_dev = {find(a) for a in ids if a in parent and split[a][1] == "dev"}
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for a in ids:
        group, part = split[a]
        if part != "test" or group is None:
            continue
        kind = "no text neighbours" if a not in parent else ("group holds a dev account" if find(a) in holds_dev else "group without dev accounts")
        cell = cells[(group, kind)]
        cell[0] += 1
        cell[1] += stored.get(a) == "RU"
    print("## test part, stored answers (run_accounts, study prior included), Russia most likely")
    for (group, kind), (n, r) in sorted(cells.items()):
        print(f"{group:42s} | {kind:28s} | {r}/{n} = {r / n:.3f}")

    inputs = V.origin_inputs(data)
    own = [V.origin_posterior(inp, home=election.country) for inp in inputs]
    both_test = [split.get(a, (None, "dev"))[1] == "test" and split.get(b, (None, "dev"))[1] == "test"
                 for a, b in zip(pairs.account_id, pairs.other_id)]
    test_pairs = origin_textpool.Neighbours(*([v for v, k in zip(col, both_test) if k]
                                              for col in (pairs.platform, pairs.account_id, pairs.other_id, pairs.shared)))
    print("\n## test part, per-account answers before the study prior, Russia most likely")
    for name, nb in (("own evidence only", None), ("pooled over every pair", pairs), ("pooled over test-test pairs only", test_pairs)):
        res = own if nb is None else origin_textpool.apply(own, keys, nb)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a, r in zip(ids, res):
            group, part = split[a]
            if part == "test" and group is not None:
                counts[group][0] += 1
                counts[group][1] += r.country == "RU"
        print(f"{name:34s} " + "; ".join(f"{g}: {r}/{n}" for g, (n, r) in sorted(counts.items())))


if __name__ == "__main__":
    main()
