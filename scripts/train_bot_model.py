#!/usr/bin/env python
"""Retrain the shipped bot model on the real labelled sets, or print its leave-one-source-out table.

    .venv/bin/python scripts/train_bot_model.py --loso     # the yardstick: LOSO table only
    .venv/bin/python scripts/train_bot_model.py --ceiling  # per source: what its own columns hold
    .venv/bin/python scripts/train_bot_model.py --v2-view  # held out as is and as a v2 study reads it, humans counted
    .venv/bin/python scripts/train_bot_model.py            # LOSO table, then train and ship

Sources (../shared/data/labelled, see its README): stclab, Gilani 2017, and botwiki-2019 +
verified-2019 as one two-class source. Training writes
src/botwatch/accounts/models/bot_model.json.gz, docs/figures/bot-model-figures.json and
docs/figures/bot-reliability.svg (the numbers quoted in docs/model-card-bot.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from botwatch.accounts.loso import format_table, loso_table
from botwatch.accounts.with_shipped import load_shipped_sources

REPO = Path(__file__).resolve().parents[1]


def load_sources(data: Path) -> list[pd.DataFrame]:
    """`with_shipped.load_shipped_sources`, the one loader of the shipped model's sources (kept
    under this name for the scripts that import it from here)."""
    return load_shipped_sources(data)


def age_unknown_table(frames: list) -> None:
    """`retrain.age_unknown_loso` as a table: the held-out source with its age unknown, read as 0
    (until 2026-12-05) and averaged over the training accounts' ages (now), its age known beside."""
    from botwatch.accounts.retrain import age_unknown_loso
    from botwatch.accounts.training import SHIPPED_FEATURES

    print("| held out | n | bots | age known: AUC / ECE / mean p | unknown, read as 0: AUC / ECE / mean p | "
          "unknown, averaged over reference ages: AUC / ECE / mean p |\n|---|---|---|---|---|---|")
    for r in age_unknown_loso(frames, SHIPPED_FEATURES):
        cells = [f"{r[k]['auc']:.3f} / {r[k]['ece']:.3f} / {r[k]['mean_p']:.3f}" for k in ("age_known", "unknown_as_zero", "unknown_averaged")]
        print(f"| {r['held_out']} | {r['n']:,} | {r['bots']:,} ({r['bots'] / r['n']:.0%}) | " + " | ".join(cells) + " |")


def unknown_view_table(frames: list, seeds: list[int]) -> None:
    """`retrain.unknown_view_loso` as a table per training seed: each held-out source as it is and
    read as a v2 study reads it (likes and profile theme unknown), with its humans counted at 0.5."""
    from botwatch.accounts.retrain import unknown_view_loso
    from botwatch.accounts.training import SHIPPED_FEATURES

    print("| seed | held out | bots | as is: AUC / ECE / counted / humans counted | likes and theme unknown: AUC / ECE / counted / humans counted |\n"
          "|---|---|---|---|---|")
    for seed in seeds:
        for r in unknown_view_loso(frames, SHIPPED_FEATURES, seed=seed):
            cells = [f"{r[k]['auc']:.3f} / {r[k]['ece']:.3f} / {r[k]['counted_share']:.1%} / {r[k]['humans_counted_share']:.1%}" for k in ("as_is", "unknown")]
            print(f"| {seed} | {r['held_out']} | {r['bots'] / r['n']:.1%} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "labelled")
    ap.add_argument("--loso", action="store_true", help="print the leave-one-source-out table and stop")
    ap.add_argument("--age-unknown", action="store_true",
                    help="the LOSO table again with the held-out source's ages unknown (a profile with no time it was seen): "
                         "scored as LightGBM reads an unknown it never saw (as 0, the shipped behaviour until 2026-12-05) and "
                         "averaged over the training accounts' ages (`botmodel.age_reference`), and stop")
    ap.add_argument("--v2-view", action="store_true",
                    help="the LOSO table with each held-out source as it is and read as a v2 study reads it (likes and profile theme "
                         "unknown), with the share of its humans counted likely automated, for training seeds 7, 1 and 2, and stop")
    ap.add_argument("--ceiling", action="store_true",
                    help="per source, the in-source out-of-fold AUC over every profile column it fills (a ceiling for its LOSO figure) and stop")
    ap.add_argument("--model", type=Path, default=REPO / "src" / "botwatch" / "accounts" / "models" / "bot_model.json.gz")
    ap.add_argument("--figures", type=Path, default=REPO / "docs" / "figures" / "bot-model-figures.json")
    ap.add_argument("--svg", type=Path, default=REPO / "docs" / "figures" / "bot-reliability.svg")
    args = ap.parse_args()
    t0 = time.perf_counter()
    frames = load_sources(args.data)
    stclab = frames[0]
    print(f"stclab: {stclab.attrs['observed_at_own_status']:,} of {len(stclab):,} accounts measured at their own last status, the rest at "
          f"the collection date; status cells: {stclab.attrs['status_read']}")
    from botwatch.accounts.retrain import _fit, train_and_report
    from botwatch.accounts.training import SHIPPED_FEATURES

    if args.ceiling:
        from botwatch.accounts.loso import source_ceiling
        from botwatch.accounts.profile import ALL_FEATURES

        print("| source | n | columns it fills | in-source AUC, 5-fold, 3 seeds (min-max) |\n|---|---|---|---|")
        for f in frames:
            r = source_ceiling(f, [c for c in ALL_FEATURES if c != "verified"])
            print(f"| {r['source']} | {r['n']:,} | {len(r['columns'])}: {', '.join(r['columns'])} | "
                  f"{r['auc_mean']:.3f} ({r['auc_min']:.3f}-{r['auc_max']:.3f}) |")
        print(f"{time.perf_counter() - t0:.1f} s")
        return
    if args.v2_view:
        unknown_view_table(frames, [7, 1, 2])
        print(f"{time.perf_counter() - t0:.1f} s")
        return
    if args.age_unknown:
        age_unknown_table(frames)
        print(f"{time.perf_counter() - t0:.1f} s")
        return
    if args.loso:
        print(format_table(loso_table(frames, _fit, SHIPPED_FEATURES)))
        print("\nthe same with `verified` added (a shortcut on botwiki+verified; not shipped):")
        print(format_table(loso_table(frames, _fit, [*SHIPPED_FEATURES, "verified"])))
        print(f"{time.perf_counter() - t0:.1f} s")
        return
    figs = train_and_report(frames, args.model, args.figures, args.svg)
    print(format_table(figs["loso"]))
    print("\nthe same with `verified` added (a shortcut on botwiki+verified; not shipped):")
    print(format_table(figs["loso_with_verified"]))
    print("\nwithin source, out-of-fold (other sources in training too):")
    print(json.dumps({k: v.get("oof_with_other_sources") for k, v in figs["sources"].items()}, indent=1))
    oof = figs["pooled_oof"]
    print(f"pooled out-of-fold AUC {oof['auc']:.4f} (95% DeLong interval {oof['auc_low']:.4f}-{oof['auc_high']:.4f})")
    if figs.get("quality_warning"):
        print(f"warning: {figs['quality_warning']}")
    print(f"model: {args.model} ({args.model.stat().st_size / 1024:.0f} KiB); {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
