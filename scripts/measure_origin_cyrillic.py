#!/usr/bin/env python
"""How often development accounts post mostly in Cyrillic script, Russia-run against ordinary: the
counts behind the origin model's `post_cyrillic` item (`origin.CYRILLIC_COUNTS`).

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_cyrillic.py --work W

Why: the post-language item counts one typical post's worth of evidence (`origin._post_langs_item`),
at most ×100 between a country where the language is spoken and one where it is not, however
many posts there are. So a Russian-writing account with a few English or Ukrainian-tagged posts
and hours that look like a person's day (Russia-run accounts keep those too) ended with the
United States most likely: 150 Russian-tagged posts of 300 counted less than its hours. What a
mostly-Cyrillic account says can be measured on real accounts: the ordinary archives carry no
language tags, but their texts show their script. This counts, on the development part scored
as a study of its own (the same W/apart-dev study `measure_origin_dev.py` builds; no option reads
the test part), the accounts with posts of which at least `origin.CYRILLIC_SHARE` contain Cyrillic
letters: among the Russia-run handles (Russian-language and posing together, as the calibration
mix counts them) and among the ordinary accounts, with 95% Wilson intervals, and the likelihood
ratio the lower end of one over the upper end of the other supports. Paste the two count pairs
into `origin.CYRILLIC_COUNTS`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch.accounts import origin  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, post_bin  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    args = ap.parse_args()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    path = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    loaded = V.load_part(path, args.data, load_election(args.election))
    counts: dict[str, list[int]] = {"russia_run": [0, 0], "ordinary": [0, 0]}
    by_bin: dict[tuple[str, str], list[int]] = {}
    for inp, (group, _split) in zip(loaded.inputs, loaded.groups_splits):
        if group is None or not inp.n_posts:
            continue
        who = "ordinary" if group == GROUP_ORDINARY else "russia_run" if group in (GROUP_RU_LANG, GROUP_POSING) else None
        if who is None:
            continue
        hit = origin.mostly_cyrillic(inp.post_scripts.get("cyrillic", 0), inp.n_posts)
        counts[who][0] += hit
        counts[who][1] += 1
        cell = by_bin.setdefault((who, post_bin(inp.n_posts)), [0, 0])
        cell[0] += hit
        cell[1] += 1
    print(f"accounts with posts, at least {origin.CYRILLIC_SHARE:.0%} of them with Cyrillic letters (development part as its own study)")
    for (who, b), (k, n) in sorted(by_bin.items()):
        p, lo, hi = wilson(k, n)
        print(f"  {who:10s} {b:8s} {k:5d} / {n:6d}  {p:.4f} [{lo:.4f}, {hi:.4f}]")
    (kr, nr), (ko, no) = counts["russia_run"], counts["ordinary"]
    _, lo_r, _ = wilson(kr, nr)
    _, _, hi_o = wilson(ko, no)
    print(f"russia_run {kr}/{nr}, ordinary {ko}/{no}: likelihood ratio at least {lo_r / hi_o:,.0f} (lower end over upper end)")
    print(f"CYRILLIC_COUNTS = {{\"russia_run\": ({kr}, {nr}), \"ordinary\": ({ko}, {no})}}")


if __name__ == "__main__":
    main()
