#!/usr/bin/env python
"""A change to the `automation_words` rule against the rule before it, on the LOSO table only.

    PYTHONPATH=src .venv/bin/python scripts/compare_automation_words.py               # paired table, seeds 7, 8, 9 (≈ 3 min)
    PYTHONPATH=src .venv/bin/python scripts/compare_automation_words.py --seeds 7,1,2,3,4,5,8,9  # + humans counted per seed
    PYTHONPATH=src .venv/bin/python scripts/compare_automation_words.py --change schedule-plural  # another change (`CHANGES`)

A change (`CHANGES`) installs each of two rules in turn while the labelled sources are read, so
both columns come from the same rows and the same column path as `profile_features`. `everyday`
(the default): until 2026-12-07 `automation_words` counted every match of `profile._AUTOMATION`;
since then the everyday "random" ("random thoughts") and "by @handle" credits ("photos by
@friend") are left out (`profile.automation_count`). `schedule-plural`: the schedule units in the
singular only ("every hour", not "every 3 hours") against singular or plural (issue 12). Each
source's descriptions whose count changes are printed (bots and humans), the shipped blend is
trained on each column over the same seeds, and the change is read as `compare_bot_models.py`
reads a candidate: held-out AUC per source with 95% bootstrap intervals and paired intervals of
the change in worst and mean AUC, plus the within-source stclab figure (the 0.95 floor).
`--seeds`: each seed's held-out AUC, ECE, share counted at 0.5 and share of the humans counted,
old and new, and their means (the counts move with the seed's isotonic crossing more than AUC does).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from train_bot_model import load_sources  # noqa: E402

from botwatch.accounts import loso_variants as lv  # noqa: E402
from botwatch.accounts import profile  # noqa: E402
from botwatch.accounts.training import MONOTONE, SHIPPED_FEATURES  # noqa: E402

BEFORE_COLUMN = "automation_words_before"


def plain_count(description: str | None) -> int:
    """The rule until 2026-12-07: every non-overlapping match of the pattern."""
    return len(profile._AUTOMATION.findall(description or ""))


@contextmanager
def _counting_with(count: Callable[[str | None], int]) -> Iterator[None]:
    """`profile_features` counting with `count` (it looks `automation_count` up when called)."""
    rule = profile.automation_count
    profile.automation_count = count  # type: ignore[assignment]
    try:
        yield
    finally:
        profile.automation_count = rule  # type: ignore[assignment]


_PLURAL_UNITS, _SINGULAR_UNITS = "(?:minutes?|hours?|days?|few)", "(?:minute|hour|day|few)"


@contextmanager
def _schedule_units(units: str) -> Iterator[None]:
    """`profile._AUTOMATION` with its schedule units written `units` (the fast column path and the
    Python rule both read the module's pattern when called), whichever the module holds now."""
    pattern = profile._AUTOMATION
    text = pattern.pattern
    for old in (_PLURAL_UNITS, _SINGULAR_UNITS):
        if "every (?:\\d+ )?" + old in text:
            text = text.replace("every (?:\\d+ )?" + old, "every (?:\\d+ )?" + units)
            break
    else:
        raise SystemExit("profile._AUTOMATION has no schedule part this script knows: update _schedule_units")
    profile._AUTOMATION = re.compile(text, pattern.flags)
    try:
        yield
    finally:
        profile._AUTOMATION = pattern


@contextmanager
def _as_is() -> Iterator[None]:
    yield


# name -> ((name of the rule before, how to install it), (name of the rule after, how to install it))
CHANGES: dict[str, tuple[tuple[str, Callable[[], Any]], tuple[str, Callable[[], Any]]]] = {
    "everyday": (("automation words until 2026-12-07", lambda: _counting_with(plain_count)),
                 ("automation words without everyday senses", _as_is)),
    "schedule-plural": (("schedule units singular only", lambda: _schedule_units(_SINGULAR_UNITS)),
                        ("schedule units singular or plural", lambda: _schedule_units(_PLURAL_UNITS))),
}


def frames_with_both(data: Path, change: str = "everyday") -> list[pd.DataFrame]:
    """The shipped sources read under the change's later rule (`automation_words`) with the earlier
    rule's count beside it (`BEFORE_COLUMN`); how many descriptions change, per source and label,
    on stderr."""
    (_, before), (_, after) = CHANGES[change]
    with after():
        new = load_sources(data)
    with before():
        old = load_sources(data)
    out = []
    for o, n in zip(old, new):
        if list(o["handle"]) != list(n["handle"]):
            raise SystemExit("the two readings of the sources differ in their rows")
        f = n.copy()
        f[BEFORE_COLUMN] = o["automation_words"].to_numpy()
        fires = lambda col, lab: int((f.loc[f["label"] == lab, col] > 0).sum())  # noqa: E731
        moved = lambda lab: int((f.loc[f["label"] == lab, BEFORE_COLUMN].fillna(-1) != f.loc[f["label"] == lab, "automation_words"].fillna(-1)).sum())  # noqa: E731
        print(f"{f['source'].iloc[0]}: descriptions with automation words, bots {fires(BEFORE_COLUMN, 1)} -> {fires('automation_words', 1)}, "
              f"humans {fires(BEFORE_COLUMN, 0)} -> {fires('automation_words', 0)}; descriptions whose count changes, "
              f"bots {moved(1)} of {int((f['label'] == 1).sum())}, humans {moved(0)} of {int((f['label'] == 0).sum())}", file=sys.stderr)
        out.append(f)
    MONOTONE.setdefault(BEFORE_COLUMN, MONOTONE["automation_words"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "labelled")
    ap.add_argument("--boot", type=int, default=300, help="bootstrap resamples per source")
    ap.add_argument("--change", choices=sorted(CHANGES), default="everyday", help="which rule change to compare")
    ap.add_argument("--seeds", default="", help="comma-separated training seeds: the per-seed table of counts instead")
    args = ap.parse_args()
    t0 = time.perf_counter()
    frames = frames_with_both(args.data, args.change)
    before = [BEFORE_COLUMN if f == "automation_words" else f for f in SHIPPED_FEATURES]
    (old_name, _), (new_name, _) = CHANGES[args.change]
    rules = ((old_name, before), (new_name, list(SHIPPED_FEATURES)))
    if args.seeds:
        from botwatch.accounts.retrain import unknown_view_loso

        print("| seed | held out | rule | AUC | ECE | counted | humans counted |\n|---|---|---|---|---|---|---|")
        means: dict[tuple[str, str], list[tuple[float, ...]]] = {}
        for seed in [int(s) for s in args.seeds.split(",")]:
            for name, feats in rules:
                for r in unknown_view_loso(frames, feats, seed=seed):
                    a = r["as_is"]
                    means.setdefault((r["held_out"], name), []).append((a["auc"], a["ece"], a["counted_share"], a["humans_counted_share"]))
                    print(f"| {seed} | {r['held_out']} | {name} | {a['auc']:.4f} | {a['ece']:.3f} | {a['counted_share']:.1%} | "
                          f"{a['humans_counted_share']:.1%} |")
        for (src, name), v in means.items():
            m = np.mean(np.array(v), axis=0)
            print(f"| mean | {src} | {name} | {m[0]:.4f} | {m[1]:.3f} | {m[2]:.1%} | {m[3]:.1%} |")
        print(f"\n{time.perf_counter() - t0:.0f} s")
        return
    rows, base, idx, sources = [], None, None, []
    for name, feats in rules:
        held = lv.loso_predictions(frames, lv.tree_fitter(), feats, (7, 8, 9))
        if idx is None:
            idx = lv.bootstrap_indices(held, args.boot, seed=0)
            sources = [h.source for h in held]
        boot = lv.auc_matrix(held, idx)
        row = lv.summarise(name, held, boot, base)
        base = boot if base is None else base
        row["within_stclab"] = lv.within_source(frames, "stclab", lv.tree_fitter()(7), feats)
        rows.append(row)
    print(lv.format_rows(rows, sources))
    # The rule a feature change is held to (docs/model-card-bot.md) reads the point change per
    # held-out source, which the table's three decimals can hide.
    print("\nheld-out AUC, mean over seeds 7, 8, 9, later rule - earlier rule: " + "; ".join(
        f"{s} {rows[0]['sources'][s]['auc']:.4f} -> {rows[1]['sources'][s]['auc']:.4f} ({rows[1]['sources'][s]['auc'] - rows[0]['sources'][s]['auc']:+.4f})"
        for s in sources))
    print("\nwithin-source stclab AUC (out-of-fold, other sources in training): " + "; ".join(f"{r['name']} {r['within_stclab']:.4f}" for r in rows))
    print(f"\n{args.boot} stratified bootstrap resamples per held-out source; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
